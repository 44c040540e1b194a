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
  depends_on = [azurerm_role_assignment.lake]
}
