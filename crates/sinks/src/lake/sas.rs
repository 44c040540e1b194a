//! Storage connection strings and the account SAS signed from their key.
//!
//! `azure_storage_blob` 1.x authenticates with a SAS in the URL or an Entra ID token, not with
//! an account key, so a connection string's key is used to sign a short-lived account SAS
//! (the "Create an account SAS" string-to-sign, HMAC-SHA256), which then goes in the URL.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Azurite's well-known development account (public, documented by Microsoft).
const DEV_ACCOUNT: &str = "devstoreaccount1";
const DEV_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const DEV_BLOB_ENDPOINT: &str = "http://127.0.0.1:10000/devstoreaccount1";

/// The service version the SAS is signed for.
pub const SAS_VERSION: &str = "2023-11-03";

/// A parsed connection string: the blob endpoint, the account and its key. `Debug` hides the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionString {
    /// Account name.
    pub account: String,
    /// Account key, base64 as given.
    key: String,
    /// Blob service endpoint, without a trailing slash.
    pub blob_endpoint: String,
}

impl fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionString")
            .field("account", &self.account)
            .field("key", &"<redacted>")
            .field("blob_endpoint", &self.blob_endpoint)
            .finish()
    }
}

/// What is wrong with a connection string (never includes the string itself).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadConnectionString(String);

impl ConnectionString {
    /// Parses `UseDevelopmentStorage=true` or `AccountName=..;AccountKey=..;` with either
    /// `BlobEndpoint=..` or `DefaultEndpointsProtocol` and `EndpointSuffix`.
    pub fn parse(s: &str) -> Result<ConnectionString, BadConnectionString> {
        let mut account = None;
        let mut key = None;
        let mut endpoint = None;
        let mut protocol = "https".to_owned();
        let mut suffix = "core.windows.net".to_owned();
        let mut dev = false;
        for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| BadConnectionString("expected Key=Value pairs separated by ';'".into()))?;
            match k.to_ascii_lowercase().as_str() {
                "usedevelopmentstorage" => dev = v.eq_ignore_ascii_case("true"),
                "accountname" => account = Some(v.to_owned()),
                "accountkey" => key = Some(v.to_owned()),
                "blobendpoint" => endpoint = Some(v.trim_end_matches('/').to_owned()),
                "defaultendpointsprotocol" => protocol = v.to_owned(),
                "endpointsuffix" => suffix = v.to_owned(),
                _ => {}
            }
        }
        if dev {
            return Ok(ConnectionString {
                account: account.unwrap_or_else(|| DEV_ACCOUNT.into()),
                key: key.unwrap_or_else(|| DEV_KEY.into()),
                blob_endpoint: endpoint.unwrap_or_else(|| DEV_BLOB_ENDPOINT.into()),
            });
        }
        let account = account.ok_or_else(|| BadConnectionString("AccountName is missing".into()))?;
        let key = key.ok_or_else(|| BadConnectionString("AccountKey is missing".into()))?;
        if STANDARD.decode(&key).is_err() {
            return Err(BadConnectionString("AccountKey is not base64".into()));
        }
        let blob_endpoint = endpoint.unwrap_or_else(|| format!("{protocol}://{account}.blob.{suffix}"));
        Ok(ConnectionString {
            account,
            key,
            blob_endpoint,
        })
    }

    /// An account SAS (blob service; service, container and object resources; read, write,
    /// delete, list, add, create) valid from five minutes ago until `expiry`: the query string,
    /// without the leading `?`.
    pub fn account_sas(&self, now: DateTime<Utc>, expiry: DateTime<Utc>) -> String {
        self.account_sas_for("rwdlac", "sco", now, expiry)
    }

    /// An account SAS for the blob service with the given `permissions` (e.g. `rwl`) and
    /// `resource_types` (e.g. `co`), valid from five minutes ago until `expiry`: what the
    /// least-permission tests hand a service.
    pub fn account_sas_for(
        &self,
        permissions: &str,
        resource_types: &str,
        now: DateTime<Utc>,
        expiry: DateTime<Utc>,
    ) -> String {
        let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let start = fmt(now - chrono::TimeDelta::minutes(5));
        let expiry = fmt(expiry);
        let (services, protocol) = ("b", "https,http");
        // Account SAS string-to-sign for versions 2020-12-06 and later (with encryption scope).
        let to_sign = format!(
            "{}\n{permissions}\n{services}\n{resource_types}\n{start}\n{expiry}\n\n{protocol}\n{SAS_VERSION}\n\n",
            self.account
        );
        let key = STANDARD.decode(&self.key).unwrap_or_default();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(to_sign.as_bytes());
        let sig = STANDARD.encode(mac.finalize().into_bytes());
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("sv", SAS_VERSION)
            .append_pair("ss", services)
            .append_pair("srt", resource_types)
            .append_pair("sp", permissions)
            .append_pair("st", &start)
            .append_pair("se", &expiry)
            .append_pair("spr", protocol)
            .append_pair("sig", &sig)
            .finish()
    }
}

