//! The lake on Azure Storage (ADLS gen2 or plain blob) or Azurite, through the blob API of the
//! official `azure_storage_blob` crate.
//!
//! Large objects are block blobs: each block is staged with an id that names the records it
//! holds, and one Put Block List commits them, so readers never see a partial blob and a
//! restart keeps what was staged. Transient failures (408, 429, 5xx, resets, refused
//! connections) are retried by the client's pipeline with exponential backoff and jitter,
//! honouring Retry-After; 403 and other client errors fail at once, naming the setting.

use std::fmt;
use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RequestContent, RetryOptions, StatusCode};
use azure_storage_blob::models::{BlobContainerClientListBlobsOptions, BlockListType, BlockLookupList};
use azure_storage_blob::{BlobContainerClient, BlobContainerClientOptions};
use bytes::Bytes;
use futures::TryStreamExt;

use super::{BlobAuthKind, BlobTarget, LakeReader, LakeSink};
use crate::SinkError;
use crate::error::scrub;
#[cfg(test)]
use url::Url;

/// A lake in one blob container.
pub struct BlobLake {
    container: BlobContainerClient,
    redacted: String,
    setting: &'static str,
}

impl fmt::Debug for BlobLake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobLake")
            .field("container", &self.redacted)
            .finish()
    }
}

/// Maps a client error to a sink error that names the setting, without the request URL
/// (which may hold the SAS).
fn remote(setting: &'static str, action: &'static str) -> impl FnOnce(azure_core::Error) -> SinkError {
    move |e| {
        let status = e.http_status();
        let hint = match status {
            Some(StatusCode::Forbidden) => {
                " (access denied: the SAS is wrong, expired or lacks permissions, or the identity has no data role)"
            }
            Some(StatusCode::Unauthorized) => " (not authenticated)",
            Some(StatusCode::NotFound) => " (not found: check the account and container)",
            None => " (no answer from the storage endpoint)",
            _ => "",
        };
        let code = status
            .map(|s| format!("HTTP {} ", u16::from(s)))
            .unwrap_or_default();
        SinkError::Remote {
            setting,
            message: format!("{action}: {code}{}{hint}", scrub(&e.to_string())),
            permanent: status.is_some_and(|s| s != StatusCode::TooManyRequests && u16::from(s) < 500),
        }
    }
}

impl BlobLake {
    /// Connects, checks access and creates the container when it is missing. A wrong or
    /// expired SAS, or missing permission, fails here with an error naming `target.setting`.
    pub async fn open(target: &BlobTarget) -> Result<BlobLake, SinkError> {
        BlobLake::connect(target, true).await
    }

    /// Connects and checks access; creates the container when it is missing only if `create`
    /// (a reader must not: it may hold a read-only SAS, and an absent container is empty).
    pub async fn connect(target: &BlobTarget, create: bool) -> Result<BlobLake, SinkError> {
        let setting = target.setting;
        crate::tls::install_provider();
        crate::ca_certificates::require(setting)?;
        let client_options = ClientOptions {
            retry: RetryOptions::exponential(ExponentialRetryOptions {
                initial_delay: azure_core::time::Duration::milliseconds(250),
                max_retries: 30,
                max_total_elapsed: azure_core::time::Duration::seconds(i64::from(target.retry_seconds)),
                max_delay: azure_core::time::Duration::seconds(8),
            }),
            ..Default::default()
        };
        let options = BlobContainerClientOptions {
            client_options,
            ..Default::default()
        };
        let credential: Option<Arc<dyn TokenCredential>> = match &target.auth {
            BlobAuthKind::Sas => None,
            BlobAuthKind::ManagedIdentity(client_id) => {
                let options = azure_identity::ManagedIdentityCredentialOptions {
                    user_assigned_id: client_id.clone().map(azure_identity::UserAssignedId::ClientId),
                    ..Default::default()
                };
                let cred = azure_identity::ManagedIdentityCredential::new(Some(options)).map_err(|e| {
                    SinkError::config(setting, format!("managed identity: {}", scrub(&e.to_string())))
                })?;
                Some(cred)
            }
        };
        let container = BlobContainerClient::new(target.container_url.clone(), credential, Some(options))
            .map_err(|e| SinkError::config(setting, scrub(&e.to_string())))?;
        let lake = BlobLake {
            container,
            redacted: target.redacted(),
            setting,
        };
        // Probe with what every accepted credential grants: listing one blob. Get Container
        // Properties (`exists`) is not authorized by a container's service SAS (`sr=c`, the
        // Python version's), so it would refuse a SAS that can do all the work.
        let probe = BlobContainerClientListBlobsOptions {
            maxresults: Some(1),
            ..Default::default()
        };
        let listed = match lake.container.list_blobs(Some(probe)) {
            Ok(mut pages) => pages.try_next().await.map(|_| ()),
            Err(e) => Err(e),
        };
        match listed {
            Ok(()) => {}
            Err(e) if e.http_status() == Some(StatusCode::NotFound) && !create => {
                tracing::info!(container = %lake.redacted, "the container does not exist: nothing to read");
            }
            Err(e) if e.http_status() == Some(StatusCode::NotFound) => {
                match lake.container.create(None).await {
                    Ok(_) => tracing::info!(container = %lake.redacted, "created the container"),
                    Err(e) if e.http_status() == Some(StatusCode::Conflict) => {}
                    Err(e) => return Err(as_config(remote(setting, "create the missing container")(e))),
                }
            }
            Err(e) => return Err(as_config(remote(setting, "list the container")(e))),
        }
        Ok(lake)
    }

