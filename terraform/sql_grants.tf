# The database users of the identities that reach Azure SQL: orders and items (read, write,
# create their tables) and Data Factory (read, for the hourly copy). CREATE USER ... FROM
# EXTERNAL PROVIDER must run as an Entra principal logged in to the database, which the azurerm
# provider cannot do, so it is a post-apply step: `terraform output -raw post_apply` prints the
# exact commands (sqlcmd as the SQL Entra admin, then start the orders and items groups, which
# fail their first start before their users exist). Idempotent: safe to run again.
locals {
  sql_writers = [module.identities.names["orders"], module.identities.names["items"]]
  sql_readers = [module.data_factory.name]

  sql_grants = join("\n", concat(
    [for u in concat(local.sql_writers, local.sql_readers) : "IF DATABASE_PRINCIPAL_ID('${u}') IS NULL CREATE USER [${u}] FROM EXTERNAL PROVIDER;"],
    flatten([for u in local.sql_writers : [for r in ["db_datareader", "db_datawriter", "db_ddladmin"] : "ALTER ROLE ${r} ADD MEMBER [${u}];"]]),
    [for u in local.sql_readers : "ALTER ROLE db_datareader ADD MEMBER [${u}];"],
    [""],
  ))

  sql_container_groups = [for k, name in module.containers.groups : name if startswith(k, "orders-") || startswith(k, "items-")]
}
