//! **Response leniency**, the generator's policy for what the service sends.
//!
//! This module is the one place the policy lives. A response must never fail
//! to decode because of a limit the service does not keep: Huawei's answers
//! break documented lengths, patterns and minimums, add enum values, and
//! carry integers wider than their `format`. So in every schema that
//! describes a response (response bodies and headers, and every component
//! schema they reach) [`apply`] removes:
//!
//! - length, pattern, range and item-count limits
//!   ([`keywords::limits`]),
//! - `format` (an `int32` becomes `i64`, a `date-time` a plain string),
//!   except `binary`, which only marks a download,
//! - closed `enum`s: the values move into the description and, for
//!   strings, into `x-known-values` (as in `hss.yaml`); the type stays open,
//! - `additionalProperties: false` (typify would refuse unknown fields).
//!
//! Request schemas keep every constraint: the client checks what it sends.
//! A component schema reached from both sides is split: requests keep it,
//! responses get a lenient copy named `<Name>Response` (the first free
//! name). `cargo xtask import` runs this as its `response-leniency` pass and
//! reports every removal with its JSON pointer.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::keywords;
use crate::pointer::{self, Side};

/// The pass name in import reports.
pub const NAME: &str = "response-leniency";

/// One line on what the pass does.
pub const ABOUT: &str = "response schemas lose length, pattern, range, item-count and format limits, closed enums and `additionalProperties: false`; request schemas keep theirs";

/// Formats a response keeps: they say what the body is, not what it must be.
const KEPT_FORMATS: [&str; 1] = ["binary"];

const SCHEMAS: &str = "/components/schemas";

/// Applies the policy to `doc`; `change(pointer, message)` hears of every
/// change.
pub fn apply(doc: &mut Value, change: &mut dyn FnMut(String, String)) {
    let roots = pointer::schema_roots(doc);
    let side_roots = |side: Side| {
        roots
            .iter()
            .filter(move |r| r.side == side)
            .map(|r| r.pointer.clone())
            .collect::<Vec<_>>()
    };
    let response_roots = side_roots(Side::Response);
    let components_of = |closure: BTreeSet<String>| -> BTreeSet<String> {
        closure
            .into_iter()
            .filter(|p| is_component_schema(p))
            .collect()
    };
    let response_components = components_of(pointer::ref_closure(doc, response_roots.clone()));
    let request_components = components_of(pointer::ref_closure(doc, side_roots(Side::Request)));

    // Shared schemas that need a lenient copy: those that relaxing would
    // change, and those that reach one of them.
    let shared: BTreeSet<&String> = response_components
        .intersection(&request_components)
        .collect();
    let mut needs_copy: BTreeSet<String> = shared
        .iter()
        .filter(|p| {
            doc.pointer(p).is_some_and(|s| {
                let mut probe = s.clone();
                let mut any = false;
                relax(&mut probe, p, &mut |_, _| any = true);
                any
            })
        })
        .map(|p| p.to_string())
        .collect();
    loop {
        let more: Vec<String> = shared
            .iter()
            .filter(|p| !needs_copy.contains(**p))
            .filter(|p| {
                let mut refs = Vec::new();
                if let Some(s) = doc.pointer(p) {
                    pointer::refs_in(s, &mut refs);
                }
                refs.iter()
                    .filter_map(|r| pointer::ref_target(r))
                    .any(|t| needs_copy.contains(t))
            })
            .map(|p| p.to_string())
            .collect();
        if more.is_empty() {
            break;
        }
        needs_copy.extend(more);
    }

    // Names for the copies.
    let mut taken: BTreeSet<String> = doc
        .pointer(SCHEMAS)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut copies: BTreeMap<String, String> = BTreeMap::new();
    for ptr in &needs_copy {
        let name = component_name(ptr);
        let mut candidate = format!("{name}Response");
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{name}Response{n}");
            n += 1;
        }
        taken.insert(candidate.clone());
        copies.insert(ptr.clone(), candidate);
    }
    let rename: BTreeMap<String, String> = copies
        .iter()
        .map(|(ptr, name)| {
            (
                format!("#{ptr}"),
                format!("#{}", pointer::push(SCHEMAS, name)),
            )
        })
        .collect();

    for (ptr, name) in &copies {
        let Some(mut copy) = doc.pointer(ptr).cloned() else {
            continue;
        };
        change(
            ptr.clone(),
            format!(
                "used by requests and responses: responses use the lenient copy `{name}`, requests keep this one"
            ),
        );
        let copy_ptr = pointer::push(SCHEMAS, name);
        relax(&mut copy, ptr, &mut |p, m| {
            change(p, format!("in the copy `{name}`: {m}"))
        });
        retarget(&mut copy, &copy_ptr, &rename, &mut |_, _| {});
        if let Some(schemas) = doc.pointer_mut(SCHEMAS).and_then(Value::as_object_mut) {
            schemas.insert(name.clone(), copy);
        }
    }
    let response_only: Vec<String> = response_components
        .difference(&request_components)
        .cloned()
        .collect();
    for ptr in response_only.iter().chain(response_roots.iter()) {
        let Some(schema) = doc.pointer_mut(ptr) else {
            continue;
        };
        relax(schema, ptr, change);
        retarget(schema, ptr, &rename, change);
    }
}

