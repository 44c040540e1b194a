output "resource_group" {
  description = "Everything is in this group; `terraform destroy` removes it."
  value       = azurerm_resource_group.playground.name
}

output "storage_account" {
  description = "The lake (ADLS gen2): containers bronze, silver, gold."
  value       = module.storage.account_name
}

output "lake_url" {
  description = "LAKE_URL of users and products."
  value       = local.lake_url
}

output "eventhub_namespace" {
  description = "EVENTHUB_NAMESPACE of pageviews and stars."
  value       = local.eventhub_fqdn
}

output "sql_server" {
  description = "SQL_SERVER of orders and items."
  value       = module.sql.server_fqdn
}

output "sql_database" {
  value = module.sql.database_name
}

output "key_vault" {
  description = "Holds the Event Hubs send-only and listen-only connection strings."
  value       = module.keyvault.name
}

output "container_groups" {
  description = "Container group per instance (users, products, orders-i, items-i, pageviews, stars)."
  value       = module.containers.groups
}

output "stream_analytics_job" {
  value = module.stream_analytics.job_name
}

output "data_factory" {
  value = module.data_factory.name
}

output "databricks_url" {
  value = module.databricks_workspace.workspace_url
}

output "databricks_catalog" {
  description = "Unity Catalog catalog of the silver tables (schema playground)."
  value       = module.databricks.catalog
}

output "databricks_notebook" {
  value = module.databricks.notebook_url
}

output "log_analytics_workspace_id" {
  description = "Workspace (customer) id: `az monitor log-analytics query -w <id> --analytics-query 'ContainerInstanceLog_CL | take 20'`."
  value       = module.monitoring.workspace_customer_id
}

output "sql_users" {
  description = "Database users the apply made in the orders database (name => roles)."
  value       = { for name, u in local.sql_users : name => u.roles }
}

output "sql_admin" {
  description = "The SQL server's Entra admin: the deployment's identity that creates the database users."
  value       = azurerm_user_assigned_identity.sql_admin.name
}

output "stream_analytics_reference" {
  description = "Size of the Stream Analytics job's reference data (users/vip.json) and its documented limit at stream_analytics_units, in bytes."
  value       = module.stream_analytics.reference_size

  precondition {
    condition     = module.stream_analytics.reference_size.bytes <= module.stream_analytics.reference_size.limit
    error_message = "Stream Analytics reference data (users/vip.json) would be ${ceil(module.stream_analytics.reference_size.bytes / 1000000)} MB for vip_count = ${var.vip_count}, above the documented ${module.stream_analytics.reference_size.limit / 1000000} MB at stream_analytics_units = ${var.stream_analytics_units}: lower vip_count or raise stream_analytics_units."
  }
}

output "verify_env" {
  description = "The settings playground-verify needs for this deployment (README: Check your pipeline); add the lake's credential."
  value       = { for k, v in local.verify_env : k => tostring(v) }
}
