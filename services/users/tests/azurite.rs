//! The users service against Azurite (started by the test): the blobs equal the directory
//! backend's files byte for byte, Azurite stopped and started again mid-upload, wrong and
//! expired SAS, no secret in the logs, and a root without CA certificates.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use playground_sinks::lake::sas::ConnectionString;
use playground_testkit::{AZURITE_KEY, Azurite, Playground};

const BIN: &str = env!("CARGO_BIN_EXE_playground-users");

fn read_sas(az: &Azurite) -> String {
    let now = Utc::now();
    ConnectionString::parse(&az.connection_string())
        .unwrap()
        .account_sas(now, now + TimeDelta::hours(1))
}

/// Runs the directory backend with the same settings and returns (users.json, vip.json).
fn local_files(vars: &[(&str, &str)]) -> (Vec<u8>, Vec<u8>) {
    let pg = Playground::new(BIN);
    pg.run_ok(vars);
    let dir = pg.data().join("lake/bronze/users");
    (
        std::fs::read(dir.join("users.json")).unwrap(),
        std::fs::read(dir.join("vip.json")).unwrap(),
    )
}

/// No account key, and every `sig=` in the logs is followed by a redaction, not a signature.
fn assert_no_secret(logs: &str) {
    for secret in ["AccountKey", AZURITE_KEY, "Eby8vdM02"] {
        assert!(
            !logs.contains(secret),
            "a secret ({secret}) appears in the logs:\n{logs}"
        );
    }
    for (i, _) in logs.match_indices("sig=") {
        let rest = &logs[i + 4..];
        assert!(
            rest.starts_with("REDACTED") || rest.starts_with('<'),
            "a SAS signature appears in the logs: {}",
            &logs[i..(i + 60).min(logs.len())]
        );
    }
}

#[test]
fn users_in_several_blocks_equal_the_directory_backend_byte_for_byte() {
    let az = Azurite::start();
    let vars = [
        ("COUNT", "12000"),
        ("VIP_COUNT", "300"),
        ("BLOCK_RECORDS", "2500"),
    ];
    let pg = Playground::new(BIN);
    let conn = az.connection_string();
    let mut with_conn = vars.to_vec();
    with_conn.push(("STORAGE_CONNECTION_STRING", &conn));
    with_conn.push(("LOG_LEVEL", "debug"));
    let out = pg.run(&with_conn);
    let logs = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{logs}");
    assert_no_secret(&logs);
    assert!(logs.contains("blocks: 5"), "5 blocks of 2500 users: {logs}");
    let sas = read_sas(&az);
    let users = az
        .get(&format!("bronze/users/users.json?{sas}"))
        .expect("users.json");
    let vip = az.get(&format!("bronze/users/vip.json?{sas}")).expect("vip.json");
    let (local_users, local_vip) = local_files(&vars);
    assert!(
        users == local_users,
        "users.json in Azurite differs from the directory backend's"
    );
    assert_eq!(vip, local_vip);
    // Nothing was written locally when the lake is remote.
    assert!(playground_testkit::files_under(&pg.data()).is_empty());
}

#[test]
fn azurite_stopped_and_started_again_mid_upload_ends_complete_and_identical() {
    let mut az = Azurite::start();
    let vars = [
        ("COUNT", "150000"),
        ("VIP_COUNT", "100"),
        ("BLOCK_RECORDS", "2000"),
        ("CONCURRENCY", "2"),
    ];
    let pg = Playground::new(BIN);
    let conn = az.connection_string();
    let mut all = vars.to_vec();
    all.push(("STORAGE_CONNECTION_STRING", &conn));
    let mut child = pg.command(&all).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the upload finished before the outage; make it larger"
    );
    az.stop();
    std::thread::sleep(Duration::from_secs(3));
    az.restart();
    let out = child.wait_with_output().unwrap();
    let logs = String::from_utf8_lossy(&out.stderr).into_owned();
    let out = if out.status.success() {
        out
    } else {
        // The outage outlasted the retries: a second run resumes from the staged blocks.
        eprintln!("first run failed during the outage, running again:\n{logs}");
        pg.run(&all)
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sas = read_sas(&az);
    let users = az
        .get(&format!("bronze/users/users.json?{sas}"))
        .expect("users.json");
    let (local_users, _) = local_files(&vars);
    assert_eq!(users.len(), local_users.len());
    assert!(users == local_users, "after the outage users.json differs");
}

