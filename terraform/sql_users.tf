# The database users of the identities that reach Azure SQL, made by the apply with no person:
# orders and items read, write and create their tables; Data Factory reads for the hourly copy;
# the deployer reads (README's `SELECT COUNT(*) FROM orders`).
#
# The SQL server's Entra admin is a user-assigned identity of this deployment, and an Azure
# PowerShell deployment script signed in as that identity runs scripts/sql_users.ps1:
# `CREATE USER [name] WITH SID = <client id>, TYPE = E` for each (no directory lookup), then the
# role memberships; idempotent. The script's container reaches SQL as an Azure service (the
# AllowAzureServices firewall rule); the deployment script service makes its own storage
# account and container with the deployer's rights and removes them afterwards. The orders and
# items groups start only after it succeeded (module.containers depends on it; a graph rule in
# tools/terraform/check_graph.py). See docs/decisions.md.
resource "azurerm_user_assigned_identity" "sql_admin" {
  name                = "id-${local.prefix}-sql-admin"
  location            = var.location
  resource_group_name = azurerm_resource_group.playground.name
  tags                = var.tags
}

locals {
  sql_writer_roles = ["db_datareader", "db_datawriter", "db_ddladmin"]

  # name => SID (client id of an identity, object id of a user) and roles.
  sql_users = merge(
    {
      for s in ["orders", "items"] : module.identities.names[s] => {
        sid = module.identities.client_ids[s], roles = local.sql_writer_roles
      }
    },
    { (module.data_factory.identity_name) = { sid = module.data_factory.client_id, roles = ["db_datareader"] } },
    var.sql_reader_object_id == "" ? {} : {
      (var.sql_reader_name) = { sid = coalesce(var.sql_reader_object_id, data.azurerm_client_config.current.object_id), roles = ["db_datareader"] }
    },
  )
  sql_users_json = jsonencode([for name, u in local.sql_users : { name = name, sid = u.sid, roles = u.roles }])
}

resource "azurerm_resource_deployment_script_azure_power_shell" "sql_users" {
  name                = "ds-${local.prefix}-sql-users"
  location            = var.location
  resource_group_name = azurerm_resource_group.playground.name
  version             = "11.0"
  script_content      = file("${path.module}/scripts/sql_users.ps1")
  retention_interval  = "PT1H"
  cleanup_preference  = "Always"
  timeout             = "PT30M"
  # Run again whenever the users or the script change.
  force_update_tag = sha256("${local.sql_users_json}${file("${path.module}/scripts/sql_users.ps1")}")
  tags             = var.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.sql_admin.id]
  }

  environment_variable {
    name  = "SQL_SERVER"
    value = module.sql.server_fqdn
  }
  environment_variable {
    name  = "SQL_DATABASE"
    value = module.sql.database_name
  }
  environment_variable {
    name  = "ADMIN_CLIENT_ID"
    value = azurerm_user_assigned_identity.sql_admin.client_id
  }
  environment_variable {
    name  = "SQL_USERS"
    value = local.sql_users_json
  }

  # The server with this identity as its Entra admin, the database and the firewall rule that
  # admits Azure services must all exist first.
  depends_on = [module.sql]
}
