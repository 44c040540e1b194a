//! Test support for the service binaries: run one with only the variables a test gives (and
//! `PLAYGROUND_DATA` in a fresh temporary directory), kill it with SIGKILL in the middle of
//! its work, and read its JSON logs.

#![allow(clippy::unwrap_used)] // test support: a failure here is a failed test

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A temporary playground directory and the binary under test.
#[derive(Debug)]
pub struct Playground {
    dir: tempfile::TempDir,
    bin: PathBuf,
}

impl Playground {
    /// A fresh playground for binary `bin` (use `env!("CARGO_BIN_EXE_playground-users")`).
    pub fn new(bin: &str) -> Playground {
        Playground {
            dir: tempfile::tempdir().unwrap(),
            bin: PathBuf::from(bin),
        }
    }

    /// `PLAYGROUND_DATA` of this playground.
    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The temporary directory itself.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The command with a clean environment: `PLAYGROUND_DATA`, JSON logs and `vars`.
    pub fn command(&self, vars: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env_clear()
            .env("PLAYGROUND_DATA", self.data())
            .env("LOG_FORMAT", "json")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs to completion.
    pub fn run(&self, vars: &[(&str, &str)]) -> Output {
        self.command(vars).output().unwrap()
    }

    /// Runs to completion and asserts success; returns the log lines as JSON.
    pub fn run_ok(&self, vars: &[(&str, &str)]) -> Vec<serde_json::Value> {
        let out = self.run(vars);
        let logs = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "{} failed ({}):\n{logs}",
            self.bin.display(),
            out.status
        );
        json_lines(&logs)
    }

    /// Starts the binary and SIGKILLs it as soon as `ready()` holds (checked every 2 ms), as
    /// a crash in the middle of the work would. Panics if it finishes before that or within
    /// `limit`. Returns whether `ready` held before the kill.
    pub fn kill_when(&self, vars: &[(&str, &str)], limit: Duration, ready: impl Fn() -> bool) {
        let mut child: Child = self
            .command(vars)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        loop {
            if ready() {
                child.kill().unwrap(); // SIGKILL on Unix
                child.wait().unwrap();
                return;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the service finished ({status}) before the kill point; make the test's work larger");
            }
            assert!(
                start.elapsed() < limit,
                "the kill point was not reached within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Parses the JSON log lines of a run (other lines are skipped).
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The first log line whose message starts with `prefix`.
pub fn log_with<'a>(logs: &'a [serde_json::Value], prefix: &str) -> &'a serde_json::Value {
    logs.iter()
        .find(|l| l["message"].as_str().is_some_and(|m| m.starts_with(prefix)))
        .unwrap_or_else(|| panic!("no log line starting with {prefix:?} in {logs:#?}"))
}

/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Asserts a run failed with exit code 2 for bad settings, naming `variable`, and wrote nothing.
pub fn assert_config_error(pg: &Playground, out: &Output, variable: &str) {
    let logs = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit code 2, got {}:\n{logs}",
        out.status
    );
    assert!(
        logs.contains(variable),
        "the error should name {variable}:\n{logs}"
    );
    assert!(
        files_under(&pg.data()).is_empty(),
        "nothing may be written on bad settings: {:?}",
        files_under(&pg.data())
    );
}

/// Every line of every capture file under `dir` as JSON, with the file it came from; panics on
/// a line that is not whole JSON.
pub fn capture_lines(dir: &Path) -> Vec<(PathBuf, serde_json::Value)> {
    let mut out = Vec::new();
    for file in files_under(dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.is_empty() || text.ends_with('\n'),
            "{}: last line is not whole",
            file.display()
        );
        for line in text.lines() {
            let v = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}: bad line {line:?}: {e}", file.display()));
            out.push((file.clone(), v));
        }
    }
    out
}

/// Starts the binary, sends SIGTERM after `after`, and returns its output.
pub fn terminate_after(pg: &Playground, vars: &[(&str, &str)], after: Duration) -> Output {
    let child = pg.command(vars).spawn().unwrap();
    std::thread::sleep(after);
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success(), "kill -TERM failed");
    child.wait_with_output().unwrap()
}

/// Starts the binary, sends SIGTERM after `after`, and waits at most `limit` for it to exit;
/// SIGKILLs it and panics when it does not. Returns its output and how long it took to stop
/// after the signal.
pub fn terminate_within(
    pg: &Playground,
    vars: &[(&str, &str)],
    after: Duration,
    limit: Duration,
) -> (Output, Duration) {
    use std::io::Read;
    let mut child = pg.command(vars).spawn().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    std::thread::sleep(after);
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success(), "kill -TERM failed");
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if signalled.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            let logs = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
            panic!("still running {limit:?} after SIGTERM; killed. Logs:\n{logs}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = signalled.elapsed();
    let output = Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output, took)
}

