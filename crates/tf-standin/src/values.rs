//! What a provider does to values: on plan, computed attributes the configuration leaves unset
//! become unknown; on apply (and when a data source is read) every unknown becomes a
//! deterministic placeholder of its type.
//!
//! Values are Terraform's MessagePack objects decoded generically (`rmpv`): an object is a map
//! keyed by attribute name, a nested block a list (or map) of such objects, an unknown value
//! the extension type 0 (or 12, a refined unknown, from newer Terraform).

use rmpv::Value;

use crate::placeholder::Placeholders;
use crate::schema::{AttributeJson, BlockJson, Ty};

/// cty's MessagePack encoding of an unknown value.
pub fn unknown() -> Value {
    Value::Ext(0, vec![0])
}

fn is_unknown(v: &Value) -> bool {
    // 0: unknown; 12: unknown with refinements (e.g. "not null").
    matches!(v, Value::Ext(0 | 12, _))
}

fn get_mut<'v>(object: &'v mut Value, key: &str) -> Option<&'v mut Value> {
    match object {
        Value::Map(entries) => entries
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Each element object of a nested block's value (a list, set or map of objects, or one object).
fn elements_mut(value: &mut Value) -> Vec<&mut Value> {
    match value {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Map(entries) if entries.iter().all(|(_, v)| matches!(v, Value::Map(_))) => {
            // A map block: name -> object. An object block itself is handled by the caller.
            entries.iter_mut().map(|(_, v)| v).collect()
        }
        _ => Vec::new(),
    }
}

/// Plan of a new object: computed attributes that are null become unknown, in nested blocks too.
pub fn mark_computed_unknown(block: &BlockJson, object: &mut Value) {
    for (name, attr) in &block.attributes {
        if let Some(v) = get_mut(object, name)
            && attr.computed
            && v.is_nil()
        {
            *v = unknown();
        }
    }
    for (name, bt) in &block.block_types {
        if let Some(v) = get_mut(object, name) {
            if matches!(v, Value::Map(_)) && bt.nesting_mode == "single" {
                mark_computed_unknown(&bt.block, v);
            } else {
                for element in elements_mut(v) {
                    mark_computed_unknown(&bt.block, element);
                }
            }
        }
    }
}

/// Apply, and reading a data source: every unknown, and every computed attribute still null,
/// gets a placeholder, so the stored state is wholly known as Terraform requires.
pub fn fill(block: &BlockJson, object: &mut Value, ph: &Placeholders, fill_null: bool) {
    for (name, attr) in &block.attributes {
        if let Some(v) = get_mut(object, name) {
            fill_attribute(name, attr, v, ph, fill_null);
        }
    }
    for (name, bt) in &block.block_types {
        if let Some(v) = get_mut(object, name) {
            if is_unknown(v) {
                *v = Value::Array(Vec::new());
            } else if matches!(v, Value::Map(_)) && bt.nesting_mode == "single" {
                fill(&bt.block, v, ph, fill_null);
            } else {
                for element in elements_mut(v) {
                    fill(&bt.block, element, ph, fill_null);
                }
            }
        }
    }
}

fn fill_attribute(name: &str, attr: &AttributeJson, v: &mut Value, ph: &Placeholders, fill_null: bool) {
    let Ok(ty) = attr.ty() else { return };
    if is_unknown(v) || (fill_null && attr.computed && v.is_nil()) {
        *v = ph.value(name, &ty);
    } else {
        replace_unknowns(name, &ty, v, ph);
    }
}

/// Unknowns inside a known collection (e.g. a list whose element came from an unknown).
fn replace_unknowns(name: &str, ty: &Ty, v: &mut Value, ph: &Placeholders) {
    if is_unknown(v) {
        *v = ph.value(name, ty);
        return;
    }
    match (ty, v) {
        (Ty::List(t) | Ty::Set(t), Value::Array(items)) => {
            for item in items {
                replace_unknowns(name, t, item, ph);
            }
        }
        (Ty::Map(t), Value::Map(entries)) => {
            for (_, item) in entries {
                replace_unknowns(name, t, item, ph);
            }
        }
        (Ty::Object(fields), Value::Map(entries)) => {
            for (k, item) in entries {
                if let Some(t) = k.as_str().and_then(|k| fields.get(k)) {
                    let field = k.as_str().unwrap_or(name).to_owned();
                    replace_unknowns(&field, t, item, ph);
                }
            }
        }
        _ => {}
    }
}

/// A string attribute of an object, if known.
pub fn string_attr<'v>(object: &'v Value, key: &str) -> Option<&'v str> {
    match object {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .and_then(|(_, v)| v.as_str()),
        _ => None,
    }
}

