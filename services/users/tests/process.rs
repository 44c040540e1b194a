//! The users service as a process: output equal to the model, shards, a kill mid-run, and
//! bad settings.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::time::Duration;

use playground_model::{Locale, Shard, UserGenerator};
use playground_testkit::{Playground, files_under};

const BIN: &str = env!("CARGO_BIN_EXE_playground-users");

/// Blocks in the staging index (`{path}.staging/index`, one line per staged block).
fn staged(staging: &std::path::Path) -> usize {
    std::fs::read_to_string(staging.join("index")).map_or(0, |s| s.lines().count())
}

fn expected(seed: u64, count: u64, vips: u64) -> (Vec<u8>, Vec<u8>) {
    let g = UserGenerator::new(seed, count, Locale::CsCz);
    let mut users = Vec::new();
    for u in g.users(0..count) {
        serde_json::to_writer(&mut users, &u).unwrap();
        users.push(b'\n');
    }
    let mut vip = Vec::new();
    for v in g.vips(0..vips) {
        serde_json::to_writer(&mut vip, &v).unwrap();
        vip.push(b'\n');
    }
    (users, vip)
}

#[test]
fn writes_the_models_users_and_vips() {
    let pg = Playground::new(BIN);
    pg.run_ok(&[
        ("SEED", "7"),
        ("COUNT", "3000"),
        ("VIP_COUNT", "50"),
        ("BLOCK_RECORDS", "700"),
    ]);
    let dir = pg.data().join("lake/bronze/users");
    let (users, vip) = expected(7, 3000, 50);
    assert!(
        std::fs::read(dir.join("users.json")).unwrap() == users,
        "users.json differs from the model"
    );
    assert_eq!(std::fs::read(dir.join("vip.json")).unwrap(), vip);
    assert_eq!(
        files_under(&pg.data().join("lake")).len(),
        2,
        "no staging left behind"
    );
    // A second run finds the object complete and leaves it as it is.
    pg.run_ok(&[
        ("SEED", "7"),
        ("COUNT", "3000"),
        ("VIP_COUNT", "50"),
        ("BLOCK_RECORDS", "700"),
    ]);
    assert!(std::fs::read(dir.join("users.json")).unwrap() == users);
}

#[test]
fn shard_files_concatenate_to_the_whole() {
    let pg = Playground::new(BIN);
    for i in 0..3 {
        let shard = format!("{i}/3");
        pg.run_ok(&[
            ("COUNT", "2000"),
            ("VIP_COUNT", "40"),
            ("SHARD", &shard),
            ("BLOCK_RECORDS", "300"),
        ]);
    }
    let dir = pg.data().join("lake/bronze/users");
    let cat = |stem: &str| -> Vec<u8> {
        (0..3)
            .flat_map(|i| std::fs::read(dir.join(format!("{stem}.part-{i:03}-of-003.json"))).unwrap())
            .collect()
    };
    let (users, vip) = expected(42, 2000, 40);
    assert!(
        cat("users") == users,
        "the parts do not make the whole users.json"
    );
    assert_eq!(cat("vip"), vip);
    assert_eq!(Shard::new(1, 3).unwrap().range(2000), 666..1333);
}

#[test]
fn a_kill_mid_run_then_a_restart_ends_identical() {
    let pg = Playground::new(BIN);
    let vars = [
        ("COUNT", "60000"),
        ("VIP_COUNT", "100"),
        ("BLOCK_RECORDS", "1000"),
        ("CONCURRENCY", "1"),
    ];
    let dir = pg.data().join("lake/bronze/users");
    let staging = dir.join("users.json.staging");
    pg.kill_when(&vars, Duration::from_secs(60), || staged(&staging) >= 5);
    assert!(
        !dir.join("users.json").exists(),
        "no partial users.json under its final name"
    );
    let staged_before = staged(&staging);
    let logs = pg.run_ok(&vars);
    let done = playground_testkit::log_with(&logs, "done: users/users.json");
    let message = done["message"].as_str().unwrap();
    assert!(message.contains("staged: "), "{message}");
    let (users, vip) = expected(42, 60000, 100);
    assert!(
        std::fs::read(dir.join("users.json")).unwrap() == users,
        "restart result differs"
    );
    assert_eq!(std::fs::read(dir.join("vip.json")).unwrap(), vip);
    assert!(staged_before >= 5 && !staging.exists());
}

#[test]
fn bad_settings_exit_2_name_the_variable_and_write_nothing() {
    playground_testkit::assert_bad_settings(
        BIN,
        &[
            (&[("COUNT", "ten")], "COUNT"),
            (&[("SHARD", "2/2")], "SHARD"),
            (&[("SHARD", "one")], "SHARD"),
            (&[("COUNT", "10"), ("VIP_COUNT", "11")], "VIP_COUNT"),
            (&[("LOCALE", "xx_XX")], "LOCALE"),
            (&[("SEED", "-1")], "SEED"),
            (&[("LOG_FORMAT", "xml")], "LOG_FORMAT"),
            // Issue 14: more ids than an SQL int holds.
            (&[("COUNT", "9223372036854775808")], "COUNT"),
        ],
    );
    // An unwritable destination: PLAYGROUND_DATA below a regular file.
    let pg = Playground::new(BIN);
    let file = pg.root().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let bad = file.join("data");
    let out = pg.run(&[("PLAYGROUND_DATA", bad.to_str().unwrap())]);
    playground_testkit::assert_config_error(&pg, &out, "PLAYGROUND_DATA");
}

#[test]
fn help_lists_every_setting_and_the_readme_documents_them() {
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    playground_testkit::assert_readme_documents(BIN, "users", &readme);
}

