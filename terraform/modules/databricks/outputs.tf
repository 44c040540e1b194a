output "cluster_id" {
  value = databricks_cluster.single_node.id
}

output "notebook_path" {
  value = databricks_notebook.silver.path
}

output "sql_warehouse_id" {
  value = databricks_sql_endpoint.serverless.id
}

output "notebook_url" {
  value = databricks_notebook.silver.url
}

output "grants" {
  description = "Unity Catalog grants by securable (principal => privileges), checked by terraform test."
  value = merge(
    { for k, g in databricks_grants.tier : "external_location/${k}" => { for x in g.grant : x.principal => toset(x.privileges) } },
    { "catalog" = { for x in databricks_grants.catalog.grant : x.principal => toset(x.privileges) } },
    { "schema" = { for x in databricks_grants.schema.grant : x.principal => toset(x.privileges) } },
  )
}

output "pipeline_principal" {
  description = "Application id of the service principal the grants go to (Data Factory's identity)."
  value       = databricks_service_principal.pipeline.application_id
}

output "force_destroy" {
  description = "Whether destroy removes each Unity Catalog object with what depends on it (checked by terraform test)."
  value = merge(
    { "storage_credential" = databricks_storage_credential.lake.force_destroy },
    { for k, l in databricks_external_location.tier : "external_location/${k}" => l.force_destroy },
    { "catalog" = databricks_catalog.playground.force_destroy, "schema" = databricks_schema.playground.force_destroy },
  )
}

output "catalog" {
  description = "Catalog of the silver tables (schema playground)."
  value       = databricks_catalog.playground.name
}
