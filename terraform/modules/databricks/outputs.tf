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
