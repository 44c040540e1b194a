output "workspace_id" {
  description = "Resource id, for diagnostic settings."
  value       = azurerm_log_analytics_workspace.logs.id
}

output "workspace_customer_id" {
  description = "Workspace (customer) id, for container groups."
  value       = azurerm_log_analytics_workspace.logs.workspace_id
}

output "workspace_key" {
  description = "Shared key container groups send their logs with."
  value       = azurerm_log_analytics_workspace.logs.primary_shared_key
  sensitive   = true
}
