//! The Stream Analytics job's own settings (Terraform's `high_latency_ms` and the job's
//! out-of-order tolerance), shared by the local job (`playground-analytics`) and the verifier
//! that checks any job, so the two read the same variables with the same defaults.

use crate::settings::Setting;

/// The alerts' threshold, as Terraform passes it into query.asaql.
pub static HIGH_LATENCY_MS: Setting<u32> = Setting {
    name: "HIGH_LATENCY_MS",
    default: 2000,
    range: None,
    alias: None,
    help: "Latency above which a pageview is an alert (Terraform's high_latency_ms).",
};

/// How late an event may arrive and still count in its own window.
pub static OUT_OF_ORDER_SECONDS: Setting<u32> = Setting {
    name: "OUT_OF_ORDER_SECONDS",
    default: 10,
    range: Some((0, 3600)),
    alias: None,
    help: "The job's out-of-order tolerance (Terraform's Stream Analytics job: 10 s); events later than that may land in a later window and are reported as late.",
};
