//! The imported spec out: YAML with its keys in the order people read
//! OpenAPI in, after a header comment.

use serde_json::Value;

/// The imported spec as YAML, keys in the order people read OpenAPI in,
/// after a header comment.
pub fn to_yaml(doc: &Value, label: &str) -> anyhow::Result<String> {
    let yaml = serde_norway::to_string(&ordered(doc))?;
    Ok(format!(
        "# Imported by `cargo xtask import` from {label}.\n# Every change to upstream is listed in the import report; see openapi/README.md.\n{yaml}"
    ))
}

/// Key order for the output: the document's top level, then a list that
/// fits operations, parameters and schemas; other keys keep their (sorted)
/// order after those.
const TOP_ORDER: [&str; 7] = [
    "openapi",
    "info",
    "servers",
    "security",
    "tags",
    "paths",
    "components",
];

const KEY_ORDER: [&str; 26] = [
    "operationId",
    "name",
    "in",
    "required",
    "tags",
    "summary",
    "title",
    "description",
    "security",
    "parameters",
    "requestBody",
    "responses",
    "type",
    "format",
    "nullable",
    "enum",
    "default",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "items",
    "properties",
    "example",
    "content",
];

fn ordered(value: &Value) -> serde_norway::Value {
    match value {
        Value::Object(map) => {
            let order: &[&str] = if map.contains_key("openapi") {
                &TOP_ORDER
            } else {
                &KEY_ORDER
            };
            let mut keys: Vec<&String> = map.keys().collect();
            let rank = |k: &str| {
                // A schema's `required` list reads best just before its
                // properties; a parameter's `required` flag near its name.
                let k = if k == "required" && map[k].is_array() {
                    "properties"
                } else {
                    k
                };
                order.iter().position(|o| *o == k).unwrap_or(order.len())
            };
            keys.sort_by_key(|k| rank(k));
            let mut out = serde_norway::Mapping::new();
            for k in keys {
                out.insert(
                    serde_norway::Value::String(k.clone()),
                    ordered(&map[k.as_str()]),
                );
            }
            serde_norway::Value::Mapping(out)
        }
        Value::Array(items) => serde_norway::Value::Sequence(items.iter().map(ordered).collect()),
        Value::String(s) => serde_norway::Value::String(s.clone()),
        Value::Number(n) => serde_norway::to_value(n).unwrap_or(serde_norway::Value::Null),
        Value::Bool(b) => serde_norway::Value::Bool(*b),
        Value::Null => serde_norway::Value::Null,
    }
}
