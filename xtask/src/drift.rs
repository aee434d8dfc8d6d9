//! `cargo xtask drift`: what changed upstream for the operations we have.
//!
//! For every operation of our spec, the upstream operation of the same id is
//! normalised by the import's structural passes (not the leniency or text
//! passes, which would hide formats) and both are flattened into fields:
//! parameters (`query limit`), request body fields (`body data_list[].id`)
//! and success response fields (`200 data_list[].host_id`), each with its
//! type, format and, for what the client sends, whether it is required.
//! Fields on one side only, and changed types, formats and required flags,
//! are drift; so are upstream operations in the tags we cover that our spec
//! does not have.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::import::{self, Selection, read};
use crate::pointer;
use crate::upstream::Definition;

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The operation id (or the upstream tag, for new operations).
    pub operation: String,
    /// What the field is: `query limit`, `200 data_list[].host_id`.
    pub field: String,
    pub what: String,
    /// Pointer of the operation in our spec (empty when we lack it).
    pub ours: String,
    /// Pointer of the operation in the upstream definition.
    pub upstream: String,
}

/// All differences found.
#[derive(Debug, Clone, Default)]
pub struct Drift(pub Vec<Item>);

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// One line per difference, grouped by operation.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut last = "";
        for item in &self.0 {
            if item.operation != last {
                let _ = writeln!(
                    out,
                    "{} (ours {}, upstream {})",
                    item.operation,
                    if item.ours.is_empty() {
                        "-"
                    } else {
                        &item.ours
                    },
                    if item.upstream.is_empty() {
                        "-"
                    } else {
                        &item.upstream
                    }
                );
                last = &item.operation;
            }
            let _ = writeln!(out, "  {}: {}", item.field, item.what);
        }
        out
    }
}

/// What a field is, as far as drift cares.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    ty: String,
    format: String,
    /// `None` where required flags are not compared (responses).
    required: Option<bool>,
}

impl Field {
    fn describe(&self) -> String {
        let mut s = if self.ty.is_empty() {
            "any".to_string()
        } else {
            self.ty.clone()
        };
        if !self.format.is_empty() {
            s.push_str(&format!(" ({})", self.format));
        }
        if self.required == Some(true) {
            s.push_str(", required");
        }
        s
    }
}

/// Compares our spec (text) with the upstream definition.
pub fn compare(ours_text: &str, ours_label: &str, upstream: &Definition) -> anyhow::Result<Drift> {
    let ours =
        crate::spec::parse_raw(ours_text).map_err(|p| anyhow::anyhow!("{ours_label}: {p}"))?;
    let (raw_upstream, _) = read::parse(upstream)?;
    let upstream_ops = read::operations(&raw_upstream);
    let our_ops = our_operations(&ours);
    let mut items = Vec::new();

    let mut present = Vec::new();
    for (id, ptr) in &our_ops {
        match upstream_ops.iter().find(|op| &op.id == id) {
            Some(_) => present.push(id.clone()),
            None => items.push(Item {
                operation: id.clone(),
                field: "operation".into(),
                what: "not in the upstream definition (removed or renamed upstream?)".into(),
                ours: ptr.clone(),
                upstream: String::new(),
            }),
        }
    }
    if !present.is_empty() {
        let selection = Selection {
            operations: present.clone(),
            ..Selection::default()
        };
        let skip = [crate::leniency::NAME, "upstream-text", "examples"];
        let normalised = import::normalise(upstream, &selection, &skip)?;
        let theirs = our_operations(&normalised);
        for id in &present {
            let ours_ptr = &our_ops[id];
            let Some(their_ptr) = theirs.get(id) else {
                continue;
            };
            let up = upstream_ops.iter().find(|op| &op.id == id);
            let upstream_ptr = up
                .map(|op| pointer::push(&pointer::push("/paths", &op.path), &op.method))
                .unwrap_or_default();
            let ours_fields = fields(&ours, ours_ptr);
            let their_fields = fields(&normalised, their_ptr);
            let mut push = |field: &str, what: String| {
                items.push(Item {
                    operation: id.clone(),
                    field: field.to_string(),
                    what,
                    ours: ours_ptr.clone(),
                    upstream: upstream_ptr.clone(),
                })
            };
            let (our_path, their_path) = (path_of(ours_ptr), path_of(their_ptr));
            if our_path != their_path {
                push(
                    "path",
                    format!("ours is `{our_path}`, upstream's is `{their_path}`"),
                );
            }
            let keys: BTreeSet<&String> = ours_fields.keys().chain(their_fields.keys()).collect();
            for key in keys {
                match (ours_fields.get(key), their_fields.get(key)) {
                    (Some(o), None) => push(
                        key,
                        format!("ours only ({}): removed upstream?", o.describe()),
                    ),
                    (None, Some(t)) => push(key, format!("added upstream ({})", t.describe())),
                    (Some(o), Some(t)) => {
                        if o.ty != t.ty {
                            push(key, format!("type: ours `{}`, upstream `{}`", o.ty, t.ty));
                        } else if o.format != t.format
                            // Response leniency drops formats: a response
                            // field without one accepts any.
                            && !(o.required.is_none() && o.format.is_empty())
                        {
                            push(
                                key,
                                format!(
                                    "format: ours {}, upstream {}",
                                    or_none(&o.format),
                                    or_none(&t.format)
                                ),
                            );
                        }
                        if let (Some(a), Some(b)) = (o.required, t.required)
                            && a != b
                        {
                            push(key, format!("required: ours {a}, upstream {b}"));
                        }
                    }
                    (None, None) => {}
                }
            }
        }
    }

    // New operations in the tags we cover.
    let tags = read::tag_names(&raw_upstream);
    let covered: BTreeSet<&String> = upstream_ops
        .iter()
        .filter(|op| our_ops.contains_key(&op.id))
        .flat_map(|op| op.tags.iter())
        .collect();
    for op in &upstream_ops {
        if our_ops.contains_key(&op.id) {
            continue;
        }
        if let Some(tag) = op.tags.iter().find(|t| covered.contains(t)) {
            let english = tags
                .iter()
                .find(|(up, _)| up == tag)
                .map_or(tag.as_str(), |(_, en)| en.as_str());
            items.push(Item {
                operation: op.id.clone(),
                field: "operation".into(),
                what: format!(
                    "new upstream in the tag `{english}`, which we cover; not in our spec"
                ),
                ours: String::new(),
                upstream: pointer::push(&pointer::push("/paths", &op.path), &op.method),
            });
        }
    }
    Ok(Drift(items))
}

