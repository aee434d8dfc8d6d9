//! The shape of the generated types: one validating type for a constrained
//! schema many places repeat, no newtype for a plain scalar component.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::super::Ctx;
use super::super::places::{find_refs, parameter_pointers};
use crate::keywords;
use crate::pointer::{self, Side};

pub fn shared_parameter_schemas(ctx: &mut Ctx) {
    // (name, schema without example) -> pointers of the schemas.
    let mut groups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut add = |name: String, ptr: String, schema: &Value| {
        let Some(schema) = schema.as_object() else {
            return;
        };
        if schema.contains_key("$ref") || !keywords::has_any(schema, keywords::validating()) {
            return;
        }
        let mut key = schema.clone();
        key.remove("example");
        groups
            .entry((name, Value::Object(key).to_string()))
            .or_default()
            .push(ptr);
    };
    for ptr in parameter_pointers(&ctx.doc) {
        let Some(param) = ctx.doc.pointer(&ptr) else {
            continue;
        };
        if let (Some(name), Some(schema)) = (
            param.get("name").and_then(Value::as_str),
            param.get("schema"),
        ) {
            add(name.to_string(), format!("{ptr}/schema"), schema);
        }
    }
    // Properties (and their array items) of schemas only requests use.
    let roots = pointer::schema_roots(&ctx.doc);
    let side = |s: Side| {
        roots
            .iter()
            .filter(move |r| r.side == s)
            .map(|r| r.pointer.clone())
    };
    let response = pointer::ref_closure(&ctx.doc, side(Side::Response));
    let request = pointer::ref_closure(&ctx.doc, side(Side::Request));
    for site in pointer::all_schemas(&ctx.doc) {
        let owner = match site.side {
            Side::Component => site
                .pointer
                .split('/')
                .take(4)
                .collect::<Vec<_>>()
                .join("/"),
            Side::Request => String::new(),
            Side::Response => continue,
        };
        if !owner.is_empty() && (!request.contains(&owner) || response.contains(&owner)) {
            continue;
        }
        let Some((parent, name)) = site.pointer.rsplit_once("/properties/") else {
            continue;
        };
        if name.contains('/') || parent.is_empty() {
            continue;
        }
        let name = name.replace("~1", "/").replace("~0", "~");
        let Some(schema) = ctx.doc.pointer(&site.pointer) else {
            continue;
        };
        add(name.clone(), site.pointer.clone(), schema);
        if schema.get("type").and_then(Value::as_str) == Some("array")
            && let Some(items) = schema.get("items")
        {
            add(
                format!("{name}_item"),
                format!("{}/items", site.pointer),
                items,
            );
        }
    }
    let mut taken: BTreeSet<String> = ctx
        .doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let prefixes: Vec<String> = taken
        .iter()
        .cloned()
        .chain(
            pointer::operations(&ctx.doc)
                .map(|op| op.upstream_id().unwrap_or_default().to_string()),
        )
        .collect();
    for ((name, schema_text), sites) in groups {
        if sites.len() < 2 {
            continue;
        }
        let type_name = free_type_name(&camel_case(&name), &taken, &prefixes);
        taken.insert(type_name.clone());
        let schema: Value = serde_json::from_str(&schema_text).unwrap_or_default();
        let components = ctx
            .doc
            .as_object_mut()
            .map(|d| d.entry("components").or_insert_with(|| json!({})));
        if let Some(Value::Object(components)) = components {
            let schemas = components.entry("schemas").or_insert_with(|| json!({}));
            schemas[type_name.as_str()] = schema;
        }
        let target = format!("#/components/schemas/{type_name}");
        for at in &sites {
            let Some(slot) = ctx.doc.pointer_mut(at) else {
                continue;
            };
            let dropped_example = slot.get("example").is_some();
            *slot = json!({"$ref": target});
            ctx.change(
                at.clone(),
                format!(
                    "now `$ref: {target}`, one schema for the {} `{name}` places that repeat it{}",
                    sites.len(),
                    if dropped_example {
                        " (its example dropped)"
                    } else {
                        ""
                    }
                ),
            );
        }
    }
}

/// A component name for a new schema that no generated type can already
/// have: typify names an inline schema after its parent (a component name
/// or an operation id) plus the property, so a name that starts with one of
/// those (`HostIdListItem` beside a component `HostIdList`) could be taken
/// twice; such names get a `Shared` prefix.
fn free_type_name(base: &str, taken: &BTreeSet<String>, prefixes: &[String]) -> String {
    let clashes =
        |name: &str| taken.contains(name) || prefixes.iter().any(|p| name.starts_with(p.as_str()));
    let mut name = base.to_string();
    if clashes(&name) {
        name = format!("Shared{base}");
    }
    let mut n = 2;
    let stem = name.clone();
    while clashes(&name) {
        name = format!("{stem}{n}");
        n += 1;
    }
    name
}

/// `project_id` → `ProjectId`, `X-Language` → `XLanguage`.
fn camel_case(name: &str) -> String {
    let mut out = String::new();
    for part in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "Param");
    }
    out
}

/// A component schema a field can use inline: a scalar or an array of
/// scalars, without constraints, enum or composition.
fn inlinable(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    let plain = |m: &Map<String, Value>| {
        !m.contains_key("$ref") && !keywords::has_any(m, keywords::beyond_plain())
    };
    match map.get("type").and_then(Value::as_str) {
        Some("string" | "integer" | "number" | "boolean") => plain(map),
        Some("array") => {
            plain(map)
                && map
                    .get("items")
                    .and_then(Value::as_object)
                    .is_some_and(|items| {
                        matches!(
                            items.get("type").and_then(Value::as_str),
                            Some("string" | "integer" | "number" | "boolean")
                        ) && plain(items)
                    })
        }
        _ => false,
    }
}

pub fn inline_scalars(ctx: &mut Ctx) {
    // Arrays of scalars become inlinable once their items are inlined.
    for _ in 0..4 {
        let mut found = Vec::new();
        find_refs(&ctx.doc, &mut found);
        let mut changed = false;
        for (ptr, reference) in found {
            let Some(target) = reference.strip_prefix("#/components/schemas/") else {
                continue;
            };
            if target.contains('/') {
                continue;
            }
            let Some(schema) = ctx
                .doc
                .pointer(&format!("/components/schemas/{target}"))
                .cloned()
            else {
                continue;
            };
            if !inlinable(&schema) {
                continue;
            }
            let mut inline = schema;
            if let Some(map) = inline.as_object_mut() {
                map.remove("example");
            }
            if let Some(slot) = ctx.doc.pointer_mut(&ptr) {
                *slot = inline;
                changed = true;
                ctx.change(ptr, format!("`$ref: {reference}` (a plain scalar) inlined"));
            }
        }
        if !changed {
            break;
        }
    }
}
