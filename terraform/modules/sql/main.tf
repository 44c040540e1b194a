# Azure SQL: Entra-only authentication (no SQL password exists), a serverless `orders`
# database, and a firewall open to Azure services only (plus, optionally, the deployer's IP).
# The Entra admin is the deployment's own identity (../../sql_users.tf), whose deployment
# script creates the services' database users during the apply.
resource "azurerm_mssql_server" "sql" {
  #checkov:skip=CKV_AZURE_113:The container instances and Data Factory reach SQL over its public endpoint (firewall: Azure services only)
  #checkov:skip=CKV2_AZURE_45:No VNet in the playground to put a private endpoint in
  #checkov:skip=CKV2_AZURE_2:Vulnerability assessment needs a storage account and Defender for SQL (paid); not for a playground
  #checkov:skip=CKV_AZURE_24:Audit logs go to Log Analytics, whose retention (30 days) is the workspace's; 90+ days costs for a playground
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
  #checkov:skip=CKV_AZURE_224:Ledger makes every table a ledger table, permanently; bulk loads of generated data need no proof of integrity
  #checkov:skip=CKV_AZURE_229:Zone redundancy costs more; the data is regenerated from the seed at will
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
  #checkov:skip=CKV2_AZURE_34:Required: Container Instances and Data Factory have no fixed IPs; this rule admits Azure services only
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

# Auditing to Log Analytics (the azurerm-documented pattern: the policy plus a diagnostic
# setting on the master database).
resource "azurerm_mssql_server_extended_auditing_policy" "audit" {
  server_id              = azurerm_mssql_server.sql.id
  log_monitoring_enabled = true
}

resource "azurerm_monitor_diagnostic_setting" "audit" {
  name                       = "audit"
  target_resource_id         = "${azurerm_mssql_server.sql.id}/databases/master"
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category = "SQLSecurityAuditEvents"
  }
}
