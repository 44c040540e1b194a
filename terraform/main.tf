# The whole playground: `terraform init && terraform apply`. Modules mirror the topology:
# lake (storage), streams (eventhubs), database (sql), secrets (keyvault), identities,
# the six services (containers), and downstream stream_analytics, data_factory, databricks.

data "azurerm_client_config" "current" {}

resource "random_string" "suffix" {
  length  = 5
  upper   = false
  special = false
  numeric = true
}

locals {
  # `playground` + `k3x9a`: globally unique names (storage, SQL, Key Vault, Event Hubs).
  prefix   = "${var.name}${random_string.suffix.result}"
  services = ["users", "products", "orders", "items", "pageviews", "stars"]
}

resource "azurerm_resource_group" "playground" {
  name     = "rg-${local.prefix}"
  location = var.location
  tags     = var.tags
}

module "monitoring" {
  source              = "./modules/monitoring"
  prefix              = local.prefix
  location            = var.location
  resource_group_name = azurerm_resource_group.playground.name
  tags                = var.tags
}

module "storage" {
  source              = "./modules/storage"
  prefix              = local.prefix
  location            = var.location
  resource_group_name = azurerm_resource_group.playground.name
  tags                = var.tags
}

module "eventhubs" {
  source                   = "./modules/eventhubs"
  prefix                   = local.prefix
  location                 = var.location
  resource_group_name      = azurerm_resource_group.playground.name
  tags                     = var.tags
  partitions               = var.eventhub_partitions
  capture_interval_seconds = var.eventhub_capture_interval_seconds
  capture_storage_id       = module.storage.account_id
}

module "sql" {
  source              = "./modules/sql"
  prefix              = local.prefix
  location            = var.location
  resource_group_name = azurerm_resource_group.playground.name
  tags                = var.tags
  admin_login         = azurerm_user_assigned_identity.sql_admin.name
  admin_object_id     = azurerm_user_assigned_identity.sql_admin.principal_id
  max_size_gb         = var.sql_max_size_gb
  client_ip           = var.client_ip

  log_analytics_workspace_id = module.monitoring.workspace_id
}

module "identities" {
  source              = "./modules/identities"
  prefix              = local.prefix
  location            = var.location
  resource_group_name = azurerm_resource_group.playground.name
  tags                = var.tags
  services            = local.services
  bronze_scope        = module.storage.container_ids["bronze"]
  eventhub_ids        = module.eventhubs.hub_ids
}

module "keyvault" {
  source              = "./modules/keyvault"
  prefix              = local.prefix
  location            = var.location
  resource_group_name = azurerm_resource_group.playground.name
  tags                = var.tags
  tenant_id           = data.azurerm_client_config.current.tenant_id
  deployer_object_id  = data.azurerm_client_config.current.object_id
  secret_names        = module.eventhubs.connection_string_names
  secrets             = module.eventhubs.connection_strings
}

module "containers" {
  source                      = "./modules/containers"
  prefix                      = local.prefix
  location                    = var.location
  resource_group_name         = azurerm_resource_group.playground.name
  tags                        = var.tags
  groups                      = local.container_groups
  log_analytics_workspace_id  = module.monitoring.workspace_customer_id
  log_analytics_workspace_key = module.monitoring.workspace_key
  registry_username           = var.registry_username
  registry_password           = var.registry_password
  registry_server             = split("/", var.registry)[0]

  # The identities' roles must exist before the services start, and the database users of
  # orders and items (the deployment script) before those groups start.
  depends_on = [module.identities, module.sql, azurerm_resource_deployment_script_azure_power_shell.sql_users]
}

module "stream_analytics" {
  source                     = "./modules/stream_analytics"
  prefix                     = local.prefix
  location                   = var.location
  resource_group_name        = azurerm_resource_group.playground.name
  tags                       = var.tags
  eventhub_namespace_name    = module.eventhubs.namespace_name
  eventhub_names             = module.eventhubs.hub_names
  eventhub_ids               = module.eventhubs.hub_ids
  consumer_groups            = module.eventhubs.consumer_groups
  storage_account_name       = module.storage.account_name
  container_ids              = module.storage.container_ids
  high_latency_ms            = var.high_latency_ms
  late_max_seconds           = var.late_max_seconds
  streaming_units            = var.stream_analytics_units
  users_count                = var.users_count
  vip_count                  = var.vip_count
  log_analytics_workspace_id = module.monitoring.workspace_id
}

module "databricks_workspace" {
  source              = "./modules/databricks_workspace"
  prefix              = local.prefix
  location            = var.location
  resource_group_name = azurerm_resource_group.playground.name
  tags                = var.tags
  storage_account_id  = module.storage.account_id
}

module "databricks" {
  source              = "./modules/databricks"
  prefix              = local.prefix
  storage_account     = module.storage.account_name
  access_connector_id = module.databricks_workspace.access_connector_id
  node_type           = var.databricks_node_type
  spark_version       = var.databricks_spark_version
  tags                = var.tags

  pipeline_application_id = module.data_factory.client_id
  pipeline_display_name   = module.data_factory.identity_name

  providers = {
    databricks = databricks
  }
}

module "data_factory" {
  source                     = "./modules/data_factory"
  prefix                     = local.prefix
  location                   = var.location
  resource_group_name        = azurerm_resource_group.playground.name
  tags                       = var.tags
  sql_server_fqdn            = module.sql.server_fqdn
  sql_database               = module.sql.database_name
  storage_account_id         = module.storage.account_id
  storage_dfs_endpoint       = module.storage.dfs_endpoint
  bronze_scope               = module.storage.container_ids["bronze"]
  databricks_workspace_id    = module.databricks_workspace.workspace_id
  databricks_workspace_url   = module.databricks_workspace.workspace_url
  databricks_cluster_id      = module.databricks.cluster_id
  databricks_notebook_path   = module.databricks.notebook_path
  trigger_activated          = var.pipeline_hourly
  log_analytics_workspace_id = module.monitoring.workspace_id
}

# Whoever applies can read what the playground wrote (README "What to look at":
# `az storage fs file list --auth-mode login`): data-plane read on the lake, nothing more.
resource "azurerm_role_assignment" "deployer_lake_reader" {
  scope                = module.storage.account_id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = data.azurerm_client_config.current.object_id
}