/// A number attribute of an object, if known.
pub fn number_attr(object: &Value, key: &str) -> Option<u64> {
    match object {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .and_then(|(_, v)| v.as_u64().or_else(|| v.as_f64().map(|f| f as u64))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SchemaJson;

    fn schema() -> BlockJson {
        let json = serde_json::json!({"block": {
            "attributes": {
                "id": {"type": "string", "optional": true, "computed": true},
                "name": {"type": "string", "required": true},
                "tags": {"type": ["map", "string"], "optional": true},
                "principal_ids": {"type": ["list", "string"], "computed": true},
                "count": {"type": "number", "computed": true}
            },
            "block_types": {"identity": {"nesting_mode": "list", "max_items": 1, "block": {
                "attributes": {
                    "type": {"type": "string", "required": true},
                    "principal_id": {"type": "string", "computed": true}
                }}}}
        }});
        serde_json::from_value::<SchemaJson>(json).expect("schema").block
    }

    fn object(identity: Value) -> Value {
        Value::Map(vec![
            ("id".into(), Value::Nil),
            ("name".into(), "x".into()),
            ("tags".into(), Value::Nil),
            ("principal_ids".into(), Value::Nil),
            ("count".into(), Value::Nil),
            ("identity".into(), identity),
        ])
    }

    fn identity(principal: Value) -> Value {
        Value::Array(vec![Value::Map(vec![
            ("type".into(), "UserAssigned".into()),
            ("principal_id".into(), principal),
        ])])
    }

    #[test]
    fn plan_marks_only_unset_computed_attributes_unknown_in_blocks_too() {
        let mut v = object(identity(Value::Nil));
        mark_computed_unknown(&schema(), &mut v);
        assert!(is_unknown(get_mut(&mut v, "id").expect("id")));
        assert!(is_unknown(get_mut(&mut v, "count").expect("count")));
        assert_eq!(
            get_mut(&mut v, "tags"),
            Some(&mut Value::Nil),
            "optional, not computed"
        );
        assert_eq!(string_attr(&v, "name"), Some("x"));
        let mut expected = identity(unknown());
        assert_eq!(get_mut(&mut v, "identity"), Some(&mut expected));
    }

    #[test]
    fn apply_leaves_no_unknown_and_gives_each_type_its_placeholder() {
        let mut v = object(identity(Value::Nil));
        let block = schema();
        mark_computed_unknown(&block, &mut v);
        let ph = Placeholders::new("azurerm_user_assigned_identity", &v, None);
        fill(&block, &mut v, &ph, false);
        let text = format!("{v}");
        assert!(!text.contains("Ext"), "{text}");
        let id = string_attr(&v, "id").expect("id").to_owned();
        assert!(id.starts_with("/subscriptions/"), "{id}");
        assert_eq!(number_attr(&v, "count"), Some(0));
        let Some(Value::Array(items)) = get_mut(&mut v, "identity") else {
            panic!("identity")
        };
        let principal = string_attr(&items[0], "principal_id").expect("principal_id");
        assert_eq!(principal.len(), 36, "{principal}");
        assert_eq!(principal.matches('-').count(), 4, "{principal}");
    }
}
