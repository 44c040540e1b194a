//! The lake as `object_store` sees it: DataFusion reads bronze through it and delta-rs writes
//! the silver tables through it. Built from the same [`LakeTarget`] as every other service,
//! so `LAKE_URL`, `STORAGE_SAS`, `STORAGE_CONNECTION_STRING` and `AZURE_CLIENT_ID` choose it.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Once};

use deltalake::ObjectStore;
use deltalake::datafusion::prelude::SessionContext;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::local::LocalFileSystem;
use playground_sinks::lake::{BlobAuthKind, BlobTarget, LakeTarget};
use url::Url;

/// Why the lake could not be reached as an object store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The settings name a lake object_store cannot open.
    #[error("{setting}: {message}")]
    Setting {
        /// The variable.
        setting: &'static str,
        /// Why.
        message: String,
    },
    /// object_store refused it.
    #[error("{setting}: {source}")]
    Store {
        /// The variable.
        setting: &'static str,
        /// Why.
        #[source]
        source: object_store::Error,
    },
}

/// The lake's containers as URLs, and the options that open them. `Debug` never shows the
/// SAS.
#[derive(Clone)]
pub struct Lake {
    /// Where each container is: `file:///data/lake/` or `az://`.
    kind: Kind,
    /// Options for `object_store`'s Azure builder and delta-rs (account, SAS, endpoint).
    options: HashMap<String, String>,
    /// The bronze container's name (`LAKE_CONTAINER`).
    bronze: String,
    /// The setting that chose the lake, named in errors.
    pub setting: &'static str,
}

#[derive(Clone, Debug)]
enum Kind {
    Directory(std::path::PathBuf),
    Blob,
}

impl fmt::Debug for Lake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lake")
            .field("kind", &self.kind)
            .field("bronze", &self.bronze)
            .field("options", &self.options.keys().collect::<Vec<_>>())
            .finish()
    }
}

static HANDLERS: Once = Once::new();

impl Lake {
    /// The lake of `target`.
    pub fn new(target: &LakeTarget) -> Result<Lake, StoreError> {
        HANDLERS.call_once(|| deltalake::azure::register_handlers(None));
        match target {
            LakeTarget::Local { root, setting } => {
                std::fs::create_dir_all(root).map_err(|e| StoreError::Setting {
                    setting,
                    message: format!("cannot create {}: {e}", root.display()),
                })?;
                let root = root.canonicalize().map_err(|e| StoreError::Setting {
                    setting,
                    message: format!("{}: {e}", root.display()),
                })?;
                Ok(Lake {
                    kind: Kind::Directory(root),
                    options: HashMap::new(),
                    bronze: "bronze".to_owned(),
                    setting,
                })
            }
            LakeTarget::Blob(blob) => Ok(Lake {
                kind: Kind::Blob,
                bronze: container_of(blob),
                options: azure_options(blob)?,
                setting: blob.setting,
            }),
        }
    }

    /// The bronze container's name.
    pub fn bronze(&self) -> &str {
        &self.bronze
    }

    /// The URL of folder `path` (no leading `/`, may be empty) of `container`, ending in `/`.
    pub fn url(&self, container: &str, path: &str) -> Url {
        let text = match &self.kind {
            Kind::Directory(root) => {
                format!("file://{}/{container}/{path}", root.display())
            }
            Kind::Blob => format!("az://{container}/{path}"),
        };
        let text = if text.ends_with('/') {
            text
        } else {
            format!("{text}/")
        };
        Url::parse(&text).unwrap_or_else(|_| Url::parse("file:///invalid/").expect("a valid URL"))
    }

    /// The folder `path` of `container` on disk, for the directory lake (delta-rs refuses a
    /// local table location that does not exist yet); `None` for Azure Storage.
    pub fn local_dir(&self, container: &str, path: &str) -> Option<std::path::PathBuf> {
        match &self.kind {
            Kind::Directory(root) => Some(root.join(container).join(path)),
            Kind::Blob => None,
        }
    }

    /// The object path of `container`'s root in the store [`Lake::store`] returns (the local
    /// store is rooted at `/`, the Azure one at the container).
    pub fn object_prefix(&self, container: &str) -> String {
        match &self.kind {
            Kind::Directory(root) => {
                let root = root.display().to_string();
                format!("{}/{container}/", root.trim_start_matches('/'))
            }
            Kind::Blob => String::new(),
        }
    }

    /// Options for delta-rs' `try_from_url_with_storage_options`.
    pub fn options(&self) -> HashMap<String, String> {
        self.options.clone()
    }

