output "account_id" {
  value = azurerm_storage_account.lake.id
}

output "account_name" {
  value = azurerm_storage_account.lake.name
}

output "blob_endpoint" {
  description = "https://<account>.blob.core.windows.net/ (with the slash)."
  value       = azurerm_storage_account.lake.primary_blob_endpoint
}

output "dfs_endpoint" {
  description = "https://<account>.dfs.core.windows.net/ (with the slash)."
  value       = azurerm_storage_account.lake.primary_dfs_endpoint
}

output "container_ids" {
  description = "Resource manager ids of bronze, silver and gold: scopes of role assignments."
  value       = { for k, c in azurerm_storage_container.tier : k => "${azurerm_storage_account.lake.id}/blobServices/default/containers/${c.name}" }
}
