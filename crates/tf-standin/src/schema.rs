//! The provider schema file (`schema.json` beside the binary), in the shape of
//! `terraform providers schema -json`, and its conversion to the plugin protocol's schema.
//!
//! `tools/terraform/standin_schema.py` writes it from the pinned `@cdktf/provider-*` npm
//! packages, so Terraform type-checks the template against the real provider's arguments.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use tf_provider::schema::{
    Attribute, AttributeConstraint, AttributeType, Block, Description, NestedBlock, Schema,
};

/// Why a schema file cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("cannot read the schema file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the schema file {path} is not a provider schema: {source}")]
    Parse { path: String, source: serde_json::Error },
    #[error("unsupported type {0} in the schema file")]
    Type(String),
}

/// One provider's schema file.
#[derive(Debug, Deserialize)]
pub struct ProviderFile {
    /// Provider name, the prefix of its resource types: `azurerm`.
    pub name: String,
    /// Registry namespace, e.g. `hashicorp`.
    pub namespace: String,
    /// The real provider version the schema was generated from.
    pub provider_version: String,
    pub provider: SchemaJson,
    pub resource_schemas: BTreeMap<String, SchemaJson>,
    pub data_source_schemas: BTreeMap<String, SchemaJson>,
}

impl ProviderFile {
    pub fn load(path: &Path) -> Result<Self, SchemaError> {
        let text = std::fs::read(path).map_err(|source| SchemaError::Read {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_slice(&text).map_err(|source| SchemaError::Parse {
            path: path.display().to_string(),
            source,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct SchemaJson {
    #[serde(default)]
    pub version: i64,
    pub block: BlockJson,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct BlockJson {
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeJson>,
    #[serde(default)]
    pub block_types: BTreeMap<String, BlockTypeJson>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AttributeJson {
    /// A cty type in JSON form: `"string"`, `["list", "string"]`, `["object", {...}]`.
    #[serde(rename = "type")]
    pub ty: Option<serde_json::Value>,
    pub nested_type: Option<NestedTypeJson>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub computed: bool,
    #[serde(default)]
    pub sensitive: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NestedTypeJson {
    pub attributes: BTreeMap<String, AttributeJson>,
    pub nesting_mode: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BlockTypeJson {
    pub nesting_mode: String,
    pub block: BlockJson,
    #[serde(default)]
    pub max_items: u64,
}

/// The type of a value, as the placeholders need it.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    Number,
    Bool,
    Dynamic,
    List(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>),
    Object(BTreeMap<String, Ty>),
    Tuple(Vec<Ty>),
}

impl Ty {
    pub fn parse(json: &serde_json::Value) -> Result<Ty, SchemaError> {
        use serde_json::Value as J;
        let bad = || SchemaError::Type(json.to_string());
        match json {
            J::String(s) => match s.as_str() {
                "string" => Ok(Ty::String),
                "number" => Ok(Ty::Number),
                "bool" => Ok(Ty::Bool),
                "dynamic" => Ok(Ty::Dynamic),
                _ => Err(bad()),
            },
            J::Array(parts) if parts.len() == 2 => {
                let kind = parts[0].as_str().ok_or_else(bad)?;
                match kind {
                    "list" => Ok(Ty::List(Box::new(Ty::parse(&parts[1])?))),
                    "set" => Ok(Ty::Set(Box::new(Ty::parse(&parts[1])?))),
                    "map" => Ok(Ty::Map(Box::new(Ty::parse(&parts[1])?))),
                    "object" => {
                        let fields = parts[1].as_object().ok_or_else(bad)?;
                        let mut out = BTreeMap::new();
                        for (k, v) in fields {
                            out.insert(k.clone(), Ty::parse(v)?);
                        }
                        Ok(Ty::Object(out))
                    }
                    "tuple" => {
                        let items = parts[1].as_array().ok_or_else(bad)?;
                        Ok(Ty::Tuple(items.iter().map(Ty::parse).collect::<Result<_, _>>()?))
                    }
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }

    fn to_plugin(&self) -> AttributeType {
        match self {
            Ty::String => AttributeType::String,
            Ty::Number => AttributeType::Number,
            Ty::Bool => AttributeType::Bool,
            Ty::Dynamic => AttributeType::Any,
            Ty::List(t) => AttributeType::List(Box::new(t.to_plugin())),
            Ty::Set(t) => AttributeType::Set(Box::new(t.to_plugin())),
            Ty::Map(t) => AttributeType::Map(Box::new(t.to_plugin())),
            Ty::Object(f) => {
                AttributeType::Object(f.iter().map(|(k, v)| (k.clone(), v.to_plugin())).collect())
            }
            Ty::Tuple(items) => AttributeType::Tuple(items.iter().map(Ty::to_plugin).collect()),
        }
    }
}

impl AttributeJson {
    /// The value type of the attribute (nested attributes as objects).
    pub fn ty(&self) -> Result<Ty, SchemaError> {
        if let Some(nested) = &self.nested_type {
            let mut fields = BTreeMap::new();
            for (k, v) in &nested.attributes {
                fields.insert(k.clone(), v.ty()?);
            }
            let object = Ty::Object(fields);
            return Ok(match nested.nesting_mode.as_str() {
                "list" => Ty::List(Box::new(object)),
                "set" => Ty::Set(Box::new(object)),
                "map" => Ty::Map(Box::new(object)),
                _ => object,
            });
        }
        match &self.ty {
            Some(t) => Ty::parse(t),
            None => Err(SchemaError::Type("an attribute without a type".into())),
        }
    }

    fn to_plugin(&self) -> Result<Attribute, SchemaError> {
        // Nested attributes are served as plain object types: tf-provider 0.2.2 sends both
        // `type` and `nested_type` for them, which Terraform rejects. The syntax
        // (`name = { ... }`) is the same; only per-field optionality is lost (the template uses
        // no nested attributes: they occur only in plugin-framework databricks resources).
        let attr_type = self.ty()?.to_plugin();
        let constraint = match (self.required, self.optional, self.computed) {
            (true, _, _) => AttributeConstraint::Required,
            (false, true, true) => AttributeConstraint::OptionalComputed,
            (false, true, false) => AttributeConstraint::Optional,
            (false, false, _) => AttributeConstraint::Computed,
        };
        Ok(Attribute {
            attr_type,
            description: Description::plain(""),
            constraint,
            sensitive: self.sensitive,
            deprecated: false,
        })
    }
}

fn attributes_to_plugin(
    attrs: &BTreeMap<String, AttributeJson>,
) -> Result<HashMap<String, Attribute>, SchemaError> {
    attrs
        .iter()
        .map(|(k, v)| Ok((k.clone(), v.to_plugin()?)))
        .collect()
}

impl BlockJson {
    fn to_plugin(&self) -> Result<Block, SchemaError> {
        let mut blocks = HashMap::new();
        for (name, bt) in &self.block_types {
            let inner = bt.block.to_plugin()?;
            // The plugin library has no "at least one" for list blocks, and its single blocks
            // are required: a single block (only `timeouts` in SDKv2 providers) is served as a
            // list of at most one, which accepts the same syntax.
            let nested = match (bt.nesting_mode.as_str(), bt.max_items) {
                ("set", _) => NestedBlock::Set(inner),
                ("map", _) => NestedBlock::Map(inner),
                ("single", _) | ("group", _) | ("list", 1) => NestedBlock::Optional(inner),
                _ => NestedBlock::List(inner),
            };
            blocks.insert(name.clone(), nested);
        }
        Ok(Block {
            version: 0,
            attributes: attributes_to_plugin(&self.attributes)?,
            blocks,
            description: Description::plain(""),
            deprecated: false,
        })
    }
}

impl SchemaJson {
    pub fn to_plugin(&self) -> Result<Schema, SchemaError> {
        Ok(Schema {
            version: self.version,
            block: self.block.to_plugin()?,
        })
    }
}
