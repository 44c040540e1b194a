output "job_name" {
  value = azurerm_stream_analytics_job.job.name
}

output "principal_id" {
  value = azurerm_stream_analytics_job.job.identity[0].principal_id
}
