#![allow(clippy::unwrap_used, clippy::expect_used)]
//! compose.yaml and compose.embedded.yaml as Docker Compose v2 reads them: valid, every
//! service given exactly the variables it reads, wired to the stores, image names as the
//! Makefile's.

use std::collections::BTreeSet;

use playground_deploy_checks::{
    SERVICES, all_services, compose, config, environment, help_variables, make_image, make_image_commands,
    root,
};

const STACK: &[&str] = &["compose.yaml"];
const EMBEDDED: &[&str] = &["compose.yaml", "compose.embedded.yaml"];

/// Variables that choose a non-embedded backend: empty in the embedded override.
const BACKEND_VARIABLES: &[&str] = &[
    "LAKE_URL",
    "STORAGE_SAS",
    "STORAGE_CONNECTION_STRING",
    "SQL_SERVER",
    "SQL_CONNECTION_STRING",
    "SQL_USER",
    "SQL_PASSWORD",
    "EVENTHUB_NAMESPACE",
    "EVENTHUB_CONNECTION_STRING_PAGEVIEWS",
    "EVENTHUB_CONNECTION_STRING_STARS",
    "EVENTHUB_ENDPOINT",
    "AZURE_CLIENT_ID",
];

#[test]
fn both_files_validate_with_compose_v2() {
    compose(STACK, &["config", "-q"], &[]);
    compose(EMBEDDED, &["config", "-q"], &[]);
}

/// For each service: the names its environment sets in `files` versus what its `--help`
/// lists. Collects every difference, so one run shows them all.
fn variable_mismatches(files: &[&str]) -> Vec<String> {
    let model = config(files, &[]);
    let mut problems = Vec::new();
    for service in all_services() {
        let reads: BTreeSet<String> = help_variables(service).into_iter().collect();
        assert!(
            !reads.is_empty(),
            "playground-{service} --help lists no variables"
        );
        let set: BTreeSet<String> = environment(&model, service).into_keys().collect();
        for missing in reads.difference(&set) {
            problems.push(format!(
                "{files:?}: {service} reads {missing} (its --help lists it) but compose does not set it"
            ));
        }
        for extra in set.difference(&reads) {
            problems.push(format!(
                "{files:?}: compose sets {extra} for {service}, which playground-{service} does not read (not in its --help)"
            ));
        }
    }
    problems
}

