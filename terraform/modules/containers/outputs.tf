output "names" {
  description = "Container group names."
  value       = [for g in azurerm_container_group.service : g.name]
}

output "groups" {
  description = "Container group name by instance (users, products, orders-0, ..., stars)."
  value       = { for k, g in azurerm_container_group.service : k => g.name }
}

output "environments" {
  description = "Environment of each group's container by instance, as applied (checked by terraform test)."
  value       = { for k, g in azurerm_container_group.service : k => g.container[0].environment_variables }
}

output "container_security" {
  description = "Each group's container `security` blocks (only Confidential groups may have one)."
  value       = { for k, g in azurerm_container_group.service : k => g.container[0].security }
}

output "restart_policies" {
  description = "Restart policy of each group by instance, as applied (checked by terraform test)."
  value       = { for k, g in azurerm_container_group.service : k => g.restart_policy }
}
