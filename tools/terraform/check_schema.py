"""Offline check of terraform/ against the azurerm 4.55.0 schema.

Every `resource` and `data` block of an azurerm type may use only the arguments and nested
blocks that type has in azurerm 4.55.0, and must set every required one; nested blocks are
checked the same way, at any depth, including the `content` of `dynamic` blocks. Meta-arguments
are ignored. `terraform validate` would do this with the provider downloaded; here the registry
is not reachable, so the schema comes from the npm package @cdktf/provider-azurerm 14.23.1
(see azurerm_schema.py).

Usage: python check_schema.py [terraform_dir] [node_modules]
"""

from __future__ import annotations

import sys
from pathlib import Path

import hcl2

import azurerm_schema

META = {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}
MARK = "__is_block__"


def _unquote(s: str) -> str:
    return s[1:-1] if len(s) >= 2 and s[0] == s[-1] == '"' else s


def _is_block(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and v.get(MARK) for v in value) and bool(value)


def check_body(body: dict, schema: dict, where: str, errors: list[str]) -> None:
    attributes, blocks = schema["attributes"], schema["blocks"]
    present: set[str] = set()
    for key, value in body.items():
        if key == MARK or key in META:
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
    """Checks one file; returns how many azurerm blocks it holds."""
    with path.open() as f:
        doc = hcl2.load(f)
    checked = 0
    for kind in ("resource", "data"):
        for entry in doc.get(kind, []):
            for rtype, named in entry.items():
                rtype = _unquote(rtype)
                if not rtype.startswith("azurerm_"):
                    continue
                for rname, body in named.items():
                    if rname == MARK:
                        continue
                    where = f"{path}: {kind} {rtype}.{_unquote(rname)}"
                    checked += 1
                    if rtype not in schema[kind]:
                        errors.append(f"{where}: no such {kind} type in azurerm {azurerm_schema.PROVIDER_VERSION}")
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
    schema = azurerm_schema.load(node_modules)
    checked, errors = check_tree(root, schema)
    for e in errors:
        print(e, file=sys.stderr)
    if checked == 0:
        print(f"no azurerm blocks found under {root}", file=sys.stderr)
        return 1
    if errors:
        print(f"{len(errors)} schema error(s) in {checked} azurerm blocks", file=sys.stderr)
        return 1
    print(f"azurerm {azurerm_schema.PROVIDER_VERSION} schema: {checked} blocks under {root} OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