/// The batch services' SIGTERM contract: started with `vars` (work that takes longer than
/// `after`), sent SIGTERM after `after`, the service stops within 30 s, exits 143 and logs
/// "interrupted, data incomplete; restart to resume". Returns the log lines.
pub fn assert_sigterm_contract(
    pg: &Playground,
    vars: &[(&str, &str)],
    after: Duration,
) -> Vec<serde_json::Value> {
    let (out, _) = terminate_within(pg, vars, after, Duration::from_secs(30));
    let logs = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(143),
        "a batch service stopped by SIGTERM with its data incomplete exits 143, got {}:\n{logs}",
        out.status
    );
    let lines = json_lines(&logs);
    log_with(&lines, "interrupted, data incomplete; restart to resume");
    lines
}

/// The variables `--help` lists, in order.
pub fn help_variables(bin: &str) -> Vec<String> {
    let out = Command::new(bin).arg("--help").output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map(str::to_owned)
        .collect()
}

/// Asserts the README's settings table has a row for every variable `bin --help` lists, with a
/// mark in `service`'s column, and no mark there for a variable the service does not read.
pub fn assert_readme_documents(bin: &str, service: &str, readme: &Path) {
    let text = std::fs::read_to_string(readme).unwrap();
    let header = text
        .lines()
        .find(|l| l.starts_with("| variable |"))
        .expect("settings table");
    let columns: Vec<&str> = header.split('|').map(str::trim).collect();
    let col = columns
        .iter()
        .position(|c| *c == service)
        .expect("a column for the service");
    let vars = help_variables(bin);
    assert!(!vars.is_empty());
    let mut marked = Vec::new();
    for row in text.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let name = cells[1]
            .trim_start_matches('`')
            .split('`')
            .next()
            .unwrap_or_default()
            .to_owned();
        if cells.get(col) == Some(&"✓") {
            marked.push(name);
        }
    }
    for v in &vars {
        assert!(marked.contains(v), "README: {v} is not marked for {service}");
    }
    for m in &marked {
        assert!(
            vars.contains(m),
            "README marks {m} for {service}, which does not read it"
        );
    }
}

/// Runs `bin` once per case, each in a fresh playground, and asserts exit code 2 with the
/// case's variable named and nothing written.
pub fn assert_bad_settings(bin: &str, cases: &[(&[(&str, &str)], &str)]) {
    for (vars, variable) in cases {
        let pg = Playground::new(bin);
        let out = pg.run(vars);
        assert_config_error(&pg, &out, variable);
    }
}

/// Azurite's well-known development account key (public, documented by Microsoft).
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// An Azurite blob server on a free loopback port with its own temporary directory, started
/// by the test and stopped when dropped. The binary comes from `AZURITE_BLOB` or from
/// `tools/node_modules/.bin/azurite-blob` (installed by `.ci/run`: `npm ci --prefix tools`).
#[derive(Debug)]
pub struct Azurite {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// With `start_oauth`: the CA that signed Azurite's certificate (for `SSL_CERT_FILE`).
    ca: Option<PathBuf>,
}

impl Azurite {
    /// Starts Azurite and waits until it accepts connections.
    pub fn start() -> Azurite {
        let mut a = Azurite::start_stopped();
        a.launch();
        a
    }

