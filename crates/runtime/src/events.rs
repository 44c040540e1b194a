//! Where the pageviews and stars services send events: their settings, and the pure choice of
//! an [`EventTarget`] from them. A hub's connection string (`EVENTHUB_CONNECTION_STRING_{HUB}`,
//! the Python version's names) or `EVENTHUB_NAMESPACE` (the managed identity) choose Event
//! Hubs; neither, capture files under `{PLAYGROUND_DATA}/events/{hub}/...`.

use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::time::Duration;

use playground_sinks::events::{EventBackend, EventHubsAuth, EventHubsTarget, EventTarget, Hub};
use url::Url;

use crate::settings::common::{AZURE_CLIENT_ID, PLAYGROUND_DATA};
use crate::settings::{ConfigError, Env, Group, Secret, Setting, Text};

/// Partitions of each hub's capture files.
pub static EVENTS_PARTITIONS: Setting<u32> = Setting {
    name: "EVENTS_PARTITIONS",
    default: 4,
    range: Some((1, 1024)),
    alias: None,
    help: "Partitions of each hub's capture files (events are spread by user id).",
};

/// The namespace, signed in with the managed identity.
pub static EVENTHUB_NAMESPACE: Setting<Option<Text>> = Setting {
    name: "EVENTHUB_NAMESPACE",
    default: None,
    range: None,
    alias: None,
    help: "Event Hubs namespace (NAME or NAME.servicebus.windows.net), signed in with the managed identity.",
};

/// An AMQP endpoint instead of the namespace's.
pub static EVENTHUB_ENDPOINT: Setting<Option<Text>> = Setting {
    name: "EVENTHUB_ENDPOINT",
    default: None,
    range: None,
    alias: None,
    help: "AMQP endpoint instead of the namespace's, e.g. amqp://localhost:5672 for the emulator (plain TCP).",
};

/// Batches awaiting acknowledgement at once.
pub static EVENTS_IN_FLIGHT: Setting<usize> = Setting {
    name: "EVENTS_IN_FLIGHT",
    default: 4,
    range: Some((1, 64)),
    alias: None,
    help: "Event Hubs batches awaiting acknowledgement at once (one per partition); then the generator waits.",
};

/// How long a failed send is retried.
pub static EVENTS_RETRY_SECONDS: Setting<u64> = Setting {
    name: "EVENTS_RETRY_SECONDS",
    default: 300,
    range: Some((1, 604_800)),
    alias: None,
    help: "How long a failed Event Hubs send is retried (reconnecting, resending) before giving up (at most a week).",
};

/// The pageviews hub's connection string (the Python version's name).
pub static EVENTHUB_CONNECTION_STRING_PAGEVIEWS: Setting<Option<Secret>> = Setting {
    name: "EVENTHUB_CONNECTION_STRING_PAGEVIEWS",
    default: None,
    range: None,
    alias: None,
    help: "Connection string (SAS key) of the pageviews hub, instead of the managed identity; \
           UseDevelopmentEmulator=true for the emulator.",
};

/// The stars hub's connection string (the Python version's name).
pub static EVENTHUB_CONNECTION_STRING_STARS: Setting<Option<Secret>> = Setting {
    name: "EVENTHUB_CONNECTION_STRING_STARS",
    default: None,
    range: None,
    alias: None,
    help: "Connection string (SAS key) of the stars hub, likewise.",
};

/// The connection string setting of `hub`.
pub fn connection_string(hub: Hub) -> &'static Setting<Option<Secret>> {
    match hub {
        Hub::Pageviews => &EVENTHUB_CONNECTION_STRING_PAGEVIEWS,
        Hub::Stars => &EVENTHUB_CONNECTION_STRING_STARS,
    }
}

/// The settings of the events of the pageviews service, for `--help`.
pub static PAGEVIEWS_SETTINGS: Group = &[
    &EVENTHUB_CONNECTION_STRING_PAGEVIEWS,
    &EVENTHUB_NAMESPACE,
    &EVENTHUB_ENDPOINT,
    &EVENTS_IN_FLIGHT,
    &EVENTS_RETRY_SECONDS,
    &AZURE_CLIENT_ID,
    &EVENTS_PARTITIONS,
    &PLAYGROUND_DATA,
];

/// The settings of the events of the stars service, for `--help`.
pub static STARS_SETTINGS: Group = &[
    &EVENTHUB_CONNECTION_STRING_STARS,
    &EVENTHUB_NAMESPACE,
    &EVENTHUB_ENDPOINT,
    &EVENTS_IN_FLIGHT,
    &EVENTS_RETRY_SECONDS,
    &AZURE_CLIENT_ID,
    &EVENTS_PARTITIONS,
    &PLAYGROUND_DATA,
];

