# The wiring of the applied graph, checked by `terraform test` against stand-in providers that
# serve the real schemas (tools/terraform/offline-check.sh; `make check-terraform`). Values the
# providers compute (ids, principal ids) are placeholders there, so these assertions compare
# references, not Azure's values.

variables {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  registry        = "playgroundacr.azurecr.io/playground"
  image_tag       = "1.0"
}

run "each_identity_has_exactly_the_roles_it_needs_on_the_narrowest_scope" {
  command = apply

  # The services: lake writers on the bronze container, senders on their own hub, and no Azure
  # role for orders and items (they are database users).
  assert {
    condition = module.identities.role_assignments == {
      users     = { role = "Storage Blob Data Contributor", scope = module.storage.container_ids["bronze"], principal_id = module.identities.principal_ids["users"] }
      products  = { role = "Storage Blob Data Contributor", scope = module.storage.container_ids["bronze"], principal_id = module.identities.principal_ids["products"] }
      pageviews = { role = "Azure Event Hubs Data Sender", scope = module.eventhubs.hub_ids["pageviews"], principal_id = module.identities.principal_ids["pageviews"] }
      stars     = { role = "Azure Event Hubs Data Sender", scope = module.eventhubs.hub_ids["stars"], principal_id = module.identities.principal_ids["stars"] }
    }
    error_message = "The services' identities must have exactly: users, products -> Storage Blob Data Contributor on bronze; pageviews, stars -> Azure Event Hubs Data Sender on their own hub."
  }

  # Stream Analytics: receives from the two hubs (not the namespace), writes bronze and silver.
  assert {
    condition = toset(module.stream_analytics.role_assignments) == toset([
      { role = "Azure Event Hubs Data Receiver", scope = module.eventhubs.hub_ids["pageviews"], principal_id = module.stream_analytics.principal_id },
      { role = "Azure Event Hubs Data Receiver", scope = module.eventhubs.hub_ids["stars"], principal_id = module.stream_analytics.principal_id },
      { role = "Storage Blob Data Contributor", scope = module.storage.container_ids["bronze"], principal_id = module.stream_analytics.principal_id },
      { role = "Storage Blob Data Contributor", scope = module.storage.container_ids["silver"], principal_id = module.stream_analytics.principal_id },
    ])
    error_message = "Stream Analytics must receive from each hub and write the bronze and silver containers, nothing else."
  }

  # Data Factory writes bronze (the copy) and runs the notebook.
  assert {
    condition     = alltrue([for r in module.data_factory.role_assignments : r.principal_id == module.data_factory.principal_id]) && contains([for r in module.data_factory.role_assignments : "${r.role}@${r.scope}"], "Storage Blob Data Contributor@${module.storage.container_ids["bronze"]}")
    error_message = "Data Factory's identity must write the bronze container, and its roles must all be its own."
  }

  # The deployer may write the Key Vault secrets; Unity Catalog's connector reaches the lake.
  assert {
    condition     = module.keyvault.role_assignments == [{ role = "Key Vault Secrets Officer", scope = module.keyvault.id, principal_id = data.azurerm_client_config.current.object_id }]
    error_message = "The deployer needs Key Vault Secrets Officer on the vault, and only that."
  }
  assert {
    condition     = module.databricks_workspace.role_assignments == [{ role = "Storage Blob Data Contributor", scope = module.storage.account_id, principal_id = module.databricks_workspace.access_connector_principal_id }]
    error_message = "The Databricks access connector must be Storage Blob Data Contributor on the lake."
  }
}

run "shards_start_that_many_orders_and_items_groups" {
  command = apply

  variables {
    shards = 3
  }

  assert {
    condition = toset(keys(module.containers.groups)) == toset([
      "users", "products", "pageviews", "stars",
      "orders-0", "orders-1", "orders-2", "items-0", "items-1", "items-2",
    ])
    error_message = "shards = 3 must start orders-0..2 and items-0..2 beside the four single groups."
  }

  assert {
    condition = {
      for k, env in module.containers.environments : k => env["SHARD"] if contains(keys(env), "SHARD")
      } == {
      "orders-0" = "0/3", "orders-1" = "1/3", "orders-2" = "2/3",
      "items-0"  = "0/3", "items-1" = "1/3", "items-2" = "2/3",
    }
    error_message = "Shard i of n must get SHARD = \"i/n\", and only orders and items are sharded."
  }
}

