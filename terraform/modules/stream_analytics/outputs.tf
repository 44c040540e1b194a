output "job_name" {
  value = azurerm_stream_analytics_job.job.name
}

output "principal_id" {
  value = azurerm_stream_analytics_job.job.identity[0].principal_id
}

output "role_assignments" {
  description = "Role assignments made here (role, scope, principal), checked by terraform test."
  value       = [for r in concat(values(azurerm_role_assignment.receiver), values(azurerm_role_assignment.lake)) : { role = r.role_definition_name, scope = r.scope, principal_id = r.principal_id }]
}

output "blob_outputs" {
  description = "Output alias => container/path pattern, as applied (every INTO target of the query)."
  value       = { for k, o in azurerm_stream_analytics_output_blob.out : k => "${o.storage_container_name}/${o.path_pattern}" }
}

output "query" {
  description = "The job's query, as applied."
  value       = azurerm_stream_analytics_job.job.transformation_query
}

output "late_arrival_seconds" {
  description = "How late an event may arrive and still count in its window, as applied."
  value       = azurerm_stream_analytics_job.job.events_late_arrival_max_delay_in_seconds
}

output "reference_inputs" {
  description = "Reference input alias => blob path in bronze, as applied."
  value       = { for k, r in azurerm_stream_analytics_reference_input_blob.reference : k => "${r.storage_container_name}/${r.path_pattern}" }
}

output "reference_size" {
  description = "The reference data's computed size and its documented limit at the job's streaming units (bytes)."
  value       = { bytes = local.reference_bytes, limit = local.reference_limit_mb * 1000000 }
}

output "out_of_order_seconds" {
  description = "The job's out-of-order tolerance, as applied (playground-verify's OUT_OF_ORDER_SECONDS)."
  value       = azurerm_stream_analytics_job.job.events_out_of_order_max_delay_in_seconds
}
