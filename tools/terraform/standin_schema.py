"""Real provider schemas for the Terraform stand-in providers, read from the pinned npm packages
@cdktf/provider-{azurerm,databricks,random,time}, written in the format of
`terraform providers schema -json` (one file per provider).

The packages carry no schema JSON, but their generated JavaScript is a faithful, regular
transcription of it:

- `synthesizeHclAttributes()` of a resource, data source or provider class, and the
  `<struct>ToHclTerraform()` function of every nested block, list each argument with
  `isBlock`, `type` (simple, list, set, map, struct) and `storageClassType` (string, number,
  boolean, stringList, numberListList, stringMap, or the struct a block holds);
- the `.d.ts` interfaces say which arguments are required (`readonly name: string` against
  `readonly tags?: ...`);
- computed attributes the user cannot set are getters preceded by the generator's comment
  `// principal_id - computed: true, optional: false, required: false`, and a block's getter
  kind (`...OutputReference` vs `...List`) says whether it holds at most one element.

What the packages do not carry, and what the stand-in therefore assumes (docs/decisions.md):
whether an optional argument is also computed (only `id` is), and which attributes are
sensitive (named by `SENSITIVE` below, the provider's own naming).

Usage: python3 standin_schema.py NODE_MODULES OUT_DIR  (writes OUT_DIR/<provider>.json)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

# provider name => (npm package, registry namespace). The version is read from the package.
PACKAGES = {
    "azurerm": ("@cdktf/provider-azurerm", "hashicorp"),
    "databricks": ("@cdktf/provider-databricks", "databricks"),
    "random": ("@cdktf/provider-random", "hashicorp"),
    "time": ("@cdktf/provider-time", "hashicorp"),
}

# Attributes the real providers mark sensitive (the npm packages do not say): keys, passwords,
# connection strings, SAS tokens and secret values. Matched against the attribute name, with
# the resource type where a plain name such as `value` is sensitive in one resource only.
SENSITIVE = re.compile(
    r"^(.*_)?(access_key|key|password|connection_string|connection_string_alias|secret|"
    r"sas|sas_url|sas_token|token_value|instrumentation_key|client_secret|shared_key|"
    r"primary_blob_connection_string|secondary_blob_connection_string|bcrypt_hash)$"
)
SENSITIVE_BY_TYPE = {
    "azurerm_key_vault_secret": {"value"},
    "random_password": {"result"},
    "databricks_token": {"token_value"},
    "azurerm_application_insights": {"connection_string", "instrumentation_key"},
}
# Names matched by SENSITIVE that are plain identifiers in azurerm (key names, ids, URLs).
NOT_SENSITIVE = re.compile(r".*(_id|_ids|_name|_names|_url|_version|_type|_uri|_expiration)$")

PRIMITIVE = {"string": "string", "number": "number", "boolean": "bool"}

ENTRY = re.compile(
    r"(?P<name>\w+): \{\s*value: (?P<value>.*?),\s*isBlock: (?P<block>true|false),\s*"
    r'type: "(?P<type>\w+)",\s*storageClassType: "(?P<storage>\w+)",\s*\}',
    re.S,
)
FIELD = re.compile(r"(?:struct\??\.|this\._)(\w+)")
COMMENT = re.compile(r"// (\w+) - computed: (true|false), optional: (true|false), required: (true|false)")
GETTER = re.compile(r"return this\.get(\w+)Attribute\('(\w+)'\)")
CTOR = re.compile(r'this\._(\w+) = new (\w+)\(this, "(\w+)"(?:, (true|false))?\)')
INTERFACE = re.compile(r"export interface (\w+)(?: extends [\w.]+)? \{(.*?)\n\}", re.S)
PROP = re.compile(r"readonly (\w+)(\??): ")
GETTER_TYPES = {
    "String": "string",
    "Number": "number",
    "Boolean": "bool",
    "List": ["list", "string"],
    "NumberList": ["list", "number"],
    "StringMap": ["map", "string"],
    "NumberMap": ["map", "number"],
    "BooleanMap": ["map", "bool"],
    "AnyMap": ["map", "dynamic"],
}


def _units(js: str) -> dict[str, str]:
    """Top-level functions and classes of a generated module, by name."""
    units: dict[str, str] = {}
    for m in re.finditer(r"^(?:function|class) (\w+).*?^\}", js, re.S | re.M):
        units[m.group(1)] = m.group(0)
    return units


class Module:
    """One generated module (one resource, data source or the provider) and its structs."""

    def __init__(self, js: str, dts: str):
        self.units = _units(js)
        self.required: dict[str, dict[str, bool]] = {}
        for m in INTERFACE.finditer(dts):
            self.required[m.group(1)] = {p.group(1): p.group(2) != "?" for p in PROP.finditer(m.group(2))}

    def hcl_entries(self, unit: str) -> list[re.Match]:
        text = self.units.get(unit, "")
        start = text.find("synthesizeHclAttributes()") if "synthesizeHclAttributes()" in text else 0
        return list(ENTRY.finditer(text, start))

    def block(self, struct: str, hcl_unit: str, getters_unit: str, interface: str, rtype: str) -> dict:
        """The schema block of a struct: configurable arguments from its HCL function, required
        from its interface, computed-only attributes from its getters' comments."""
        attributes: dict[str, dict] = {}
        blocks: dict[str, dict] = {}
        required = self.required.get(interface, {})
        getters = self.units.get(getters_unit, "")
        ctor = {m.group(3): (m.group(2), m.group(4)) for m in CTOR.finditer(getters)}
        for e in self.hcl_entries(hcl_unit):
            name, kind, storage = e.group("name"), e.group("type"), e.group("storage")
            field = FIELD.search(e.group("value"))
            is_required = bool(field and required.get(field.group(1), False))
            if e.group("block") == "true":
                inner = re.sub(r"(List|Map)$", "", storage) if kind != "struct" else storage
                single = kind == "struct" and not inner.endswith("Timeouts")
                nested = self.block(
                    inner, _lower(inner) + "ToHclTerraform", inner + "OutputReference", inner, rtype
                )
                if single:
                    # A plugin-framework single nested attribute (SDKv2 has no single blocks
                    # but timeouts): `name = { ... }`.
                    attributes[name] = {
                        "nested_type": {"attributes": nested["attributes"], "nesting_mode": "single"},
                        **_flags(is_required, False),
                    }
                    continue
                bt: dict = {"nesting_mode": "single" if kind == "struct" else kind, "block": nested}
                ctor_class = ctor.get(name, ("", None))[0]
                if kind == "list" and ctor_class.endswith("OutputReference"):
                    bt["max_items"] = 1
                if is_required:
                    bt["min_items"] = 1
                blocks[name] = bt
            else:
                attributes[name] = {"type": _type(kind, storage), **_flags(is_required, name == "id")}
        for c in COMMENT.finditer(getters):
            name, computed, optional, req = c.group(1), *(x == "true" for x in c.groups()[1:])
            if not computed or optional or req or name in attributes or name in blocks:
                continue
            rest = getters[c.end() : c.end() + 400]
            g = GETTER.search(rest.split("\n    }", 1)[0])
            if g and g.group(2) == name:
                attributes[name] = {"type": GETTER_TYPES.get(g.group(1), "dynamic"), "computed": True}
            elif name in ctor:
                cls, wraps_set = ctor[name]
                attributes[name] = {"type": self._computed_object(cls, wraps_set), "computed": True}
        for name, attr in attributes.items():
            if _sensitive(rtype, name):
                attr["sensitive"] = True
        return {"attributes": attributes, "block_types": blocks}

    def _computed_object(self, cls: str, wraps_set: str | None):
        """The cty type of a computed-only nested object (SDKv2 makes these list attributes)."""
        struct = re.sub(r"(List|Map|OutputReference)$", "", cls)
        fields: dict = {}
        text = self.units.get(struct + "OutputReference", "")
        inner_ctor = {m.group(3): (m.group(2), m.group(4)) for m in CTOR.finditer(text)}
        for c in COMMENT.finditer(text):
            name = c.group(1)
            g = GETTER.search(text[c.end() : c.end() + 400].split("\n    }", 1)[0])
            if g and g.group(2) == name:
                fields[name] = GETTER_TYPES.get(g.group(1), "dynamic")
            elif name in inner_ctor:
                fields[name] = self._computed_object(*inner_ctor[name])
        obj = ["object", fields]
        if cls.endswith("Map"):
            return ["map", obj]
        return ["set" if wraps_set == "true" else "list", obj]