fn or_none(s: &str) -> String {
    if s.is_empty() {
        "none".into()
    } else {
        format!("`{s}`")
    }
}

/// The path of an operation pointer `/paths/<path>/<method>`.
fn path_of(op_ptr: &str) -> String {
    let inner = op_ptr.strip_prefix("/paths/").unwrap_or(op_ptr);
    let path = inner.rsplit_once('/').map_or(inner, |(p, _)| p);
    path.replace("~1", "/").replace("~0", "~")
}

/// operationId → pointer of the operation.
fn our_operations(doc: &Value) -> BTreeMap<String, String> {
    pointer::operations(doc)
        .filter_map(|op| Some((op.id()?.to_string(), op.pointer())))
        .collect()
}

/// The fields of one operation.
fn fields(doc: &Value, op_ptr: &str) -> BTreeMap<String, Field> {
    let mut out = BTreeMap::new();
    let Some(op) = doc.pointer(op_ptr) else {
        return out;
    };
    let item_ptr = op_ptr.rsplit_once('/').map_or("", |(p, _)| p);
    let shared = doc.pointer(&format!("{item_ptr}/parameters"));
    for list in [shared, op.get("parameters")].into_iter().flatten() {
        for p in list.as_array().into_iter().flatten() {
            let Some(p) = pointer::deref(doc, p) else {
                continue;
            };
            let (Some(name), Some(location)) = (
                p.get("name").and_then(Value::as_str),
                p.get("in").and_then(Value::as_str),
            ) else {
                continue;
            };
            let schema = p.get("schema").and_then(|s| pointer::deref(doc, s));
            let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
            out.insert(
                format!("{location} {name}"),
                field_of(schema, Some(required)),
            );
        }
    }
    if let Some(body) = op.get("requestBody").and_then(|b| pointer::deref(doc, b)) {
        for (_, media) in body
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(schema) = media.get("schema") {
                flatten(doc, schema, "body", true, &mut out, 0);
            }
        }
    }
    for (status, response) in op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if !status.starts_with('2') {
            continue;
        }
        let Some(response) = pointer::deref(doc, response) else {
            continue;
        };
        for (_, media) in response
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(schema) = media.get("schema") {
                flatten(doc, schema, status, false, &mut out, 0);
            }
        }
    }
    out
}

fn field_of(schema: Option<&Value>, required: Option<bool>) -> Field {
    let get = |k: &str| {
        schema
            .and_then(|s| s.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Field {
        ty: get("type"),
        format: get("format"),
        required,
    }
}

/// Flattens a schema into `prefix field.sub[]` entries.
fn flatten(
    doc: &Value,
    schema: &Value,
    prefix: &str,
    request: bool,
    out: &mut BTreeMap<String, Field>,
    depth: usize,
) {
    let Some(schema) = pointer::deref(doc, schema) else {
        return;
    };
    if depth > 12 {
        return;
    }
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (name, prop) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let key = if prefix.contains(' ') || prefix.ends_with("[]") {
            format!("{prefix}.{name}")
        } else {
            format!("{prefix} {name}")
        };
        let resolved = pointer::deref(doc, prop);
        out.insert(
            key.clone(),
            field_of(resolved, request.then(|| required.contains(name.as_str()))),
        );
        if let Some(resolved) = resolved {
            descend(doc, resolved, &key, request, out, depth);
        }
    }
}

fn descend(
    doc: &Value,
    schema: &Value,
    key: &str,
    request: bool,
    out: &mut BTreeMap<String, Field>,
    depth: usize,
) {
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => {
            if let Some(items) = schema.get("items").and_then(|i| pointer::deref(doc, i)) {
                let item_key = format!("{key}[]");
                if items.get("properties").is_some() {
                    flatten(doc, items, &item_key, request, out, depth + 1);
                } else {
                    out.insert(item_key.clone(), field_of(Some(items), None));
                    descend(doc, items, &item_key, request, out, depth + 1);
                }
            }
        }
        _ => flatten(doc, schema, key, request, out, depth + 1),
    }
}
