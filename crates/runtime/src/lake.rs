//! Which lake the users and products services write to: its settings, and the pure choice of
//! a [`LakeTarget`] from them. `LAKE_URL`, `STORAGE_SAS` or `STORAGE_CONNECTION_STRING` (at
//! most one) choose a blob container; none of them, the directory `{PLAYGROUND_DATA}/lake`.

use std::borrow::Cow;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use playground_sinks::lake::sas::ConnectionString;
use playground_sinks::lake::{BlobAuthKind, BlobTarget, LakeBackend, LakeTarget};
use url::Url;

use crate::settings::common::{AZURE_CLIENT_ID, PLAYGROUND_DATA};
use crate::settings::{ConfigError, Env, Group, Secret, Setting, Text};

/// A directory (`file:///dir`) or a blob container URL, with or without a SAS.
pub static LAKE_URL: Setting<Option<Text>> = Setting {
    name: "LAKE_URL",
    default: None,
    range: None,
    alias: None,
    help: "The lake: file:///dir, or a blob container URL: https://ACCOUNT.blob.core.windows.net/bronze \
           uses the managed identity, with a SAS query the SAS.",
};

/// The Python version's SAS URL.
pub static STORAGE_SAS: Setting<Option<Secret>> = Setting {
    name: "STORAGE_SAS",
    default: None,
    range: None,
    alias: None,
    help: "The Python version's SAS URL (dfs or blob host; the container from its path, else LAKE_CONTAINER).",
};

/// A connection string with the account key.
pub static STORAGE_CONNECTION_STRING: Setting<Option<Secret>> = Setting {
    name: "STORAGE_CONNECTION_STRING",
    default: None,
    range: None,
    alias: None,
    help: "A storage connection string (UseDevelopmentStorage=true for Azurite); a 12-hour account SAS is signed from its key.",
};

/// The container when the URL names none.
pub static LAKE_CONTAINER: Setting<Text> = Setting {
    name: "LAKE_CONTAINER",
    default: Cow::Borrowed("bronze"),
    range: None,
    alias: None,
    help: "Container when the URL or connection string names none.",
};

/// How long transient storage failures are retried.
pub static LAKE_RETRY_SECONDS: Setting<u32> = Setting {
    name: "LAKE_RETRY_SECONDS",
    default: 300,
    range: None,
    alias: None,
    help: "How long transient storage failures (5xx, 429, timeouts, resets) are retried before giving up.",
};

/// Every setting of the lake, for `--help`.
pub static SETTINGS: Group = &[
    &LAKE_URL,
    &STORAGE_SAS,
    &STORAGE_CONNECTION_STRING,
    &LAKE_CONTAINER,
    &AZURE_CLIENT_ID,
    &LAKE_RETRY_SECONDS,
    &PLAYGROUND_DATA,
];

