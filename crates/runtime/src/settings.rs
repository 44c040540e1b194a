//! Settings from environment variables. Each setting is declared once, as a typed
//! [`Setting`] with its default: `--help`, README's table (checked by `crates/deploy-checks`)
//! and the value a service runs with all come from that one declaration, so they cannot drift.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use chrono::{DateTime, Utc};
use playground_model::{Locale, NaiveDate, Shard};

use crate::ServiceInfo;

/// A text value; declared defaults are borrowed, values read are owned.
pub type Text = Cow<'static, str>;

/// A value a setting can hold: how it is read from text and shown in `--help`.
pub trait Value: Sized + Clone + PartialEq + Send + Sync + 'static {
    /// What values are accepted, for `--help` and README when the declaration has no range.
    const ACCEPTS: &'static str;

    /// Reads the variable's text (never empty: an empty variable counts as unset).
    fn parse(text: &str) -> Result<Self, String>;

    /// The value as `--help` and README show it.
    fn show(&self) -> String;

    /// Whether the value lies in `lo..=hi`; only numbers have ranges.
    fn within(&self, _lo: &Self, _hi: &Self) -> bool {
        true
    }
}

macro_rules! number {
    ($t:ty, $accepts:expr) => {
        impl Value for $t {
            const ACCEPTS: &'static str = $accepts;
            fn parse(text: &str) -> Result<Self, String> {
                text.trim()
                    .parse()
                    .map_err(|e| format!("{text:?} is not {} ({e})", Self::ACCEPTS))
            }
            fn show(&self) -> String {
                self.to_string()
            }
            fn within(&self, lo: &Self, hi: &Self) -> bool {
                lo <= self && self <= hi
            }
        }
    };
}

number!(u64, "a whole number");
number!(u32, "a whole number");
number!(usize, "a whole number");
number!(f64, "a number");

impl Value for bool {
    const ACCEPTS: &'static str = "`true`, `false`";
    fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("{text:?} is not true or false")),
        }
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl Value for Text {
    const ACCEPTS: &'static str = "text";
    fn parse(text: &str) -> Result<Self, String> {
        Ok(Cow::Owned(text.to_owned()))
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

/// A secret (a password, a key, a SAS): `Debug` and `--help` never show it, and errors about
/// it never echo it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Value for Secret {
    const ACCEPTS: &'static str = "a secret";
    fn parse(text: &str) -> Result<Self, String> {
        Ok(Secret(text.trim().to_owned()))
    }
    fn show(&self) -> String {
        "<secret>".to_owned()
    }
}

impl Value for Locale {
    const ACCEPTS: &'static str = "`cs_CZ`, `en_US`";
    fn parse(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|e: <Locale as std::str::FromStr>::Err| e.to_string())
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl Value for Shard {
    const ACCEPTS: &'static str = "`i/n`, 0 ≤ i < n";
    fn parse(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|e: <Shard as std::str::FromStr>::Err| e.to_string())
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl Value for NaiveDate {
    const ACCEPTS: &'static str = "`YYYY-MM-DD`";
    fn parse(text: &str) -> Result<Self, String> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|e| format!("{text:?} is not a date YYYY-MM-DD ({e})"))
    }
    fn show(&self) -> String {
        self.format("%Y-%m-%d").to_string()
    }
}

/// An instant, RFC 3339 (`2026-12-01T00:00:00Z`, any offset), kept in UTC.
impl Value for DateTime<Utc> {
    const ACCEPTS: &'static str = "an RFC 3339 instant, e.g. `2026-12-01T00:00:00Z`";
    fn parse(text: &str) -> Result<Self, String> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("{text:?} is not an RFC 3339 instant such as 2026-12-01T00:00:00Z ({e})"))
    }
    fn show(&self) -> String {
        self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

/// Unset by default; set, it holds a `T`.
impl<T: Value> Value for Option<T> {
    const ACCEPTS: &'static str = T::ACCEPTS;
    fn parse(text: &str) -> Result<Self, String> {
        T::parse(text).map(Some)
    }
    fn show(&self) -> String {
        match self {
            Some(v) => v.show(),
            None => "unset".to_owned(),
        }
    }
    fn within(&self, lo: &Self, hi: &Self) -> bool {
        match (self, lo, hi) {
            (Some(v), Some(lo), Some(hi)) => v.within(lo, hi),
            _ => true,
        }
    }
}

/// One environment variable: its name, its typed default, its allowed range and what it does.
/// The one declaration of the setting; everything else reads it from here.
#[derive(Debug)]
pub struct Setting<T: Value> {
    /// Variable name, e.g. `COUNT`.
    pub name: &'static str,
    /// The value when the variable is unset or empty.
    pub default: T,
    /// Inclusive bounds of the value, when it has any.
    pub range: Option<(T, T)>,
    /// The Python version's name for the same setting, read too; both set and different is
    /// an error.
    pub alias: Option<&'static str>,
    /// What it does, for `--help` and README.
    pub help: &'static str,
}

/// A setting seen without its type: what `--help` and README list.
pub trait Declared: Sync {
    /// Variable name.
    fn name(&self) -> &'static str;
    /// The older name also read, if any.
    fn alias(&self) -> Option<&'static str>;
    /// What it does.
    fn help(&self) -> &'static str;
    /// The default as text (`unset` when there is none).
    fn default_text(&self) -> String;
    /// What values are accepted.
    fn accepts(&self) -> String;
    /// Whether the default lies in the declared range.
    fn default_is_valid(&self) -> bool;
}

impl<T: Value> Declared for Setting<T> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn alias(&self) -> Option<&'static str> {
        self.alias
    }
    fn help(&self) -> &'static str {
        self.help
    }
    fn default_text(&self) -> String {
        self.default.show()
    }
    fn accepts(&self) -> String {
        match &self.range {
            Some((lo, hi)) => format!("{} to {}", lo.show(), hi.show()),
            None => T::ACCEPTS.to_owned(),
        }
    }
    fn default_is_valid(&self) -> bool {
        self.range
            .as_ref()
            .is_none_or(|(lo, hi)| self.default.within(lo, hi))
    }
}