    fn block_blob(&self, path: &str) -> azure_storage_blob::BlockBlobClient {
        self.container.blob_client(path).block_blob_client()
    }
}

/// A permanent failure while opening is the user's to fix: report it as a configuration error.
fn as_config(e: SinkError) -> SinkError {
    match e {
        SinkError::Remote {
            setting,
            message,
            permanent: true,
        } => SinkError::Config { setting, message },
        other => other,
    }
}

impl LakeReader for BlobLake {
    async fn walk(&self, prefix: &str) -> Result<Vec<(String, u64)>, SinkError> {
        let dir = format!("{}/", prefix.trim_end_matches('/'));
        let options = BlobContainerClientListBlobsOptions {
            prefix: Some(dir.clone()),
            ..Default::default()
        };
        let mut items = match self.container.list_blobs(Some(options)) {
            Ok(items) => items,
            Err(e) => return Err(remote(self.setting, "list blobs")(e)),
        };
        let mut out = Vec::new();
        loop {
            match items.try_next().await {
                Ok(Some(item)) => {
                    let name = item.name.unwrap_or_default();
                    let size = item.properties.and_then(|p| p.content_length).unwrap_or(0);
                    // ADLS gen2 lists its directories as empty blobs; they hold nothing.
                    if let Some(rest) = name.strip_prefix(&dir).filter(|r| !r.is_empty()) {
                        out.push((rest.to_owned(), size));
                    }
                }
                Ok(None) => break,
                // A container that does not exist holds nothing.
                Err(e) if e.http_status() == Some(StatusCode::NotFound) => break,
                Err(e) => return Err(remote(self.setting, "list blobs")(e)),
            }
        }
        out.sort();
        Ok(out)
    }

    async fn get(&self, path: &str) -> Result<Bytes, SinkError> {
        let download = self
            .container
            .blob_client(path)
            .download(None)
            .await
            .map_err(remote(self.setting, "download a blob"))?;
        download
            .body
            .collect()
            .await
            .map_err(remote(self.setting, "download a blob"))
    }
}

impl LakeSink for BlobLake {
    async fn put(&self, path: &str, data: Bytes) -> Result<(), SinkError> {
        self.block_blob(path)
            .upload(data.into(), None)
            .await
            .map_err(remote(self.setting, "upload"))?;
        Ok(())
    }

    async fn list(&self, prefix: &str, visit: &mut (dyn FnMut(&str, u64) + Send)) -> Result<(), SinkError> {
        let dir = format!("{}/", prefix.trim_end_matches('/'));
        let options = BlobContainerClientListBlobsOptions {
            prefix: Some(dir.clone()),
            ..Default::default()
        };
        let mut items = self
            .container
            .list_blobs(Some(options))
            .map_err(remote(self.setting, "list blobs"))?;
        while let Some(item) = items
            .try_next()
            .await
            .map_err(remote(self.setting, "list blobs"))?
        {
            let name = item.name.unwrap_or_default();
            let size = item.properties.and_then(|p| p.content_length).unwrap_or(0);
            if let Some(rest) = name
                .strip_prefix(&dir)
                .filter(|r| !r.is_empty() && !r.contains('/'))
            {
                visit(rest, size);
            }
        }
        Ok(())
    }

    async fn exists(&self, path: &str) -> Result<bool, SinkError> {
        self.container
            .blob_client(path)
            .exists()
            .await
            .map_err(remote(self.setting, "check a blob"))
    }

    async fn stage_block(&self, path: &str, id: &str, data: Bytes) -> Result<(), SinkError> {
        let len = data.len() as u64;
        self.block_blob(path)
            .stage_block(id.as_bytes(), len, data.into(), None)
            .await
            .map_err(remote(self.setting, "stage a block"))?;
        Ok(())
    }

    async fn staged_blocks(&self, path: &str) -> Result<std::collections::BTreeSet<String>, SinkError> {
        let list = match self
            .block_blob(path)
            .get_block_list(BlockListType::Uncommitted, None)
            .await
        {
            Ok(r) => r
                .into_model()
                .map_err(remote(self.setting, "read the block list"))?,
            Err(e) if e.http_status() == Some(StatusCode::NotFound) => return Ok(Default::default()),
            Err(e) => return Err(remote(self.setting, "read the block list")(e)),
        };
        Ok(list
            .uncommitted_blocks
            .unwrap_or_default()
            .into_iter()
            .filter_map(|b| b.name.and_then(|n| String::from_utf8(n).ok()))
            .collect())
    }

    async fn commit_blocks(&self, path: &str, ids: &[String]) -> Result<(), SinkError> {
        let list = BlockLookupList {
            latest: Some(ids.iter().map(|i| i.as_bytes().to_vec()).collect()),
            ..Default::default()
        };
        let body: RequestContent<BlockLookupList, azure_core::http::XmlFormat> = list
            .try_into()
            .map_err(remote(self.setting, "encode the block list"))?;
        self.block_blob(path)
            .commit_block_list(body, None)
            .await
            .map_err(remote(self.setting, "commit the block list"))?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("blob container {}", self.redacted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_sas() {
        let t = BlobTarget {
            container_url: Url::parse("https://a.blob.core.windows.net/bronze?sv=1&sig=SECRET").expect("url"),
            auth: BlobAuthKind::Sas,
            setting: "THE_SETTING",
            retry_seconds: 60,
        };
        assert!(!format!("{t:?}").contains("SECRET"));
        assert_eq!(t.redacted(), "https://a.blob.core.windows.net/bronze");
    }
}