    /// An object store for `container`, and the URL it is registered at in a session.
    pub fn store(&self, container: &str) -> Result<(Url, Arc<dyn ObjectStore>), StoreError> {
        let url = self.url(container, "");
        let store: Arc<dyn ObjectStore> = match &self.kind {
            Kind::Directory(root) => {
                let dir = root.join(container);
                std::fs::create_dir_all(&dir).map_err(|e| StoreError::Setting {
                    setting: self.setting,
                    message: format!("cannot create {}: {e}", dir.display()),
                })?;
                Arc::new(LocalFileSystem::new())
            }
            Kind::Blob => {
                let mut builder = MicrosoftAzureBuilder::new().with_container_name(container);
                for (k, v) in &self.options {
                    let key = k.parse().map_err(|source| StoreError::Store {
                        setting: self.setting,
                        source,
                    })?;
                    builder = builder.with_config(key, v);
                }
                Arc::new(builder.build().map_err(|source| StoreError::Store {
                    setting: self.setting,
                    source,
                })?)
            }
        };
        Ok((url, store))
    }

    /// Registers the containers in `ctx`, so SQL can read `url(container, path)`.
    pub fn register(&self, ctx: &SessionContext, containers: &[&str]) -> Result<(), StoreError> {
        for container in containers {
            let (url, store) = self.store(container)?;
            if let Kind::Blob = self.kind {
                ctx.register_object_store(&url, store);
            }
        }
        Ok(())
    }
}

fn container_of(blob: &BlobTarget) -> String {
    blob.container_url
        .path_segments()
        .and_then(|mut s| s.rfind(|p| !p.is_empty()).map(str::to_owned))
        .unwrap_or_else(|| "bronze".to_owned())
}

/// The account, endpoint and credential of a blob lake as object_store options. An Azure
/// account URL (`https://acct.blob.core.windows.net/bronze`) gives the account from its host;
/// Azurite's (`http://127.0.0.1:10000/devstoreaccount1/bronze`) from its first path segment,
/// with the endpoint given explicitly.
fn azure_options(blob: &BlobTarget) -> Result<HashMap<String, String>, StoreError> {
    let url = &blob.container_url;
    let bad = |message: &str| StoreError::Setting {
        setting: blob.setting,
        message: message.to_owned(),
    };
    let host = url.host_str().ok_or_else(|| bad("the lake URL has no host"))?;
    let mut options = HashMap::new();
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    if let Some(account) = host.strip_suffix(".blob.core.windows.net") {
        options.insert("azure_storage_account_name".to_owned(), account.to_owned());
    } else {
        // A path-style endpoint (Azurite, or a custom domain): the account is the first segment.
        let account = match segments.as_slice() {
            [account, _container] => (*account).to_owned(),
            _ => {
                return Err(bad(
                    "a path-style lake URL must be http(s)://host/<account>/<container>",
                ));
            }
        };
        let mut endpoint = url.clone();
        endpoint.set_query(None);
        endpoint.set_path(&format!("/{account}"));
        options.insert("azure_storage_account_name".to_owned(), account);
        options.insert(
            "azure_storage_endpoint".to_owned(),
            endpoint.to_string().trim_end_matches('/').to_owned(),
        );
        if url.scheme() == "http" {
            options.insert("azure_allow_http".to_owned(), "true".to_owned());
        }
    }
    match &blob.auth {
        BlobAuthKind::Sas => {
            let sas = url.query().ok_or_else(|| bad("the lake URL has no SAS"))?;
            options.insert("azure_storage_sas_key".to_owned(), sas.to_owned());
        }
        BlobAuthKind::ManagedIdentity(id) => {
            if let Some(id) = id {
                options.insert("azure_client_id".to_owned(), id.clone());
            }
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str, auth: BlobAuthKind) -> BlobTarget {
        BlobTarget {
            container_url: Url::parse(url).expect("url"),
            auth,
            setting: "STORAGE_SAS",
            retry_seconds: 1,
        }
    }

    #[test]
    fn azurite_and_azure_urls_become_accounts_and_endpoints() {
        let azurite = azure_options(&target(
            "http://127.0.0.1:10999/devstoreaccount1/bronze?sv=1&sig=x",
            BlobAuthKind::Sas,
        ))
        .expect("azurite");
        assert_eq!(azurite["azure_storage_account_name"], "devstoreaccount1");
        assert_eq!(
            azurite["azure_storage_endpoint"],
            "http://127.0.0.1:10999/devstoreaccount1"
        );
        assert_eq!(azurite["azure_storage_sas_key"], "sv=1&sig=x");
        assert_eq!(azurite["azure_allow_http"], "true");
        let azure = azure_options(&target(
            "https://acct.blob.core.windows.net/bronze",
            BlobAuthKind::ManagedIdentity(Some("cid".to_owned())),
        ))
        .expect("azure");
        assert_eq!(azure["azure_storage_account_name"], "acct");
        assert_eq!(azure["azure_client_id"], "cid");
        assert!(!azure.contains_key("azure_storage_endpoint"));
        let lake = Lake {
            kind: Kind::Blob,
            options: azurite,
            bronze: "bronze".to_owned(),
            setting: "STORAGE_SAS",
        };
        assert!(!format!("{lake:?}").contains("sig=x"), "{lake:?}");
    }
}
