//! What every playground service binary shares, so each `main.rs` stays a few lines: settings
//! read from the environment (with `--help` listing them), logging, the shutdown signal,
//! progress reports and the mapping of failures to exit codes.

pub mod blocks;
pub mod chunks;
pub mod progress;
pub mod pump;
pub mod settings;
pub mod shutdown;
pub mod stream;
pub mod targets;

use std::error::Error;
use std::future::Future;
use std::process::ExitCode;

pub use progress::Progress;
pub use settings::{ConfigError, Setting};
pub use shutdown::Shutdown;

/// Who a service is, for `--help` and logs.
#[derive(Debug)]
pub struct ServiceInfo {
    /// Binary name, e.g. `playground-users`.
    pub name: &'static str,
    /// One paragraph: what it generates and where it goes.
    pub about: &'static str,
    /// Every variable it reads, in groups (the service's own, then its sinks').
    pub settings: &'static [&'static [Setting]],
}

/// Why a service stopped early.
#[derive(Debug)]
pub enum Failure {
    /// Bad input: exit code 2, nothing written.
    Config(ConfigError),
    /// Anything else: exit code 1.
    Run(Box<dyn Error + Send + Sync>),
}

impl Failure {
    /// A failure while running (exit code 1), from any error, e.g. an `anyhow` one with context.
    pub fn run(e: impl Into<Box<dyn Error + Send + Sync>>) -> Failure {
        Failure::Run(e.into())
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Config(e)
    }
}

/// Exit code for invalid settings or input.
pub const EXIT_CONFIG: u8 = 2;

/// Runs a service: handles `--help`/`--version`, sets up logging (`LOG_FORMAT=json` for
/// containers), starts a multi-threaded runtime, passes the shutdown signal (Ctrl-C,
/// SIGTERM) to `body`, and turns its outcome into an exit code.
pub fn main<F, Fut>(info: &ServiceInfo, body: F) -> ExitCode
where
    F: FnOnce(Shutdown) -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("-h" | "--help") => {
            print!("{}", settings::help(info));
            return ExitCode::SUCCESS;
        }
        Some("-V" | "--version") => {
            println!("{} {}", info.name, env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!(
                "{}: unexpected argument {other:?}; settings come from the environment, see --help",
                info.name
            );
            return ExitCode::from(EXIT_CONFIG);
        }
        None => {}
    }
    if let Err(e) = init_logging() {
        eprintln!("{}: {e}", info.name);
        return ExitCode::from(EXIT_CONFIG);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        let shutdown = Shutdown::on_signals();
        body(shutdown).await
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Config(e)) => {
            tracing::error!("invalid settings: {e}");
            ExitCode::from(EXIT_CONFIG)
        }
        Err(Failure::Run(e)) => {
            let mut msg = e.to_string();
            let mut source = e.source();
            while let Some(s) = source {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                source = s.source();
            }
            tracing::error!("{msg}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() -> Result<(), ConfigError> {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("LOG_LEVEL").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match std::env::var("LOG_FORMAT").ok().as_deref() {
        None | Some("" | "text" | "human") => builder.init(),
        Some("json") => builder.json().flatten_event(true).init(),
        Some(other) => {
            return Err(ConfigError::new(
                "LOG_FORMAT",
                format!("{other:?} is not a log format: use text or json"),
            ));
        }
    }
    Ok(())
}