/// Where the events of `hub` go, as the settings choose. Pure; errors never echo a
/// connection string.
pub fn target(env: &Env, hub: Hub) -> Result<EventTarget, ConfigError> {
    let partitions = env.get(&EVENTS_PARTITIONS)?;
    let own = connection_string(hub);
    let endpoint = env.get(&EVENTHUB_ENDPOINT)?;
    let auth = match (env.get(own)?, env.get(&EVENTHUB_NAMESPACE)?) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::new(
                own.name,
                "set either it or EVENTHUB_NAMESPACE (the managed identity), not both",
            ));
        }
        (Some(Secret(cs)), None) => EventHubsAuth::ConnectionString(cs),
        (None, Some(ns)) => EventHubsAuth::ManagedIdentity {
            namespace: namespace(&ns)?,
            client_id: env.get(&AZURE_CLIENT_ID)?.map(|c| c.into_owned()),
        },
        (None, None) => {
            if let Some(endpoint) = endpoint {
                return Err(ConfigError::new(
                    EVENTHUB_ENDPOINT.name,
                    format!("{endpoint:?} needs {} or EVENTHUB_NAMESPACE too", own.name),
                ));
            }
            return Ok(EventTarget::CaptureFiles {
                root: PathBuf::from(env.get(&PLAYGROUND_DATA)?.as_ref()).join("events"),
                partitions: NonZeroU32::new(partitions).unwrap_or(NonZeroU32::MIN),
                setting: PLAYGROUND_DATA.name,
            });
        }
    };
    let setting = match auth {
        EventHubsAuth::ConnectionString(_) => own.name,
        EventHubsAuth::ManagedIdentity { .. } => EVENTHUB_NAMESPACE.name,
    };
    let endpoint = match endpoint {
        Some(endpoint) => Some(checked_endpoint(&endpoint)?),
        None => emulator_endpoint(&auth),
    };
    let in_flight = env.get(&EVENTS_IN_FLIGHT)?;
    Ok(EventTarget::EventHubs(EventHubsTarget {
        auth,
        endpoint,
        in_flight: NonZeroUsize::new(in_flight).unwrap_or(NonZeroUsize::MIN),
        retry: Duration::from_secs(env.get(&EVENTS_RETRY_SECONDS)?),
        setting,
    }))
}

/// Opens the destination of `hub`'s events.
pub async fn open(env: &Env, hub: Hub) -> Result<EventBackend, ConfigError> {
    let target = target(env, hub)?;
    EventBackend::open(&target, hub)
        .await
        .map_err(crate::open_error(target.setting()))
}

fn namespace(raw: &str) -> Result<String, ConfigError> {
    let ns = raw.trim().trim_end_matches('/');
    let ns = ns.strip_prefix("sb://").unwrap_or(ns);
    if ns.is_empty() || ns.contains(['/', ';', '=', ' ']) {
        return Err(ConfigError::new(
            EVENTHUB_NAMESPACE.name,
            format!("{ns:?} is not a namespace name (NAME or NAME.servicebus.windows.net)"),
        ));
    }
    Ok(if ns.contains('.') {
        ns.to_owned()
    } else {
        format!("{ns}.servicebus.windows.net")
    })
}

