//! What every playground service binary shares, so each `main.rs` stays a few lines: settings
//! read from the environment (with `--help` listing them), logging, the shutdown signal,
//! progress reports and the mapping of failures to exit codes.

pub mod blocks;
pub mod bounded;
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
    /// A batch service stopped by SIGTERM or Ctrl-C before its data was complete: exit code
    /// 143 (SIGTERM) or 130 (Ctrl-C), so an orchestrator does not count it a success. What
    /// was written is whole, and a restart with the same settings resumes.
    Interrupted,
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

/// Exit code of a batch service stopped by SIGTERM before its data was complete (128 + 15,
/// as a shell reports a process killed by the signal); Ctrl-C gives 130 (128 + 2).
pub const EXIT_SIGTERM: u8 = 143;

/// Exit code of a batch service stopped by Ctrl-C (SIGINT) before its data was complete.
pub const EXIT_SIGINT: u8 = 130;

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
    let mut signal = None;
    let outcome = runtime.block_on(async {
        let shutdown = Shutdown::on_signals();
        signal = Some(shutdown.clone());
        body(shutdown).await
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Interrupted) => {
            tracing::warn!("interrupted, data incomplete; restart to resume");
            ExitCode::from(signal.map_or(EXIT_SIGTERM, |s| s.exit_code()))
        }
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

/// The names `info` reads: its settings, the common ones, and the aliases their help names.
fn names_read(info: &ServiceInfo) -> Vec<&'static str> {
    let all = info.settings.iter().copied().flatten().chain(settings::COMMON);
    let mut names = Vec::new();
    for s in all {
        names.push(s.name);
        if let Some((_, alias)) = s.help.split_once("Alias: ") {
            names.push(alias.trim_end_matches('.'));
        }
    }
    names
}

/// The environment as `(name, value)` pairs for a service's settings. A variable whose name
/// or value is not UTF-8 is skipped when the service does not read it (it is someone
/// else's), and is an error naming it when the service does.
pub fn vars(info: &ServiceInfo) -> Result<Vec<(String, String)>, ConfigError> {
    vars_from(info, std::env::vars_os())
}

fn vars_from(
    info: &ServiceInfo,
    env: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let read = names_read(info);
    let mut out = Vec::new();
    for (name, value) in env {
        let Ok(name) = name.into_string() else {
            continue; // none of our names is anything but ASCII
        };
        match value.into_string() {
            Ok(value) => out.push((name, value)),
            Err(_) if read.contains(&name.as_str()) => {
                return Err(ConfigError::new(name, "the value is not valid UTF-8"));
            }
            Err(_) => {}
        }
    }
    Ok(out)
}

/// One variable of the environment as text: `None` when unset or empty, an error naming it
/// when it is not UTF-8.
fn env_text(name: &str) -> Result<Option<String>, ConfigError> {
    match std::env::var_os(name) {
        None => Ok(None),
        Some(v) => match v.into_string() {
            Ok(v) if v.trim().is_empty() => Ok(None),
            Ok(v) => Ok(Some(v)),
            Err(_) => Err(ConfigError::new(name, "the value is not valid UTF-8")),
        },
    }
}

const LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error", "off"];

/// The tracing filter for `LOG_LEVEL`: unset or empty is `info`; otherwise comma-separated
/// directives, each a level or `target=level` (a bare word that is not a level would make
/// `tracing` log only that target, i.e. nothing, so it is refused). Without a bare level,
/// `info` is the default for targets not named, so errors are never silenced by accident.
pub fn log_filter(value: Option<&str>) -> Result<String, ConfigError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok("info".to_owned());
    };
    let bad = |what: &str| {
        ConfigError::new(
            "LOG_LEVEL",
            format!(
                "{what:?} is not a log level: use one of {} or target=level, comma-separated",
                LEVELS.join(", ")
            ),
        )
    };
    let mut has_default = false;
    for directive in value.split(',').map(str::trim) {
        match directive.rsplit_once('=') {
            Some((target, level)) => {
                if target.is_empty() || !LEVELS.contains(&level.to_ascii_lowercase().as_str()) {
                    return Err(bad(directive));
                }
            }
            None if LEVELS.contains(&directive.to_ascii_lowercase().as_str()) => has_default = true,
            None => return Err(bad(directive)),
        }
    }
    Ok(if has_default {
        value.to_owned()
    } else {
        format!("info,{value}")
    })
}

fn init_logging() -> Result<(), ConfigError> {
    use tracing_subscriber::EnvFilter;
    let format = env_text("LOG_FORMAT")?;
    let level = log_filter(env_text("LOG_LEVEL")?.as_deref())?;
    let filter = EnvFilter::try_new(&level).map_err(|e| ConfigError::new("LOG_LEVEL", e.to_string()))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format.as_deref() {
        None | Some("text" | "human") => builder.init(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    const INFO: ServiceInfo = ServiceInfo {
        name: "test",
        about: "",
        settings: &[&[
            Setting {
                name: "COUNT",
                default: "1",
                help: "",
            },
            Setting {
                name: "USERS_COUNT",
                default: "1",
                help: "Users. Alias: USER_MAX_ID.",
            },
        ]],
    };

    fn os(s: &str) -> OsString {
        OsString::from(s)
    }

    #[test]
    fn non_utf8_variables_are_skipped_unless_read() {
        let junk = OsString::from_vec(vec![0xff]);
        let env = vec![
            (os("JUNK"), junk.clone()),
            (os("COUNT"), os("5")),
            (junk.clone(), os("x")),
        ];
        assert_eq!(
            vars_from(&INFO, env).expect("unrelated junk is ignored"),
            vec![("COUNT".to_owned(), "5".to_owned())]
        );
        for name in ["COUNT", "USER_MAX_ID", "LOG_LEVEL"] {
            let e = vars_from(&INFO, vec![(os(name), junk.clone())]).expect_err(name);
            assert_eq!(e.variable, name);
        }
    }

    #[test]
    fn log_level_empty_is_info_and_unknown_words_are_refused() {
        assert_eq!(log_filter(None).as_deref(), Ok("info"));
        assert_eq!(log_filter(Some("")).as_deref(), Ok("info"));
        assert_eq!(log_filter(Some(" ")).as_deref(), Ok("info"));
        assert_eq!(log_filter(Some("debug")).as_deref(), Ok("debug"));
        assert_eq!(
            log_filter(Some("playground_sinks=debug")).as_deref(),
            Ok("info,playground_sinks=debug")
        );
        for bad in ["verbose", "loud", "playground_sinks=loud", "=debug"] {
            assert_eq!(log_filter(Some(bad)).expect_err(bad).variable, "LOG_LEVEL");
        }
    }
}
