# Stream Analytics' reference data against its documented size limit (issue 13), checked by
# `terraform test` against the stand-in providers (tools/terraform/offline-check.sh).

variables {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  registry        = "playgroundacr.azurecr.io/playground"
  image_tag       = "1.0"
}

run "the_reference_data_fits_the_documented_limit_at_the_defaults" {
  command = plan

  assert {
    condition     = module.stream_analytics.reference_inputs == { vip = "bronze/users/vip.json" }
    error_message = "The job's only reference data is the VIP list: users.json (about 2.3 GB at 5 million users) is far above the documented limit."
  }
  assert {
    # 50,000 VIPs below 5,000,000 users: 50,000 lines of at most `{"id":4999999}` + newline.
    condition     = module.stream_analytics.reference_size.bytes == 50000 * 15 && module.stream_analytics.reference_size.limit == 150000000
    error_message = "At the defaults (3 streaming units) the reference data is 750 kB against a documented 150 MB."
  }
  assert {
    condition     = !strcontains(module.stream_analytics.query, "[users]")
    error_message = "The query must not join the users as reference data."
  }
}

run "reference_data_above_the_limit_is_refused_at_plan" {
  command = plan

  variables {
    users_count            = 20000000
    vip_count              = 10000000
    stream_analytics_units = 3
  }

  expect_failures = [output.stream_analytics_reference]
}

run "more_streaming_units_admit_more_reference_data" {
  command = plan

  variables {
    users_count            = 20000000
    vip_count              = 10000000
    stream_analytics_units = 6
  }

  assert {
    condition     = module.stream_analytics.reference_size.limit == 300000000 && module.stream_analytics.reference_size.bytes == 160000000
    error_message = "At 6 streaming units the documented limit is 300 MB; 10 million VIP lines below 20 million users are 160 MB."
  }
}
