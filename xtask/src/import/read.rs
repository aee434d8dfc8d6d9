//! Reading a Huawei definition: its JSON, its operations and tags, and the
//! operations the maintainer selected (everything else is removed before
//! the repairs run).

use std::collections::BTreeSet;

use serde_json::Value;

use super::places::operation_pointers;
use super::{Ctx, Selection, text};
use crate::pointer;

/// An operation of the upstream document.
#[derive(Debug, Clone)]
pub struct UpstreamOp {
    /// The path key (RPC-style upstream: `/ListVulScanTaskHost`).
    pub path: String,
    pub method: String,
    pub id: String,
    pub tags: Vec<String>,
}

/// Every operation of the document, in document order.
pub fn operations(doc: &Value) -> Vec<UpstreamOp> {
    pointer::operations(doc)
        .map(|op| UpstreamOp {
            path: op.path.to_string(),
            method: op.method.to_string(),
            id: op.upstream_id().unwrap_or_default().to_string(),
            tags: op.tags().map(str::to_string).collect(),
        })
        .collect()
}

/// `(upstream tag, English name)` for every tag the operations use, in
/// order of first use.
pub fn tag_names(doc: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut untranslated = 0;
    for op in operations(doc) {
        for tag in op.tags {
            if out.iter().any(|(up, _)| *up == tag) {
                continue;
            }
            let (name, translated) = text::tag_name(&tag, untranslated + 1);
            if !translated {
                untranslated += 1;
            }
            out.push((tag, name));
        }
    }
    out
}

/// Removes every operation that was not selected (and path items left
/// empty).
pub fn keep_only(ctx: &mut Ctx, selected: &[(String, String)]) {
    let keep: BTreeSet<(String, String)> = selected.iter().cloned().collect();
    // An operation without any id is kept: the checks name it later.
    let unselected: Vec<(String, &'static str)> = pointer::operations(&ctx.doc)
        .filter(|op| {
            op.upstream_id()
                .is_some_and(|id| !keep.contains(&(op.path.to_string(), id.to_string())))
        })
        .map(|op| (op.path.to_string(), op.method))
        .collect();
    let Some(paths) = ctx.doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, method) in unselected {
        if let Some(Value::Object(item)) = paths.get_mut(&path) {
            item.remove(method);
        }
    }
    paths.retain(|_, item| pointer::methods_of(item).next().is_some());
    // Components the kept operations do not reach are not part of the
    // import at all (passes would otherwise report changes to them).
    let reachable = pointer::ref_closure(&ctx.doc, operation_pointers(&ctx.doc));
    if let Some(Value::Object(components)) = ctx.doc.get_mut("components") {
        for (kind, entries) in components.iter_mut() {
            let base = pointer::push("/components", kind);
            if let Value::Object(entries) = entries {
                entries.retain(|name, _| reachable.contains(&pointer::push(&base, name)));
            }
        }
    }
}

/// The `(path, operationId)` of each selected upstream operation.
pub(super) fn select(
    doc: &Value,
    upstream: &[UpstreamOp],
    selection: &Selection,
) -> Result<Vec<(String, String)>, String> {
    if !selection.all && selection.operations.is_empty() && selection.tags.is_empty() {
        return Err(
            "choose what to import: --operation ID (repeatable), --tag TAG or --all".into(),
        );
    }
    let tag_names = tag_names(doc);
    let mut chosen: Vec<(String, String)> = Vec::new();
    let mut errors = Vec::new();
    for id in &selection.operations {
        match upstream.iter().find(|op| &op.id == id) {
            Some(op) => chosen.push((op.path.clone(), op.id.clone())),
            None => {
                let mut near: Vec<(f64, &str)> = upstream
                    .iter()
                    .map(|op| (strsim::jaro_winkler(&op.id, id), op.id.as_str()))
                    .filter(|(score, _)| *score > 0.85)
                    .collect();
                near.sort_by(|a, b| b.0.total_cmp(&a.0));
                let hint = match near.first() {
                    Some((_, best)) => format!("; did you mean `{best}`?"),
                    None => String::new(),
                };
                errors.push(format!("no operation `{id}` in the definition{hint}"));
            }
        }
    }
    for tag in &selection.tags {
        let upstream_tag = tag_names
            .iter()
            .find(|(up, english)| up == tag || english == tag)
            .map(|(up, _)| up.clone());
        match upstream_tag {
            Some(up) => {
                for op in upstream.iter().filter(|op| op.tags.contains(&up)) {
                    chosen.push((op.path.clone(), op.id.clone()));
                }
            }
            None => {
                let known: Vec<String> = tag_names
                    .iter()
                    .map(|(up, en)| {
                        if up == en {
                            up.clone()
                        } else {
                            format!("{en} ({up})")
                        }
                    })
                    .collect();
                errors.push(format!(
                    "no tag `{tag}` in the definition; its tags are {}",
                    known.join(", ")
                ));
            }
        }
    }
    if selection.all {
        chosen.extend(upstream.iter().map(|op| (op.path.clone(), op.id.clone())));
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let mut seen = BTreeSet::new();
    chosen.retain(|c| seen.insert(c.clone()));
    Ok(chosen)
}
