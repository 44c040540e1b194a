output "id" {
  value = azurerm_key_vault.kv.id
}

output "name" {
  value = azurerm_key_vault.kv.name
}

output "uri" {
  value = azurerm_key_vault.kv.vault_uri
}

output "role_assignments" {
  description = "Role assignments made here (role, scope, principal), checked by terraform test."
  value       = [for r in [azurerm_role_assignment.deployer] : { role = r.role_definition_name, scope = r.scope, principal_id = r.principal_id }]
}
