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

variable "storage_account_id" {
  description = "The lake: Unity Catalog reads and writes it through the access connector."
  type        = string
}
