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

variable "partitions" {
  type = number
}

variable "capture_interval_seconds" {
  type = number
}

variable "capture_storage_id" {
  description = "Storage account Event Hubs Capture writes to (container bronze)."
  type        = string
}

variable "consumer_groups" {
  description = "Readers of both hubs, one consumer group each."
  type        = list(string)
  default     = ["streamanalytics", "databricks"]
}
