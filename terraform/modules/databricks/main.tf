# Inside the workspace: Unity Catalog access to bronze and silver through the access connector,
# a catalog and schema for the silver tables, a single-node cluster (Data Factory runs the
# notebook on it), a serverless SQL warehouse to query the silver tables, and the notebook
# that builds them.
#
# Grants go to the identity that uses them: Data Factory's (a service principal here, for its
# application id), which runs the notebook. Whoever applies owns every object Terraform makes
# here, so they need no grant. `terraform destroy` removes it all: force_destroy on the
# storage credential, the external locations, the catalog and the schema removes what the
# notebook registered on them (its external tables) instead of failing on them.
locals {
  lake = { for c in ["bronze", "silver"] : c => "abfss://${c}@${var.storage_account}.dfs.core.windows.net/" }
  # Catalog names: letters, digits and underscores.
  catalog = replace(var.prefix, "-", "_")
}

resource "databricks_service_principal" "pipeline" {
  application_id = var.pipeline_application_id
  display_name   = var.pipeline_display_name
  active         = true
}

resource "databricks_storage_credential" "lake" {
  name          = "${var.prefix}-lake"
  comment       = "The playground's lake, through the workspace's access connector."
  force_destroy = true

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
  force_destroy   = true
}

locals {
  # What the notebook does on each tier: reads bronze; writes silver and registers its tables.
  tier_privileges = {
    bronze = ["READ_FILES"]
    silver = ["READ_FILES", "WRITE_FILES", "CREATE_EXTERNAL_TABLE"]
  }
}

resource "databricks_grants" "tier" {
  for_each          = databricks_external_location.tier
  external_location = each.value.id

  grant {
    principal  = databricks_service_principal.pipeline.application_id
    privileges = local.tier_privileges[each.key]
  }
}

# The notebook's tables: the cluster's default catalog is this one, so the notebook's
# `playground.<table>` lands in its schema. Managed storage under silver/unity-catalog.
resource "databricks_catalog" "playground" {
  name          = local.catalog
  comment       = "The data playground's silver tables."
  storage_root  = "${local.lake["silver"]}unity-catalog"
  force_destroy = true

  depends_on = [databricks_external_location.tier]
}

resource "databricks_schema" "playground" {
  catalog_name  = databricks_catalog.playground.name
  name          = "playground"
  comment       = "Silver tables, registered by the notebook."
  force_destroy = true
}

resource "databricks_grants" "catalog" {
  catalog = databricks_catalog.playground.name

  grant {
    principal  = databricks_service_principal.pipeline.application_id
    privileges = ["USE_CATALOG"]
  }
}

resource "databricks_grants" "schema" {
  schema = databricks_schema.playground.id

  grant {
    principal  = databricks_service_principal.pipeline.application_id
    privileges = ["USE_SCHEMA", "CREATE_TABLE", "SELECT", "MODIFY"]
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
    "spark.databricks.cluster.profile"          = "singleNode"
    "spark.master"                              = "local[*]"
    "spark.databricks.sql.initial.catalog.name" = databricks_catalog.playground.name
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

# Data Factory's service principal may start the cluster and run the notebook, nothing more.
resource "databricks_permissions" "cluster" {
  cluster_id = databricks_cluster.single_node.id

  access_control {
    service_principal_name = databricks_service_principal.pipeline.application_id
    permission_level       = "CAN_RESTART"
  }
}

resource "databricks_permissions" "notebook" {
  notebook_path = databricks_notebook.silver.path

  access_control {
    service_principal_name = databricks_service_principal.pipeline.application_id
    permission_level       = "CAN_RUN"
  }
}