#[test]
fn a_wrong_or_expired_sas_fails_clearly_and_leaks_nothing() {
    let az = Azurite::start();
    let cs = ConnectionString::parse(&az.connection_string()).unwrap();
    let now = Utc::now();
    let expired = cs.account_sas(now - TimeDelta::hours(3), now - TimeDelta::hours(1));
    let valid = cs.account_sas(now, now + TimeDelta::hours(1));
    let wrong = valid.split("&sig=").next().unwrap().to_owned()
        + "&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D";
    for (what, sas) in [("expired", expired), ("wrong", wrong)] {
        let pg = Playground::new(BIN);
        let url = format!("{}/bronze?{sas}", az.endpoint());
        let out = pg.run(&[
            ("LAKE_URL", &url),
            ("LOG_LEVEL", "debug"),
            ("LAKE_RETRY_SECONDS", "5"),
        ]);
        let logs = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{what} SAS: {logs}");
        assert!(
            logs.contains("LAKE_URL") && logs.contains("403"),
            "{what} SAS: the error names the setting: {logs}"
        );
        assert_no_secret(&logs);
    }
    // STORAGE_SAS (the Python version's name) with a wrong signature, and conflicting settings.
    let pg = Playground::new(BIN);
    let url = format!(
        "{}/bronze?sv=2023-11-03&ss=b&srt=sco&sp=rwdlac&se=2099-01-01T00%3A00%3A00Z&sig=bad",
        az.endpoint()
    );
    let out = pg.run(&[("STORAGE_SAS", &url), ("LAKE_RETRY_SECONDS", "5")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("STORAGE_SAS"));
    playground_testkit::assert_bad_settings(
        BIN,
        &[
            (
                &[("STORAGE_SAS", &url), ("LAKE_URL", "file:///tmp/x")],
                "LAKE_URL/STORAGE_SAS",
            ),
            (
                &[("STORAGE_CONNECTION_STRING", "AccountName=a")],
                "STORAGE_CONNECTION_STRING",
            ),
            (&[("LAKE_URL", "ftp://host/bronze")], "LAKE_URL"),
        ],
    );
}

/// A container root without CA certificates (scratch, say): the Azure HTTP client would panic;
/// the service exits 2 naming the setting and what is missing, before writing anything.
#[test]
fn without_ca_certificates_the_blob_lake_exits_2_and_says_why() {
    let pg = Playground::new(BIN);
    let empty = pg.root().join("empty-ca");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("bundle.pem"), b"").unwrap();
    let bundle = empty.join("bundle.pem");
    let out = pg.run(&[
        ("STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true"),
        ("SSL_CERT_FILE", bundle.to_str().unwrap()),
        ("SSL_CERT_DIR", empty.to_str().unwrap()),
    ]);
    playground_testkit::assert_config_error(&pg, &out, "STORAGE_CONNECTION_STRING");
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(logs.contains("no CA certificates"), "{logs}");
    assert!(!logs.contains("panicked"), "{logs}");
}

/// Issue 14: the Python version's `STORAGE_SAS` is a container's service SAS (`sr=c`,
/// `racwdl`), which does not authorize Get Container Properties; the pre-flight check used
/// that and refused the SAS (exit 2). The least a container SAS needs for users is `rwl`.
#[test]
fn a_containers_service_sas_works_with_the_least_permissions() {
    let az = Azurite::start();
    let conn = az.connection_string();
    let vars = [("COUNT", "3000"), ("VIP_COUNT", "20"), ("BLOCK_RECORDS", "1000")];
    let (local_users, local_vip) = local_files(&vars);
    let cs = ConnectionString::parse(&conn).unwrap();
    for (container, permissions) in [("bronze", "racwdl"), ("least", "rwl")] {
        // The container exists (the Python version's Terraform creates it): make it with
        // the connection string, writing only a shard part.
        Playground::new(BIN).run_ok(&[
            ("STORAGE_CONNECTION_STRING", &conn),
            ("LAKE_CONTAINER", container),
            ("SHARD", "0/2"),
            ("COUNT", "2"),
            ("VIP_COUNT", "0"),
        ]);
        let now = Utc::now();
        let sas = cs.container_sas(container, permissions, now, now + TimeDelta::hours(1));
        let url = format!("{}/{container}?{sas}", az.endpoint());
        let pg = Playground::new(BIN);
        let mut with_sas = vars.to_vec();
        with_sas.push(("STORAGE_SAS", &url));
        let out = pg.run(&with_sas);
        let logs = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "sp={permissions}: {logs}");
        assert_no_secret(&logs);
        let sas = read_sas(&az);
        let users = az
            .get(&format!("{container}/users/users.json?{sas}"))
            .expect("users.json");
        let vip = az
            .get(&format!("{container}/users/vip.json?{sas}"))
            .expect("vip.json");
        assert!(users == local_users, "sp={permissions}: users.json differs");
        assert_eq!(vip, local_vip);
    }
}

