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
  value = azurerm_data_factory.adf.identity[0].principal_id
}

output "pipeline_concurrency" {
  value = azurerm_data_factory_pipeline.hourly.concurrency
}