def _lower(name: str) -> str:
    return name[0].lower() + name[1:]


def _flags(required: bool, computed: bool) -> dict:
    if required:
        return {"required": True}
    return {"optional": True, "computed": True} if computed else {"optional": True}


def _type(kind: str, storage: str):
    if kind == "simple":
        return PRIMITIVE.get(storage, "dynamic")
    m = re.fullmatch(r"(string|number|boolean)(List|ListList|Map)", storage)
    if not m:
        return "dynamic"
    elem = PRIMITIVE[m.group(1)]
    if m.group(2) == "Map":
        return ["map", elem]
    if m.group(2) == "ListList":
        return ["list", ["list", elem]]
    return [kind if kind in ("list", "set") else "list", elem]


def _sensitive(rtype: str, name: str) -> bool:
    if name in SENSITIVE_BY_TYPE.get(rtype, ()):
        return True
    return bool(SENSITIVE.match(name)) and not NOT_SENSITIVE.match(name)


def _class_of(js: str, base: str) -> tuple[str, str] | None:
    m = re.search(rf"^class (\w+) extends cdktf\.{base} \{{", js, re.M)
    if not m:
        return None
    t = re.search(rf"^{m.group(1)}\.tfResourceType = \"(\w+)\";", js, re.M)
    return m.group(1), t.group(1) if t else ""