run "the_services_reach_what_terraform_made" {
  command = apply

  assert {
    condition = alltrue([
      for k, env in module.containers.environments :
      env["SEED"] == "42" && env["LOG_FORMAT"] == "json"
    ])
    error_message = "Every service must share SEED and log JSON."
  }
  assert {
    condition     = module.containers.environments["users"]["LAKE_URL"] == "${module.storage.blob_endpoint}bronze"
    error_message = "users must write the bronze container of the lake Terraform made."
  }
  assert {
    condition     = module.containers.environments["orders-0"]["SQL_SERVER"] == module.sql.server_fqdn && module.containers.environments["items-0"]["SQL_DATABASE"] == module.sql.database_name
    error_message = "orders and items must write the database Terraform made."
  }
  assert {
    condition     = module.containers.environments["pageviews"]["EVENTHUB_NAMESPACE"] == "${module.eventhubs.namespace_name}.servicebus.windows.net"
    error_message = "pageviews must send to the namespace Terraform made."
  }
  assert {
    condition     = module.containers.environments["stars"]["AZURE_CLIENT_ID"] == module.identities.client_ids["stars"]
    error_message = "Each service must sign in as its own identity."
  }
}

run "stream_analytics_writes_both_raw_streams_and_every_query_target_exists" {
  command = apply

  assert {
    condition     = module.stream_analytics.blob_outputs["bronze-pageviews"] == "bronze/stream-analytics/pageviews/{date}/{time}" && module.stream_analytics.blob_outputs["bronze-stars"] == "bronze/stream-analytics/stars/{date}/{time}"
    error_message = "Raw pageviews and raw stars must both go to bronze/stream-analytics/<stream>/{date}/{time}."
  }
  assert {
    condition     = toset(flatten(regexall("INTO \\[([a-z-]+)\\]", module.stream_analytics.query))) == toset(keys(module.stream_analytics.blob_outputs))
    error_message = "Every INTO target of query.asaql must be an output of the job, and every output a target."
  }
}

run "least_privilege_and_one_run_at_a_time" {
  command = apply

  assert {
    condition     = toset([for r in module.data_factory.role_assignments : "${r.role}@${r.scope}"]) == toset(["Storage Blob Data Contributor@${module.storage.container_ids["bronze"]}", "Contributor@${module.databricks_workspace.workspace_id}"])
    error_message = "Data Factory needs to write bronze and run the notebook in the workspace, nothing else (no Key Vault: no linked service reads it)."
  }
  assert {
    condition     = module.data_factory.pipeline_concurrency == 1
    error_message = "The hourly pipeline must never run twice at once."
  }
  assert {
    condition     = alltrue([for k, s in module.containers.container_security : length(s) == 0])
    error_message = "A container security block applies only to Confidential groups."
  }
  assert {
    condition     = azurerm_role_assignment.deployer_lake_reader.role_definition_name == "Storage Blob Data Reader" && azurerm_role_assignment.deployer_lake_reader.scope == module.storage.account_id && azurerm_role_assignment.deployer_lake_reader.principal_id == data.azurerm_client_config.current.object_id
    error_message = "The deployer must be able to read the lake (README's commands), and only read it."
  }
}

run "stream_analytics_tolerates_the_late_events_the_streams_send" {
  command = apply

  variables {
    late_max_seconds = 600
  }

  assert {
    condition     = module.stream_analytics.late_arrival_seconds >= 600 && module.containers.environments["pageviews"]["LATE_MAX_SECONDS"] == "600"
    error_message = "The job's late-arrival tolerance must cover LATE_MAX_SECONDS, which the streams use."
  }
}
