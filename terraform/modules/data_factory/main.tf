# Data Factory: every hour, copy the orders and items tables to bronze as Parquet, then run the
# Databricks notebook that builds silver. Every linked service authenticates with the
# factory's managed identity; its roles are below, its database user is made after apply
# (grants.sql: db_datareader).
locals {
  tables       = toset(["orders", "items"])
  storage_name = element(split("/", var.storage_account_id), length(split("/", var.storage_account_id)) - 1)
}

resource "azurerm_data_factory" "adf" {
  #checkov:skip=CKV_AZURE_104:Playground: the public endpoint with Entra auth; a managed VNet integration runtime costs extra
  #checkov:skip=CKV_AZURE_103:Terraform is the source of the pipeline; Git integration would be a second source
  #checkov:skip=CKV2_AZURE_15:Microsoft-managed keys; a customer-managed key needs a key, its rotation and a vault link the factory does not otherwise use
  name                   = "adf-${var.prefix}"
  location               = var.location
  resource_group_name    = var.resource_group_name
  public_network_enabled = true
  tags                   = var.tags

  identity {
    type = "SystemAssigned"
  }
}

locals {
  principal_id = azurerm_data_factory.adf.identity[0].principal_id
  roles = {
    bronze     = { scope = var.bronze_scope, role = "Storage Blob Data Contributor" }
    databricks = { scope = var.databricks_workspace_id, role = "Contributor" }
  }
}

resource "azurerm_role_assignment" "adf" {
  for_each             = local.roles
  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = local.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_data_factory_linked_service_azure_sql_database" "sql" {
  name                 = "orders_sql"
  data_factory_id      = azurerm_data_factory.adf.id
  connection_string    = "Data Source=tcp:${var.sql_server_fqdn},1433;Initial Catalog=${var.sql_database};Encrypt=True;Connection Timeout=30"
  use_managed_identity = true
}

resource "azurerm_data_factory_linked_service_data_lake_storage_gen2" "lake" {
  name                 = "lake"
  data_factory_id      = azurerm_data_factory.adf.id
  url                  = var.storage_dfs_endpoint
  use_managed_identity = true
}

resource "azurerm_data_factory_linked_service_azure_databricks" "databricks" {
  name                       = "databricks"
  data_factory_id            = azurerm_data_factory.adf.id
  adb_domain                 = var.databricks_workspace_url
  msi_work_space_resource_id = var.databricks_workspace_id
  existing_cluster_id        = var.databricks_cluster_id
}

resource "azurerm_data_factory_dataset_azure_sql_table" "table" {
  for_each          = local.tables
  name              = "sql_${each.key}"
  data_factory_id   = azurerm_data_factory.adf.id
  linked_service_id = azurerm_data_factory_linked_service_azure_sql_database.sql.id
  schema            = "dbo"
  table             = each.key
}

resource "azurerm_data_factory_dataset_parquet" "bronze" {
  for_each            = local.tables
  name                = "bronze_${each.key}"
  data_factory_id     = azurerm_data_factory.adf.id
  linked_service_name = azurerm_data_factory_linked_service_data_lake_storage_gen2.lake.name
  compression_codec   = "snappy"

  azure_blob_fs_location {
    file_system = "bronze"
    path        = each.key
    filename    = "${each.key}.parquet"
  }
}

resource "azurerm_data_factory_pipeline" "hourly" {
  name            = "orders_to_silver"
  data_factory_id = azurerm_data_factory.adf.id
  description     = "Copy orders and items from Azure SQL to bronze (Parquet), then build silver in Databricks."
  # An hourly run of 100 million orders can outlast the hour: never two at once.
  concurrency = 1
  activities_json = jsonencode(concat(
    [for t in local.tables : {
      name    = "copy_${t}"
      type    = "Copy"
      inputs  = [{ referenceName = azurerm_data_factory_dataset_azure_sql_table.table[t].name, type = "DatasetReference" }]
      outputs = [{ referenceName = azurerm_data_factory_dataset_parquet.bronze[t].name, type = "DatasetReference" }]
      typeProperties = {
        source = { type = "AzureSqlSource" }
        sink = {
          type           = "ParquetSink"
          storeSettings  = { type = "AzureBlobFSWriteSettings" }
          formatSettings = { type = "ParquetWriteSettings" }
        }
      }
    }],
    [{
      name              = "silver_notebook"
      type              = "DatabricksNotebook"
      dependsOn         = [for t in local.tables : { activity = "copy_${t}", dependencyConditions = ["Succeeded"] }]
      linkedServiceName = { referenceName = azurerm_data_factory_linked_service_azure_databricks.databricks.name, type = "LinkedServiceReference" }
      typeProperties = {
        notebookPath   = var.databricks_notebook_path
        baseParameters = { storage_account = local.storage_name }
      }
    }],
  ))
}

resource "azurerm_data_factory_trigger_schedule" "hourly" {
  name            = "hourly"
  data_factory_id = azurerm_data_factory.adf.id
  pipeline_name   = azurerm_data_factory_pipeline.hourly.name
  frequency       = "Hour"
  interval        = 1
  activated       = var.trigger_activated

  depends_on = [azurerm_role_assignment.adf]
}

resource "azurerm_monitor_diagnostic_setting" "adf" {
  name                           = "logs"
  target_resource_id             = azurerm_data_factory.adf.id
  log_analytics_workspace_id     = var.log_analytics_workspace_id
  log_analytics_destination_type = "Dedicated"

  enabled_log {
    category_group = "allLogs"
  }

  enabled_metric {
    category = "AllMetrics"
  }
}