def provider_schema(node_modules: Path, provider: str) -> tuple[str, dict]:
    """(version, schema) of one provider, as `terraform providers schema -json` shapes it."""
    package, _ = PACKAGES[provider]
    lib = node_modules / package / "lib"
    version = ""
    out: dict = {"provider": None, "resource_schemas": {}, "data_source_schemas": {}}
    for js_path in sorted(lib.glob("*/index.js")):
        js = js_path.read_text()
        dts = js_path.with_suffix(".d.ts").read_text()
        mod = Module(js, dts)
        for base, key in (("TerraformResource", "resource_schemas"), ("TerraformDataSource", "data_source_schemas"),
                          ("TerraformProvider", "provider")):
            found = _class_of(js, base)
            if not found:
                continue
            cls, rtype = found
            block = mod.block(cls, cls, cls, cls + "Config", rtype)
            if key == "provider":
                v = re.search(r"providerVersion: '([^']+)'", js)
                version = v.group(1) if v else version
                # cdktf adds `alias` to every provider class; it is a meta-argument.
                block["attributes"].pop("alias", None)
                out["provider"] = {"version": 0, "block": block}
            else:
                out[key][rtype] = {"version": 0, "block": block}
    if out["provider"] is None or not out["resource_schemas"]:
        raise SystemExit(f"{lib}: no provider or resources found; is {package} installed?")
    return version, out


def main(argv: list[str]) -> int:
    node_modules, out_dir = Path(argv[1]), Path(argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    for provider, (_, namespace) in PACKAGES.items():
        version, schema = provider_schema(node_modules, provider)
        schema["name"] = provider
        schema["namespace"] = namespace
        schema["provider_version"] = version
        (out_dir / f"{provider}.json").write_text(json.dumps(schema, sort_keys=True))
        print(f"{provider} {version}: {len(schema['resource_schemas'])} resources, "
              f"{len(schema['data_source_schemas'])} data sources")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
