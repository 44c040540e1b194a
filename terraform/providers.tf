provider "azurerm" {
  subscription_id = var.subscription_id

  features {
    key_vault {
      # The playground is torn down with `terraform destroy`; purge its vault so the name
      # can be reused at once.
      purge_soft_delete_on_destroy = true
    }
    resource_group {
      # Databricks and Stream Analytics leave managed resources behind in the group.
      prevent_deletion_if_contains_resources = false
    }
  }
}

# The workspace is created in the same apply; the provider authenticates with the caller's
# Azure CLI / Entra identity against it.
provider "databricks" {
  host                        = module.databricks_workspace.workspace_url
  azure_workspace_resource_id = module.databricks_workspace.workspace_id
}
