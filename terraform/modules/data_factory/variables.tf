variable "prefix" {
  type = string
}

variable "location" {
  type = string
}

variable "resource_group_name" {
  type = string
}

variable "tags" {
  type = map(string)
}

variable "sql_server_fqdn" {
  type = string
}

variable "sql_database" {
  type = string
}

variable "storage_account_id" {
  type = string
}

variable "storage_dfs_endpoint" {
  type = string
}

variable "bronze_scope" {
  type = string
}

variable "databricks_workspace_id" {
  type = string
}

variable "databricks_workspace_url" {
  type = string
}

variable "databricks_cluster_id" {
  type = string
}

variable "databricks_notebook_path" {
  type = string
}

variable "trigger_activated" {
  description = "Run the pipeline every hour."
  type        = bool
  default     = true
}

variable "log_analytics_workspace_id" {
  type = string
}
