//! Places in the document being imported that several repairs visit:
//! operations, parameter lists, schemas. Built on [`crate::pointer`]'s one
//! walk, so every repair names a place the same way.

use serde_json::{Map, Value};

use super::Ctx;
use crate::pointer::{self, Side};

/// Pointers of every parameter object: components and the lists of path
/// items and operations.
pub(super) fn parameter_pointers(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (name, _) in doc
        .pointer("/components/parameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        out.push(pointer::push("/components/parameters", name));
    }
    for list in parameter_lists(doc) {
        let len = doc
            .pointer(&list)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        out.extend((0..len).map(|i| format!("{list}/{i}")));
    }
    out
}

/// Pointers of every `parameters` list (path items and operations).
pub(super) fn parameter_lists(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut last_item = None;
    for op in pointer::operations(doc) {
        if last_item != Some(op.path) {
            last_item = Some(op.path);
            if op.item.get("parameters").is_some() {
                out.push(format!("{}/parameters", op.item_pointer()));
            }
        }
        if op.op.get("parameters").is_some() {
            out.push(format!("{}/parameters", op.pointer()));
        }
    }
    out
}

/// Pointers of every operation.
pub(super) fn operation_pointers(doc: &Value) -> Vec<String> {
    pointer::operations(doc).map(|op| op.pointer()).collect()
}

/// Calls `f` on every schema object (not `$ref`s) of the document, parents
/// first; `f` pushes `(pointer, message)` for each change it makes.
pub(super) fn edit_schemas(
    ctx: &mut Ctx,
    mut f: impl FnMut(&mut Map<String, Value>, &str, Side, &mut Vec<(String, String)>),
) {
    let mut changes = Vec::new();
    for site in pointer::all_schemas(&ctx.doc) {
        let Some(Value::Object(map)) = ctx.doc.pointer_mut(&site.pointer) else {
            continue;
        };
        if map.contains_key("$ref") {
            continue;
        }
        f(map, &site.pointer, site.side, &mut changes);
    }
    for (p, m) in changes {
        ctx.change(p, m);
    }
}

pub(super) fn find_refs(node: &Value, out: &mut Vec<(String, String)>) {
    pointer::visit(
        node,
        &mut |here, value| match value.get("$ref").and_then(Value::as_str) {
            Some(r) if value.is_object() => {
                out.push((here.to_string(), r.to_string()));
                false
            }
            _ => true,
        },
    );
}

/// A JSON value as message text (strings without quotes).
pub(super) fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
