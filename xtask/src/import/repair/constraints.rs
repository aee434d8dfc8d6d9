//! Constraints that are wrong or say nothing: `required` names that are not
//! properties, limits that allow everything, examples and defaults their
//! own schema refuses, and (the leniency policy) limits on what the service
//! sends.

use std::collections::BTreeSet;

use serde_json::Value;

use super::super::Ctx;
use super::super::places::{edit_schemas, text_of};
use crate::keywords;

pub fn required_properties(ctx: &mut Ctx) {
    edit_schemas(ctx, |map, ptr, _, changes| {
        // JSON Schema draft 3's `required: true` on a property is the
        // parent's `required` list in OpenAPI.
        let mut lifted = Vec::new();
        for (name, prop) in map
            .get_mut("properties")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flatten()
        {
            if let Some(Value::Object(prop)) = Some(prop)
                && let Some(Value::Bool(flag)) = prop.get("required").cloned()
            {
                prop.remove("required");
                let at = crate::pointer::push(
                    &crate::pointer::push(&format!("{ptr}/properties"), name),
                    "required",
                );
                changes.push((at, format!("`required: {flag}` on a property (JSON Schema draft 3) is the parent's `required` list")));
                if flag {
                    lifted.push(Value::String(name.clone()));
                }
            }
        }
        if !lifted.is_empty()
            && let Value::Array(list) = map
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()))
        {
            for name in lifted {
                if !list.contains(&name) {
                    list.push(name);
                }
            }
        }
        if keywords::has_any(map, keywords::compositions()) {
            return;
        }
        let props: BTreeSet<String> = map
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let Some(Value::Array(required)) = map.get_mut("required") else {
            return;
        };
        let mut i = 0;
        let mut index = 0;
        required.retain(|name| {
            let keep = name.as_str().is_some_and(|n| props.contains(n));
            if !keep {
                changes.push((
                    format!("{ptr}/required/{index}"),
                    format!(
                        "dropped `{}` from `required`: no such property",
                        text_of(name)
                    ),
                ));
            }
            index += 1;
            i += usize::from(keep);
            keep
        });
        if i == 0 {
            map.remove("required");
        }
    });
}

/// Patterns every string without a line break matches.
const MATCH_ANYTHING: [&str; 4] = ["^.*$", ".*", "^.*", ".*$"];

pub fn no_op_constraints(ctx: &mut Ctx) {
    edit_schemas(ctx, |map, ptr, _, changes| {
        for key in ["minLength", "minItems"] {
            if map.get(key).and_then(Value::as_u64) == Some(0) {
                map.remove(key);
                changes.push((
                    format!("{ptr}/{key}"),
                    format!("dropped `{key}: 0`, which constrains nothing"),
                ));
            }
        }
        if let Some(p) = map.get("pattern").and_then(Value::as_str)
            && MATCH_ANYTHING.contains(&p)
        {
            let p = p.to_string();
            map.remove("pattern");
            changes.push((
                format!("{ptr}/pattern"),
                format!("dropped `pattern: {p}`, which any single-line string matches"),
            ));
        }
    });
}

pub fn response_leniency(ctx: &mut Ctx) {
    let mut changes = Vec::new();
    crate::leniency::apply(&mut ctx.doc, &mut |p, m| changes.push((p, m)));
    for (p, m) in changes {
        ctx.change(p, m);
    }
}

pub fn examples(ctx: &mut Ctx) {
    for problem in crate::spec::sample_problems(&ctx.doc) {
        let ptr = problem.location.clone();
        let Some((parent, key)) = ptr.rsplit_once('/') else {
            continue;
        };
        // `.../examples/<name>/value`: remove the named example.
        let (holder, name) = if key == "value" {
            match parent.rsplit_once('/') {
                Some((examples, name)) => (
                    examples.to_string(),
                    name.replace("~1", "/").replace("~0", "~"),
                ),
                None => continue,
            }
        } else {
            (parent.to_string(), key.to_string())
        };
        if let Some(Value::Object(map)) = ctx.doc.pointer_mut(&holder)
            && map.remove(&name).is_some()
        {
            let message =
                problem
                    .message
                    .replacen(" does not match", " dropped: it does not match", 1);
            ctx.change(ptr, message);
        }
    }
}