#[test]
fn every_service_gets_exactly_the_variables_it_reads() {
    let mut problems = variable_mismatches(STACK);
    problems.extend(variable_mismatches(EMBEDDED));
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

fn value(model: &serde_json::Value, service: &str, var: &str) -> String {
    environment(model, service)
        .get(var)
        .cloned()
        .flatten()
        .unwrap_or_else(|| panic!("{service} has no value for {var}"))
}

fn depends_on(model: &serde_json::Value, service: &str) -> Vec<(String, String)> {
    model["services"][service]["depends_on"]
        .as_object()
        .map(|deps| {
            deps.iter()
                .map(|(k, v)| (k.clone(), v["condition"].as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_stack_wires_each_service_to_its_store_once_the_store_is_ready() {
    let model = config(STACK, &[]);
    let services = model["services"].as_object().unwrap();
    for store in [
        "azurite",
        "sqlserver",
        "sqlserver-init",
        "eventhubs",
        "eventhubs-ready",
    ] {
        assert!(services.contains_key(store), "compose.yaml has no {store}");
    }
    for store in ["azurite", "sqlserver"] {
        assert!(
            model["services"][store]["healthcheck"]["test"].is_array(),
            "{store} needs a health check: services wait for it"
        );
    }
    fn dep(s: &'static str, on: &str, condition: &str) -> (&'static str, String, String) {
        (s, on.to_owned(), condition.to_owned())
    }
    for (service, on, condition) in [
        dep("users", "azurite", "service_healthy"),
        dep("products", "azurite", "service_healthy"),
        dep("orders", "sqlserver-init", "service_completed_successfully"),
        dep("items", "sqlserver-init", "service_completed_successfully"),
        dep("pageviews", "eventhubs-ready", "service_completed_successfully"),
        dep("stars", "eventhubs-ready", "service_completed_successfully"),
        dep("analytics", "eventhubs-ready", "service_completed_successfully"),
        dep("analytics", "users", "service_completed_successfully"),
        dep("silver", "orders", "service_completed_successfully"),
        dep("silver", "items", "service_completed_successfully"),
        dep("silver", "users", "service_completed_successfully"),
        dep("silver", "products", "service_completed_successfully"),
        dep("sqlserver-init", "sqlserver", "service_healthy"),
        dep("eventhubs", "azurite", "service_healthy"),
    ] {
        assert!(
            depends_on(&model, service).contains(&(on.clone(), condition.clone())),
            "{service} must depend on {on} with {condition}; has {:?}",
            depends_on(&model, service)
        );
    }

    // Lake on Azurite, tables on SQL Server (database created by the init step), events on
    // the emulator.
    for s in ["users", "products", "analytics", "silver"] {
        let cs = value(&model, s, "STORAGE_CONNECTION_STRING");
        assert!(
            cs.contains("BlobEndpoint=http://azurite:10000/devstoreaccount1"),
            "{s}: {cs}"
        );
        assert_eq!(value(&model, s, "LAKE_CONTAINER"), "bronze");
    }
    let password = value(&model, "sqlserver", "MSSQL_SA_PASSWORD");
    assert_eq!(value(&model, "sqlserver-init", "SQLCMDPASSWORD"), password);
    let init = model["services"]["sqlserver-init"]["command"].to_string();
    for s in ["orders", "items", "silver"] {
        assert_eq!(value(&model, s, "SQL_SERVER"), "sqlserver");
        assert_eq!(value(&model, s, "SQL_USER"), "sa");
        assert_eq!(value(&model, s, "SQL_PASSWORD"), password);
        assert_eq!(value(&model, s, "SQL_TRUST_CERT"), "true");
        let db = value(&model, s, "SQL_DATABASE");
        assert!(
            init.contains(&format!("CREATE DATABASE [{db}]")),
            "sqlserver-init must create {db}: {init}"
        );
    }
    let hubs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("deploy/eventhubs/Config.json")).unwrap())
            .unwrap();
    let entities = &hubs["UserConfig"]["NamespaceConfig"][0]["Entities"];
    for (s, var) in [
        ("pageviews", "EVENTHUB_CONNECTION_STRING_PAGEVIEWS"),
        ("stars", "EVENTHUB_CONNECTION_STRING_STARS"),
    ] {
        assert!(
            value(&model, s, var).starts_with("Endpoint=sb://eventhubs;")
                && value(&model, s, var).contains("UseDevelopmentEmulator=true"),
            "{s}: {var}"
        );
        assert_eq!(value(&model, s, "EVENTHUB_ENDPOINT"), "amqp://eventhubs:5672");
        assert!(
            entities.as_array().unwrap().iter().any(|e| e["Name"] == s),
            "deploy/eventhubs/Config.json declares no hub {s}"
        );
        // The job reads the same hub in the consumer group the emulator declares for it.
        assert_eq!(
            value(&model, "analytics", var),
            value(&model, s, var),
            "analytics: {var}"
        );
        let group = value(&model, "analytics", "EVENTHUB_CONSUMER_GROUP");
        let hub = entities
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["Name"] == s)
            .unwrap();
        assert!(
            hub["ConsumerGroups"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["Name"] == group.as_str()),
            "deploy/eventhubs/Config.json: hub {s} has no consumer group {group}"
        );
    }
    let mount = model["services"]["eventhubs"]["volumes"].to_string();
    assert!(
        mount.contains("/Eventhubs_Emulator/ConfigFiles/Config.json"),
        "{mount}"
    );

    // Restarted only on failure (a non-zero exit), a bounded number of times: a finished
    // service (exit 0; a stream under RUN_SECONDS too) stays stopped.
    for s in all_services() {
        let restart = model["services"][s]["restart"].as_str().unwrap_or_default();
        assert_eq!(restart, "on-failure:5", "{s}: restart");
    }
}

#[test]
fn related_settings_agree_across_services_whatever_the_shell_sets() {
    for env in [
        &[][..],
        &[
            ("USERS_COUNT", "77"),
            ("PRODUCTS_COUNT", "55"),
            ("ORDERS_COUNT", "99"),
            ("SEED", "7"),
        ][..],
    ] {
        for files in [STACK, EMBEDDED] {
            let m = config(files, env);
            let users = value(&m, "users", "COUNT");
            let products = value(&m, "products", "COUNT");
            let orders = value(&m, "orders", "COUNT");
            for s in ["orders", "pageviews", "stars"] {
                assert_eq!(value(&m, s, "USERS_COUNT"), users, "{files:?} {env:?}: {s}");
            }
            for s in ["items", "pageviews"] {
                assert_eq!(value(&m, s, "PRODUCTS_COUNT"), products, "{files:?} {env:?}: {s}");
            }
            assert_eq!(value(&m, "items", "ORDERS_COUNT"), orders);
            let seed = value(&m, "users", "SEED");
            for s in SERVICES {
                assert_eq!(value(&m, s, "SEED"), seed, "{s}");
                assert_eq!(value(&m, s, "PLAYGROUND_DATA"), "/data", "{s}");
                assert_eq!(value(&m, s, "LOG_FORMAT"), "json", "{s}");
            }
            if let Some((_, n)) = env.iter().find(|(k, _)| *k == "USERS_COUNT") {
                assert_eq!(&users, n);
            }
        }
    }
}

#[test]
fn the_embedded_override_runs_the_services_alone_on_the_embedded_backends() {
    let model = config(EMBEDDED, &[]);
    let running: BTreeSet<&str> = model["services"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        running,
        all_services().into_iter().collect(),
        "only the services run"
    );
    for s in all_services() {
        // The job waits for its reference data, the VIP list users writes; nothing else
        // waits for anything.
        // The job waits for its reference data, the VIP list users writes; the silver job for
        // the batch services whose output it copies and reads; nothing else waits.
        let done = |on: &[&str]| -> Vec<(String, String)> {
            on.iter()
                .map(|s| (s.to_string(), "service_completed_successfully".to_string()))
                .collect()
        };
        let expected = match s {
            "analytics" => done(&["users"]),
            "silver" => done(&["items", "orders", "products", "users"]),
            _ => Vec::new(),
        };
        assert_eq!(depends_on(&model, s), expected, "{s} depends on");
        for (k, v) in environment(&model, s) {
            if BACKEND_VARIABLES.contains(&k.as_str()) {
                assert_eq!(
                    v.as_deref(),
                    Some(""),
                    "{s}: {k} must be empty in the embedded override"
                );
            }
        }
        let volumes = model["services"][s]["volumes"].to_string();
        assert!(
            volumes.contains("\"playground-data\"") && volumes.contains("\"/data\""),
            "{s}: the data volume at /data: {volumes}"
        );
    }
}

#[test]
fn image_names_and_build_args_agree_with_the_makefile() {
    for (registry, tag) in [("", ""), ("registry.example.com/team/", "1.2.3")] {
        let mut env = vec![("REGISTRY", registry)];
        if !tag.is_empty() {
            env.push(("TAG", tag));
        }
        let model = config(STACK, &env);
        for s in all_services() {
            let svc = &model["services"][s];
            assert_eq!(
                svc["image"].as_str().unwrap(),
                make_image(s, registry, tag),
                "REGISTRY={registry:?} TAG={tag:?}: compose and `make print-image SERVICE={s}` disagree"
            );
            let build = make_image_commands(s, registry, tag);
            assert!(
                build.contains(&format!(
                    "--build-arg SERVICE={s} -t {} .",
                    make_image(s, registry, tag)
                )),
                "make image SERVICE={s} must tag what print-image prints: {build}"
            );
            assert_eq!(svc["build"]["args"]["SERVICE"], s, "{s}: build arg SERVICE");
            assert_eq!(
                svc["build"]["dockerfile"], "Dockerfile",
                "{s}: one Dockerfile for all"
            );
            assert_eq!(
                svc["build"]["context"].as_str().map(std::path::PathBuf::from),
                Some(root()),
                "{s}: build context"
            );
        }
    }
    assert_eq!(make_image("users", "", ""), "playground-users:latest");
}
