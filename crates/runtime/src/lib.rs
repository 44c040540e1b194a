//! What every playground service binary shares, so each `main.rs` stays a few lines: settings
//! read from the environment (with `--help` listing them), logging, the shutdown signal,
//! progress reports and the mapping of failures to exit codes.

pub mod blocks;
pub mod bounded;
pub mod chunks;
pub mod events;
pub mod job;
pub mod lake;
pub mod progress;
pub mod pump;
pub mod settings;
pub mod shutdown;
pub mod stream;
pub mod table;

use std::error::Error;
use std::future::Future;
use std::process::ExitCode;

pub use progress::Progress;
pub use settings::{ConfigError, Env, Setting};
pub use shutdown::Shutdown;

/// Who a service is, for `--help` and logs.
#[derive(Debug)]
pub struct ServiceInfo {
    /// Binary name, e.g. `playground-users`.
    pub name: &'static str,
    /// One paragraph: what it generates and where it goes.
    pub about: &'static str,
    /// Every variable it reads, in groups (the service's own, then its destination's); the
    /// common ones ([`settings::common::SETTINGS`]) are added.
    pub settings: &'static [settings::Group],
}

impl ServiceInfo {
    /// Every setting the service reads, each once, in the order `--help` lists them.
    pub fn all(&self) -> Vec<&'static dyn settings::Declared> {
        let mut out: Vec<&'static dyn settings::Declared> = Vec::new();
        for s in self
            .settings
            .iter()
            .copied()
            .flatten()
            .chain(settings::common::SETTINGS)
        {
            if !out.iter().any(|o| o.name() == s.name()) {
                out.push(*s);
            }
        }
        out
    }
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

/// Turns a failure to open a destination into the configuration error a user can act on:
/// the variable that chose the destination (`setting`, unless the sink names another) and why
/// it cannot be used.
pub fn open_error(setting: &'static str) -> impl FnOnce(playground_sinks::SinkError) -> ConfigError {
    move |err| match err {
        playground_sinks::SinkError::Config { setting, message }
        | playground_sinks::SinkError::Remote { setting, message, .. } => ConfigError::new(setting, message),
        other => ConfigError::new(setting, format!("cannot use the destination: {other}")),
    }
}

/// Exit code for invalid settings or input.
pub const EXIT_CONFIG: u8 = 2;

/// Exit code of a batch service stopped by SIGTERM before its data was complete (128 + 15,
/// as a shell reports a process killed by the signal); Ctrl-C gives 130 (128 + 2).
pub const EXIT_SIGTERM: u8 = 143;

/// Exit code of a batch service stopped by Ctrl-C (SIGINT) before its data was complete.
pub const EXIT_SIGINT: u8 = 130;

/// Runs a service: handles `--help`/`--version`, reads the environment, sets up logging
/// (`LOG_FORMAT=json` for containers), starts a multi-threaded runtime, passes the settings
/// and the shutdown signal (Ctrl-C, SIGTERM) to `body`, and turns its outcome into an exit
/// code.
pub fn main<F, Fut>(info: &ServiceInfo, body: F) -> ExitCode
where
    F: FnOnce(Env, Shutdown) -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    main_with_flags(info, &[], |env, shutdown, _| body(env, shutdown))
}

/// A command-line flag a binary takes besides `--help` and `--version`: how it is spelled
/// and, for `--help`, what it does. Settings stay in the environment; a flag chooses how a
/// tool reports (the verifier's `--json`).
pub type Flag = (&'static str, &'static str);