/// Issue 14: a non-UTF-8 variable, even one the service does not read, panicked (exit 101).
#[test]
fn a_non_utf8_variable_is_ignored_unless_read_and_then_named() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let junk = OsStr::from_bytes(b"\xff");
    let pg = Playground::new(BIN);
    let out = pg
        .command(&[("COUNT", "10"), ("VIP_COUNT", "1")])
        .env("JUNK", junk)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["COUNT", "LOCALE", "STORAGE_SAS", "LOG_FORMAT"] {
        let pg = Playground::new(BIN);
        let out = pg.command(&[]).env(name, junk).output().unwrap();
        playground_testkit::assert_config_error(&pg, &out, name);
    }
}

/// Issue 14: `LOG_LEVEL=` (empty, which counts as unset) or an unknown word turned every
/// log line off, the exit-2 error included.
#[test]
fn an_empty_log_level_is_info_and_an_unknown_one_is_refused_aloud() {
    let pg = Playground::new(BIN);
    let out = pg.run(&[("LOG_LEVEL", ""), ("COUNT", "abc")]);
    playground_testkit::assert_config_error(&pg, &out, "COUNT");
    let logs = pg.run_ok(&[("LOG_LEVEL", ""), ("COUNT", "10"), ("VIP_COUNT", "1")]);
    playground_testkit::log_with(&logs, "done: ");
    for level in ["verbose", "loud", "playground_users=chatty"] {
        let pg = Playground::new(BIN);
        let out = pg.run(&[("LOG_LEVEL", level), ("COUNT", "10")]);
        playground_testkit::assert_config_error(&pg, &out, "LOG_LEVEL");
    }
    // A target's level alone keeps the others at info: the summary still shows.
    let pg = Playground::new(BIN);
    let logs = pg.run_ok(&[
        ("LOG_LEVEL", "playground_sinks=debug"),
        ("COUNT", "10"),
        ("VIP_COUNT", "1"),
    ]);
    playground_testkit::log_with(&logs, "done: ");
}

/// Issue 14: `COUNT=0`, or a shard whose slice is empty, failed with "remove staging ... No
/// such file or directory" and left no vip.json.
#[test]
fn an_empty_slice_writes_empty_files() {
    let pg = Playground::new(BIN);
    pg.run_ok(&[("COUNT", "0"), ("VIP_COUNT", "0")]);
    let dir = pg.data().join("lake/bronze/users");
    assert_eq!(std::fs::read(dir.join("users.json")).unwrap(), b"");
    assert_eq!(std::fs::read(dir.join("vip.json")).unwrap(), b"");
    // Two users over three shards: shard 0's slice is empty.
    pg.run_ok(&[("COUNT", "2"), ("VIP_COUNT", "0"), ("SHARD", "0/3")]);
    let parts: Vec<_> = files_under(&dir)
        .into_iter()
        .filter(|f| f.to_string_lossy().contains(".part-"))
        .collect();
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert!(parts.iter().all(|p| std::fs::read(p).unwrap().is_empty()));
}

/// Issue 14: a kill during the commit left `users.json.tmp-<pid>` for good, and a staged
/// block was trusted by its name alone (a truncated one would have been committed). Since
/// issue 18 a block is trusted by its checksum.
#[test]
fn a_restart_removes_a_dead_commits_temporary_file_and_restages_a_damaged_block() {
    let pg = Playground::new(BIN);
    let vars = [
        ("COUNT", "30000"),
        ("VIP_COUNT", "10"),
        ("BLOCK_RECORDS", "1000"),
        ("CONCURRENCY", "1"),
    ];
    let dir = pg.data().join("lake/bronze/users");
    let staging = dir.join("users.json.staging");
    pg.kill_when(&vars, Duration::from_secs(60), || staged(&staging) >= 4);
    // What a commit killed half-way leaves (pid 4294967295 does not exist) ...
    let stale = dir.join("users.json.tmp-4294967295");
    std::fs::write(&stale, b"half a file").unwrap();
    // ... a byte of the first staged block flipped, and the staged blocks cut short in the
    // middle of one, as by a power loss.
    let blocks = staging.join("blocks");
    let mut bytes = std::fs::read(&blocks).unwrap();
    bytes[100] ^= 0x20;
    bytes.truncate(bytes.len() * 2 / 3);
    std::fs::write(&blocks, &bytes).unwrap();
    pg.run_ok(&vars);
    let (users, _) = expected(42, 30000, 10);
    assert!(
        std::fs::read(dir.join("users.json")).unwrap() == users,
        "the damaged block was committed"
    );
    assert!(!stale.exists(), "the dead commit's temporary file is still there");
    assert_eq!(
        files_under(&dir)
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
        vec!["users.json".to_owned(), "vip.json".to_owned()]
    );
}

/// Issue 14: users exited 1 on SIGTERM, the other batch services 0: one contract for all.
#[test]
fn sigterm_before_the_end_exits_143_and_keeps_the_staged_blocks() {
    let pg = Playground::new(BIN);
    playground_testkit::assert_sigterm_contract(
        &pg,
        &[("COUNT", "20000000"), ("BLOCK_RECORDS", "1000")],
        Duration::from_millis(1500),
    );
    let dir = pg.data().join("lake/bronze/users");
    assert!(!dir.join("users.json").exists());
    // Issue 13: Stream Analytics waits for its reference data, so the VIP list is written
    // first, long before users.json.
    let g = UserGenerator::new(42, 20_000_000, Locale::CsCz);
    let mut vip = Vec::new();
    for v in g.vips(0..100) {
        serde_json::to_writer(&mut vip, &v).unwrap();
        vip.push(b'\n');
    }
    assert_eq!(std::fs::read(dir.join("vip.json")).unwrap(), vip);
}
