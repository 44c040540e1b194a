# Stream Analytics: pageviews and stars from Event Hubs, vip.json from bronze as reference data,
# and the queries of query.asaql into bronze and silver (Parquet). The job authenticates
# everywhere with its system-assigned identity, and starts after apply.
#
# Reference data is loaded into the job's memory, with a documented size limit per streaming
# unit ("Use reference data for lookups in Stream Analytics", Size limitation:
# https://learn.microsoft.com/azure/stream-analytics/stream-analytics-use-reference-data):
# about 50 MB at 1 unit, 150 MB at 3, 300 MB at 6 and more. users.json (5 million users, about
# 2.3 GB) cannot be reference data, so the alerts are enriched with the users' fields by the
# silver notebook instead; the job keeps only the VIP ids (`{"id":N}` lines: 50,000 VIPs are
# under 1 MB). The root output `stream_analytics_reference` refuses, at plan, a size above the limit.
#
# Start-up: a job whose reference blob does not exist yet waits for it (documented: "the job
# waits indefinitely for the blob to become available"), producing no output meanwhile. The
# users service writes vip.json first, in its first seconds, and its container restarts on
# failure, so the wait ends once the users container has run; events wait in Event Hubs
# (retention: the eventhubs module) and are read from the job's start time.
locals {
  # Output alias => container and folder. The aliases are the INTO targets of query.asaql.
  outputs = {
    "bronze-pageviews"      = { container = "bronze", path = "stream-analytics/pageviews" }
    "bronze-stars"          = { container = "bronze", path = "stream-analytics/stars" }
    "silver-http-methods"   = { container = "silver", path = "stream-analytics/http_methods_5min" }
    "silver-latency-alerts" = { container = "silver", path = "stream-analytics/latency_alerts" }
    "silver-vip-pageviews"  = { container = "silver", path = "stream-analytics/vip_pageviews" }
    "silver-unhappy-views"  = { container = "silver", path = "stream-analytics/unhappy_user_pageviews" }
    "silver-first-views"    = { container = "silver", path = "stream-analytics/first_pageview_per_hour" }
  }
  references = {
    vip = "users/vip.json"
  }
  # vip.json: one `{"id":N}` line per VIP, N below users_count.
  reference_bytes = var.vip_count * (8 + length(tostring(max(var.users_count - 1, 0))))
  # The documented limit (MB) for the job's streaming units (see the top of this file).
  reference_limit_mb = var.streaming_units >= 6 ? 300 : var.streaming_units >= 3 ? 150 : 50
}

resource "azurerm_stream_analytics_job" "job" {
  name                = "asa-${var.prefix}"
  location            = var.location
  resource_group_name = var.resource_group_name
  compatibility_level = "1.2"
  data_locale         = "en-US"
  # Late events the streams send (LATE_MAX_SECONDS) still land in their event-time windows;
  # a few seconds more for the send itself.
  events_late_arrival_max_delay_in_seconds = var.late_max_seconds + 5
  events_out_of_order_max_delay_in_seconds = 10
  events_out_of_order_policy               = "Adjust"
  output_error_policy                      = "Drop"
  streaming_units                          = var.streaming_units
  sku_name                                 = "StandardV2"
  transformation_query                     = templatefile("${path.module}/query.asaql", { high_latency_ms = var.high_latency_ms })
  tags                                     = var.tags

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_role_assignment" "receiver" {
  for_each             = var.eventhub_ids
  scope                = each.value
  role_definition_name = "Azure Event Hubs Data Receiver"
  principal_id         = azurerm_stream_analytics_job.job.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "lake" {
  for_each             = toset(["bronze", "silver"])
  scope                = var.container_ids[each.key]
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_stream_analytics_job.job.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_stream_analytics_stream_input_eventhub_v2" "hub" {
  for_each                     = var.eventhub_names
  name                         = each.key
  stream_analytics_job_id      = azurerm_stream_analytics_job.job.id
  servicebus_namespace         = var.eventhub_namespace_name
  eventhub_name                = each.value
  eventhub_consumer_group_name = var.consumer_groups["${each.key}/streamanalytics"]
  authentication_mode          = "Msi"

  serialization {
    type     = "Json"
    encoding = "UTF8"
  }
}

resource "azurerm_stream_analytics_reference_input_blob" "reference" {
  for_each                  = local.references
  name                      = each.key
  stream_analytics_job_name = azurerm_stream_analytics_job.job.name
  resource_group_name       = var.resource_group_name
  storage_account_name      = var.storage_account_name
  storage_container_name    = "bronze"
  path_pattern              = each.value
  date_format               = "yyyy/MM/dd"
  time_format               = "HH"
  authentication_mode       = "Msi"

  serialization {
    type     = "Json"
    encoding = "UTF8"
  }
}

resource "azurerm_stream_analytics_output_blob" "out" {
  for_each                  = local.outputs
  name                      = each.key
  stream_analytics_job_name = azurerm_stream_analytics_job.job.name
  resource_group_name       = var.resource_group_name
  storage_account_name      = var.storage_account_name
  storage_container_name    = each.value.container
  path_pattern              = "${each.value.path}/{date}/{time}"
  date_format               = "yyyy/MM/dd"
  time_format               = "HH"
  authentication_mode       = "Msi"
  batch_min_rows            = 1000
  batch_max_wait_time       = "00:05:00"

  serialization {
    type = "Parquet"
  }
}

resource "azurerm_monitor_diagnostic_setting" "job" {
  name                       = "logs"
  target_resource_id         = azurerm_stream_analytics_job.job.id
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category_group = "allLogs"
  }

  enabled_metric {
    category = "AllMetrics"
  }
}

# Role assignments take a while to reach Event Hubs and Storage; starting before fails.
resource "time_sleep" "role_propagation" {
  create_duration = "120s"
  depends_on      = [azurerm_role_assignment.receiver, azurerm_role_assignment.lake]
}

# Start the job once its inputs, outputs and roles exist.
resource "azurerm_stream_analytics_job_schedule" "start" {
  stream_analytics_job_id = azurerm_stream_analytics_job.job.id
  start_mode              = "JobStartTime"

  depends_on = [
    azurerm_stream_analytics_stream_input_eventhub_v2.hub,
    azurerm_stream_analytics_reference_input_blob.reference,
    azurerm_stream_analytics_output_blob.out,
    time_sleep.role_propagation,
  ]
}