    fn start_stopped() -> Azurite {
        let bin = std::env::var_os("AZURITE_BLOB")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/node_modules/.bin/azurite-blob")
            });
        assert!(
            bin.exists(),
            "Azurite is not installed at {}: run `npm ci --prefix tools`",
            bin.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Azurite {
            child: None,
            port,
            dir: tempfile::tempdir().unwrap(),
            bin,
            ca: None,
        }
    }

    /// Starts Azurite over HTTPS with bearer tokens checked (`--oauth basic`: issuer, audience
    /// and lifetime, not the signature), as a managed identity signs in to Azure Storage. Its
    /// certificate is signed by a throwaway CA, `ca_file()`, made with the openssl CLI.
    pub fn start_oauth() -> Azurite {
        let certs = tempfile::tempdir().unwrap().keep();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&certs)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=playground test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ]);
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "key.pem",
            "-out",
            "req.csr",
        ]);
        std::fs::write(
            certs.join("ext.cnf"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "req.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "ext.cnf",
            "-out",
            "cert.pem",
        ]);
        let mut a = Azurite::start_stopped();
        a.ca = Some(certs.join("ca.pem"));
        a.launch();
        a
    }

    /// The CA file that makes this server's certificate trusted (`start_oauth` only).
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca.as_deref()
    }

    fn launch(&mut self) {
        let extra: Vec<std::ffi::OsString> = match &self.ca {
            Some(ca) => {
                let dir = ca.parent().unwrap_or(Path::new("."));
                vec![
                    "--cert".into(),
                    dir.join("cert.pem").into_os_string(),
                    "--key".into(),
                    dir.join("key.pem").into_os_string(),
                    "--oauth".into(),
                    "basic".into(),
                ]
            }
            None => Vec::new(),
        };
        self.launch_with(&extra);
    }

    fn launch_with(&mut self, extra: &[std::ffi::OsString]) {
        let child = Command::new(&self.bin)
            .args([
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                &self.port.to_string(),
                "--location",
            ])
            .arg(self.dir.path())
            .args([
                "--skipApiVersionCheck",
                "--loose",
                "--disableTelemetry",
                "--silent",
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "Azurite did not start on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops it the way an orchestrator would (SIGTERM, then wait).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port with the same data.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    /// The blob endpoint of the development account.
    pub fn endpoint(&self) -> String {
        let scheme = if self.ca.is_some() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}/devstoreaccount1", self.port)
    }

    /// A connection string for the development account on this server.
    pub fn connection_string(&self) -> String {
        format!(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AZURITE_KEY};BlobEndpoint={};",
            self.endpoint()
        )
    }

    /// GETs `path` (below the account, with a query such as a SAS) and returns the body, or
    /// `None` on 404.
    pub fn get(&self, path_and_query: &str) -> Option<Vec<u8>> {
        let url = format!("{}/{path_and_query}", self.endpoint());
        let mut curl = Command::new("curl");
        if let Some(ca) = &self.ca {
            curl.arg("--cacert").arg(ca);
        }
        let out = curl.args(["-s", "-w", "\n%{http_code}", &url]).output().unwrap();
        let mut body = out.stdout;
        let split = body.iter().rposition(|&b| b == b'\n').unwrap();
        let code = String::from_utf8_lossy(&body[split + 1..]).into_owned();
        body.truncate(split);
        match code.as_str() {
            "200" => Some(body),
            "404" => None,
            other => panic!(
                "GET {path_and_query}: HTTP {other}: {}",
                String::from_utf8_lossy(&body)
            ),
        }
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A managed-identity token endpoint as App Service and Container Apps serve it
/// (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, which azure_identity's ManagedIdentityCredential
/// reads): answers every request carrying the header with a JWT for Azure Storage that
/// `Azurite::start_oauth` accepts, and counts the requests. Runs until the process ends.
#[derive(Debug)]
pub struct TokenEndpoint {
    url: String,
    requests: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl TokenEndpoint {
    /// The header value a request must carry.
    pub const SECRET: &'static str = "playground-test-identity-header";

    pub fn start() -> TokenEndpoint {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/msi/token", listener.local_addr().unwrap());
        let requests = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(&stream);
                let mut authorized = false;
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    let lower = line.to_ascii_lowercase();
                    if lower.starts_with("x-identity-header:") && line.contains(TokenEndpoint::SECRET) {
                        authorized = true;
                    }
                    line.clear();
                }
                let (status, body) = if authorized {
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    ("200 OK", token_response())
                } else {
                    (
                        "400 Bad Request",
                        r#"{"error":"missing X-IDENTITY-HEADER"}"#.to_owned(),
                    )
                };
                let mut stream = &stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        TokenEndpoint { url, requests }
    }

    /// For `IDENTITY_ENDPOINT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Tokens handed out so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::SeqCst)
    }
}

fn token_response() -> String {
    use base64::Engine as _;
    let b64 = |v: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let jwt = format!(
        "{}.{}.{}",
        b64(serde_json::json!({"alg": "RS256", "typ": "JWT"})),
        b64(serde_json::json!({
            "aud": "https://storage.azure.com",
            "iss": "https://sts.windows.net/00000000-0000-0000-0000-000000000001/",
            "iat": now - 60,
            "nbf": now - 60,
            "exp": now + 3600,
            "oid": "00000000-0000-0000-0000-000000000002",
        })),
        "c2lnbmF0dXJlLW5vdC1jaGVja2Vk"
    );
    serde_json::json!({
        "access_token": jwt,
        "expires_on": (now + 3600).to_string(),
        "token_type": "Bearer",
        "resource": "https://storage.azure.com",
    })
    .to_string()
}
