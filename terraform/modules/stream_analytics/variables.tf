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

variable "eventhub_names" {
  description = "pageviews and stars => hub name (from the hub resources)."
  type        = map(string)
}

variable "eventhub_ids" {
  description = "pageviews and stars => hub id: the scopes of the job's receiver role."
  type        = map(string)
}

variable "consumer_groups" {
  description = "\"<hub>/<reader>\" => consumer group name; the job reads \"<hub>/streamanalytics\"."
  type        = map(string)
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

variable "late_max_seconds" {
  description = "LATE_MAX_SECONDS of the streams: the job tolerates events that late."
  type        = number
}

variable "users_count" {
  description = "Users the users service writes: VIP ids are below it (the reference data's size)."
  type        = number
}

variable "vip_count" {
  description = "VIPs in users/vip.json, the job's reference data (its size has a documented limit)."
  type        = number
}
