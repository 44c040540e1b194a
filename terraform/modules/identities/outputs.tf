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

output "principal_ids" {
  description = "Service => principal id of its identity."
  value       = { for k, i in azurerm_user_assigned_identity.service : k => i.principal_id }
}

output "role_assignments" {
  description = "Service => its role assignments (role, scope), checked by terraform test."
  value       = { for k, r in azurerm_role_assignment.service : k => { role = r.role_definition_name, scope = r.scope, principal_id = r.principal_id } }
}