impl ConnectionString {
    /// A service SAS for one container (`sr=c`), as the Python version's Terraform made with
    /// `azurerm_storage_account_blob_container_sas`: `permissions` such as `racwdl`, valid from
    /// five minutes ago until `expiry`. The query string, without the leading `?`.
    pub fn container_sas(
        &self,
        container: &str,
        permissions: &str,
        now: DateTime<Utc>,
        expiry: DateTime<Utc>,
    ) -> String {
        let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let start = fmt(now - chrono::TimeDelta::minutes(5));
        let expiry = fmt(expiry);
        let protocol = "https,http";
        // Blob service SAS string-to-sign for versions 2020-12-06 and later: permissions,
        // start, expiry, resource, identifier, IP, protocol, version, resource type, snapshot
        // time, encryption scope, then the five response headers.
        let resource = format!("/blob/{}/{container}", self.account);
        let to_sign = format!(
            "{permissions}\n{start}\n{expiry}\n{resource}\n\n\n{protocol}\n{SAS_VERSION}\nc\n\n\n\n\n\n\n"
        );
        let key = STANDARD.decode(&self.key).unwrap_or_default();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(to_sign.as_bytes());
        let sig = STANDARD.encode(mac.finalize().into_bytes());
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("sv", SAS_VERSION)
            .append_pair("sr", "c")
            .append_pair("sp", permissions)
            .append_pair("st", &start)
            .append_pair("se", &expiry)
            .append_pair("spr", protocol)
            .append_pair("sig", &sig)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_and_hides_the_key() {
        let dev = ConnectionString::parse("UseDevelopmentStorage=true").expect("dev");
        assert_eq!(dev.account, "devstoreaccount1");
        assert_eq!(dev.blob_endpoint, "http://127.0.0.1:10000/devstoreaccount1");
        let cs = ConnectionString::parse(
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net",
        )
        .expect("azure");
        assert_eq!(cs.blob_endpoint, "https://acct.blob.core.windows.net");
        assert!(!format!("{cs:?}").contains("c2VjcmV0"));
        assert!(ConnectionString::parse("AccountName=a").is_err());
        assert!(ConnectionString::parse("AccountName=a;AccountKey=!!").is_err());
        assert!(ConnectionString::parse("garbage").is_err());
    }

    #[test]
    fn signs_the_documented_string() {
        // Known answer computed independently (Python: hmac.new(b64decode(key),
        // to_sign, sha256)), for the dev account, fixed instants.
        let cs = ConnectionString::parse("UseDevelopmentStorage=true").expect("dev");
        let now = DateTime::parse_from_rfc3339("2025-01-01T00:05:00Z")
            .expect("t")
            .with_timezone(&Utc);
        let exp = DateTime::parse_from_rfc3339("2025-01-01T01:00:00Z")
            .expect("t")
            .with_timezone(&Utc);
        let q = cs.account_sas(now, exp);
        assert!(q.starts_with("sv=2023-11-03&ss=b&srt=sco&sp=rwdlac&st=2025-01-01T00%3A00%3A00Z&se=2025-01-01T01%3A00%3A00Z&spr=https%2Chttp&sig="), "{q}");
        let sig = q.rsplit("sig=").next().expect("sig");
        assert_eq!(sig, KNOWN_SIG);
    }

    const KNOWN_SIG: &str = "nNKyarS9GxQItPUSHdqRZ5ZnoIzsuYXB%2BlQgCyYPK%2Fg%3D";
}