/// The lake the settings choose. Pure but for `now`, from which an account SAS signed from a
/// connection string's key is valid for 12 hours. Errors never echo a secret.
pub fn target(env: &Env, now: DateTime<Utc>) -> Result<LakeTarget, ConfigError> {
    let url = env.get(&LAKE_URL)?;
    let sas = env.get(&STORAGE_SAS)?;
    let connection_string = env.get(&STORAGE_CONNECTION_STRING)?;
    let container = env.get(&LAKE_CONTAINER)?;
    let retry_seconds = env.get(&LAKE_RETRY_SECONDS)?;
    let set: Vec<&str> = [
        (LAKE_URL.name, url.is_some()),
        (STORAGE_SAS.name, sas.is_some()),
        (STORAGE_CONNECTION_STRING.name, connection_string.is_some()),
    ]
    .into_iter()
    .filter_map(|(n, on)| on.then_some(n))
    .collect();
    if set.len() > 1 {
        return Err(ConfigError::new(
            set.join("/"),
            "set only one of them: each chooses the lake",
        ));
    }
    let blob = |setting: &'static str, container_url: Url, auth: BlobAuthKind| {
        Ok(LakeTarget::Blob(BlobTarget {
            container_url,
            auth,
            setting,
            retry_seconds,
        }))
    };
    if let Some(raw) = url {
        if let Some(path) = raw.strip_prefix("file://") {
            if path.is_empty() {
                return Err(ConfigError::new(
                    LAKE_URL.name,
                    "file:// needs a directory, e.g. file:///data/lake",
                ));
            }
            return Ok(LakeTarget::Local {
                root: PathBuf::from(path),
                setting: LAKE_URL.name,
            });
        }
        let url = with_container(LAKE_URL.name, parse_url(LAKE_URL.name, &raw)?, &container)?;
        let auth = if has_sas(&url) {
            BlobAuthKind::Sas
        } else {
            BlobAuthKind::ManagedIdentity(env.get(&AZURE_CLIENT_ID)?.map(Cow::into_owned))
        };
        return blob(LAKE_URL.name, url, auth);
    }
    if let Some(Secret(raw)) = sas {
        let mut url = parse_url(STORAGE_SAS.name, &raw)?;
        if !has_sas(&url) {
            return Err(ConfigError::new(
                STORAGE_SAS.name,
                "has no SAS (no sig= in the query)",
            ));
        }
        // The Python version pointed at the Data Lake (dfs) endpoint; the blob API is on the blob host.
        if let Some(host) = url.host_str().map(str::to_owned)
            && let Some(account) = host.strip_suffix(".dfs.core.windows.net")
        {
            let _ = url.set_host(Some(&format!("{account}.blob.core.windows.net")));
        }
        let url = with_container(STORAGE_SAS.name, url, &container)?;
        return blob(STORAGE_SAS.name, url, BlobAuthKind::Sas);
    }
    if let Some(Secret(raw)) = connection_string {
        let setting = STORAGE_CONNECTION_STRING.name;
        let cs = ConnectionString::parse(&raw).map_err(|e| ConfigError::new(setting, e.to_string()))?;
        let sas = cs.account_sas(now, now + chrono::TimeDelta::hours(12));
        let mut url = parse_url(setting, &format!("{}/{container}", cs.blob_endpoint))?;
        url.set_query(Some(&sas));
        return blob(setting, url, BlobAuthKind::Sas);
    }
    Ok(LakeTarget::Local {
        root: PathBuf::from(env.get(&PLAYGROUND_DATA)?.as_ref()).join("lake"),
        setting: PLAYGROUND_DATA.name,
    })
}

/// Opens the lake the settings choose.
pub async fn open(env: &Env) -> Result<LakeBackend, ConfigError> {
    let target = target(env, Utc::now())?;
    LakeBackend::open(&target)
        .await
        .map_err(crate::open_error(target.setting()))
}

fn parse_url(setting: &str, raw: &str) -> Result<Url, ConfigError> {
    // The URL's own text is not echoed: it may carry a SAS.
    let url = Url::parse(raw.trim()).map_err(|e| ConfigError::new(setting, format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ConfigError::new(
            setting,
            "expected an http(s) URL of a storage account or container",
        ));
    }
    Ok(url)
}

fn has_sas(url: &Url) -> bool {
    url.query_pairs().any(|(k, _)| k == "sig")
}

