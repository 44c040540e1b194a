# One Container Instance group per service (and per shard of orders and items), each running
# its service's image as its own user-assigned identity, with no keys in its environment.
# The environment comes from ../../container_env.tf.
resource "azurerm_container_group" "service" {
  #checkov:skip=CKV_AZURE_235:The environment holds no secret (hostnames, client ids, counts); the identities replace keys
  #checkov:skip=CKV_AZURE_98:No inbound ports (ip_address_type None); a VNet would add cost and NAT for outbound calls to public Azure endpoints
  for_each            = var.groups
  name                = "ci-${var.prefix}-${each.key}"
  location            = var.location
  resource_group_name = var.resource_group_name
  os_type             = "Linux"
  ip_address_type     = "None"
  restart_policy      = each.value.restart_policy
  tags                = merge(var.tags, { service = each.value.service })

  identity {
    type         = "UserAssigned"
    identity_ids = [each.value.identity_id]
  }

  container {
    name                  = each.value.service
    image                 = each.value.image
    cpu                   = each.value.cpu
    memory                = each.value.memory
    environment_variables = each.value.environment
  }

  dynamic "image_registry_credential" {
    for_each = var.registry_username == null ? [] : [var.registry_server]
    content {
      server   = image_registry_credential.value
      username = var.registry_username
      password = var.registry_password
    }
  }

  diagnostics {
    log_analytics {
      workspace_id  = var.log_analytics_workspace_id
      workspace_key = var.log_analytics_workspace_key
      log_type      = "ContainerInsights"
    }
  }
}
