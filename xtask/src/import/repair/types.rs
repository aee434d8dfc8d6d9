//! Types and formats that do not say what the value is: objects that are
//! scalars, formats without a type or on booleans, millisecond
//! timestamps written as `date-time`, defaults of the wrong type.

use serde_json::{Map, Value, json};

use super::super::Ctx;
use super::super::places::{edit_schemas, text_of};
use crate::keywords;

/// What a schema's keywords and example say its type is, when it is not an
/// object.
fn scalar_evidence(map: &Map<String, Value>) -> Option<(&'static str, String)> {
    if map.contains_key("items") {
        return Some(("array", "it has `items`".into()));
    }
    if let Some(f) = map.get("format").and_then(Value::as_str) {
        let t = format_type(f);
        return Some((t, format!("it has `format: {f}`")));
    }
    for key in keywords::string_limits() {
        if map.contains_key(key) {
            return Some(("string", format!("it has `{key}`")));
        }
    }
    let example = map.get("example");
    if ["minimum", "maximum"].iter().any(|k| map.contains_key(*k)) {
        let integral = ["minimum", "maximum"]
            .iter()
            .filter_map(|k| map.get(*k))
            .chain(example)
            .all(|v| v.is_i64() || v.is_u64());
        let t = if integral { "integer" } else { "number" };
        return Some((t, "it has `minimum`/`maximum`".into()));
    }
    let t = match example? {
        Value::String(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Array(_) => "array",
        v if v.is_i64() || v.is_u64() => "integer",
        Value::Number(_) => "number",
        _ => return None,
    };
    Some((t, "its example is one".into()))
}

/// The type a `format` belongs to.
fn format_type(format: &str) -> &'static str {
    match format {
        "int32" | "int64" => "integer",
        "float" | "double" => "number",
        _ => "string",
    }
}

/// The OpenAPI type a type name OpenAPI does not have means: another
/// spelling (`Integer`, `Object`) or another language's (`float`,
/// `Bigint`, `long`).
fn meant_type(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let meant = match lower.as_str() {
        "string" | "str" => "string",
        "integer" | "int" | "int32" | "int64" | "long" | "bigint" | "short" => "integer",
        "number" | "float" | "double" | "decimal" => "number",
        "boolean" | "bool" => "boolean",
        "array" | "list" => "array",
        "object" | "map" | "dict" => "object",
        _ => return None,
    };
    (meant != name).then_some(meant)
}

pub fn scalar_objects(ctx: &mut Ctx) {
    edit_schemas(ctx, |map, ptr, _, changes| {
        if let Some(meant) = map.get("type").and_then(Value::as_str).and_then(meant_type) {
            let was = text_of(&map["type"]);
            map.insert("type".into(), json!(meant));
            changes.push((
                format!("{ptr}/type"),
                format!("`type: {was}` is not an OpenAPI type: `type: {meant}`"),
            ));
        }
        if map.get("type").and_then(Value::as_str) != Some("object")
            || keywords::has_any(map, keywords::object_shape())
        {
            return;
        }
        let Some((ty, why)) = scalar_evidence(map) else {
            return;
        };
        map.insert("type".into(), json!(ty));
        if ty == "array" && !map.contains_key("items") {
            map.insert("items".into(), json!({}));
        }
        changes.push((
            format!("{ptr}/type"),
            format!("`type: object` is `type: {ty}`: {why}"),
        ));
    });
}

pub fn format_without_type(ctx: &mut Ctx) {
    edit_schemas(ctx, |map, ptr, _, changes| {
        if map.contains_key("type") {
            return;
        }
        let Some(f) = map.get("format").and_then(Value::as_str) else {
            return;
        };
        let ty = format_type(f);
        let f = f.to_string();
        map.insert("type".into(), json!(ty));
        changes.push((
            ptr.to_string(),
            format!("added `type: {ty}`, the type of `format: {f}`"),
        ));
    });
}

pub fn boolean_format(ctx: &mut Ctx) {
    edit_schemas(ctx, |map, ptr, _, changes| {
        if map.get("type").and_then(Value::as_str) == Some("boolean")
            && let Some(f) = map.remove("format")
        {
            changes.push((
                format!("{ptr}/format"),
                format!("dropped `format: {}` on a boolean", text_of(&f)),
            ));
        }
    });
}

pub fn timestamps(ctx: &mut Ctx) {
    edit_schemas(ctx, |map, ptr, _, changes| {
        if map.get("type").and_then(Value::as_str) != Some("string") {
            return;
        }
        let Some(f) = map
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return;
        };
        if !crate::spec::FORMATS_NEEDING_CRATES
            .iter()
            .any(|(name, _)| *name == f)
        {
            return;
        }
        let digits = |v: &Value| match v {
            Value::String(s) => !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
            v => v.is_u64(),
        };
        if f.starts_with("date") && map.get("example").is_some_and(digits) {
            map.insert("type".into(), json!("integer"));
            map.insert("format".into(), json!("int64"));
            if let Some(Value::String(s)) = map.get("example").cloned()
                && let Ok(n) = s.parse::<i64>()
            {
                map.insert("example".into(), json!(n));
            }
            changes.push((
                ptr.to_string(),
                format!(
                    "`format: {f}` with a millisecond example: now `type: integer, format: int64`"
                ),
            ));
        } else {
            map.remove("format");
            changes.push((
                format!("{ptr}/format"),
                format!("dropped `format: {f}`: a plain string (the generated crate has no chrono or uuid)"),
            ));
        }
    });
}

pub fn default_types(ctx: &mut Ctx) {
    edit_schemas(ctx, |map, ptr, _, changes| {
        let Some(default) = map.get("default").cloned() else {
            return;
        };
        let ty = map.get("type").and_then(Value::as_str).unwrap_or_default();
        let converted = match (ty, &default) {
            ("string", Value::Number(_) | Value::Bool(_)) => Some(json!(default.to_string())),
            ("integer", Value::String(s)) => s.parse::<i64>().ok().map(|n| json!(n)),
            ("number", Value::String(s)) => s.parse::<f64>().ok().map(|n| json!(n)),
            ("boolean", Value::String(s)) => s.parse::<bool>().ok().map(|b| json!(b)),
            ("integer", Value::Number(n)) if !(n.is_i64() || n.is_u64()) => None,
            ("string", Value::String(_))
            | ("integer" | "number", Value::Number(_))
            | ("boolean", Value::Bool(_))
            | ("array", Value::Array(_))
            | ("object", Value::Object(_))
            | ("", _) => return,
            _ => None,
        };
        let at = format!("{ptr}/default");
        match converted {
            Some(v) => {
                changes.push((at, format!("`default: {default}` on a `{ty}` is now `{v}`")));
                map.insert("default".into(), v);
            }
            None => {
                changes.push((at, format!("dropped `default: {default}`: not a `{ty}`")));
                map.remove("default");
            }
        }
    });
}
