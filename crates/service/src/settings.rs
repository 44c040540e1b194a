//! Settings from environment variables, and the `--help` text that lists them.

use std::fmt::Write as _;

use serde::de::DeserializeOwned;

use crate::ServiceInfo;

/// One environment variable a service reads.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// Variable name, e.g. `COUNT`.
    pub name: &'static str,
    /// Default as shown in `--help`; empty when unset means "none".
    pub default: &'static str,
    /// What it does.
    pub help: &'static str,
}

/// Settings every service reads.
pub const COMMON: &[Setting] = &[
    Setting {
        name: "SEED",
        default: "42",
        help: "Seed of every generator: same seed, same data, byte for byte.",
    },
    Setting {
        name: "LOG_FORMAT",
        default: "text",
        help: "text (human readable) or json (one object per line, for containers).",
    },
    Setting {
        name: "LOG_LEVEL",
        default: "info",
        help: "tracing filter, e.g. debug or playground_sinks=debug.",
    },
];

/// A setting with a bad value, or settings that contradict each other. Always names the
/// variable, never echoes a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    /// The variable (or variables) at fault.
    pub variable: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl ConfigError {
    /// An error about `variable`.
    pub fn new(variable: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            variable: variable.into(),
            message: message.into(),
        }
    }
}

/// Reads `T` from `vars` (field `count` reads `COUNT`); errors name the variable.
/// Empty values count as unset, as `docker compose` passes unset variables as empty.
pub fn from_iter<T: DeserializeOwned>(
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<T, ConfigError> {
    let vars = vars.into_iter().filter(|(_, v)| !v.is_empty());
    envy::from_iter(vars).map_err(|e| match e {
        envy::Error::MissingValue(field) => ConfigError::new(field.to_ascii_uppercase(), "must be set"),
        envy::Error::Custom(msg) => {
            // envy says "... provided by COUNT"; lift the variable to the front.
            let variable = msg
                .rsplit(" provided by ")
                .next()
                .filter(|v| *v != msg)
                .unwrap_or("settings");
            ConfigError::new(variable, msg.clone())
        }
    })
}

/// Most ids of users, products or orders: ids `0..MAX_IDS` fit the SQL `int` columns
/// (`orders.userId`, `items.productId`, `orderId`) every id may end up in.
pub const MAX_IDS: u64 = 1 << 31;

/// Checks a count of ids against [`MAX_IDS`], naming `variable`.
pub fn ids_count(variable: &str, count: u64) -> Result<u64, ConfigError> {
    if count > MAX_IDS {
        return Err(ConfigError::new(
            variable,
            format!(
                "{count} exceeds {MAX_IDS}: ids must fit an SQL int (at most {})",
                MAX_IDS - 1
            ),
        ));
    }
    Ok(count)
}

/// Parses an optional text setting with `FromStr`, naming `variable` in the error.
pub fn parse<T>(variable: &str, value: Option<&str>) -> Result<Option<T>, ConfigError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    value
        .map(|v| {
            v.parse::<T>()
                .map_err(|e| ConfigError::new(variable, e.to_string()))
        })
        .transpose()
}

/// A setting that also has an older name (the Python version's): either may be set; both set
/// to different values is a conflict, never a silent choice.
pub fn aliased<T: PartialEq + std::fmt::Display + Copy>(
    (name, value): (&str, Option<T>),
    (old_name, old_value): (&str, Option<T>),
) -> Result<Option<T>, ConfigError> {
    match (value, old_value) {
        (Some(a), Some(b)) if a != b => Err(ConfigError::new(
            format!("{name}/{old_name}"),
            format!("conflicting values {a} and {b}: set one of them"),
        )),
        (a, b) => Ok(a.or(b)),
    }
}

/// The `--help` text: what the service does and every variable with its default.
pub fn help(info: &ServiceInfo) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {}\n\n{}\n",
        info.name,
        env!("CARGO_PKG_VERSION"),
        info.about
    );
    let _ = writeln!(
        s,
        "Settings come from environment variables (an empty value counts as unset):\n"
    );
    let all: Vec<&Setting> = info.settings.iter().copied().flatten().chain(COMMON).collect();
    let width = all.iter().map(|v| v.name.len()).max().unwrap_or(0);
    for v in all {
        let default = if v.default.is_empty() {
            "unset".to_owned()
        } else {
            v.default.to_owned()
        };
        let _ = writeln!(
            s,
            "  {:width$}  {}\n  {:width$}  default: {}",
            v.name, v.help, "", default
        );
    }
    let _ = writeln!(
        s,
        "\nExit codes: 0 done, 1 failed while running, 2 bad settings (nothing written); a\n\
         batch service stopped by SIGTERM (Ctrl-C) before its data is complete logs\n\
         \"interrupted, data incomplete; restart to resume\" and exits 143 (130): what it wrote\n\
         is whole, and a restart with the same settings resumes. A stream stops on SIGTERM\n\
         within a second or so, flushes and exits 0."
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Demo {
        #[serde(default)]
        count: Option<u64>,
    }

    #[test]
    fn aliases_conflict_only_when_different() {
        assert_eq!(aliased(("A", Some(1)), ("B", None)), Ok(Some(1)));
        assert_eq!(aliased(("A", None), ("B", Some(2))), Ok(Some(2)));
        assert_eq!(aliased(("A", Some(3)), ("B", Some(3))), Ok(Some(3)));
        let e = aliased(("A", Some(1)), ("B", Some(2))).expect_err("conflict");
        assert_eq!(e.variable, "A/B");
    }

    #[test]
    fn errors_name_the_variable() {
        let e = from_iter::<Demo>([("COUNT".to_owned(), "ten".to_owned())]).expect_err("bad number");
        assert_eq!(e.variable, "COUNT", "{e}");
        let ok = from_iter::<Demo>([("COUNT".to_owned(), String::new())]).expect("empty is unset");
        assert_eq!(ok.count, None);
    }
}
