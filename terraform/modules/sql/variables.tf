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

variable "admin_login" {
  type = string
}

variable "admin_object_id" {
  type = string
}

variable "max_size_gb" {
  type = number
}

variable "client_ip" {
  type    = string
  default = null
}

variable "log_analytics_workspace_id" {
  description = "Where the server's audit log goes."
  type        = string
}
