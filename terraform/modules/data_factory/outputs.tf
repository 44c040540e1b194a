output "name" {
  value = azurerm_data_factory.adf.name
}

output "pipeline_name" {
  value = azurerm_data_factory_pipeline.hourly.name
}

output "role_assignments" {
  description = "Role assignments made here (role, scope, principal), checked by terraform test."
  value       = [for r in values(azurerm_role_assignment.adf) : { role = r.role_definition_name, scope = r.scope, principal_id = r.principal_id }]
}

output "principal_id" {
  description = "Principal (object) id of the factory's user-assigned identity."
  value       = azurerm_user_assigned_identity.adf.principal_id
}

output "client_id" {
  description = "Client (application) id of the factory's identity: the SID of its database user and its Databricks service principal."
  value       = azurerm_user_assigned_identity.adf.client_id
}

output "identity_name" {
  description = "Name of the factory's identity (its database user name)."
  value       = azurerm_user_assigned_identity.adf.name
}

output "pipeline" {
  description = "The hourly pipeline's activities as applied (checked by terraform test)."
  value       = jsondecode(azurerm_data_factory_pipeline.hourly.activities_json)
}

output "pipeline_concurrency" {
  value = azurerm_data_factory_pipeline.hourly.concurrency
}
