variable "prefix" {
  type = string
}

variable "storage_account" {
  description = "Name of the lake's storage account."
  type        = string
}

variable "access_connector_id" {
  type = string
}

variable "node_type" {
  type = string
}

variable "spark_version" {
  type = string
}

variable "tags" {
  type = map(string)
}

variable "pipeline_application_id" {
  description = "Application (client) id of Data Factory's identity, which runs the notebook."
  type        = string
}

variable "pipeline_display_name" {
  description = "Display name of that identity."
  type        = string
}
