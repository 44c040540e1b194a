"""Offline cross-reference check of terraform/: what `terraform validate` checks between
modules and that needs no provider.

In the root and in every module:
- each `module` call's source exists, passes only variables the module declares and every
  variable that has no default;
- each `module.NAME.OUTPUT` names a called module and one of its outputs;
- each `var.X`, `local.X`, resource reference `TYPE.NAME` and `data.TYPE.NAME` is declared in
  that directory.

Usage: python check_refs.py [terraform_dir]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import hcl2

MODULE_META = {"source", "version", "providers", "depends_on", "count", "for_each"}
PROVIDERS = r"(?:azurerm|azapi|databricks|random|time)"
REF_MODULE = re.compile(r"\bmodule\.([a-z0-9_]+)(?:\[[^\]]*\])?\.([a-z0-9_]+)")
REF_VAR = re.compile(r"\bvar\.([a-z0-9_]+)")
REF_LOCAL = re.compile(r"\blocal\.([a-z0-9_]+)")
REF_DATA = re.compile(rf"\bdata\.({PROVIDERS}_[a-z0-9_]+)\.([a-z0-9_]+)")
REF_RESOURCE = re.compile(rf"(?<![.\w\"])({PROVIDERS}_[a-z0-9_]+)\.([a-z0-9_]+)")
COMMENT = re.compile(r"(?m)^\s*(#|//).*$")


def _unquote(s: str) -> str:
    return s[1:-1] if len(s) >= 2 and s[0] == s[-1] == '"' else s


class Dir:
    def __init__(self, path: Path):
        self.path = path
        self.variables: dict[str, bool] = {}  # name -> has default
        self.outputs: set[str] = set()
        self.locals: set[str] = set()
        self.resources: set[tuple[str, str]] = set()
        self.data: set[tuple[str, str]] = set()
        self.modules: dict[str, dict] = {}
        self.text = ""
        for f in sorted(path.glob("*.tf")):
            raw = f.read_text()
            self.text += COMMENT.sub("", raw) + "\n"
            with f.open() as fh:
                doc = hcl2.load(fh)
            for v in doc.get("variable", []):
                for name, body in v.items():
                    self.variables[_unquote(name)] = "default" in body
            for o in doc.get("output", []):
                self.outputs.update(_unquote(n) for n in o if n != "__is_block__")
            for block in doc.get("locals", []):
                self.locals.update(k for k in block if k != "__is_block__")
            for kind, target in (("resource", self.resources), ("data", self.data)):
                for entry in doc.get(kind, []):
                    for rtype, named in entry.items():
                        for rname in named:
                            if rname != "__is_block__":
                                target.add((_unquote(rtype), _unquote(rname)))
            for m in doc.get("module", []):
                for name, body in m.items():
                    if name != "__is_block__":
                        self.modules[_unquote(name)] = body


def check_dir(path: Path, errors: list[str], seen: set[Path]) -> None:
    path = path.resolve()
    if path in seen:
        return
    seen.add(path)
    d = Dir(path)
    children: dict[str, Dir] = {}
    for name, body in d.modules.items():
        source = path / _unquote(str(body.get("source", "")))
        if not source.is_dir():
            errors.append(f"{path}: module {name}: no module at {source}")
            continue
        child = Dir(source)
        children[name] = child
        args = {k for k in body if k not in MODULE_META and not k.startswith("__")}
        for a in sorted(args - set(child.variables)):
            errors.append(f"{path}: module {name} passes `{a}`, which {source.name} does not declare")
        for v, has_default in sorted(child.variables.items()):
            if not has_default and v not in args:
                errors.append(f"{path}: module {name} does not pass required variable `{v}`")
        check_dir(source, errors, seen)
    for m, out in sorted(set(REF_MODULE.findall(d.text))):
        if m not in children:
            errors.append(f"{path}: module.{m}.{out}: no module `{m}` is called here")
        elif out not in children[m].outputs:
            errors.append(f"{path}: module.{m}.{out}: module `{m}` has no output `{out}`")
    for v in sorted(set(REF_VAR.findall(d.text)) - set(d.variables)):
        errors.append(f"{path}: var.{v} is not declared")
    for loc in sorted(set(REF_LOCAL.findall(d.text)) - d.locals):
        errors.append(f"{path}: local.{loc} is not defined")
    for ref in sorted(set(REF_DATA.findall(d.text)) - d.data):
        errors.append(f"{path}: data.{ref[0]}.{ref[1]} is not declared")
    data_refs = {f"{t}.{n}" for t, n in REF_DATA.findall(d.text)}
    for t, n in sorted(set(REF_RESOURCE.findall(d.text))):
        if (t, n) not in d.resources and f"{t}.{n}" not in data_refs:
            errors.append(f"{path}: {t}.{n} is not declared")


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "terraform")
    errors: list[str] = []
    seen: set[Path] = set()
    check_dir(root, errors, seen)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"{len(errors)} reference error(s)", file=sys.stderr)
        return 1
    print(f"references: {len(seen)} directories under {root} OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