fn checked_endpoint(endpoint: &str) -> Result<String, ConfigError> {
    let bad = |why: String| ConfigError::new(EVENTHUB_ENDPOINT.name, why);
    let url = Url::parse(endpoint.trim()).map_err(|e| bad(format!("{endpoint:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "amqp" | "amqps") || url.host_str().is_none() {
        return Err(bad(format!(
            "{endpoint:?} is not amqp://host:port or amqps://host:port"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The emulator's connection string says `UseDevelopmentEmulator=true`; its AMQP port is
/// plain TCP 5672 on the endpoint's host.
fn emulator_endpoint(auth: &EventHubsAuth) -> Option<String> {
    let EventHubsAuth::ConnectionString(cs) = auth else {
        return None;
    };
    let pairs = crate::table::ado_pairs(cs);
    let emulator = pairs
        .iter()
        .any(|(k, v)| k == "usedevelopmentemulator" && v.eq_ignore_ascii_case("true"));
    let host = pairs
        .iter()
        .find(|(k, _)| k == "endpoint")
        .and_then(|(_, v)| Url::parse(v).ok())
        .and_then(|u| u.host_str().map(str::to_owned))?;
    emulator.then(|| format!("amqp://{host}:5672"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CS: &str = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=SECRETWORD;EntityPath=pageviews";

    fn pick(pairs: &[(&str, &str)], hub: Hub) -> Result<EventTarget, ConfigError> {
        target(&pairs.iter().map(|(k, v)| (*k, *v)).collect(), hub)
    }

    fn hubs(pairs: &[(&str, &str)], hub: Hub) -> EventHubsTarget {
        match pick(pairs, hub) {
            Ok(EventTarget::EventHubs(t)) => t,
            other => panic!("{pairs:?}: expected Event Hubs, got {other:?}"),
        }
    }

    #[test]
    fn nothing_set_is_capture_files_under_playground_data() {
        assert_eq!(
            pick(&[("EVENTS_PARTITIONS", "2")], Hub::Stars),
            Ok(EventTarget::CaptureFiles {
                root: PathBuf::from("playground-data/events"),
                partitions: NonZeroU32::new(2).expect("2"),
                setting: "PLAYGROUND_DATA"
            })
        );
    }

    #[test]
    fn each_hub_reads_its_own_connection_string() {
        let t = hubs(&[("EVENTHUB_CONNECTION_STRING_PAGEVIEWS", CS)], Hub::Pageviews);
        assert_eq!(t.setting, "EVENTHUB_CONNECTION_STRING_PAGEVIEWS");
        assert_eq!((t.endpoint, t.in_flight.get(), t.retry.as_secs()), (None, 4, 300));
        // The pageviews string does not send stars to Event Hubs.
        assert!(matches!(
            pick(&[("EVENTHUB_CONNECTION_STRING_PAGEVIEWS", CS)], Hub::Stars),
            Ok(EventTarget::CaptureFiles { .. })
        ));
        let t = hubs(&[("EVENTHUB_CONNECTION_STRING_STARS", CS)], Hub::Stars);
        assert_eq!(t.setting, "EVENTHUB_CONNECTION_STRING_STARS");
    }

    #[test]
    fn a_namespace_signs_in_with_the_managed_identity() {
        for ns in [
            "ns",
            "ns.servicebus.windows.net",
            "sb://ns.servicebus.windows.net/",
        ] {
            let t = hubs(
                &[("EVENTHUB_NAMESPACE", ns), ("AZURE_CLIENT_ID", "c")],
                Hub::Stars,
            );
            assert_eq!(
                t.auth,
                EventHubsAuth::ManagedIdentity {
                    namespace: "ns.servicebus.windows.net".into(),
                    client_id: Some("c".into())
                },
                "{ns}"
            );
            assert_eq!(t.setting, "EVENTHUB_NAMESPACE");
        }
    }

    #[test]
    fn the_emulator_and_explicit_endpoints() {
        let emulator = "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";
        let t = hubs(&[("EVENTHUB_CONNECTION_STRING_STARS", emulator)], Hub::Stars);
        assert_eq!(t.endpoint.as_deref(), Some("amqp://localhost:5672"));
        let t = hubs(
            &[
                ("EVENTHUB_CONNECTION_STRING_STARS", CS),
                ("EVENTHUB_ENDPOINT", "amqp://127.0.0.1:5999/"),
                ("EVENTS_IN_FLIGHT", "9"),
                ("EVENTS_RETRY_SECONDS", "7"),
            ],
            Hub::Stars,
        );
        assert_eq!(t.endpoint.as_deref(), Some("amqp://127.0.0.1:5999"));
        assert_eq!((t.in_flight.get(), t.retry.as_secs()), (9, 7));
    }

    #[test]
    fn refusals_name_the_variable_and_never_echo_a_secret() {
        let p = Hub::Pageviews;
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[
                    ("EVENTHUB_CONNECTION_STRING_PAGEVIEWS", CS),
                    ("EVENTHUB_NAMESPACE", "ns"),
                ],
                "EVENTHUB_CONNECTION_STRING_PAGEVIEWS",
            ),
            (&[("EVENTHUB_ENDPOINT", "amqp://h:5672")], "EVENTHUB_ENDPOINT"),
            (
                &[("EVENTHUB_NAMESPACE", "ns"), ("EVENTHUB_ENDPOINT", "http://h")],
                "EVENTHUB_ENDPOINT",
            ),
            (&[("EVENTHUB_NAMESPACE", "a/b")], "EVENTHUB_NAMESPACE"),
            (&[("EVENTS_PARTITIONS", "0")], "EVENTS_PARTITIONS"),
            (&[("EVENTS_PARTITIONS", "1025")], "EVENTS_PARTITIONS"),
            (
                &[("EVENTHUB_NAMESPACE", "ns"), ("EVENTS_IN_FLIGHT", "0")],
                "EVENTS_IN_FLIGHT",
            ),
            (
                &[("EVENTHUB_NAMESPACE", "ns"), ("EVENTS_IN_FLIGHT", "65")],
                "EVENTS_IN_FLIGHT",
            ),
            (
                &[("EVENTHUB_NAMESPACE", "ns"), ("EVENTS_RETRY_SECONDS", "0")],
                "EVENTS_RETRY_SECONDS",
            ),
            (
                &[("EVENTHUB_NAMESPACE", "ns"), ("EVENTS_RETRY_SECONDS", "604801")],
                "EVENTS_RETRY_SECONDS",
            ),
        ];
        for (pairs, variable) in cases {
            let e = pick(pairs, p).expect_err(variable);
            assert_eq!(e.variable, *variable, "{pairs:?}: {e}");
            assert!(!e.to_string().contains("SECRETWORD"), "{e}");
        }
    }
}
