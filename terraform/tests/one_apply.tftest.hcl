# One apply, nothing by hand (issue 13): what the apply itself must do so that no person has to
# act afterwards, checked against the applied state of the stand-in providers
# (tools/terraform/offline-check.sh). Ordering (the orders and items groups start after the
# database users exist) is a graph rule in tools/terraform/check_graph.py.

variables {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  registry        = "playgroundacr.azurecr.io/playground"
  image_tag       = "1.0"
}

run "the_apply_creates_the_database_users" {
  command = apply

  assert {
    condition     = module.sql.entra_admin == { login = azurerm_user_assigned_identity.sql_admin.name, object_id = azurerm_user_assigned_identity.sql_admin.principal_id, entra_only = true }
    error_message = "The SQL server's Entra admin must be the deployment's own identity (sql_admin), Entra-only, so that the apply can create the database users."
  }
  assert {
    condition = (
      toset(one(azurerm_resource_deployment_script_azure_power_shell.sql_users.identity).identity_ids) == toset([azurerm_user_assigned_identity.sql_admin.id])
      && strcontains(azurerm_resource_deployment_script_azure_power_shell.sql_users.script_content, "WITH SID = ")
      && strcontains(azurerm_resource_deployment_script_azure_power_shell.sql_users.script_content, ".AccessToken = $token")
    )
    error_message = "A deployment script signed in as the SQL admin identity must create the users (CREATE USER ... WITH SID, token authentication)."
  }
  assert {
    condition = toset([
      for u in jsondecode(one([for e in azurerm_resource_deployment_script_azure_power_shell.sql_users.environment_variable : e.value if e.name == "SQL_USERS"])) : jsonencode(u)
      ]) == toset([for u in [
        { name = module.identities.names["orders"], sid = module.identities.client_ids["orders"], roles = ["db_datareader", "db_datawriter", "db_ddladmin"] },
        { name = module.identities.names["items"], sid = module.identities.client_ids["items"], roles = ["db_datareader", "db_datawriter", "db_ddladmin"] },
        { name = module.data_factory.identity_name, sid = module.data_factory.client_id, roles = ["db_datareader"] },
        { name = "playground-reader", sid = data.azurerm_client_config.current.object_id, roles = ["db_datareader"] },
    ] : jsonencode(u)])
    error_message = "The script must make exactly: orders and items (db_datareader, db_datawriter, db_ddladmin) and Data Factory (db_datareader) by their client ids, and the deployer (db_datareader) by object id."
  }
}

run "batch_groups_restart_on_failure" {
  command = apply

  assert {
    condition = module.containers.restart_policies == {
      users      = "OnFailure", products = "OnFailure", pageviews = "Always", stars = "Always",
      "orders-0" = "OnFailure", "orders-1" = "OnFailure", "orders-2" = "OnFailure", "orders-3" = "OnFailure",
      "items-0"  = "OnFailure", "items-1" = "OnFailure", "items-2" = "OnFailure", "items-3" = "OnFailure",
    }
    error_message = "Batch groups must restart on failure (a 403 before a new role has propagated, then resume); streams always."
  }
}

run "unity_catalog_grants_go_to_the_pipeline_identity" {
  command = apply

  assert {
    condition     = module.databricks.pipeline_principal == module.data_factory.client_id
    error_message = "The Databricks service principal must be Data Factory's identity (its application id), which runs the notebook."
  }
  assert {
    condition = module.databricks.grants == {
      "external_location/bronze" = { (module.data_factory.client_id) = toset(["READ_FILES"]) }
      "external_location/silver" = { (module.data_factory.client_id) = toset(["READ_FILES", "WRITE_FILES", "CREATE_EXTERNAL_TABLE"]) }
      "catalog"                  = { (module.data_factory.client_id) = toset(["USE_CATALOG"]) }
      "schema"                   = { (module.data_factory.client_id) = toset(["USE_SCHEMA", "CREATE_TABLE", "SELECT", "MODIFY"]) }
    }
    error_message = "Unity Catalog grants go to Data Factory's identity only (not `account users`): read bronze; read, write and register tables in silver; use the catalog and schema."
  }
}

run "destroy_removes_the_unity_catalog_objects_the_tables_depend_on" {
  command = apply

  assert {
    condition = module.databricks.force_destroy == {
      "storage_credential"       = true
      "external_location/bronze" = true
      "external_location/silver" = true
      "catalog"                  = true
      "schema"                   = true
    }
    error_message = "terraform destroy must remove the storage credential, external locations, catalog and schema together with the notebook's tables on them (force_destroy)."
  }
}

run "the_hourly_pipeline_copies_only_what_changed" {
  command = apply

  assert {
    condition     = [for a in module.data_factory.pipeline : a.name] == ["source_rows", "copied_before", "copy_if_changed", "silver_notebook"]
    error_message = "The pipeline must read the source row counts, look for the record of a copy of exactly those, copy only if there is none, then build silver."
  }
  assert {
    condition = toset([
      for a in one([for a in module.data_factory.pipeline : a if a.name == "copy_if_changed"]).typeProperties.ifTrueActivities : a.name
    ]) == toset(["copy_orders", "copy_items", "record_copied"])
    error_message = "The orders and items copies (and the record of them) must run only inside copy_if_changed."
  }
  assert {
    condition     = one([for a in module.data_factory.pipeline : a if a.name == "copy_if_changed"]).typeProperties.expression.value == "@not(activity('copied_before').output.exists)"
    error_message = "copy_if_changed must copy only when no copy of the current row counts exists."
  }
}
