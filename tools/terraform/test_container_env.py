"""Each container group sets exactly the variables its service reads.

`terraform/container_env.tf` holds one literal environment map per service (`local.container_env`).
The keys of every container group's environment, as Terraform applied them (read from the state
of tools/terraform/offline-check.sh, not from a model of HCL), must equal the variables `playground-<service> --help` lists, minus the variables
deliberately left unset on Azure (EXCLUDED below, each with its reason), and never include a
variable the service does not read. Every excluded variable must itself be one the service reads,
so the list cannot go stale silently.

Run after tools/terraform/offline-check.sh positive: python -m unittest test_container_env
(PLAYGROUND_BIN_DIR overrides target/debug, TF_STATE_JSON target/tf-check/state.json.)
"""

from __future__ import annotations

import json
import os
import subprocess
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATE_FILE = Path(os.environ.get("TF_STATE_JSON", ROOT / "target" / "tf-check" / "state.json"))
BIN_DIR = Path(os.environ.get("PLAYGROUND_BIN_DIR", ROOT / "target" / "debug"))
SERVICES = ["users", "products", "orders", "items", "pageviews", "stars"]

_ALL = {
    "PLAYGROUND_DATA": "roots the embedded backends (local directory, SQLite, capture files); on Azure every sink is remote",
}
_LAKE = {
    "STORAGE_SAS": "LAKE_URL with the managed identity replaces the SAS; setting both is a configuration error",
    "STORAGE_CONNECTION_STRING": "LAKE_URL with the managed identity replaces the account key; setting both is an error",
    "LAKE_CONTAINER": "LAKE_URL names the container (bronze)",
    "SHARD": "one instance writes the whole users/users.json that Stream Analytics and Databricks read; shards would write parts",
}
_SQL = {
    "SQL_USER": "unset selects the managed identity (Entra ID token); the server allows Entra authentication only",
    "SQL_PASSWORD": "no SQL password exists (Entra-only server)",
    "SQL_CONNECTION_STRING": "SQL_SERVER and SQL_DATABASE are set instead; both at once is an error",
    "SQL_TRUST_CERT": "Azure SQL presents a trusted certificate; the default (false) is right",
}
_STREAM = {
    "RUN_SECONDS": "unset: the streams run until the container group is stopped",
    "REPLAY_FROM": "unset: the deployment runs live streams; a replay is a one-off run",
    "REPLAY_UNTIL": "unset: the deployment runs live streams; a replay is a one-off run",
    "EVENTHUB_ENDPOINT": "the Event Hubs emulator's endpoint; on Azure EVENTHUB_NAMESPACE is used",
}

EXCLUDED: dict[str, dict[str, str]] = {
    "users": {**_ALL, **_LAKE},
    "products": {**_ALL, **_LAKE},
    "orders": {**_ALL, **_SQL},
    "items": {**_ALL, **_SQL},
    "pageviews": {
        **_ALL,
        **_STREAM,
        "EVENTHUB_CONNECTION_STRING_PAGEVIEWS": "the managed identity sends (Azure Event Hubs Data Sender on the hub); the send-only connection string is in Key Vault for clients outside Azure",
    },
    "stars": {
        **_ALL,
        **_STREAM,
        "EVENTHUB_CONNECTION_STRING_STARS": "the managed identity sends (Azure Event Hubs Data Sender on the hub); the send-only connection string is in Key Vault for clients outside Azure",
    },
}


def help_variables(service: str) -> set[str]:
    """The variables `--help` lists; the same rule as help_variables in crates/testkit."""
    binary = BIN_DIR / f"playground-{service}"
    out = subprocess.run([str(binary), "--help"], capture_output=True, text=True, check=True, env={})
    names = set()
    for line in out.stdout.splitlines():
        if not line.startswith("  "):
            continue
        words = line[2:].split()
        if words and len(words[0]) > 1 and all(c.isupper() or c == "_" for c in words[0]):
            names.add(words[0])
    return names


