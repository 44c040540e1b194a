//! Issue 17: the job on the other backends, end to end and checked by `playground-verify`:
//! its outputs into the lake on Azurite (the VIP list read from there too), and its input
//! from Event Hubs, played by the AMQP test peer, with the real consumer client in a consumer
//! group of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

mod common;

use std::path::Path;

use common::{BIN, assert_every_output_found, run_ok, verify, world, write_world};
use playground_amqp_peer::AmqpPeer;
use playground_testkit::Azurite;

#[test]
fn the_outputs_go_to_azurite_and_equal_the_answer_keys() {
    let azurite = Azurite::start();
    let lake = vec![("STORAGE_CONNECTION_STRING", azurite.connection_string())];
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_world(&data, false, &lake);
    let mut vars = world(false);
    vars.extend(lake.iter().cloned());
    vars.push(("EXIT_WHEN_CAUGHT_UP", "true".into()));
    run_ok(Path::new(BIN), &data, &vars);
    assert!(
        !data.join("lake").exists(),
        "nothing in the directory lake: the outputs went to Azurite"
    );
    let report = verify(&data, false, &lake, 0);
    assert_every_output_found(&report);
    // Not leaked: the account key is never logged.
    let out = common::run(Path::new(BIN), &data, &vars);
    assert!(!String::from_utf8_lossy(&out.stderr).contains(playground_testkit::AZURITE_KEY));
}

#[test]
fn the_input_comes_from_event_hubs_in_the_jobs_own_consumer_group() {
    let peer = AmqpPeer::start_blocking(&[("pageviews", 4), ("stars", 2)]).unwrap();
    let hubs = vec![
        (
            "EVENTHUB_CONNECTION_STRING_PAGEVIEWS",
            peer.connection_string("pageviews"),
        ),
        (
            "EVENTHUB_CONNECTION_STRING_STARS",
            peer.connection_string("stars"),
        ),
        ("EVENTHUB_ENDPOINT", peer.endpoint()),
    ];
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_world(&data, false, &hubs);
    assert!(!data.join("events").exists(), "the streams went to the peer");
    let mut vars = world(false);
    vars.extend(hubs.iter().cloned());
    vars.push(("EXIT_WHEN_CAUGHT_UP", "true".into()));
    vars.push(("ANALYTICS_BATCH_EVENTS", "5000".into()));
    run_ok(Path::new(BIN), &data, &vars);
    let groups: Vec<String> = peer
        .consumers()
        .iter()
        .map(|c| c.consumer_group.clone())
        .collect();
    assert!(
        !groups.is_empty() && groups.iter().all(|g| g == "analytics"),
        "{groups:?}"
    );
    let report = verify(&data, false, &[], 0);
    assert_every_output_found(&report);
    // Run again: the checkpoint's sequence numbers say everything was read; nothing new is
    // written twice and the verdict stands.
    let logs = run_ok(Path::new(BIN), &data, &vars);
    assert!(logs.contains("going on from the checkpoint"), "{logs}");
    verify(&data, false, &[], 0);
}
