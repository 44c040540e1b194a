"""Ordering the apply must respect, read from Terraform's own graph (`terraform graph -type=apply`).

Each rule says: every instance matching DEPENDENT must (transitively) depend on every resource
matching each DEPENDENCY, so Terraform cannot create it first. Azure rejects or misbehaves when
the order is wrong (a Stream Analytics job started before its inputs exist, a consumer group it
reads not there yet), and nothing else in the offline checks would notice.

Usage: python3 check_graph.py graph.dot
"""

from __future__ import annotations

import re
import sys

RULES: list[tuple[str, str, list[str]]] = [
    (
        "the Stream Analytics job starts after the inputs, outputs, hubs and consumer groups it reads",
        r"module\.stream_analytics\.azurerm_stream_analytics_job_schedule\.start",
        [
            r"module\.stream_analytics\.azurerm_stream_analytics_stream_input_eventhub_v2\.hub",
            r"module\.stream_analytics\.azurerm_stream_analytics_reference_input_blob\.reference",
            r"module\.stream_analytics\.azurerm_stream_analytics_output_blob\.out",
            r"module\.stream_analytics\.azurerm_role_assignment\.(receiver|lake)",
            r"module\.eventhubs\.azurerm_eventhub\.hub",
            r"module\.eventhubs\.azurerm_eventhub_consumer_group\.reader",
        ],
    ),
    (
        "the Stream Analytics inputs are created after the hubs and consumer groups they name",
        r"module\.stream_analytics\.azurerm_stream_analytics_stream_input_eventhub_v2\.hub",
        [
            r"module\.eventhubs\.azurerm_eventhub\.hub",
            r"module\.eventhubs\.azurerm_eventhub_consumer_group\.reader",
        ],
    ),
    (
        "the services start after their identities' roles have propagated",
        r"module\.containers\.azurerm_container_group\.service",
        [r"module\.identities\.time_sleep\.role_propagation", r"module\.identities\.azurerm_role_assignment\.service"],
    ),
    (
        "the orders and items groups start after the deployment script made their database users",
        r"module\.containers\.azurerm_container_group\.service",
        [r"azurerm_resource_deployment_script_azure_power_shell\.sql_users"],
    ),
    (
        "the database users are made after the server with its Entra admin, the database and the firewall rule admitting Azure services",
        r"azurerm_resource_deployment_script_azure_power_shell\.sql_users",
        [
            r"module\.sql\.azurerm_mssql_server\.sql",
            r"module\.sql\.azurerm_mssql_database\.orders",
            r"module\.sql\.azurerm_mssql_firewall_rule\.azure_services",
            r"azurerm_user_assigned_identity\.sql_admin",
        ],
    ),
    (
        "Key Vault secrets are written after the deployer's role on the vault has propagated",
        r"module\.keyvault\.azurerm_key_vault_secret\.secret",
        [r"module\.keyvault\.time_sleep\.deployer_role_propagation", r"module\.keyvault\.azurerm_role_assignment\.deployer"],
    ),
    (
        "Unity Catalog's storage credential and external locations are made after the access connector's role on the lake has propagated",
        r"module\.databricks\.(databricks_storage_credential\.lake|databricks_external_location\.tier)",
        [r"module\.databricks_workspace\.time_sleep\.lake_role_propagation", r"module\.databricks_workspace\.azurerm_role_assignment\.lake"],
    ),
]

EDGE = re.compile(r'"([^"]+)"\s*->\s*"([^"]+)"')


def _node(label: str) -> str:
    # "[root] module.x.azurerm_y.z (expand)" -> "module.x.azurerm_y.z (expand)". A module's
    # "(close)" node depends on all its members: it must stay a node of its own.
    return re.sub(r"^\[root\]\s*", "", label).strip()


def _name(node: str) -> str:
    return re.sub(r"\s*\((expand|close)\)$", "", node)


def load(dot: str) -> dict[str, set[str]]:
    deps: dict[str, set[str]] = {}
    for a, b in EDGE.findall(dot):
        deps.setdefault(_node(a), set()).add(_node(b))
        deps.setdefault(_node(b), set())
    return deps


def closure(deps: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        for d in deps.get(stack.pop(), ()):
            if d not in seen:
                seen.add(d)
                stack.append(d)
    return seen


def check(deps: dict[str, set[str]]) -> list[str]:
    errors = []
    for why, dependent, dependencies in RULES:
        nodes = [n for n in deps if re.fullmatch(dependent, _name(n))]
        if not nodes:
            errors.append(f"{why}: no node {dependent} in the graph")
            continue
        for node in nodes:
            reach = closure(deps, node)
            for dep in dependencies:
                if not any(re.fullmatch(dep, _name(r)) for r in reach):
                    errors.append(f"{why}: {_name(node)} does not depend on {dep.replace(chr(92), '')}")
    return errors


def main(argv: list[str]) -> int:
    deps = load(open(argv[1]).read())
    errors = check(deps)
    for e in errors:
        print("FAIL", e, file=sys.stderr)
    if not errors:
        print(f"graph: {len(RULES)} ordering rules hold over {len(deps)} nodes")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
