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

variable "services" {
  type = list(string)
}

variable "bronze_scope" {
  description = "Resource manager id of the bronze container."
  type        = string
}

variable "eventhub_ids" {
  description = "Hub name => hub id."
  type        = map(string)
}
