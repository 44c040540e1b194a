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

variable "tenant_id" {
  type = string
}

variable "deployer_object_id" {
  description = "Whoever runs terraform: may write the secrets."
  type        = string
}

variable "secret_names" {
  description = "Names of the secrets to store (known at plan time)."
  type        = list(string)
}

variable "secrets" {
  description = "Secret name => value."
  type        = map(string)
  sensitive   = true
}
