"""Offline check of terraform/ against the azurerm 4.55.0 and databricks 1.97.0 schemas.

Every `resource` and `data` block of an azurerm (or databricks) type may use only the arguments
and nested blocks that type has in azurerm 4.55.0 (databricks 1.97.0), and must set every
required one; nested blocks are
checked the same way, at any depth, including the `content` of `dynamic` blocks. Meta-arguments
are ignored. `terraform validate` would do this with the provider downloaded; here the registry
is not reachable, so the schemas come from the npm packages @cdktf/provider-azurerm 14.23.1 and
@cdktf/provider-databricks 15.14.0 (see provider_schema.py).

Usage: python check_schema.py [terraform_dir] [node_modules]
"""

from __future__ import annotations

import sys
from pathlib import Path

import hcl2

import provider_schema

META = {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}
MARK = "__is_block__"
CHECKED = tuple(f"{p}_" for p in provider_schema.PROVIDERS)


def _unquote(s: str) -> str:
    return s[1:-1] if len(s) >= 2 and s[0] == s[-1] == '"' else s


def _is_block(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and v.get(MARK) for v in value) and bool(value)


def check_body(body: dict, schema: dict, where: str, errors: list[str]) -> None:
    attributes, blocks = schema["attributes"], schema["blocks"]
    present: set[str] = set()
    for key, value in body.items():
        if key.startswith("__") or key in META:  # parser markers (__is_block__, __comments__)
            continue
        if key == "dynamic":
            for dyn in value:
                for label, spec in dyn.items():
                    if label == MARK:
                        continue
                    name = _unquote(label)
                    present.add(name)
                    if name not in blocks:
                        errors.append(f"{where}: unknown block `{name}` (dynamic)")
                        continue
                    for content in spec.get("content", []):
                        check_body(content, blocks[name], f"{where}.{name}", errors)
            continue
        present.add(key)
        if key in attributes:
            if _is_block(value):
                errors.append(f"{where}: `{key}` is an argument, written as a block")
        elif key in blocks:
            if not _is_block(value):
                errors.append(f"{where}: `{key}` is a block, written as an argument")
                continue
            for i, inner in enumerate(value):
                check_body(inner, blocks[key], f"{where}.{key}[{i}]", errors)
        else:
            kind = "block" if _is_block(value) else "argument"
            errors.append(f"{where}: unknown {kind} `{key}`")
    for name, required in attributes.items():
        if required and name not in present:
            errors.append(f"{where}: missing required argument `{name}`")
    for name, block in blocks.items():
        if block["required"] and name not in present:
            errors.append(f"{where}: missing required block `{name}`")


def check_file(path: Path, schema: dict, errors: list[str]) -> int:
    """Checks one file; returns how many checked (azurerm, databricks) blocks it holds."""
    with path.open() as f:
        doc = hcl2.load(f)
    checked = 0
    for kind in ("resource", "data"):
        for entry in doc.get(kind, []):
            for rtype, named in entry.items():
                rtype = _unquote(rtype)
                if not rtype.startswith(CHECKED):
                    continue
                for rname, body in named.items():
                    if rname == MARK:
                        continue
                    where = f"{path}: {kind} {rtype}.{_unquote(rname)}"
                    checked += 1
                    if rtype not in schema[kind]:
                        errors.append(f"{where}: no such {kind} type in {rtype.split('_')[0]} {provider_schema.PROVIDERS[rtype.split('_')[0]][2]}")
                        continue
                    check_body(body, schema[kind][rtype], where, errors)
    return checked


def check_tree(root: Path, schema: dict) -> tuple[int, list[str]]:
    errors: list[str] = []
    checked = 0
    for path in sorted(root.rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        checked += check_file(path, schema, errors)
    return checked, errors


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "terraform")
    node_modules = Path(sys.argv[2] if len(sys.argv) > 2 else "tools/node_modules")
    schema = provider_schema.load_all(node_modules)
    checked, errors = check_tree(root, schema)
    for e in errors:
        print(e, file=sys.stderr)
    if checked == 0:
        print(f"no azurerm or databricks blocks found under {root}", file=sys.stderr)
        return 1
    if errors:
        print(f"{len(errors)} schema error(s) in {checked} blocks", file=sys.stderr)
        return 1
    versions = ", ".join(f"{p} {v[2]}" for p, v in provider_schema.PROVIDERS.items())
    print(f"provider schemas ({versions}): {checked} blocks under {root} OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
