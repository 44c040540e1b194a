"""Provider schemas (arguments and nested blocks of every resource and data source), read
offline from the npm packages @cdktf/provider-azurerm 14.23.1 (azurerm 4.55.0) and
@cdktf/provider-databricks 15.14.0 (databricks 1.97.0), which are generated from those
provider versions' schemas.

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

# Provider (the resource type prefix) => npm package, registry namespace, provider version.
PROVIDERS = {
    "azurerm": ("@cdktf/provider-azurerm", "hashicorp", "4.55.0"),
    "databricks": ("@cdktf/provider-databricks", "databricks", "1.97.0"),
}
PACKAGE, _, PROVIDER_VERSION = PROVIDERS["azurerm"]


def _link_re(provider: str) -> re.Pattern:
    _, namespace, _ = PROVIDERS[provider]
    return re.compile(
        rf"registry\.terraform\.io/providers/{namespace}/{provider}/(?P<version>[^/]+)/docs/"
        r"(?P<kind>resources|data-sources)/(?P<type>[a-z0-9_]+)#(?P<attr>[a-z0-9_]+)"
    )


LINK = _link_re("azurerm")
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


def _link(prop: dict, link: re.Pattern = LINK) -> re.Match | None:
    docs = prop.get("docs", {})
    return link.search(docs.get("summary", "") + " " + docs.get("remarks", ""))


def _block(fqn: str, types: dict, link: re.Pattern, seen: tuple = ()) -> dict:
    """{"attributes": {name: required}, "blocks": {name: {"required": bool, **block}}}"""
    attributes: dict[str, bool] = {}
    blocks: dict[str, dict] = {}
    for prop in types[fqn].get("properties", []):
        m = _link(prop, link)
        name = m.group("attr") if m else _snake(prop["name"])
        required = not prop.get("optional", False)
        struct = _struct_of(prop["type"], types)
        if struct and struct not in seen:
            blocks[name] = {"required": required, **_block(struct, types, link, seen + (fqn,))}
        else:
            attributes[name] = required
    return {"attributes": attributes, "blocks": blocks}


def load(node_modules: Path, provider: str = "azurerm") -> dict:
    """{"resource": {type: block}, "data": {type: block}} for every type of the provider."""
    package, _, version = PROVIDERS[provider]
    link = _link_re(provider)
    manifest = node_modules / package / ".jsii"
    jsii = json.loads(manifest.read_text())
    types = jsii["types"]
    schema: dict[str, dict] = {"resource": {}, "data": {}}
    for fqn, t in types.items():
        if "cdktf.TerraformMetaArguments" not in t.get("interfaces", []):
            continue
        links = [m for p in t.get("properties", []) if (m := _link(p, link))]
        if not links:
            continue
        m = links[0]
        if m.group("version") != version:
            raise SystemExit(f"{manifest}: {fqn} documents {provider} {m.group('version')}, expected {version}")
        kind = "resource" if m.group("kind") == "resources" else "data"
        block = _block(fqn, types, link)
        for meta in META:
            block["attributes"].pop(meta, None)
        schema[kind][f"{provider}_" + m.group("type")] = block
    return schema


def load_all(node_modules: Path) -> dict:
    """Both providers' schemas merged: {"resource": {...}, "data": {...}}."""
    merged: dict[str, dict] = {"resource": {}, "data": {}}
    for provider in PROVIDERS:
        s = load(node_modules, provider)
        merged["resource"].update(s["resource"])
        merged["data"].update(s["data"])
    return merged


if __name__ == "__main__":
    import sys

    s = load_all(Path(sys.argv[1] if len(sys.argv) > 1 else "tools/node_modules"))
    print(json.dumps(s["resource"].get(sys.argv[2] if len(sys.argv) > 2 else "azurerm_storage_account"), indent=1))
    print(len(s["resource"]), "resources,", len(s["data"]), "data sources")
