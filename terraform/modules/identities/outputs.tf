output "ids" {
  description = "Service => identity resource id."
  value       = { for k, i in azurerm_user_assigned_identity.service : k => i.id }
}

output "client_ids" {
  description = "Service => client id (the services' AZURE_CLIENT_ID)."
  value       = { for k, i in azurerm_user_assigned_identity.service : k => i.client_id }
}

output "names" {
  description = "Service => identity name (the database user name of orders and items)."
  value       = { for k, i in azurerm_user_assigned_identity.service : k => i.name }
}
