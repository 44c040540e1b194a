# The lake: an ADLS gen2 account (hierarchical namespace) with the bronze, silver and gold
# containers. The services write bronze through the blob API with their managed identities.
resource "azurerm_storage_account" "lake" {
  #checkov:skip=CKV_AZURE_59:Container Instances, Stream Analytics and Data Factory reach the lake over its public endpoint with Entra auth
  #checkov:skip=CKV2_AZURE_33:No VNet in the playground to put a private endpoint in
  #checkov:skip=CKV_AZURE_206:LRS: the data is regenerated from the seed at will; geo-replication doubles the cost
  #checkov:skip=CKV_AZURE_33:No queues are used
  #checkov:skip=CKV2_AZURE_1:Microsoft-managed keys; customer-managed keys need a key and rotation the playground does not manage
  #checkov:skip=CKV2_AZURE_40:Event Hubs Capture writes bronze; azurerm 4.55 has no managed-identity setting for Capture, so shared key stays on. Every other writer uses Entra ID
  name                            = "st${var.prefix}"
  location                        = var.location
  resource_group_name             = var.resource_group_name
  account_kind                    = "StorageV2"
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  is_hns_enabled                  = true
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
  default_to_oauth_authentication = true
  shared_access_key_enabled       = true
  local_user_enabled              = false
  tags                            = var.tags

  blob_properties {
    delete_retention_policy {
      days = 7
    }
    container_delete_retention_policy {
      days = 7
    }
  }

  sas_policy {
    expiration_period = "00.12:00:00"
  }
}

# Through the resource manager (storage_account_id), so creating them needs no data-plane role.
resource "azurerm_storage_container" "tier" {
  #checkov:skip=CKV2_AZURE_21:Blob read logging of every Stream Analytics, Databricks and service read would cost more than the playground
  for_each              = toset(["bronze", "silver", "gold"])
  name                  = each.key
  storage_account_id    = azurerm_storage_account.lake.id
  container_access_type = "private"
}