def container_env() -> dict[str, set[str]]:
    """Service => keys of its container groups' environment, as Terraform applied them (the state
    that tools/terraform/offline-check.sh saves with `terraform show -json`). Every instance of a
    service (orders-0, orders-1, ...) must carry the same keys."""
    state = json.loads(STATE_FILE.read_text())
    envs: dict[str, set[str]] = {}
    modules = state["values"]["root_module"].get("child_modules", [])
    for module in modules:
        for r in module.get("resources", []):
            if r["type"] != "azurerm_container_group":
                continue
            instance = r["index"]
            service = instance.split("-")[0]
            keys = set(r["values"]["container"][0]["environment_variables"])
            if service in envs and envs[service] != keys:
                raise AssertionError(f"{instance}: environment differs from the other {service} groups")
            envs[service] = keys
    if not envs:
        raise AssertionError(f"{STATE_FILE}: no container groups in the applied state")
    return envs


# playground-verify's settings that `terraform output verify_env` leaves to the caller.
VERIFY_UNSET = {
    **_ALL,
    "VERIFY_FROM": "unset: found from the outputs (where every window is complete)",
    "VERIFY_UNTIL": "unset: found from the outputs (where every window is complete)",
    "LAKE_URL": "the lake's credential is the caller's: a connection string or SAS from outside Azure",
    "STORAGE_SAS": "the caller's credential",
    "STORAGE_CONNECTION_STRING": "the caller's credential (README: az storage account show-connection-string)",
    "LAKE_CONTAINER": "the default (bronze) is the deployment's; silver is found beside it",
    "AZURE_CLIENT_ID": "a managed identity exists only inside Azure",
    "LAKE_RETRY_SECONDS": "the default suits a one-off check",
    "LOG_FORMAT": "the caller's terminal",
    "LOG_LEVEL": "the caller's terminal",
}


def state_outputs() -> dict[str, object]:
    """The root module's outputs as applied (name => value)."""
    state = json.loads(STATE_FILE.read_text())
    return {name: o["value"] for name, o in state["values"].get("outputs", {}).items()}


def container_env_values() -> dict[str, dict[str, str]]:
    """Container group => its environment as applied."""
    state = json.loads(STATE_FILE.read_text())
    groups: dict[str, dict[str, str]] = {}
    for module in state["values"]["root_module"].get("child_modules", []):
        for r in module.get("resources", []):
            if r["type"] == "azurerm_container_group":
                groups[r["index"]] = r["values"]["container"][0]["environment_variables"]
    return groups

def expected_env(service: str) -> list[str]:
    """The environment keys a service's container group must set: what it reads, less EXCLUDED."""
    return sorted(help_variables(service) - set(EXCLUDED[service]))


class ContainerEnv(unittest.TestCase):
    env = container_env()

    def test_every_service_has_a_container_group_env(self):
        self.assertEqual(sorted(self.env), sorted(SERVICES))

    def _check(self, service: str) -> None:
        reads = help_variables(service)
        self.assertTrue(reads, f"playground-{service} --help lists no variables")
        sets = self.env[service]
        excluded = set(EXCLUDED[service])
        problems = {
            "sets variables the service does not read": sorted(sets - reads),
            "excludes variables the service does not read (stale exclusion list)": sorted(excluded - reads),
            "sets variables meant to stay unset": sorted(sets & excluded),
            "neither sets nor excludes variables the service reads": sorted(reads - excluded - sets),
        }
        self.assertEqual({k: v for k, v in problems.items() if v}, {}, f"{service} container group")

    def test_users(self):
        self._check("users")

    def test_products(self):
        self._check("products")

    def test_orders(self):
        self._check("orders")

    def test_items(self):
        self._check("items")

    def test_pageviews(self):
        self._check("pageviews")

    def test_stars(self):
        self._check("stars")

    def test_verify_env(self):
        """`terraform output verify_env` gives playground-verify every setting that defines the
        data, each with the value the services' container groups got, so the check a learner
        runs with it compares against the data this deployment generates."""
        verify = state_outputs()["verify_env"]
        reads = help_variables("verify")
        unset = set(VERIFY_UNSET)
        groups = container_env_values()
        mismatched = {
            f"{key} ({service})": (value, env[key])
            for key, value in verify.items()
            for service, env in groups.items()
            if key in env and env[key] != value
        }
        problems = {
            "sets variables playground-verify does not read": sorted(set(verify) - reads),
            "excludes variables playground-verify does not read": sorted(unset - reads),
            "neither sets nor excludes variables playground-verify reads": sorted(reads - unset - set(verify)),
            "values differ from the container groups' (verify, service)": mismatched,
        }
        self.assertEqual({k: v for k, v in problems.items() if v}, {}, "output verify_env")



if __name__ == "__main__":
    unittest.main()
