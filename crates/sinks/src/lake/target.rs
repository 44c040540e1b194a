//! Where the lake is, as configuration chose it: plain data, with no SDK behind it, so the
//! choice compiles (and is tested) whichever backends a binary links.

use std::fmt;
use std::path::PathBuf;

use url::Url;

/// Which lake backend, chosen by configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LakeTarget {
    /// A directory: `{root}/bronze/{path}`.
    Local {
        /// The lake's root directory (the container is the subdirectory `bronze`).
        root: PathBuf,
        /// The setting that chose it, named in errors.
        setting: &'static str,
    },
    /// A blob container (Azure Storage or Azurite); the container comes from the URL.
    Blob(BlobTarget),
}

impl LakeTarget {
    /// The variable that chose this destination, named in its errors.
    pub fn setting(&self) -> &'static str {
        match self {
            LakeTarget::Local { setting, .. } => setting,
            LakeTarget::Blob(b) => b.setting,
        }
    }
}

/// A container to write to. `Debug` and [`BlobTarget::redacted`] never show the SAS.
#[derive(Clone, PartialEq, Eq)]
pub struct BlobTarget {
    /// The container URL (`https://acct.blob.core.windows.net/bronze`,
    /// `http://127.0.0.1:10000/devstoreaccount1/bronze`), with the SAS query when `auth` is SAS.
    pub container_url: Url,
    /// How to authenticate.
    pub auth: BlobAuthKind,
    /// The variable that configured it, named in errors.
    pub setting: &'static str,
    /// How long transient failures are retried before giving up, in seconds.
    pub retry_seconds: u32,
}

/// How the lake authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobAuthKind {
    /// SAS in the URL.
    Sas,
    /// Managed identity, user-assigned when `Some`.
    ManagedIdentity(Option<String>),
}

impl BlobTarget {
    /// The container URL without its query, safe to log.
    pub fn redacted(&self) -> String {
        let mut u = self.container_url.clone();
        u.set_query(None);
        u.to_string()
    }
}

impl BlobTarget {
    /// The same account and credentials, container `container` (the URL's last path segment
    /// replaced; Azurite's URLs hold the account before it). An account SAS or a managed
    /// identity reaches every container; a container SAS only its own.
    pub fn sibling(&self, container: &str) -> BlobTarget {
        let mut url = self.container_url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().pop().push(container);
        }
        BlobTarget {
            container_url: url,
            ..self.clone()
        }
    }
}

impl fmt::Debug for BlobTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobTarget")
            .field("container_url", &self.redacted())
            .field("auth", &self.auth)
            .field("setting", &self.setting)
            .finish()
    }
}
