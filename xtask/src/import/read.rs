//! Reading a Huawei definition: its JSON, its operations and tags, and the
//! operations the maintainer selected (everything else is removed before
//! the repairs run).

use std::collections::BTreeSet;

use serde_json::Value;

use super::places::operation_pointers;
use super::{Ctx, Selection, text};
use crate::pointer;
use crate::upstream::Definition;

/// The definition's JSON. One slip seen in Huawei's files, a trailing comma
/// before `}` or `]` (CCE's `info`), is forgiven with a warning naming its
/// file, line and column; anything else that is not JSON is an error with
/// its line and column.
pub fn parse(definition: &Definition) -> anyhow::Result<(Value, Vec<String>)> {
    let label = &definition.label;
    let strict = match serde_json::from_str(&definition.text) {
        Ok(doc) => return Ok((doc, Vec::new())),
        Err(e) => e,
    };
    let not_json = |e: &serde_json::Error| {
        anyhow::anyhow!(
            "{label}: line {} column {}: not valid JSON: {e}",
            e.line(),
            e.column()
        )
    };
    let (text, commas) = without_trailing_commas(&definition.text);
    if commas.is_empty() {
        return Err(not_json(&strict));
    }
    let doc = serde_json::from_str(&text).map_err(|_| not_json(&strict))?;
    let warnings = commas
        .into_iter()
        .map(|(line, column)| {
            format!("{label}: line {line} column {column}: a trailing comma (not JSON) was ignored")
        })
        .collect();
    Ok((doc, warnings))
}

/// `text` without the commas that directly precede (but for whitespace) a
/// `}` or `]` outside strings, and the 1-based `(line, column)` of each.
fn without_trailing_commas(text: &str) -> (String, Vec<(usize, usize)>) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    let (mut line, mut column) = (1, 0);
    let (mut in_string, mut escaped) = (false, false);
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            line += 1;
            column = 0;
        } else {
            column += 1;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == ','
            && matches!(
                chars[i + 1..].iter().find(|n| !n.is_whitespace()),
                Some('}' | ']')
            )
        {
            found.push((line, column));
            continue;
        }
        out.push(c);
    }
    (out, found)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(text: &str) -> Definition {
        Definition {
            label: "svc.json".into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_trailing_comma_is_read_with_a_warning_naming_its_place() {
        let text = "{\n  \"a\": [1, 2,],\n  \"b\": \"x,}\",\n  \"c\": {\"d\": \"\\\",]\"},\n}";
        let (doc, warnings) = parse(&definition(text)).unwrap();
        assert_eq!(
            doc,
            serde_json::json!({"a": [1, 2], "b": "x,}", "c": {"d": "\",]"}})
        );
        assert_eq!(
            warnings,
            [
                "svc.json: line 2 column 13: a trailing comma (not JSON) was ignored",
                "svc.json: line 4 column 21: a trailing comma (not JSON) was ignored"
            ]
        );
    }

    #[test]
    fn other_slips_are_errors_at_their_place() {
        let err = parse(&definition("{\n  \"a\": 1,,\n}")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("svc.json: line 2 column 10: not valid JSON"),
            "{err}"
        );
        let (_, warnings) = parse(&definition("{\"a\": 1}")).unwrap();
        assert!(warnings.is_empty());
    }
}
