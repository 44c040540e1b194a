output "workspace_id" {
  value = azurerm_databricks_workspace.ws.id
}

output "workspace_url" {
  description = "https://adb-....azuredatabricks.net"
  value       = "https://${azurerm_databricks_workspace.ws.workspace_url}"
}

output "access_connector_id" {
  value = azurerm_databricks_access_connector.lake.id
  # The role must exist before Unity Catalog validates the storage credential.
  depends_on = [time_sleep.lake_role_propagation]
}

output "role_assignments" {
  description = "Role assignments made here (role, scope, principal), checked by terraform test."
  value       = [for r in [azurerm_role_assignment.lake] : { role = r.role_definition_name, scope = r.scope, principal_id = r.principal_id }]
}

output "access_connector_principal_id" {
  value = azurerm_databricks_access_connector.lake.identity[0].principal_id
}
