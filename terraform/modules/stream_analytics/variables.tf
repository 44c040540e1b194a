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

variable "eventhub_namespace_name" {
  type = string
}

variable "eventhub_namespace_id" {
  type = string
}

variable "consumer_group" {
  type = string
}

variable "storage_account_name" {
  type = string
}

variable "container_ids" {
  description = "bronze/silver/gold => resource manager id (role scopes)."
  type        = map(string)
}

variable "high_latency_ms" {
  type = number
}

variable "streaming_units" {
  type    = number
  default = 3
}

variable "log_analytics_workspace_id" {
  type = string
}
