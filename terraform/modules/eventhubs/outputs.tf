output "namespace_id" {
  value = azurerm_eventhub_namespace.ns.id
}

output "namespace_name" {
  value = azurerm_eventhub_namespace.ns.name
}

output "hub_ids" {
  description = "pageviews and stars: scopes of the senders' role assignments."
  value       = { for k, h in azurerm_eventhub.hub : k => h.id }
}

output "hub_names" {
  description = "pageviews and stars: hub names, from the hubs (so readers are created after them)."
  value       = { for k, h in azurerm_eventhub.hub : k => h.name }
}

output "consumer_groups" {
  description = "\"<hub>/<reader>\" => consumer group name, from the groups (so readers are created after them)."
  value       = { for k, g in azurerm_eventhub_consumer_group.reader : k => g.name }
}

output "connection_strings" {
  description = "Key Vault secret name => connection string of a send-only or listen-only rule."
  value       = { for k, r in azurerm_eventhub_authorization_rule.rule : "eventhub-${k}" => r.primary_connection_string }
  sensitive   = true
}

output "connection_string_names" {
  description = "Keys of connection_strings (not sensitive, known at plan time)."
  value       = [for k in keys(local.rules) : "eventhub-${k}"]
}