fn is_component_schema(ptr: &str) -> bool {
    ptr.strip_prefix(SCHEMAS)
        .is_some_and(|rest| rest.starts_with('/') && !rest[1..].contains('/'))
}

fn component_name(ptr: &str) -> String {
    ptr.rsplit('/')
        .next()
        .unwrap_or_default()
        .replace("~1", "/")
        .replace("~0", "~")
}

/// Relaxes one schema and its sub-schemas (not what they reference).
fn relax(node: &mut Value, ptr: &str, change: &mut dyn FnMut(String, String)) {
    let Some(map) = node.as_object_mut() else {
        return;
    };
    if map.contains_key("$ref") {
        return;
    }
    let mut dropped = Vec::new();
    for key in keywords::limits() {
        if let Some(v) = map.remove(key) {
            dropped.push(format!("`{key}: {}`", compact(&v)));
        }
    }
    if let Some(f) = map.get("format").and_then(Value::as_str)
        && !KEPT_FORMATS.contains(&f)
    {
        dropped.push(format!("`format: {f}`"));
        map.remove("format");
    }
    if map.get("additionalProperties") == Some(&Value::Bool(false)) {
        map.remove("additionalProperties");
        dropped.push("`additionalProperties: false`".to_string());
    }
    if let Some(Value::Array(values)) = map.remove("enum") {
        let listed: Vec<String> = values.iter().map(|v| format!("`{}`", compact(v))).collect();
        let note = format!(
            "Documented values: {}. Other values are accepted.",
            listed.join(", ")
        );
        let description = match map.get("description").and_then(Value::as_str) {
            Some(d) if !d.is_empty() => format!("{}\n\n{note}", d.trim_end()),
            _ => note,
        };
        map.insert("description".into(), Value::String(description));
        // The machine-readable list, where `hss.yaml` keeps it too; only
        // string values (an integer enum has no open-string form).
        let strings: Vec<Value> = values.iter().filter(|v| v.is_string()).cloned().collect();
        // An empty string is no value to name (`x-known-values` refuses it).
        let named: Vec<Value> = strings
            .iter()
            .filter(|v| v.as_str() != Some(""))
            .cloned()
            .collect();
        let kept = if strings.len() == values.len()
            && !named.is_empty()
            && map.get("type").and_then(Value::as_str) == Some("string")
        {
            map.insert(crate::spec::KNOWN_VALUES.into(), Value::Array(named));
            "kept in the description and `x-known-values`"
        } else {
            "kept in the description"
        };
        dropped.push(format!("the closed enum [{}] ({kept})", listed.join(", ")));
    }
    if !dropped.is_empty() {
        change(ptr.to_string(), format!("dropped {}", dropped.join(", ")));
    }
    for_each_child(map, ptr, &mut |child, child_ptr| {
        relax(child, child_ptr, change)
    });
}

/// Points every `$ref` under `node` that names a split schema at its copy.
fn retarget(
    node: &mut Value,
    ptr: &str,
    rename: &BTreeMap<String, String>,
    change: &mut dyn FnMut(String, String),
) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(to) = rename.get(r.as_str())
            {
                change(
                    ptr.to_string(),
                    format!("`$ref: {r}` now names the lenient copy `{to}`"),
                );
                *r = to.clone();
            }
            for (k, v) in map.iter_mut() {
                retarget(v, &pointer::push(ptr, k), rename, change);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                retarget(v, &format!("{ptr}/{i}"), rename, change);
            }
        }
        _ => {}
    }
}

/// Calls `f` on each direct sub-schema of a schema object.
fn for_each_child(map: &mut Map<String, Value>, ptr: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    for keyword in keywords::subschema_keywords() {
        let key = keyword.name;
        match (keyword.kind, map.get_mut(key)) {
            (keywords::Kind::NamedSchemas, Some(Value::Object(named))) => {
                for (name, s) in named.iter_mut() {
                    f(s, &pointer::push(&format!("{ptr}/{key}"), name));
                }
            }
            (keywords::Kind::Composition, Some(Value::Array(list))) => {
                for (i, s) in list.iter_mut().enumerate() {
                    f(s, &format!("{ptr}/{key}/{i}"));
                }
            }
            (keywords::Kind::OneSchema, Some(s)) if s.is_object() => f(s, &format!("{ptr}/{key}")),
            _ => {}
        }
    }
}

