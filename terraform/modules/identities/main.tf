# One user-assigned identity per service, each with the least it needs:
#   users, products  Storage Blob Data Contributor on the bronze container only
#   pageviews, stars Azure Event Hubs Data Sender on their own hub only
#   orders, items    no Azure role: a database user with db_datareader, db_datawriter and
#                    db_ddladmin (tables are created when missing), made during the apply by
#                    the deployment script in ../../sql_users.tf
locals {
  roles = {
    users     = { role = "Storage Blob Data Contributor", scope = var.bronze_scope }
    products  = { role = "Storage Blob Data Contributor", scope = var.bronze_scope }
    pageviews = { role = "Azure Event Hubs Data Sender", scope = var.eventhub_ids["pageviews"] }
    stars     = { role = "Azure Event Hubs Data Sender", scope = var.eventhub_ids["stars"] }
  }
}

resource "azurerm_user_assigned_identity" "service" {
  for_each            = toset(var.services)
  name                = "id-${var.prefix}-${each.key}"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

resource "azurerm_role_assignment" "service" {
  for_each             = local.roles
  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.service[each.key].principal_id
  principal_type       = "ServicePrincipal"
}

# Role assignments take a while to reach the data planes (Azure documents up to about 10
# minutes); a service that starts before gets 403, which it treats as a configuration error
# (exit 2). The container groups depend on this module, so they start after this wait, and a
# batch group that still fails restarts (restart policy OnFailure) and resumes.
resource "time_sleep" "role_propagation" {
  create_duration = "120s"
  depends_on      = [azurerm_role_assignment.service]
}
