"""The azurerm 4.55.0 schema (arguments and nested blocks of every resource and data source),
read offline from the npm package @cdktf/provider-azurerm 14.23.1, which is generated from that
provider version's schema.

The package carries no `provider_schemas` JSON; its `.jsii` type manifest does: each resource or
data source has a `<Name>Config` struct, nested blocks are structs of their own, `optional` says
whether an argument is required, and every property's docs link to the registry page with the
Terraform (snake_case) name as the anchor:
`https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs/resources/storage_account#account_tier`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

PACKAGE = "@cdktf/provider-azurerm"
PROVIDER_VERSION = "4.55.0"
LINK = re.compile(
    r"registry\.terraform\.io/providers/hashicorp/azurerm/(?P<version>[^/]+)/docs/"
    r"(?P<kind>resources|data-sources)/(?P<type>[a-z0-9_]+)#(?P<attr>[a-z0-9_]+)"
)
# Arguments every cdktf Config inherits from cdktf.TerraformMetaArguments; they are Terraform
# meta-arguments, not provider arguments.
META = {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioners", "connection"}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _struct_of(tp: dict, types: dict) -> str | None:
    """The fqn of the struct a property's type refers to (a nested block), else None."""
    if "fqn" in tp:
        fqn = tp["fqn"]
        t = types.get(fqn)
        return fqn if t is not None and t.get("datatype") else None
    if "collection" in tp:
        return _struct_of(tp["collection"]["elementtype"], types)
    if "union" in tp:
        for u in tp["union"]["types"]:
            s = _struct_of(u, types)
            if s:
                return s
    return None


def _link(prop: dict) -> re.Match | None:
    docs = prop.get("docs", {})
    return LINK.search(docs.get("summary", "") + " " + docs.get("remarks", ""))


def _block(fqn: str, types: dict, seen: tuple = ()) -> dict:
    """{"attributes": {name: required}, "blocks": {name: {"required": bool, **block}}}"""
    attributes: dict[str, bool] = {}
    blocks: dict[str, dict] = {}
    for prop in types[fqn].get("properties", []):
        m = _link(prop)
        name = m.group("attr") if m else _snake(prop["name"])
        required = not prop.get("optional", False)
        struct = _struct_of(prop["type"], types)
        if struct and struct not in seen:
            blocks[name] = {"required": required, **_block(struct, types, seen + (fqn,))}
        else:
            attributes[name] = required
    return {"attributes": attributes, "blocks": blocks}


def load(node_modules: Path) -> dict:
    """{"resource": {type: block}, "data": {type: block}} for every azurerm type."""
    manifest = node_modules / PACKAGE / ".jsii"
    jsii = json.loads(manifest.read_text())
    types = jsii["types"]
    schema: dict[str, dict] = {"resource": {}, "data": {}}
    for fqn, t in types.items():
        if "cdktf.TerraformMetaArguments" not in t.get("interfaces", []):
            continue
        links = [m for p in t.get("properties", []) if (m := _link(p))]
        if not links:
            continue
        m = links[0]
        if m.group("version") != PROVIDER_VERSION:
            raise SystemExit(f"{manifest}: {fqn} documents azurerm {m.group('version')}, expected {PROVIDER_VERSION}")
        kind = "resource" if m.group("kind") == "resources" else "data"
        block = _block(fqn, types)
        for meta in META:
            block["attributes"].pop(meta, None)
        schema[kind]["azurerm_" + m.group("type")] = block
    return schema


if __name__ == "__main__":
    import sys

    s = load(Path(sys.argv[1] if len(sys.argv) > 1 else "tools/node_modules"))
    print(json.dumps(s["resource"].get(sys.argv[2] if len(sys.argv) > 2 else "azurerm_storage_account"), indent=1))
    print(len(s["resource"]), "resources,", len(s["data"]), "data sources")