/// [`main`] for a binary that also takes `flags`: each given flag is passed to `body`; any
/// other argument exits 2 naming it.
pub fn main_with_flags<F, Fut>(info: &ServiceInfo, flags: &[Flag], body: F) -> ExitCode
where
    F: FnOnce(Env, Shutdown, Vec<&'static str>) -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    let mut given = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{}", settings::help(info));
                if !flags.is_empty() {
                    println!("\nFlags:");
                    for (flag, help) in flags {
                        println!("  {flag:<10} {help}");
                    }
                }
                return ExitCode::SUCCESS;
            }
            "-V" | "--version" => {
                println!("{} {}", info.name, env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            other => match flags.iter().find(|(f, _)| *f == other) {
                Some((flag, _)) => given.push(*flag),
                None => {
                    eprintln!(
                        "{}: unexpected argument {other:?}; settings come from the environment, see --help",
                        info.name
                    );
                    return ExitCode::from(EXIT_CONFIG);
                }
            },
        }
    }
    start(info, |env, shutdown| body(env, shutdown, given))
}

/// [`main`] for a subcommand that takes free arguments (`playground-analytics query "SQL"`):
/// the first `skip` arguments name it, the rest are the caller's (it read them already);
/// `--help` among them prints `info`'s help.
pub fn main_with_args<F, Fut>(info: &ServiceInfo, skip: usize, body: F) -> ExitCode
where
    F: FnOnce(Env, Shutdown) -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    if std::env::args()
        .skip(skip + 1)
        .any(|a| a == "-h" || a == "--help")
    {
        print!("{}", settings::help(info));
        return ExitCode::SUCCESS;
    }
    start(info, body)
}

/// Reads the settings, sets up logging and the runtime, runs `body`, maps its outcome to the
/// exit code.
fn start<F, Fut>(info: &ServiceInfo, body: F) -> ExitCode
where
    F: FnOnce(Env, Shutdown) -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    let env = match Env::from_process(info) {
        Ok(env) => env,
        Err(e) => {
            eprintln!("{}: invalid settings: {e}", info.name);
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    if let Err(e) = init_logging(&env) {
        eprintln!("{}: invalid settings: {e}", info.name);
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
        body(env, shutdown).await
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

/// Libraries that log a line per internal step, or an ERROR for what their caller handles
/// (delta-rs' kernel logs "No files in log segment" for every table about to be created, then
/// delta-rs returns it and the caller creates the table; a real failure reaches the caller as
/// an error too): quiet unless `LOG_LEVEL` names them.
const QUIET: &[(&str, &str)] = &[
    ("buoyant_kernel", "off"),
    ("delta_kernel", "off"),
    ("deltalake_core", "warn"),
];

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
            settings::common::LOG_LEVEL.name,
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

fn init_logging(env: &Env) -> Result<(), ConfigError> {
    use tracing_subscriber::EnvFilter;
    let format = env.get(&settings::common::LOG_FORMAT)?;
    let mut level = log_filter(Some(&env.get(&settings::common::LOG_LEVEL)?))?;
    for (target, quiet) in QUIET {
        if !level.contains(target) {
            level.push_str(&format!(",{target}={quiet}"));
        }
    }
    let filter = EnvFilter::try_new(&level)
        .map_err(|e| ConfigError::new(settings::common::LOG_LEVEL.name, e.to_string()))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format.trim() {
        "text" | "human" => builder.init(),
        "json" => builder.json().flatten_event(true).init(),
        other => {
            return Err(ConfigError::new(
                settings::common::LOG_FORMAT.name,
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

    static COUNT: Setting<u64> = Setting {
        name: "COUNT",
        default: 1,
        range: None,
        alias: None,
        help: "",
    };

    const INFO: ServiceInfo = ServiceInfo {
        name: "test",
        about: "",
        settings: &[&[&COUNT, &settings::world::USERS_COUNT]],
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
        let read = Env::from_os(&INFO, env).expect("unrelated junk is ignored");
        assert_eq!(format!("{read:?}"), r#"{"COUNT"}"#);
        assert_eq!(read.get(&COUNT), Ok(5));
        for name in ["COUNT", "USER_MAX_ID", "LOG_LEVEL"] {
            let e = Env::from_os(&INFO, vec![(os(name), junk.clone())]).expect_err(name);
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
