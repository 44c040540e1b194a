//! Deterministic placeholders for computed values, shaped like what Azure returns: ARM resource
//! ids for `id`, UUIDs for principal, tenant and client ids, URLs for endpoints. The same
//! configuration always gets the same values, so two applies (and `terraform test` runs) agree.

use rmpv::Value;
use sha2::{Digest, Sha256};

use crate::schema::Ty;
use crate::values::{number_attr, string_attr};

/// The subscription of ids when the provider configuration names none.
pub const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// Placeholders for one object (a resource instance or a data source read).
#[derive(Debug)]
pub struct Placeholders {
    resource_type: String,
    name: String,
    resource_group: Option<String>,
    length: Option<u64>,
    subscription: String,
    seed: [u8; 32],
}

impl Placeholders {
    /// `object` is the planned value (unknowns included): its bytes key every placeholder, and
    /// its `name` and `resource_group_name` shape the ARM id.
    pub fn new(resource_type: &str, object: &Value, subscription: Option<&str>) -> Self {
        let mut bytes = Vec::new();
        // Writing to a Vec cannot fail; an empty seed would still be deterministic.
        let _ = rmpv::encode::write_value(&mut bytes, object);
        let mut hasher = Sha256::new();
        hasher.update(resource_type.as_bytes());
        hasher.update(&bytes);
        let seed: [u8; 32] = hasher.finalize().into();
        let name = string_attr(object, "name")
            .map(str::to_owned)
            .unwrap_or_else(|| hex(&seed[..6]));
        Placeholders {
            resource_type: resource_type.to_owned(),
            name,
            resource_group: string_attr(object, "resource_group_name").map(str::to_owned),
            length: number_attr(object, "length"),
            subscription: subscription.unwrap_or(SUBSCRIPTION).to_owned(),
            seed,
        }
    }

    fn digest(&self, attribute: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.seed);
        hasher.update(attribute.as_bytes());
        hasher.finalize().into()
    }

    fn uuid(&self, attribute: &str) -> String {
        let h = hex(&self.digest(attribute)[..16]);
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    fn arm_id(&self) -> String {
        let sub = format!("/subscriptions/{}", self.subscription);
        let kind = self
            .resource_type
            .strip_prefix("azurerm_")
            .unwrap_or(&self.resource_type);
        match (&self.resource_group, kind) {
            (_, "resource_group") => format!("{sub}/resourceGroups/{}", self.name),
            (Some(rg), _) => format!(
                "{sub}/resourceGroups/{rg}/providers/Microsoft.Standin/{kind}/{}",
                self.name
            ),
            (None, _) => format!("{sub}/providers/Microsoft.Standin/{kind}/{}", self.name),
        }
    }

    fn string(&self, attribute: &str) -> String {
        let short = hex(&self.digest(attribute)[..4]);
        let is_azure = self.resource_type.starts_with("azurerm_");
        if attribute == "id" {
            return if is_azure {
                self.arm_id()
            } else {
                format!("{}-{short}", self.name)
            };
        }
        if attribute == "result" {
            // random_string / random_password: lower-case letters and digits of the asked length.
            let len = self.length.unwrap_or(16).min(256) as usize;
            let mut out = String::new();
            let mut i = 0u32;
            while out.len() < len {
                for b in self.digest(&format!("result{i}")) {
                    if out.len() < len {
                        out.push(char::from(
                            b"abcdefghijklmnopqrstuvwxyz0123456789"[b as usize % 36],
                        ));
                    }
                }
                i += 1;
            }
            return out;
        }
        let uuid_like = [
            "principal_id",
            "tenant_id",
            "client_id",
            "object_id",
            "subscription_id",
            "application_id",
        ];
        if uuid_like.iter().any(|s| attribute.ends_with(s)) {
            return if attribute == "subscription_id" {
                self.subscription.clone()
            } else {
                self.uuid(attribute)
            };
        }
        let host = format!("{}-{short}.standin.invalid", self.name.replace('_', "-"));
        if ["endpoint", "url", "uri"].iter().any(|s| attribute.contains(s)) {
            return format!("https://{host}/");
        }
        if ["host", "fqdn", "domain_name", "hostname"]
            .iter()
            .any(|s| attribute.contains(s))
        {
            return host;
        }
        if attribute.ends_with("_id") && is_azure {
            return format!("{}/{attribute}/{short}", self.arm_id());
        }
        format!("{attribute}-{short}")
    }

    /// A known value of type `ty` for `attribute`.
    pub fn value(&self, attribute: &str, ty: &Ty) -> Value {
        match ty {
            Ty::String | Ty::Dynamic => Value::from(self.string(attribute)),
            Ty::Number => Value::from(0),
            Ty::Bool => Value::from(false),
            Ty::List(_) | Ty::Set(_) | Ty::Tuple(_) => Value::Array(Vec::new()),
            Ty::Map(_) => Value::Map(Vec::new()),
            // Fields in name order (the schema's BTreeMap), as cty encodes objects.
            Ty::Object(fields) => Value::Map(
                fields
                    .iter()
                    .map(|(k, t)| (Value::from(k.as_str()), self.value(k, t)))
                    .collect(),
            ),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(name: &str) -> Value {
        Value::Map(vec![
            ("name".into(), name.into()),
            ("resource_group_name".into(), "rg-playground".into()),
            ("length".into(), 6.into()),
        ])
    }

    #[test]
    fn ids_are_arm_shaped_and_the_same_config_gives_the_same_values() {
        let a = Placeholders::new("azurerm_storage_account", &object("lake"), None);
        let b = Placeholders::new("azurerm_storage_account", &object("lake"), None);
        let id = a.string("id");
        assert_eq!(
            id,
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-playground/providers/Microsoft.Standin/storage_account/lake"
        );
        assert_eq!(id, b.string("id"));
        assert_eq!(a.string("principal_id"), b.string("principal_id"));
        let other = Placeholders::new("azurerm_storage_account", &object("other"), None);
        assert_ne!(a.string("principal_id"), other.string("principal_id"));
        assert!(a.string("primary_blob_endpoint").starts_with("https://lake-"));
    }

    #[test]
    fn random_results_have_the_configured_length() {
        let p = Placeholders::new("random_string", &object("x"), None);
        let r = p.string("result");
        assert_eq!(r.len(), 6);
        assert!(r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    }
}
