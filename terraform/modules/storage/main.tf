# The lake: an ADLS gen2 account (hierarchical namespace) with the bronze, silver and gold
# containers. The services write bronze through the blob API with their managed identities.
resource "azurerm_storage_account" "lake" {
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
  for_each              = toset(["bronze", "silver", "gold"])
  name                  = each.key
  storage_account_id    = azurerm_storage_account.lake.id
  container_access_type = "private"
}
