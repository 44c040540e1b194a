# The Databricks workspace (premium: Unity Catalog and serverless SQL) and its access
# connector, the managed identity through which Unity Catalog reads bronze and writes silver.
resource "azurerm_databricks_workspace" "ws" {
  #checkov:skip=CKV_AZURE_158:Private link needs VNet injection, private endpoints and DNS zones: out of scope for a playground
  #checkov:skip=CKV2_AZURE_48:Microsoft-managed keys; customer-managed keys need a key and rotation the playground does not manage
  name                          = "dbw-${var.prefix}"
  location                      = var.location
  resource_group_name           = var.resource_group_name
  sku                           = "premium"
  managed_resource_group_name   = "rg-${var.prefix}-databricks"
  public_network_access_enabled = true
  tags                          = var.tags
}

resource "azurerm_databricks_access_connector" "lake" {
  name                = "dbac-${var.prefix}"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = var.tags

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_role_assignment" "lake" {
  scope                = var.storage_account_id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_databricks_access_connector.lake.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

# Unity Catalog validates the storage credential and external locations through this role as
# soon as they are created: wait until it has propagated to the lake's data plane.
resource "time_sleep" "lake_role_propagation" {
  create_duration = "120s"
  depends_on      = [azurerm_role_assignment.lake]
}