/// Issue 14: an account SAS with the least users need (`rwl` on containers and objects: list
/// for the pre-flight probe, write to stage and commit, read for a resumed block list) works,
/// and one without write is refused before anything is written, naming the setting.
#[test]
fn an_account_sas_works_with_the_least_permissions() {
    let az = Azurite::start();
    let conn = az.connection_string();
    let cs = ConnectionString::parse(&conn).unwrap();
    let vars = [("COUNT", "3000"), ("VIP_COUNT", "20"), ("BLOCK_RECORDS", "1000")];
    let (local_users, local_vip) = local_files(&vars);
    // The container exists (Terraform creates it): made with the connection string, writing
    // only a shard part.
    Playground::new(BIN).run_ok(&[
        ("STORAGE_CONNECTION_STRING", &conn),
        ("SHARD", "0/2"),
        ("COUNT", "2"),
        ("VIP_COUNT", "0"),
    ]);
    let now = Utc::now();
    let least = cs.account_sas_for("rwl", "co", now, now + TimeDelta::hours(1));
    let url = format!("{}/bronze?{least}", az.endpoint());
    let mut with_sas = vars.to_vec();
    with_sas.push(("LAKE_URL", &url));
    let out = Playground::new(BIN).run(&with_sas);
    let logs = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "sp=rwl srt=co: {logs}");
    assert_no_secret(&logs);
    let sas = read_sas(&az);
    assert!(az.get(&format!("bronze/users/users.json?{sas}")).unwrap() == local_users);
    assert_eq!(
        az.get(&format!("bronze/users/vip.json?{sas}")).unwrap(),
        local_vip
    );

    let read_only = cs.account_sas_for("rl", "co", now, now + TimeDelta::hours(1));
    let url = format!("{}/bronze?{read_only}", az.endpoint());
    let out = Playground::new(BIN).run(&[("LAKE_URL", &url), ("LAKE_RETRY_SECONDS", "5"), ("COUNT", "200")]);
    let logs = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_ne!(out.status.code(), Some(0), "a read-only SAS cannot write: {logs}");
    assert!(logs.contains("LAKE_URL") && logs.contains("403"), "{logs}");
    assert_no_secret(&logs);
}

/// Issue 14: the managed-identity form of the lake credential (`LAKE_URL` without a SAS, as
/// Terraform sets it), end to end: the service gets a token from the identity endpoint and
/// Azurite, checking bearer tokens over HTTPS, accepts it. Azurite does not model roles, so
/// the least role (Storage Blob Data Contributor on the container) is checked by Terraform's
/// tests, not here.
#[test]
fn a_managed_identity_signs_in_with_a_token_and_writes_the_same_bytes() {
    let az = Azurite::start_oauth();
    let ca = az.ca_file().unwrap().to_string_lossy().into_owned();
    let conn = az.connection_string();
    // The container exists (Terraform creates it): made with the account key.
    Playground::new(BIN).run_ok(&[
        ("STORAGE_CONNECTION_STRING", &conn),
        ("SSL_CERT_FILE", &ca),
        ("SHARD", "0/2"),
        ("COUNT", "2"),
        ("VIP_COUNT", "0"),
    ]);
    let identity = playground_testkit::TokenEndpoint::start();
    let vars = [("COUNT", "3000"), ("VIP_COUNT", "20"), ("BLOCK_RECORDS", "1000")];
    let (local_users, local_vip) = local_files(&vars);
    let url = format!("{}/bronze", az.endpoint());
    let mut with_identity = vars.to_vec();
    with_identity.extend([
        ("LAKE_URL", url.as_str()),
        ("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555"),
        ("IDENTITY_ENDPOINT", identity.url()),
        ("IDENTITY_HEADER", playground_testkit::TokenEndpoint::SECRET),
        ("SSL_CERT_FILE", &ca),
    ]);
    let out = Playground::new(BIN).run(&with_identity);
    let logs = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "managed identity: {logs}");
    assert!(identity.requests() >= 1, "no token was requested");
    assert!(!logs.contains("eyJ"), "a token leaked into the logs: {logs}");
    let sas = read_sas(&az);
    assert!(az.get(&format!("bronze/users/users.json?{sas}")).unwrap() == local_users);
    assert_eq!(
        az.get(&format!("bronze/users/vip.json?{sas}")).unwrap(),
        local_vip
    );

    // Without a token (the endpoint refuses a wrong header) nothing is written and the error
    // names the setting.
    let mut refused = with_identity.clone();
    refused.retain(|(k, _)| *k != "IDENTITY_HEADER" && *k != "COUNT");
    refused.extend([
        ("IDENTITY_HEADER", "wrong"),
        ("LAKE_RETRY_SECONDS", "5"),
        ("COUNT", "4000"),
    ]);
    let out = Playground::new(BIN).run(&refused);
    let logs = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_ne!(out.status.code(), Some(0), "no token, no write: {logs}");
    assert!(logs.contains("LAKE_URL"), "{logs}");
    let users = az.get(&format!("bronze/users/users.json?{sas}")).unwrap();
    assert!(users == local_users, "the refused run changed users.json");
}
