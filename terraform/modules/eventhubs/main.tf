# The streams: hubs pageviews and stars, captured to bronze as Avro (as the Python version
# did), a consumer group per reader, and per hub a send-only and a listen-only rule for
# clients that cannot use a managed identity (their connection strings go to Key Vault).
locals {
  hubs = toset(["pageviews", "stars"])
  consumer_groups = {
    for pair in setproduct(tolist(local.hubs), var.consumer_groups) :
    "${pair[0]}/${pair[1]}" => { hub = pair[0], name = pair[1] }
  }
  rules = {
    for pair in setproduct(tolist(local.hubs), ["send", "listen"]) :
    "${pair[0]}-${pair[1]}" => { hub = pair[0], right = pair[1] }
  }
}

resource "azurerm_eventhub_namespace" "ns" {
  name                          = "evhns-${var.prefix}"
  location                      = var.location
  resource_group_name           = var.resource_group_name
  sku                           = "Standard"
  capacity                      = 1
  auto_inflate_enabled          = true
  maximum_throughput_units      = 4
  minimum_tls_version           = "1.2"
  local_authentication_enabled  = true
  public_network_access_enabled = true
  tags                          = var.tags
}

resource "azurerm_eventhub" "hub" {
  for_each          = local.hubs
  name              = each.key
  namespace_id      = azurerm_eventhub_namespace.ns.id
  partition_count   = var.partitions
  message_retention = 1

  capture_description {
    enabled             = true
    encoding            = "Avro"
    interval_in_seconds = var.capture_interval_seconds
    size_limit_in_bytes = 314572800
    skip_empty_archives = true

    destination {
      name                = "EventHubArchive.AzureBlockBlob"
      archive_name_format = "{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}"
      blob_container_name = "bronze"
      storage_account_id  = var.capture_storage_id
    }
  }
}

resource "azurerm_eventhub_consumer_group" "reader" {
  for_each            = local.consumer_groups
  name                = each.value.name
  eventhub_name       = azurerm_eventhub.hub[each.value.hub].name
  namespace_name      = azurerm_eventhub_namespace.ns.name
  resource_group_name = var.resource_group_name
}

resource "azurerm_eventhub_authorization_rule" "rule" {
  for_each            = local.rules
  name                = "${each.value.right}-only"
  eventhub_name       = azurerm_eventhub.hub[each.value.hub].name
  namespace_name      = azurerm_eventhub_namespace.ns.name
  resource_group_name = var.resource_group_name
  send                = each.value.right == "send"
  listen              = each.value.right == "listen"
  manage              = false
}
