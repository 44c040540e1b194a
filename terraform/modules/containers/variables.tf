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

variable "groups" {
  description = "Container group name => service, image, size, restart policy, identity and environment."
  type = map(object({
    service        = string
    image          = string
    cpu            = number
    memory         = number
    restart_policy = string
    identity_id    = string
    environment    = map(string)
  }))
}

variable "log_analytics_workspace_id" {
  description = "Workspace (customer) id the containers' logs go to."
  type        = string
}

variable "log_analytics_workspace_key" {
  type      = string
  sensitive = true
}

variable "registry_server" {
  type = string
}

variable "registry_username" {
  type    = string
  default = null
}

variable "registry_password" {
  type      = string
  default   = null
  sensitive = true
}
