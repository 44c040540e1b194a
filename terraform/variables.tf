variable "subscription_id" {
  description = "Azure subscription to deploy into (null: ARM_SUBSCRIPTION_ID, which azurerm 4 then requires)."
  type        = string
  default     = null
}

variable "location" {
  description = "Azure region of every resource."
  type        = string
  default     = "westeurope"
}

variable "name" {
  description = "Readable part of every resource name; a random suffix keeps global names unique."
  type        = string
  default     = "playground"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{2,11}$", var.name))
    error_message = "name: 3-12 lowercase letters and digits, starting with a letter (it is part of the storage account name)."
  }
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = { project = "data-playground" }
}

# --- images ------------------------------------------------------------------------------

variable "registry" {
  description = "Image registry; images are <registry>/playground-<service>:<image_tag> (what `make image SERVICE=x REGISTRY=.. TAG=..` pushes)."
  type        = string
  default     = "ghcr.io/data-playground"
}

variable "image_tag" {
  description = "Tag of the six service images."
  type        = string
  default     = "latest"
}

variable "registry_username" {
  description = "User for a private registry (null: the registry is public)."
  type        = string
  default     = null
}

variable "registry_password" {
  description = "Password or token for a private registry."
  type        = string
  default     = null
  sensitive   = true
}

# --- what the services generate (defaults as the Python version) -------------------------

variable "seed" {
  description = "SEED of every service: same seed, same data."
  type        = number
  default     = 42
}

variable "locale" {
  description = "LOCALE of users, products and pageviews: cs_CZ or en_US."
  type        = string
  default     = "cs_CZ"
}

variable "log_level" {
  description = "LOG_LEVEL of every service (a tracing filter)."
  type        = string
  default     = "info"
}

variable "users_count" {
  description = "Users generated (users' COUNT; USERS_COUNT of orders, pageviews and stars)."
  type        = number
  default     = 5000000
}

variable "vip_count" {
  description = "VIP users (VIP_COUNT)."
  type        = number
  default     = 50000
}

variable "products_count" {
  description = "Products generated (products' COUNT; PRODUCTS_COUNT of items and pageviews)."
  type        = number
  default     = 100000
}

variable "orders_count" {
  description = "Orders generated (orders' COUNT; ORDERS_COUNT of items)."
  type        = number
  default     = 100000000
}

variable "shards" {
  description = "Container groups each for orders and for items; instance i runs SHARD=i/shards."
  type        = number
  default     = 4

  validation {
    condition     = var.shards >= 1 && var.shards <= 64
    error_message = "shards: between 1 and 64."
  }
}

variable "orders_start" {
  description = "ORDERS_START: first day of the order period (YYYY-MM-DD)."
  type        = string
  default     = "2024-01-01"
}

variable "orders_days" {
  description = "ORDERS_DAYS: length of the order period in days."
  type        = number
  default     = 366
}

variable "chunk_orders" {
  description = "CHUNK_ORDERS: orders per bulk load (the unit of resuming)."
  type        = number
  default     = 50000
}

variable "sql_connections" {
  description = "SQL_CONNECTIONS per orders/items instance."
  type        = number
  default     = 4
}

variable "users_block_records" {
  description = "BLOCK_RECORDS: users per staged block of users.json."
  type        = number
  default     = 1000
}

variable "users_concurrency" {
  description = "CONCURRENCY of users: blocks uploaded at once."
  type        = number
  default     = 3
}

variable "products_concurrency" {
  description = "CONCURRENCY of products: files uploaded at once."
  type        = number
  default     = 32
}

variable "lake_retry_seconds" {
  description = "LAKE_RETRY_SECONDS: how long transient storage failures are retried."
  type        = number
  default     = 300
}

# --- streams -----------------------------------------------------------------------------

variable "sessions_per_second" {
  description = "SESSIONS_PER_SECOND of pageviews and stars (a session is 1-30 pageviews)."
  type        = number
  default     = 1
}

variable "daily_curve" {
  description = "DAILY_CURVE: vary the stream rate with the time of day."
  type        = bool
  default     = true
}

variable "late_fraction" {
  description = "LATE_FRACTION: fraction of events sent late."
  type        = number
  default     = 0.01
}

variable "late_max_seconds" {
  description = "LATE_MAX_SECONDS: largest lag of a late event."
  type        = number
  default     = 60
}

variable "duplicate_fraction" {
  description = "DUPLICATE_FRACTION: fraction of events sent twice with the same event_id."
  type        = number
  default     = 0.001
}

variable "batch_max_events" {
  description = "BATCH_MAX_EVENTS: most events per send."
  type        = number
  default     = 1000
}

variable "events_in_flight" {
  description = "EVENTS_IN_FLIGHT: sends in flight per stream service."
  type        = number
  default     = 4
}

variable "events_retry_seconds" {
  description = "EVENTS_RETRY_SECONDS: how long transient Event Hubs failures are retried."
  type        = number
  default     = 300
}

variable "eventhub_partitions" {
  description = "Partitions of the pageviews and stars hubs (also EVENTS_PARTITIONS of the services)."
  type        = number
  default     = 4
}

variable "eventhub_capture_interval_seconds" {
  description = "Event Hubs Capture writes an Avro file to bronze at least this often."
  type        = number
  default     = 300
}

variable "high_latency_ms" {
  description = "Stream Analytics raises a high-latency alert above this pageview latency (ms)."
  type        = number
  default     = 2000
}

# --- SQL and access ----------------------------------------------------------------------

# The SQL server's Entra admin is an identity of the deployment (sql_users.tf), not a person.
variable "sql_reader_object_id" {
  description = "Object id of a user made db_datareader in the orders database, for queries (null: whoever runs terraform; \"\": nobody). For a service principal give its application (client) id."
  type        = string
  default     = null
}

variable "sql_reader_name" {
  description = "Database user name of sql_reader_object_id (the SID identifies the user; the name is what the database shows)."
  type        = string
  default     = "playground-reader"
}

variable "sql_max_size_gb" {
  description = "Largest size of the orders database (100 million orders with items take about 25 GB)."
  type        = number
  default     = 64
}

variable "client_ip" {
  description = "Your public IP, opened on the SQL server firewall for your own queries, the portal query editor included (null: Azure services only, e.g. Cloud Shell)."
  type        = string
  default     = null
}

# --- Databricks --------------------------------------------------------------------------

variable "databricks_node_type" {
  description = "VM size of the single-node cluster."
  type        = string
  default     = "Standard_D4ds_v5"
}

variable "databricks_spark_version" {
  description = "Databricks runtime of the cluster."
  type        = string
  default     = "15.4.x-scala2.12"
}

variable "pipeline_hourly" {
  description = "Run the Data Factory pipeline (copy orders and items, build silver) every hour. Each run starts the Databricks cluster."
  type        = bool
  default     = true
}

variable "stream_analytics_units" {
  description = "Streaming units of the Stream Analytics job."
  type        = number
  default     = 3
}