/// Ensures the URL names a container: Azure's `https://acct.blob.../container`, or the
/// emulator's `http://host:port/account/container`. A URL without one gets `container`.
fn with_container(setting: &str, mut url: Url, container: &str) -> Result<Url, ConfigError> {
    let emulator = url
        .host_str()
        .is_some_and(|h| !h.contains(".core.windows.net") && !h.contains(".azure"));
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    let wanted = if emulator { 2 } else { 1 };
    match segments.len() {
        n if n == wanted => Ok(url),
        n if n + 1 == wanted => {
            let mut path = segments.join("/");
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(container);
            url.set_path(&path);
            Ok(url)
        }
        _ => Err(ConfigError::new(
            setting,
            "the URL's path must be the container (or, for an emulator, account/container)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs.iter().map(|(k, v)| (*k, *v)).collect()
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).expect("a valid instant")
    }

    fn pick(pairs: &[(&str, &str)]) -> Result<LakeTarget, ConfigError> {
        target(&env(pairs), now())
    }

    fn blob(pairs: &[(&str, &str)]) -> BlobTarget {
        match pick(pairs) {
            Ok(LakeTarget::Blob(b)) => b,
            other => panic!("{pairs:?}: expected a blob target, got {other:?}"),
        }
    }

    #[test]
    fn nothing_set_is_the_directory_under_playground_data() {
        assert_eq!(
            pick(&[]),
            Ok(LakeTarget::Local {
                root: PathBuf::from("playground-data/lake"),
                setting: "PLAYGROUND_DATA"
            })
        );
        assert_eq!(
            pick(&[("PLAYGROUND_DATA", "/tmp/p")]),
            Ok(LakeTarget::Local {
                root: PathBuf::from("/tmp/p/lake"),
                setting: "PLAYGROUND_DATA"
            })
        );
    }

    #[test]
    fn a_file_url_is_a_directory_chosen_by_lake_url() {
        assert_eq!(
            pick(&[
                ("LAKE_URL", "file:///data/lake"),
                ("PLAYGROUND_DATA", "/elsewhere")
            ]),
            Ok(LakeTarget::Local {
                root: PathBuf::from("/data/lake"),
                setting: "LAKE_URL"
            })
        );
        assert_eq!(
            pick(&[("LAKE_URL", "file://")]).expect_err("empty").variable,
            "LAKE_URL"
        );
    }

    #[test]
    fn a_container_url_uses_the_managed_identity_unless_it_carries_a_sas() {
        let b = blob(&[
            ("LAKE_URL", "https://acct.blob.core.windows.net/bronze"),
            ("AZURE_CLIENT_ID", "cid"),
        ]);
        assert_eq!(b.auth, BlobAuthKind::ManagedIdentity(Some("cid".into())));
        assert_eq!(b.setting, "LAKE_URL");
        assert_eq!(b.retry_seconds, 300);
        let b = blob(&[("LAKE_URL", "https://acct.blob.core.windows.net/?sv=1&sig=x")]);
        assert_eq!(b.auth, BlobAuthKind::Sas);
        assert_eq!(b.container_url.path(), "/bronze", "the container is added");
        let b = blob(&[
            ("LAKE_URL", "http://127.0.0.1:10000/devstoreaccount1"),
            ("LAKE_CONTAINER", "raw"),
            ("LAKE_RETRY_SECONDS", "5"),
        ]);
        assert_eq!(
            b.container_url.path(),
            "/devstoreaccount1/raw",
            "an emulator's path is account/container"
        );
        assert_eq!(b.retry_seconds, 5);
    }

    #[test]
    fn the_python_sas_on_the_dfs_host_goes_to_the_blob_host() {
        let b = blob(&[(
            "STORAGE_SAS",
            "https://acct.dfs.core.windows.net/bronze?sv=1&sr=c&sig=abc",
        )]);
        assert_eq!(b.container_url.host_str(), Some("acct.blob.core.windows.net"));
        assert_eq!((b.auth, b.setting), (BlobAuthKind::Sas, "STORAGE_SAS"));
    }

    #[test]
    fn a_connection_string_signs_an_account_sas() {
        let cs = format!(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
        );
        let b = blob(&[("STORAGE_CONNECTION_STRING", &cs)]);
        assert_eq!(b.setting, "STORAGE_CONNECTION_STRING");
        assert_eq!(b.container_url.path(), "/devstoreaccount1/bronze");
        assert!(b.container_url.query().is_some_and(|q| q.contains("sig=")));
        let azurite = blob(&[("STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true")]);
        assert_eq!(azurite.container_url.port(), Some(10000));
    }

    #[test]
    fn refusals_name_the_variable_and_never_echo_a_secret() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[
                    ("LAKE_URL", "https://a.blob.core.windows.net/b"),
                    ("STORAGE_SAS", "https://a/b?sig=s"),
                ],
                "LAKE_URL/STORAGE_SAS",
            ),
            (
                &[
                    ("STORAGE_SAS", "x"),
                    ("STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true"),
                ],
                "STORAGE_SAS/STORAGE_CONNECTION_STRING",
            ),
            (&[("LAKE_URL", "not a url")], "LAKE_URL"),
            (&[("LAKE_URL", "ftp://host/c")], "LAKE_URL"),
            (
                &[("LAKE_URL", "https://a.blob.core.windows.net/c/extra/path")],
                "LAKE_URL",
            ),
            (
                &[("STORAGE_SAS", "https://a.blob.core.windows.net/c?sv=SECRETWORD")],
                "STORAGE_SAS",
            ),
            (
                &[("STORAGE_CONNECTION_STRING", "AccountKey=SECRETWORD")],
                "STORAGE_CONNECTION_STRING",
            ),
            (&[("LAKE_RETRY_SECONDS", "soon")], "LAKE_RETRY_SECONDS"),
        ];
        for (pairs, variable) in cases {
            let e = pick(pairs).expect_err(variable);
            assert_eq!(e.variable, *variable, "{pairs:?}: {e}");
            assert!(!e.to_string().contains("SECRETWORD"), "{e}");
        }
    }
}
