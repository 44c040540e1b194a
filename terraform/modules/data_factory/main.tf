# Data Factory: every hour, copy the orders and items tables to bronze as Parquet when they
# changed since the last copy, then run the Databricks notebook that builds silver. The factory
# runs as a user-assigned identity of its own, so that its client id is known to Terraform: it
# is the SID of its database user (db_datareader, made during the apply by ../../sql_users.tf)
# and the application id of its Databricks service principal (Unity Catalog grants). Every
# linked service authenticates with it through a factory credential.
locals {
  tables       = toset(["orders", "items"])
  storage_name = element(split("/", var.storage_account_id), length(split("/", var.storage_account_id)) - 1)
  credential   = { referenceName = azurerm_data_factory_credential_user_managed_identity.adf.name, type = "CredentialReference" }
}

resource "azurerm_user_assigned_identity" "adf" {
  name                = "id-${var.prefix}-adf"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = var.tags
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
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.adf.id]
  }
}

resource "azurerm_data_factory_credential_user_managed_identity" "adf" {
  name            = "factory_identity"
  data_factory_id = azurerm_data_factory.adf.id
  identity_id     = azurerm_user_assigned_identity.adf.id
  description     = "The factory's user-assigned identity; every linked service signs in with it."
}

locals {
  principal_id = azurerm_user_assigned_identity.adf.principal_id
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
  name              = "orders_sql"
  data_factory_id   = azurerm_data_factory.adf.id
  connection_string = "Data Source=tcp:${var.sql_server_fqdn},1433;Initial Catalog=${var.sql_database};Encrypt=True;Connection Timeout=30"
  credential_name   = azurerm_data_factory_credential_user_managed_identity.adf.name
}

# azurerm's typed ADLS gen2 and Databricks linked services sign in only with the factory's
# system-assigned identity; the generic resource takes the REST type properties, credential
# reference included.
resource "azurerm_data_factory_linked_custom_service" "lake" {
  name            = "lake"
  data_factory_id = azurerm_data_factory.adf.id
  type            = "AzureBlobFS"
  type_properties_json = jsonencode({
    url        = var.storage_dfs_endpoint
    credential = local.credential
  })
}

resource "azurerm_data_factory_linked_custom_service" "databricks" {
  name            = "databricks"
  data_factory_id = azurerm_data_factory.adf.id
  type            = "AzureDatabricks"
  type_properties_json = jsonencode({
    domain              = var.databricks_workspace_url
    authentication      = "MSI"
    workspaceResourceId = var.databricks_workspace_id
    existingClusterId   = var.databricks_cluster_id
    credential          = local.credential
  })
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
  linked_service_name = azurerm_data_factory_linked_custom_service.lake.name
  compression_codec   = "snappy"

  azure_blob_fs_location {
    file_system = "bronze"
    path        = each.key
    filename    = "${each.key}.parquet"
  }
}

# What the last copy saw: one small Parquet file per copy, named after the row counts of the
# source tables at that time (bronze/_copied/orders-<n>-items-<m>.parquet).
resource "azurerm_data_factory_dataset_parquet" "copied" {
  name                = "bronze_copied"
  data_factory_id     = azurerm_data_factory.adf.id
  linked_service_name = azurerm_data_factory_linked_custom_service.lake.name
  compression_codec   = "snappy"
  parameters          = { name = "" }

  azure_blob_fs_location {
    file_system              = "bronze"
    path                     = "_copied"
    filename                 = "@dataset().name"
    dynamic_filename_enabled = true
  }
}

locals {
  # Row counts of the source tables from the catalog (sys.partitions: visible to a reader of
  # the tables, no scan of 100 million rows, and it moves with every load).
  source_rows_query = join(" ", [
    "SELECT",
    join(", ", [for t in sort(tolist(local.tables)) : "(SELECT COALESCE(SUM(p.rows), 0) FROM sys.partitions p WHERE p.object_id = OBJECT_ID('dbo.${t}') AND p.index_id IN (0, 1)) AS ${t}"]),
  ])
  copied_name = "@concat('orders-', string(activity('source_rows').output.firstRow.orders), '-items-', string(activity('source_rows').output.firstRow.items), '.parquet')"
  copy_activities = [for t in sort(tolist(local.tables)) : {
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
  }]
}

resource "azurerm_data_factory_pipeline" "hourly" {
  name            = "orders_to_silver"
  data_factory_id = azurerm_data_factory.adf.id
  description     = "Copy orders and items from Azure SQL to bronze (Parquet) when their row counts changed since the last copy, then build silver in Databricks."
  # A copy of 100 million orders can outlast the hour: never two at once.
  concurrency = 1
  activities_json = jsonencode([
    {
      name = "source_rows"
      type = "Lookup"
      typeProperties = {
        source       = { type = "AzureSqlSource", sqlReaderQuery = local.source_rows_query }
        dataset      = { referenceName = azurerm_data_factory_dataset_azure_sql_table.table["orders"].name, type = "DatasetReference" }
        firstRowOnly = true
      }
    },
    {
      name      = "copied_before"
      type      = "GetMetadata"
      dependsOn = [{ activity = "source_rows", dependencyConditions = ["Succeeded"] }]
      typeProperties = {
        dataset   = { referenceName = azurerm_data_factory_dataset_parquet.copied.name, type = "DatasetReference", parameters = { name = { value = local.copied_name, type = "Expression" } } }
        fieldList = ["exists"]
      }
    },
    {
      name      = "copy_if_changed"
      type      = "IfCondition"
      dependsOn = [{ activity = "copied_before", dependencyConditions = ["Succeeded"] }]
      typeProperties = {
        expression = { value = "@not(activity('copied_before').output.exists)", type = "Expression" }
        ifTrueActivities = concat(local.copy_activities, [{
          # Recorded after both copies succeeded: a failed copy is retried the next hour.
          name      = "record_copied"
          type      = "Copy"
          dependsOn = [for t in sort(tolist(local.tables)) : { activity = "copy_${t}", dependencyConditions = ["Succeeded"] }]
          inputs    = [{ referenceName = azurerm_data_factory_dataset_azure_sql_table.table["orders"].name, type = "DatasetReference" }]
          outputs   = [{ referenceName = azurerm_data_factory_dataset_parquet.copied.name, type = "DatasetReference", parameters = { name = { value = local.copied_name, type = "Expression" } } }]
          typeProperties = {
            source = { type = "AzureSqlSource", sqlReaderQuery = "SELECT ${join(", ", [for t in sort(tolist(local.tables)) : "@{activity('source_rows').output.firstRow.${t}} AS ${t}"])}" }
            sink = {
              type           = "ParquetSink"
              storeSettings  = { type = "AzureBlobFSWriteSettings" }
              formatSettings = { type = "ParquetWriteSettings" }
            }
          }
        }])
      }
    },
    {
      # Silver is rebuilt every run: the streams' bronze grows all the time.
      name              = "silver_notebook"
      type              = "DatabricksNotebook"
      dependsOn         = [{ activity = "copy_if_changed", dependencyConditions = ["Succeeded"] }]
      linkedServiceName = { referenceName = azurerm_data_factory_linked_custom_service.databricks.name, type = "LinkedServiceReference" }
      typeProperties = {
        notebookPath   = var.databricks_notebook_path
        baseParameters = { storage_account = local.storage_name }
      }
    },
  ])
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
