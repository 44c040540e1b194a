output "name" {
  value = azurerm_data_factory.adf.name
}

output "pipeline_name" {
  value = azurerm_data_factory_pipeline.hourly.name
}
