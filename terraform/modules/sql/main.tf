# Azure SQL: Entra-only authentication (no SQL password exists), a serverless `orders`
# database, and a firewall open to Azure services only (plus, optionally, the deployer's IP).
# The services' identities become database users in a post-apply step (see grants.sql and the
# README's "Deploy to Azure"): creating users FROM EXTERNAL PROVIDER needs an Entra login to
# the database, which the azurerm provider cannot do.
resource "azurerm_mssql_server" "sql" {
  name                          = "sql-${var.prefix}"
  location                      = var.location
  resource_group_name           = var.resource_group_name
  version                       = "12.0"
  minimum_tls_version           = "1.2"
  public_network_access_enabled = true
  tags                          = var.tags

  azuread_administrator {
    login_username              = var.admin_login
    object_id                   = var.admin_object_id
    azuread_authentication_only = true
  }
}

resource "azurerm_mssql_database" "orders" {
  name                        = "orders"
  server_id                   = azurerm_mssql_server.sql.id
  sku_name                    = "GP_S_Gen5_2"
  min_capacity                = 0.5
  auto_pause_delay_in_minutes = 60
  max_size_gb                 = var.max_size_gb
  storage_account_type        = "Local"
  zone_redundant              = false
  tags                        = var.tags

  short_term_retention_policy {
    retention_days = 7
  }
}

# 0.0.0.0 - 0.0.0.0 is Azure's "allow Azure services and resources to access this server".
resource "azurerm_mssql_firewall_rule" "azure_services" {
  name             = "AllowAzureServices"
  server_id        = azurerm_mssql_server.sql.id
  start_ip_address = "0.0.0.0"
  end_ip_address   = "0.0.0.0"
}

resource "azurerm_mssql_firewall_rule" "client" {
  count            = var.client_ip == null ? 0 : 1
  name             = "Deployer"
  server_id        = azurerm_mssql_server.sql.id
  start_ip_address = var.client_ip
  end_ip_address   = var.client_ip
}