impl fmt::Debug for dyn Declared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Settings listed together (a service's own, or those of one kind of destination).
pub type Group = &'static [&'static dyn Declared];

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

/// A snapshot of the environment a service reads its settings from. Empty values count as
/// unset, as `docker compose` passes unset variables as empty. `Debug` shows names only.
#[derive(Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Env {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Env {
        Env {
            vars: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        }
    }
}

impl Env {
    /// The text of variable `name`, `None` when unset or empty.
    fn raw(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    fn parsed<T: Value>(&self, name: &'static str) -> Result<Option<T>, ConfigError> {
        self.raw(name)
            .map(|text| T::parse(text).map_err(|e| ConfigError::new(name, e)))
            .transpose()
    }

    /// The value of `setting`: the variable (or its alias) when set, else the default; an
    /// error naming the variable when it cannot be read, is out of range, or the variable
    /// and its alias disagree.
    pub fn get<T: Value>(&self, setting: &Setting<T>) -> Result<T, ConfigError> {
        let value = self.parsed::<T>(setting.name)?;
        let old = match setting.alias {
            Some(alias) => self.parsed::<T>(alias)?.map(|v| (alias, v)),
            None => None,
        };
        let value = match (value, old) {
            (Some(a), Some((alias, b))) if a != b => {
                return Err(ConfigError::new(
                    format!("{}/{alias}", setting.name),
                    format!(
                        "conflicting values {} and {}: set one of them",
                        a.show(),
                        b.show()
                    ),
                ));
            }
            (Some(a), _) => a,
            (None, Some((_, b))) => b,
            (None, None) => return Ok(setting.default.clone()),
        };
        if let Some((lo, hi)) = &setting.range
            && !value.within(lo, hi)
        {
            return Err(ConfigError::new(
                setting.name,
                format!("{} is out of range: {}", value.show(), setting.accepts()),
            ));
        }
        Ok(value)
    }

    /// Whether `setting` (or its alias) is set to a non-empty value.
    pub fn is_set<T: Value>(&self, setting: &Setting<T>) -> bool {
        self.raw(setting.name).is_some() || setting.alias.is_some_and(|a| self.raw(a).is_some())
    }

    /// Reads the process environment for `info`. A variable whose name or value is not UTF-8
    /// is skipped when the service does not read it (it is someone else's), and is an error
    /// naming it when the service does.
    pub fn from_process(info: &ServiceInfo) -> Result<Env, ConfigError> {
        Env::from_os(info, std::env::vars_os())
    }

    pub(crate) fn from_os(
        info: &ServiceInfo,
        env: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    ) -> Result<Env, ConfigError> {
        let read = names_read(info);
        let mut vars = Vec::new();
        for (name, value) in env {
            let Ok(name) = name.into_string() else {
                continue; // none of our names is anything but ASCII
            };
            match value.into_string() {
                Ok(value) => vars.push((name, value)),
                Err(_) if read.contains(&name.as_str()) => {
                    return Err(ConfigError::new(name, "the value is not valid UTF-8"));
                }
                Err(_) => {}
            }
        }
        Ok(vars.into_iter().collect())
    }
}

/// Settings every service reads.
pub mod common {
    use super::{Group, Setting, Text};
    use std::borrow::Cow;

