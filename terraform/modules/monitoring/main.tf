# Log Analytics: the containers' stdout (JSON logs) and the jobs' diagnostics.
resource "azurerm_log_analytics_workspace" "logs" {
  name                = "log-${var.prefix}"
  location            = var.location
  resource_group_name = var.resource_group_name
  sku                 = "PerGB2018"
  retention_in_days   = 30
  tags                = var.tags
}
