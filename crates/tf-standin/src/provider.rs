//! The stand-in provider: the real schema, and the behaviour Terraform's protocol requires of
//! any provider (plan marks computed values unknown, apply makes them known), with nothing
//! created anywhere. Values are kept as decoded MessagePack so every type passes through.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rmpv::Value;
use tf_provider::schema::Schema;
use tf_provider::{
    AttributePath, DataSource, Diagnostics, DynamicDataSource, DynamicResource, Provider, Resource,
};

use crate::placeholder::Placeholders;
use crate::schema::{ProviderFile, SchemaJson};
use crate::values::{fill, mark_computed_unknown, string_attr};

/// The subscription named in the provider configuration, shared with its resources' ids.
type Subscription = Arc<Mutex<Option<String>>>;

#[derive(Debug)]
pub struct StandinProvider {
    file: Arc<ProviderFile>,
    name: String,
    subscription: Subscription,
}

impl StandinProvider {
    pub fn new(name: String, file: ProviderFile) -> Self {
        StandinProvider {
            file: Arc::new(file),
            name,
            subscription: Arc::default(),
        }
    }

    /// One stand-in per resource or data source type, keyed by the type without the provider
    /// prefix, as the plugin library registers them (it adds `<name>_` back).
    fn instances<'s>(
        &'s self,
        types: &'s BTreeMap<String, SchemaJson>,
    ) -> impl Iterator<Item = (String, StandinResource)> + 's {
        let prefix = format!("{}_", self.name);
        types.iter().filter_map(move |(t, schema)| {
            let short = t.strip_prefix(&prefix)?;
            Some((
                short.to_owned(),
                StandinResource {
                    type_name: t.clone(),
                    schema: schema.clone(),
                    subscription: self.subscription.clone(),
                },
            ))
        })
    }
}

fn to_plugin(schema: &SchemaJson, diags: &mut Diagnostics) -> Option<Schema> {
    match schema.to_plugin() {
        Ok(s) => Some(s),
        Err(e) => {
            diags.root_error_short(e.to_string());
            None
        }
    }
}

#[async_trait]
impl Provider for StandinProvider {
    type Config<'a> = Value;
    type MetaState<'a> = Value;

    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema> {
        to_plugin(&self.file.provider, diags)
    }

    async fn configure<'a>(
        &self,
        _diags: &mut Diagnostics,
        _terraform_version: String,
        config: Value,
    ) -> Option<()> {
        if let Some(sub) = string_attr(&config, "subscription_id")
            && let Ok(mut guard) = self.subscription.lock()
        {
            *guard = Some(sub.to_owned());
        }
        Some(())
    }

    fn get_resources(&self, _diags: &mut Diagnostics) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
        Some(
            self.instances(&self.file.resource_schemas)
                .map(|(short, r)| (short, Box::new(r) as Box<dyn DynamicResource>))
                .collect(),
        )
    }

    fn get_data_sources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicDataSource>>> {
        Some(
            self.instances(&self.file.data_source_schemas)
                .map(|(short, d)| (short, Box::new(d) as Box<dyn DynamicDataSource>))
                .collect(),
        )
    }
}

/// One resource or data source type.
#[derive(Debug)]
struct StandinResource {
    type_name: String,
    schema: SchemaJson,
    subscription: Subscription,
}

impl StandinResource {
    /// Every unknown (and, for a data source, every unset computed value) made known.
    fn known(&self, mut value: Value, fill_null: bool) -> Value {
        let sub = self.subscription.lock().ok().and_then(|g| g.clone());
        let ph = Placeholders::new(&self.type_name, &value, sub.as_deref());
        fill(&self.schema.block, &mut value, &ph, fill_null);
        value
    }
}

#[async_trait]
impl Resource for StandinResource {
    type State<'a> = Value;
    type PrivateState<'a> = Value;
    type ProviderMetaState<'a> = Value;

    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema> {
        to_plugin(&self.schema, diags)
    }

    async fn read<'a>(
        &self,
        _diags: &mut Diagnostics,
        state: Value,
        private_state: Value,
        _meta: Value,
    ) -> Option<(Value, Value)> {
        Some((state, private_state))
    }

    async fn plan_create<'a>(
        &self,
        _diags: &mut Diagnostics,
        proposed_state: Value,
        _config_state: Value,
        _meta: Value,
    ) -> Option<(Value, Value)> {
        let mut planned = proposed_state;
        mark_computed_unknown(&self.schema.block, &mut planned);
        Some((planned, Value::Nil))
    }

    async fn plan_update<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior_state: Value,
        proposed_state: Value,
        _config_state: Value,
        prior_private_state: Value,
        _meta: Value,
    ) -> Option<(Value, Value, Vec<AttributePath>)> {
        // Terraform's proposed state already keeps the prior computed values.
        Some((proposed_state, prior_private_state, Vec::new()))
    }

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior_state: Value,
        prior_private_state: Value,
        _meta: Value,
    ) -> Option<Value> {
        Some(prior_private_state)
    }

    async fn create<'a>(
        &self,
        _diags: &mut Diagnostics,
        planned_state: Value,
        _config_state: Value,
        planned_private_state: Value,
        _meta: Value,
    ) -> Option<(Value, Value)> {
        Some((self.known(planned_state, false), planned_private_state))
    }

    async fn update<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior_state: Value,
        planned_state: Value,
        _config_state: Value,
        planned_private_state: Value,
        _meta: Value,
    ) -> Option<(Value, Value)> {
        Some((self.known(planned_state, false), planned_private_state))
    }

    async fn destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior_state: Value,
        _planned_private_state: Value,
        _meta: Value,
    ) -> Option<()> {
        Some(())
    }
}

#[async_trait]
impl DataSource for StandinResource {
    type State<'a> = Value;
    type ProviderMetaState<'a> = Value;

    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema> {
        to_plugin(&self.schema, diags)
    }

    async fn read<'a>(&self, _diags: &mut Diagnostics, config: Value, _meta: Value) -> Option<Value> {
        Some(self.known(config, true))
    }
}
