# Inside the workspace: Unity Catalog access to bronze and silver through the access connector,
# a single-node cluster (Data Factory runs the notebook on it), a serverless SQL warehouse to
# query the silver tables, and the notebook that builds them.
locals {
  lake = { for c in ["bronze", "silver"] : c => "abfss://${c}@${var.storage_account}.dfs.core.windows.net/" }
}

resource "databricks_storage_credential" "lake" {
  name    = "${var.prefix}-lake"
  comment = "The playground's lake, through the workspace's access connector."

  azure_managed_identity {
    access_connector_id = var.access_connector_id
  }
}

resource "databricks_external_location" "tier" {
  for_each        = local.lake
  name            = "${var.prefix}-${each.key}"
  url             = each.value
  credential_name = databricks_storage_credential.lake.name
  comment         = "The playground's ${each.key} tier."
}

resource "databricks_grants" "tier" {
  for_each          = databricks_external_location.tier
  external_location = each.value.id

  grant {
    principal  = "account users"
    privileges = ["READ_FILES", "WRITE_FILES", "CREATE_EXTERNAL_TABLE"]
  }
}

resource "databricks_cluster" "single_node" {
  cluster_name            = "${var.prefix}-single-node"
  spark_version           = var.spark_version
  node_type_id            = var.node_type
  num_workers             = 0
  autotermination_minutes = 20
  data_security_mode      = "USER_ISOLATION"

  spark_conf = {
    "spark.databricks.cluster.profile" = "singleNode"
    "spark.master"                     = "local[*]"
  }

  custom_tags = merge(var.tags, { ResourceClass = "SingleNode" })
}

resource "databricks_sql_endpoint" "serverless" {
  name                      = "${var.prefix}-serverless"
  cluster_size              = "2X-Small"
  max_num_clusters          = 1
  auto_stop_mins            = 10
  enable_serverless_compute = true
  warehouse_type            = "PRO"
}

resource "databricks_notebook" "silver" {
  path     = "/Shared/playground/silver"
  language = "PYTHON"
  source   = "${path.module}/notebooks/silver.py"
}
