"""The reference checker rejects broken module wiring (run: python -m unittest)."""

from __future__ import annotations

import tempfile
import unittest
from pathlib import Path

import check_refs

ROOT = """
variable "location" {
  type = string
}
locals {
  name = "x"
}
resource "azurerm_resource_group" "rg" {
  name     = local.name
  location = var.location
}
module "m" {
  source   = "./m"
  rg       = azurerm_resource_group.rg.name
  location = var.location
}
output "o" {
  value = module.m.id
}
"""
MODULE = """
variable "rg" {
  type = string
}
variable "location" {
  type = string
}
variable "optional" {
  type    = number
  default = 1
}
output "id" {
  value = var.rg
}
"""


def check(root: str, module: str = MODULE) -> list[str]:
    with tempfile.TemporaryDirectory() as d:
        Path(d, "main.tf").write_text(root)
        Path(d, "m").mkdir()
        Path(d, "m", "main.tf").write_text(module)
        errors: list[str] = []
        check_refs.check_dir(Path(d), errors, set())
        return errors


class RefsCheck(unittest.TestCase):
    def test_good_tree_passes(self):
        self.assertEqual(check(ROOT), [])

    def test_unknown_module_output(self):
        errors = check(ROOT.replace("module.m.id", "module.m.ids"))
        self.assertTrue(any("has no output `ids`" in e for e in errors), errors)

    def test_undeclared_module_argument_and_missing_required_one(self):
        errors = check(ROOT.replace("  rg       =", "  group    ="))
        self.assertTrue(any("passes `group`" in e for e in errors), errors)
        self.assertTrue(any("does not pass required variable `rg`" in e for e in errors), errors)

    def test_undeclared_variable_local_and_resource(self):
        errors = check(ROOT.replace("local.name", "local.nam").replace("var.location\n}", "var.region\n}", 1).replace("azurerm_resource_group.rg.name", "azurerm_resource_group.gr.name"))
        self.assertTrue(any("local.nam is not defined" in e for e in errors), errors)
        self.assertTrue(any("var.region is not declared" in e for e in errors), errors)
        self.assertTrue(any("azurerm_resource_group.gr is not declared" in e for e in errors), errors)


if __name__ == "__main__":
    unittest.main()
