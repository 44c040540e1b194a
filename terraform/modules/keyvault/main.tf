# Key Vault (RBAC mode) holding the secrets that must exist: the connection strings of the
# Event Hubs send-only and listen-only rules, for clients that cannot use a managed identity
# (a local run of pageviews or stars against Azure, a Kafka-protocol consumer). The services on
# Azure need none of them.
resource "azurerm_key_vault" "kv" {
  #checkov:skip=CKV_AZURE_109:The deployer writes the secrets from their own machine; the vault is RBAC-only
  #checkov:skip=CKV_AZURE_189:The deployer writes the secrets from their own machine; the vault is RBAC-only
  #checkov:skip=CKV2_AZURE_32:No VNet in the playground to put a private endpoint in
  #checkov:skip=CKV_AZURE_110:terraform destroy must remove the vault (purge); it holds only re-creatable connection strings
  #checkov:skip=CKV_AZURE_42:Same as CKV_AZURE_110: soft delete stays on (7 days), purge protection off so destroy can purge
  name                          = "kv-${var.prefix}"
  location                      = var.location
  resource_group_name           = var.resource_group_name
  tenant_id                     = var.tenant_id
  sku_name                      = "standard"
  rbac_authorization_enabled    = true
  purge_protection_enabled      = false
  soft_delete_retention_days    = 7
  public_network_access_enabled = true
  tags                          = var.tags

  network_acls {
    default_action = "Allow"
    bypass         = "AzureServices"
  }
}

resource "azurerm_role_assignment" "deployer" {
  scope                = azurerm_key_vault.kv.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = var.deployer_object_id
}

resource "azurerm_key_vault_secret" "secret" {
  #checkov:skip=CKV_AZURE_41:Event Hubs rule keys do not expire; an expiry date would not match the secret's real lifetime
  for_each     = toset(var.secret_names)
  name         = each.key
  value        = var.secrets[each.key]
  key_vault_id = azurerm_key_vault.kv.id
  content_type = "text/plain; Event Hubs connection string"

  depends_on = [time_sleep.deployer_role_propagation]
}

# Azure RBAC takes minutes to reach Key Vault's data plane; a secret written at once is refused
# (403) on a fresh deployment.
resource "time_sleep" "deployer_role_propagation" {
  create_duration = "120s"
  depends_on      = [azurerm_role_assignment.deployer]
}
