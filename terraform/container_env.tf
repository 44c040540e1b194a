# The environment of each service's container group, one literal map per service, so a test
# (tools/terraform/test_container_env.py) can read the keys statically and compare them with
# the variables `playground-<service> --help` lists. Each group sets every variable its service
# reads, except the few deliberately left unset on Azure, listed with their reasons in that test
# (keys: SAS, passwords and connection strings are not needed where the managed identity works;
# PLAYGROUND_DATA only roots the embedded local backends; RUN_SECONDS unset runs the streams
# until stopped). Never a variable the service does not read.
#
# SHARD of orders and items is a format string: instance i of var.shards gets format(SHARD, i).
locals {
  lake_url      = "${module.storage.blob_endpoint}bronze"
  eventhub_fqdn = "${module.eventhubs.namespace_name}.servicebus.windows.net"

  container_env = {
    users = {
      SEED               = var.seed
      LOG_FORMAT         = "json"
      LOG_LEVEL          = var.log_level
      COUNT              = var.users_count
      VIP_COUNT          = var.vip_count
      LOCALE             = var.locale
      BLOCK_RECORDS      = var.users_block_records
      CONCURRENCY        = var.users_concurrency
      LAKE_URL           = local.lake_url
      AZURE_CLIENT_ID    = module.identities.client_ids["users"]
      LAKE_RETRY_SECONDS = var.lake_retry_seconds
    }
    products = {
      SEED               = var.seed
      LOG_FORMAT         = "json"
      LOG_LEVEL          = var.log_level
      COUNT              = var.products_count
      LOCALE             = var.locale
      CONCURRENCY        = var.products_concurrency
      LAKE_URL           = local.lake_url
      AZURE_CLIENT_ID    = module.identities.client_ids["products"]
      LAKE_RETRY_SECONDS = var.lake_retry_seconds
    }
    orders = {
      SEED            = var.seed
      LOG_FORMAT      = "json"
      LOG_LEVEL       = var.log_level
      COUNT           = var.orders_count
      SHARD           = "%d/${var.shards}"
      AZURE_CLIENT_ID = module.identities.client_ids["orders"]
      SQL_SERVER      = module.sql.server_fqdn
      SQL_DATABASE    = module.sql.database_name
      SQL_ENCRYPT     = "true"
      SQL_CONNECTIONS = var.sql_connections
      USERS_COUNT     = var.users_count
      ORDERS_START    = var.orders_start
      ORDERS_DAYS     = var.orders_days
      CHUNK_ORDERS    = var.chunk_orders
    }
    items = {
      SEED            = var.seed
      LOG_FORMAT      = "json"
      LOG_LEVEL       = var.log_level
      SHARD           = "%d/${var.shards}"
      AZURE_CLIENT_ID = module.identities.client_ids["items"]
      SQL_SERVER      = module.sql.server_fqdn
      SQL_DATABASE    = module.sql.database_name
      SQL_ENCRYPT     = "true"
      SQL_CONNECTIONS = var.sql_connections
      PRODUCTS_COUNT  = var.products_count
      ORDERS_COUNT    = var.orders_count
      CHUNK_ORDERS    = var.chunk_orders
    }
    pageviews = {
      SEED                 = var.seed
      LOG_FORMAT           = "json"
      LOG_LEVEL            = var.log_level
      LOCALE               = var.locale
      USERS_COUNT          = var.users_count
      PRODUCTS_COUNT       = var.products_count
      SESSIONS_PER_SECOND  = var.sessions_per_second
      DAILY_CURVE          = var.daily_curve
      LATE_FRACTION        = var.late_fraction
      LATE_MAX_SECONDS     = var.late_max_seconds
      DUPLICATE_FRACTION   = var.duplicate_fraction
      BATCH_MAX_EVENTS     = var.batch_max_events
      EVENTS_PARTITIONS    = var.eventhub_partitions
      EVENTHUB_NAMESPACE   = local.eventhub_fqdn
      EVENTS_IN_FLIGHT     = var.events_in_flight
      EVENTS_RETRY_SECONDS = var.events_retry_seconds
      AZURE_CLIENT_ID      = module.identities.client_ids["pageviews"]
    }
    stars = {
      SEED                 = var.seed
      LOG_FORMAT           = "json"
      LOG_LEVEL            = var.log_level
      USERS_COUNT          = var.users_count
      SESSIONS_PER_SECOND  = var.sessions_per_second
      DAILY_CURVE          = var.daily_curve
      LATE_FRACTION        = var.late_fraction
      LATE_MAX_SECONDS     = var.late_max_seconds
      DUPLICATE_FRACTION   = var.duplicate_fraction
      BATCH_MAX_EVENTS     = var.batch_max_events
      EVENTS_PARTITIONS    = var.eventhub_partitions
      EVENTHUB_NAMESPACE   = local.eventhub_fqdn
      EVENTS_IN_FLIGHT     = var.events_in_flight
      EVENTS_RETRY_SECONDS = var.events_retry_seconds
      AZURE_CLIENT_ID      = module.identities.client_ids["stars"]
    }
  }

  # What playground-verify needs to check this deployment's lake against the answer keys: the
  # settings that define the data, from the same variables as the services' (tools/terraform/
  # test_container_env.py compares both, value by value), and the job's threshold and
  # tolerance. The lake's credential is the caller's (README: "Check your pipeline").
  verify_env = {
    SEED                 = var.seed
    USERS_COUNT          = var.users_count
    VIP_COUNT            = var.vip_count
    PRODUCTS_COUNT       = var.products_count
    ORDERS_COUNT         = var.orders_count
    ORDERS_START         = var.orders_start
    ORDERS_DAYS          = var.orders_days
    LOCALE               = var.locale
    SESSIONS_PER_SECOND  = var.sessions_per_second
    DAILY_CURVE          = var.daily_curve
    LATE_FRACTION        = var.late_fraction
    LATE_MAX_SECONDS     = var.late_max_seconds
    DUPLICATE_FRACTION   = var.duplicate_fraction
    HIGH_LATENCY_MS      = var.high_latency_ms
    OUT_OF_ORDER_SECONDS = module.stream_analytics.out_of_order_seconds
  }

  # Batch services run to the end and stop (restart OnFailure: a failed run, such as a 403
  # before a new role assignment has reached the data plane, which Azure documents can take
  # up to about 10 minutes, is restarted and resumes exactly where it stopped); streams run
  # forever (restart Always).
  service_shape = {
    users     = { cpu = 2, memory = 2, restart_policy = "OnFailure" }
    products  = { cpu = 1, memory = 1, restart_policy = "OnFailure" }
    orders    = { cpu = 1, memory = 1, restart_policy = "OnFailure" }
    items     = { cpu = 1, memory = 1, restart_policy = "OnFailure" }
    pageviews = { cpu = 0.5, memory = 0.5, restart_policy = "Always" }
    stars     = { cpu = 0.5, memory = 0.5, restart_policy = "Always" }
  }

  # One container group per service, and var.shards each of orders and items.
  instances = merge(
    { for s in ["users", "products", "pageviews", "stars"] : s => { service = s, shard = null } },
    { for i in range(var.shards) : "orders-${i}" => { service = "orders", shard = i } },
    { for i in range(var.shards) : "items-${i}" => { service = "items", shard = i } },
  )

  container_groups = {
    for name, inst in local.instances : name => merge(local.service_shape[inst.service], {
      service     = inst.service
      image       = "${var.registry}/playground-${inst.service}:${var.image_tag}"
      identity_id = module.identities.ids[inst.service]
      environment = {
        for k, v in local.container_env[inst.service] :
        k => k == "SHARD" ? format(v, inst.shard) : tostring(v)
      }
    })
  }
}
