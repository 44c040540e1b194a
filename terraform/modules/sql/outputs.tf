output "server_fqdn" {
  value = azurerm_mssql_server.sql.fully_qualified_domain_name
}

output "server_id" {
  value = azurerm_mssql_server.sql.id
}

output "database_name" {
  value = azurerm_mssql_database.orders.name
}

output "entra_admin" {
  description = "The server's Entra admin (checked by terraform test)."
  value = {
    login      = one(azurerm_mssql_server.sql.azuread_administrator).login_username
    object_id  = one(azurerm_mssql_server.sql.azuread_administrator).object_id
    entra_only = one(azurerm_mssql_server.sql.azuread_administrator).azuread_authentication_only
  }
}