    /// Seed of every generator.
    pub static SEED: Setting<u64> = Setting {
        name: "SEED",
        default: 42,
        range: None,
        alias: None,
        help: "Seed of every generator: same seed, same data, byte for byte.",
    };

    /// How logs look.
    pub static LOG_FORMAT: Setting<Text> = Setting {
        name: "LOG_FORMAT",
        default: Cow::Borrowed("text"),
        range: None,
        alias: None,
        help: "text (human readable) or json (one object per line, for containers).",
    };

    /// Which logs are written.
    pub static LOG_LEVEL: Setting<Text> = Setting {
        name: "LOG_LEVEL",
        default: Cow::Borrowed("info"),
        range: None,
        alias: None,
        help: "tracing filter, e.g. debug or playground_sinks=debug.",
    };

    /// Root of the embedded backends.
    pub static PLAYGROUND_DATA: Setting<Text> = Setting {
        name: "PLAYGROUND_DATA",
        default: Cow::Borrowed("playground-data"),
        range: None,
        alias: None,
        help: "Root directory of the embedded backends: lake/, orders.sqlite, events/.",
    };

    /// The managed identity Azure backends sign in with.
    pub static AZURE_CLIENT_ID: Setting<Option<Text>> = Setting {
        name: "AZURE_CLIENT_ID",
        default: None,
        range: None,
        alias: None,
        help: "Client id of a user-assigned managed identity (else the system-assigned one).",
    };

    /// The settings of every service.
    pub static SETTINGS: Group = &[&SEED, &LOG_FORMAT, &LOG_LEVEL];
}

/// Settings of the generated world that several services share, so that they agree.
pub mod world {
    use super::{Group, Setting};
    use playground_model::{Locale, NaiveDate, Shard};

    /// Most ids of users, products or orders: ids `0..MAX_IDS` fit the SQL `int` columns
    /// (`orders.userId`, `items.productId`, `orderId`) every id may end up in.
    pub const MAX_IDS: u64 = 1 << 31;

    /// Most orders: `orderId` is an SQL `int`.
    pub const MAX_ORDERS: u64 = i32::MAX as u64;

    /// Users that exist, for the services that refer to them.
    pub static USERS_COUNT: Setting<u64> = Setting {
        name: "USERS_COUNT",
        default: 10_000,
        range: Some((1, MAX_IDS)),
        alias: Some("USER_MAX_ID"),
        help: "Users that exist; ids are drawn from 0..USERS_COUNT (userId is an SQL int).",
    };

    /// Products that exist, for the services that refer to them.
    pub static PRODUCTS_COUNT: Setting<u64> = Setting {
        name: "PRODUCTS_COUNT",
        default: 1000,
        range: Some((1, MAX_IDS)),
        alias: Some("PRODUCT_MAX_ID"),
        help: "Products that exist; ids are drawn from 0..PRODUCTS_COUNT (productId is an SQL int).",
    };

    /// Language and country of people, places, product names and the shop host.
    pub static LOCALE: Setting<Locale> = Setting {
        name: "LOCALE",
        default: Locale::CsCz,
        range: None,
        alias: None,
        help: "cs_CZ or en_US: people, places, product names, shop host.",
    };

    /// Which slice of a batch dataset this process writes.
    pub static SHARD: Setting<Shard> = Setting {
        name: "SHARD",
        default: Shard::WHOLE,
        range: None,
        alias: None,
        help: "i/n: write slice i of n. Users then write users.part-iii-of-nnn.json, i and n zero-padded to the width of n (at least 3), so cat users.part-* gives the whole file.",
    };

    /// VIP users, in vip.json.
    pub static VIP_COUNT: Setting<u64> = Setting {
        name: "VIP_COUNT",
        default: 100,
        range: None,
        alias: None,
        help: "VIP users: distinct existing ids (at most COUNT), in users/vip.json.",
    };

