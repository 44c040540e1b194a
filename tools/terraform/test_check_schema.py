"""The schema checker rejects what terraform validate would reject (run: python -m unittest)."""

from __future__ import annotations

import os
import tempfile
import unittest
from pathlib import Path

import provider_schema
import check_schema

NODE_MODULES = Path(os.environ.get("NODE_MODULES", Path(__file__).resolve().parents[1] / "node_modules"))
SCHEMA = provider_schema.load_all(NODE_MODULES)

GOOD = """
resource "azurerm_eventhub" "e" {
  #checkov:skip=CKV_X:comments inside a block are not arguments
  name              = "pageviews"
  namespace_id      = "x"
  partition_count   = 4
  message_retention = 1
  capture_description {
    enabled  = true
    encoding = "Avro"
    destination {
      name                = "EventHubArchive.AzureBlockBlob"
      archive_name_format = "{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}"
      blob_container_name = "bronze"
      storage_account_id  = "x"
    }
  }
  lifecycle {
    ignore_changes = [message_retention]
  }
}
data "azurerm_client_config" "current" {}
"""


def check(text: str) -> list[str]:
    with tempfile.TemporaryDirectory() as d:
        Path(d, "main.tf").write_text(text)
        _, errors = check_schema.check_tree(Path(d), SCHEMA)
        return errors


class SchemaCheck(unittest.TestCase):
    def test_schema_is_read_from_the_package(self):
        self.assertGreater(len(SCHEMA["resource"]), 1000)
        sa = SCHEMA["resource"]["azurerm_storage_account"]
        self.assertTrue(sa["attributes"]["account_tier"])
        self.assertFalse(sa["attributes"]["is_hns_enabled"])
        self.assertIn("blob_properties", sa["blocks"])

    def test_good_block_passes(self):
        self.assertEqual(check(GOOD), [])

    def test_misspelled_argument_is_rejected(self):
        errors = check(GOOD.replace("partition_count", "partitions_count"))
        self.assertTrue(any("unknown argument `partitions_count`" in e for e in errors), errors)
        self.assertTrue(any("missing required argument `partition_count`" in e for e in errors), errors)

    def test_missing_required_argument_is_rejected(self):
        errors = check('resource "azurerm_resource_group" "rg" {\n  name = "rg"\n}\n')
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("missing required argument `location`", errors[0])

    def test_nested_blocks_are_checked(self):
        errors = check(GOOD.replace('blob_container_name = "bronze"', 'container = "bronze"'))
        self.assertTrue(any("capture_description[0].destination[0]: unknown argument `container`" in e for e in errors), errors)
        self.assertTrue(any("missing required argument `blob_container_name`" in e for e in errors), errors)

    def test_unknown_nested_block_is_rejected(self):
        errors = check(GOOD.replace("  lifecycle {", "  retention {\n    days = 1\n  }\n  lifecycle {"))
        self.assertTrue(any("unknown block `retention`" in e for e in errors), errors)

    def test_missing_required_block_is_rejected(self):
        text = GOOD.replace("destination {", "destinatio {")
        errors = check(text)
        self.assertTrue(any("missing required block `destination`" in e for e in errors), errors)
        self.assertTrue(any("unknown block `destinatio`" in e for e in errors), errors)

    def test_dynamic_blocks_are_checked_by_content(self):
        text = """
resource "azurerm_container_group" "g" {
  name                = "g"
  location            = "l"
  resource_group_name = "r"
  os_type             = "Linux"
  dynamic "container" {
    for_each = ["a"]
    content {
      name   = container.value
      image  = "i"
      cpu    = 1
      memry  = 1
    }
  }
}
"""
        errors = check(text)
        self.assertTrue(any("container: unknown argument `memry`" in e for e in errors), errors)
        self.assertTrue(any("container: missing required argument `memory`" in e for e in errors), errors)

    def test_unknown_resource_type_is_rejected(self):
        errors = check('resource "azurerm_storage_acount" "a" {\n  name = "a"\n}\n')
        self.assertTrue(any("no such resource type" in e for e in errors), errors)

    def test_databricks_blocks_are_checked(self):
        text = 'resource "databricks_sql_endpoint" "w" {\n  name = "w"\n  cluster_sizes = "2X-Small"\n}\n'
        errors = check(text)
        self.assertTrue(any("unknown argument `cluster_sizes`" in e for e in errors), errors)
        self.assertTrue(any("missing required argument `cluster_size`" in e for e in errors), errors)

    def test_other_providers_are_not_checked(self):
        self.assertEqual(check('resource "random_string" "p" {\n  length = 6\n}\n'), [])


if __name__ == "__main__":
    unittest.main()
