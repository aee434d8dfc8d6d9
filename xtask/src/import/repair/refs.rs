//! References: ones that name nothing, and components nothing references.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::super::Ctx;
use super::super::places::{find_refs, operation_pointers};
use crate::pointer;

pub fn dangling_refs(ctx: &mut Ctx) {
    // A schema position holding no schema (a misplaced `enum` list among
    // the properties) describes nothing either.
    for site in pointer::all_schemas(&ctx.doc) {
        let Some(slot) = ctx.doc.pointer_mut(&site.pointer) else {
            continue;
        };
        if !slot.is_object() && !slot.is_boolean() {
            let was = slot.take();
            *slot = json!({});
            let kind = match was {
                Value::Array(_) => "a list",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                _ => "null",
            };
            ctx.change(
                site.pointer,
                format!("{kind} where a schema belongs: now any JSON value"),
            );
        }
    }
    let mut found = Vec::new();
    find_refs(&ctx.doc, &mut found);
    let mut removed_params: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (ptr, reference) in found {
        let resolves =
            pointer::ref_target(&reference).is_some_and(|t| ctx.doc.pointer(t).is_some());
        if resolves {
            continue;
        }
        let (parent, last) = ptr.rsplit_once('/').unwrap_or(("", ""));
        if parent.ends_with("/parameters") && last.parse::<usize>().is_ok() {
            removed_params
                .entry(parent.to_string())
                .or_default()
                .push(last.parse().unwrap_or_default());
            let guess = reference.rsplit('/').next().unwrap_or_default();
            ctx.change(
                ptr,
                format!("removed the parameter `$ref: {reference}`: no such parameter (the operation loses whatever `{guess}` was)"),
            );
        } else if let Some(slot) = ctx.doc.pointer_mut(&ptr) {
            *slot = json!({});
            ctx.change(
                ptr,
                format!("`$ref: {reference}` names nothing: now any JSON value"),
            );
        }
    }
    for (list, indices) in removed_params {
        if let Some(Value::Array(items)) = ctx.doc.pointer_mut(&list) {
            for i in indices {
                if let Some(slot) = items.get_mut(i) {
                    *slot = Value::Null;
                }
            }
        }
    }
}

pub fn prune_components(ctx: &mut Ctx) {
    let starts: Vec<String> = operation_pointers(&ctx.doc);
    let reachable = pointer::ref_closure(&ctx.doc, starts);
    let Some(Value::Object(components)) = ctx.doc.get_mut("components") else {
        return;
    };
    let mut changes = Vec::new();
    for (kind, entries) in components.iter_mut() {
        if kind == "securitySchemes" {
            continue;
        }
        let Value::Object(entries) = entries else {
            continue;
        };
        let base = pointer::push("/components", kind);
        entries.retain(|name, _| {
            let ptr = pointer::push(&base, name);
            let keep = reachable.contains(&ptr);
            if !keep {
                changes.push((ptr, "removed: no imported operation uses it".to_string()));
            }
            keep
        });
    }
    components.retain(|_, v| v.as_object().is_none_or(|m| !m.is_empty()));
    for (p, m) in changes {
        ctx.change(p, m);
    }
}