    /// Orders that exist, as the orders service's `COUNT`.
    pub static ORDERS_COUNT: Setting<u64> = Setting {
        name: "ORDERS_COUNT",
        default: 100_000,
        range: Some((0, MAX_ORDERS)),
        alias: None,
        help: "Orders that exist (the orders service's COUNT; orderId is an SQL int); items are written for each.",
    };

    /// First day of the order period.
    pub static ORDERS_START: Setting<NaiveDate> = Setting {
        name: "ORDERS_START",
        default: match NaiveDate::from_ymd_opt(2024, 1, 1) {
            Some(d) => d,
            None => panic!("2024-01-01 is a date"),
        },
        range: None,
        alias: None,
        help: "First day of the order period (YYYY-MM-DD); the whole period within 0001-01-01..9999-12-31 (SQL datetime2).",
    };

    /// Length of the order period.
    pub static ORDERS_DAYS: Setting<u32> = Setting {
        name: "ORDERS_DAYS",
        default: 366,
        range: Some((1, 100_000)),
        alias: None,
        help: "Length of the order period in days.",
    };

    /// For listing only: the world settings are listed with the service that reads them.
    pub static ALL: Group = &[&USERS_COUNT, &PRODUCTS_COUNT, &LOCALE, &SHARD];
}

/// The names `info` reads: its settings, the common ones, and their aliases.
pub fn names_read(info: &ServiceInfo) -> Vec<&'static str> {
    let mut names = Vec::new();
    for s in info.all() {
        names.push(s.name());
        names.extend(s.alias());
    }
    names
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
    let all = info.all();
    let width = all.iter().map(|v| v.name().len()).max().unwrap_or(0);
    for v in all {
        let alias = v.alias().map(|a| format!(" Alias: {a}.")).unwrap_or_default();
        let _ = writeln!(
            s,
            "  {:width$}  {}{alias}\n  {:width$}  default: {}; accepts: {}",
            v.name(),
            v.help(),
            "",
            v.default_text(),
            v.accepts()
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

    static COUNT: Setting<u64> = Setting {
        name: "COUNT",
        default: 7,
        range: Some((1, 10)),
        alias: Some("OLD_COUNT"),
        help: "",
    };

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs.iter().map(|(k, v)| (*k, *v)).collect()
    }

    #[test]
    fn unset_and_empty_give_the_default() {
        assert_eq!(env(&[]).get(&COUNT), Ok(7));
        assert_eq!(env(&[("COUNT", "")]).get(&COUNT), Ok(7));
        assert!(!env(&[("COUNT", "")]).is_set(&COUNT));
    }

    #[test]
    fn values_and_aliases_are_read_and_conflicts_refused() {
        assert_eq!(env(&[("COUNT", "3")]).get(&COUNT), Ok(3));
        assert_eq!(env(&[("OLD_COUNT", "4")]).get(&COUNT), Ok(4));
        assert_eq!(env(&[("COUNT", "5"), ("OLD_COUNT", "5")]).get(&COUNT), Ok(5));
        let e = env(&[("COUNT", "5"), ("OLD_COUNT", "6")])
            .get(&COUNT)
            .expect_err("conflict");
        assert_eq!(e.variable, "COUNT/OLD_COUNT");
    }

    #[test]
    fn bad_values_and_ranges_name_the_variable() {
        for (name, value) in [
            ("COUNT", "ten"),
            ("COUNT", "0"),
            ("COUNT", "11"),
            ("OLD_COUNT", "-1"),
        ] {
            let e = env(&[(name, value)]).get(&COUNT).expect_err(value);
            assert_eq!(e.variable, name, "{e}");
        }
        let e = env(&[("COUNT", "11")]).get(&COUNT).expect_err("range");
        assert!(e.message.contains("1 to 10"), "{e}");
    }

    #[test]
    fn typed_values_parse_and_show_alike() {
        assert_eq!(bool::parse("TRUE"), Ok(true));
        assert!(bool::parse("yes").is_err());
        assert_eq!(Locale::parse("en_US").map(|l| l.show()), Ok("en_US".to_owned()));
        assert_eq!(Shard::parse("1/3").map(|s| s.show()), Ok("1/3".to_owned()));
        assert!(Shard::parse("3/3").is_err());
        assert_eq!(
            NaiveDate::parse("2024-02-29").map(|d| d.show()),
            Ok("2024-02-29".to_owned())
        );
        assert_eq!(Option::<u64>::None.show(), "unset");
        assert!(!format!("{:?}", Secret("pw".into())).contains("pw"));
    }
}