/// A value as short JSON text for messages.
fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(mut doc: Value) -> (Value, Vec<(String, String)>) {
        let mut changes = Vec::new();
        apply(&mut doc, &mut |p, m| changes.push((p, m)));
        (doc, changes)
    }

    fn op(params: Value, response: Value) -> Value {
        json!({"get": {"operationId": "a", "parameters": params, "responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": response}}}}}})
    }

    #[test]
    fn response_constraints_go_and_request_constraints_stay() {
        let (doc, changes) = run(json!({
            "paths": {"/a": op(
                json!([{"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 8, "enum": ["x", "y"]}}]),
                json!({"type": "object", "additionalProperties": false, "properties": {
                    "pid": {"type": "integer", "format": "int32", "minimum": 1},
                    "name": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[a-z]+$"},
                    "state": {"type": "string", "enum": ["on", "off"]},
                    "when": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "maxItems": 10, "uniqueItems": true, "items": {"type": "string", "maxLength": 3}}
                }})
            )}
        }));
        let param = &doc["paths"]["/a"]["get"]["parameters"][0]["schema"];
        assert_eq!(
            param,
            &json!({"type": "string", "maxLength": 8, "enum": ["x", "y"]})
        );
        let body =
            &doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(
            body,
            &json!({"type": "object", "properties": {
                "pid": {"type": "integer"},
                "name": {"type": "string"},
                "state": {"type": "string", "description": "Documented values: `on`, `off`. Other values are accepted.", "x-known-values": ["on", "off"]},
                "when": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}}
            }})
        );
        let base = "/paths/~1a/get/responses/200/content/application~1json/schema";
        assert!(changes.contains(&(
            base.to_string(),
            "dropped `additionalProperties: false`".to_string()
        )));
        assert!(changes.contains(&(
            format!("{base}/properties/pid"),
            "dropped `minimum: 1`, `format: int32`".to_string()
        )));
        assert!(changes.contains(&(
            format!("{base}/properties/tags/items"),
            "dropped `maxLength: 3`".to_string()
        )));
        assert_eq!(changes.len(), 7, "{changes:#?}");
    }

    #[test]
    fn a_schema_both_sides_use_is_split_and_refs_follow() {
        let (doc, changes) = run(json!({
            "paths": {"/a": op(
                json!([{"name": "id", "in": "query", "schema": {"$ref": "#/components/schemas/HostId"}}]),
                json!({"$ref": "#/components/schemas/Page"})
            )},
            "components": {"schemas": {
                "HostId": {"type": "string", "maxLength": 64},
                "HostIdResponse": {"type": "object"},
                "Page": {"type": "object", "properties": {"id": {"$ref": "#/components/schemas/HostId"}}}
            }}
        }));
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["HostId"],
            json!({"type": "string", "maxLength": 64})
        );
        assert_eq!(schemas["HostIdResponse2"], json!({"type": "string"}));
        assert_eq!(
            schemas["HostIdResponse"],
            json!({"type": "object"}),
            "an existing name is never reused"
        );
        assert_eq!(
            schemas["Page"]["properties"]["id"]["$ref"],
            "#/components/schemas/HostIdResponse2"
        );
        assert!(
            changes
                .iter()
                .any(|(p, m)| p == "/components/schemas/HostId"
                    && m.contains("lenient copy `HostIdResponse2`"))
        );
        assert!(
            changes
                .iter()
                .any(|(p, m)| p == "/components/schemas/Page/properties/id"
                    && m.contains("now names the lenient copy"))
        );
    }

    #[test]
    fn a_shared_schema_without_limits_is_not_copied() {
        let (doc, changes) = run(json!({
            "paths": {"/a": op(
                json!([{"name": "id", "in": "query", "schema": {"$ref": "#/components/schemas/Id"}}]),
                json!({"$ref": "#/components/schemas/Id"})
            )},
            "components": {"schemas": {"Id": {"type": "string"}}}
        }));
        assert_eq!(doc["components"]["schemas"].as_object().unwrap().len(), 1);
        assert!(changes.is_empty(), "{changes:?}");
    }

    #[test]
    fn a_download_keeps_its_binary_format() {
        let (doc, changes) = run(
            json!({"paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {
            "description": "ok", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}}}}}),
        );
        assert_eq!(
            doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/octet-stream"]["schema"]
                ["format"],
            "binary"
        );
        assert!(changes.is_empty());
    }
}
