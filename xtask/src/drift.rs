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

/// Compares each operation of our spec with the official SDK's
/// ([`crate::sdk`]): method, path, each parameter's location, wire name,
/// type and list joining, the body's content type and top-level fields,
/// and the top-level fields of the success response. Operations the SDK
/// has and our spec lacks are not listed (our spec covers part of the
/// service on purpose).
pub fn compare_sdk(
    ours_text: &str,
    ours_label: &str,
    sdk: &crate::sdk::Sdk,
) -> anyhow::Result<Drift> {
    use crate::sdk::Location;
    let ours =
        crate::spec::parse_raw(ours_text).map_err(|p| anyhow::anyhow!("{ours_label}: {p}"))?;
    let mut items = Vec::new();
    for (id, ptr) in our_operations(&ours) {
        let mut push = |field: &str, what: String| {
            items.push(Item {
                operation: id.clone(),
                field: field.to_string(),
                what,
                ours: ptr.clone(),
                upstream: format!("sdk {}", crate::upstream::SDK.version),
            })
        };
        let Some(op) = sdk.operations.get(&id) else {
            push("operation", "not in the official SDK".into());
            continue;
        };
        let method = ptr.rsplit('/').next().unwrap_or_default().to_uppercase();
        if method != op.method {
            push(
                "method",
                format!("ours `{method}`, the SDK's `{}`", op.method),
            );
        }
        let path = path_of(&ptr);
        let path = path.split('#').next().unwrap_or_default();
        if path != op.path {
            push("path", format!("ours `{path}`, the SDK's `{}`", op.path));
        }
        // Header names are case-insensitive.
        let key = |location: &str, name: &str| {
            if location == "header" {
                format!("header {}", name.to_ascii_lowercase())
            } else {
                format!("{location} {name}")
            }
        };
        let our_fields = fields(&ours, &ptr);
        let our_params: BTreeMap<String, &Field> = our_fields
            .iter()
            .filter_map(|(k, f)| {
                let (location, name) = k.split_once(' ')?;
                ["path", "query", "header"]
                    .contains(&location)
                    .then(|| (key(location, name), f))
            })
            .collect();
        let mut their_params = BTreeMap::new();
        for p in op.params.iter().filter(|p| p.location != Location::Form) {
            let ty = sdk.param_type(op, &p.attribute).map_or("", |t| t.openapi());
            their_params.insert(key(p.location.openapi(), &p.wire), (ty, p));
        }
        for name in our_params
            .keys()
            .chain(their_params.keys())
            .collect::<BTreeSet<_>>()
        {
            match (our_params.get(name), their_params.get(name)) {
                // The SDK fills `{project_id}` from its credentials.
                (Some(_), None)
                    if name
                        .strip_prefix("path ")
                        .is_some_and(|v| op.path.contains(&format!("{{{v}}}"))) => {}
                (Some(o), None) => push(name, format!("ours only ({})", o.describe())),
                (None, Some((ty, _))) => push(name, format!("the SDK's only ({})", or_any(ty))),
                (Some(o), Some((ty, p))) => {
                    if !ty.is_empty() && o.ty != *ty {
                        push(name, format!("type: ours `{}`, the SDK's `{ty}`", o.ty));
                    }
                    // The SDK's client repeats the name for every list in
                    // a query, whatever `collection_formats` says (its
                    // `_parse_query_params` makes each one `multi`).
                    if *ty == "array" && our_explode(&ours, &ptr, name) == Some(false) {
                        push(
                            name,
                            format!(
                                "list joining: ours joins with commas, the SDK repeats the name (its client sends `{}` lists that way too)",
                                p.collection_format.as_deref().unwrap_or("unformatted")
                            ),
                        );
                    }
                }
                (None, None) => {}
            }
        }
        // The body: content type and top-level fields.
        let our_media = ours
            .pointer(&format!("{ptr}/requestBody/content"))
            .and_then(|c| pointer::deref(&ours, c))
            .and_then(Value::as_object)
            .and_then(|c| c.keys().next().cloned());
        let body_model = match sdk.body_model(op) {
            Some(crate::sdk::SdkType::Model(name)) => sdk.models.get(name),
            _ => None,
        };
        let base = |m: &str| m.split(';').next().unwrap_or_default().trim().to_string();
        if let (Some(media), Some(theirs)) = (&our_media, op.content_types.first())
            && op.body.is_some()
            && base(media) != base(theirs)
        {
            push(
                "body",
                format!("content type: ours `{media}`, the SDK's `{theirs}`"),
            );
        }
        if op.body.is_some() != our_media.is_some() {
            push(
                "body",
                if op.body.is_some() {
                    "the SDK sends a body, ours none".into()
                } else {
                    "ours sends a body, the SDK none".into()
                },
            );
        }
        let top = |prefix: &str| -> BTreeMap<String, String> {
            our_fields
                .iter()
                .filter_map(|(k, f)| {
                    let name = k.strip_prefix(prefix)?.strip_prefix(' ')?;
                    (!name.contains(['.', '['])).then(|| (name.to_string(), f.ty.clone()))
                })
                .collect()
        };
        if let Some(model) = body_model {
            compare_fields(&top("body"), model, "body", &mut push);
        }
        if let Some(model) = sdk.models.get(&op.response) {
            // What the SDK reads from headers is no body field, and a model
            // whose one attribute is `body` is the body itself.
            let mut model = model.clone();
            model.fields.retain(|(_, f)| {
                !op.response_headers
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(&f.wire))
            });
            if let [(attribute, _)] = model.fields.as_slice()
                && attribute == "body"
            {
                continue;
            }
            let model = &model;
            let success = our_fields
                .keys()
                .filter_map(|k| k.split_once(' ').map(|(s, _)| s))
                .find(|s| s.starts_with('2'))
                .unwrap_or("200")
                .to_string();
            compare_fields(&top(&success), model, &success, &mut push);
        }
    }
    Ok(Drift(items))
}

/// Top-level fields of ours (name -> type) against an SDK model's.
fn compare_fields(
    ours: &BTreeMap<String, String>,
    model: &crate::sdk::Model,
    prefix: &str,
    push: &mut impl FnMut(&str, String),
) {
    let theirs: BTreeMap<&str, &'static str> = model
        .fields
        .iter()
        .map(|(_, f)| (f.wire.as_str(), f.ty.openapi()))
        .collect();
    let names: BTreeSet<&str> = ours
        .keys()
        .map(String::as_str)
        .chain(theirs.keys().copied())
        .collect();
    for name in names {
        let field = format!("{prefix} {name}");
        match (ours.get(name), theirs.get(name)) {
            (Some(o), None) => push(&field, format!("ours only ({})", or_any(o))),
            (None, Some(t)) => push(&field, format!("the SDK's only ({})", or_any(t))),
            (Some(o), Some(t)) if !t.is_empty() && !o.is_empty() && o != t => {
                push(&field, format!("type: ours `{o}`, the SDK's `{t}`"))
            }
            _ => {}
        }
    }
}

fn or_any(ty: &str) -> String {
    if ty.is_empty() {
        "any".into()
    } else {
        ty.to_string()
    }
}

/// Whether our array parameter `key` (`query name`) repeats its name
/// (`explode`, OpenAPI's default for `form`); `None` when it is no array.
fn our_explode(doc: &Value, op_ptr: &str, key: &str) -> Option<bool> {
    let (location, name) = key.split_once(' ')?;
    let op = doc.pointer(op_ptr)?;
    let param = op
        .get("parameters")?
        .as_array()?
        .iter()
        .filter_map(|p| pointer::deref(doc, p))
        .find(|p| {
            p.get("in").and_then(Value::as_str) == Some(location)
                && p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })?;
    let schema = param.get("schema").and_then(|s| pointer::deref(doc, s))?;
    (schema.get("type").and_then(Value::as_str) == Some("array")).then(|| {
        param
            .get("explode")
            .and_then(Value::as_bool)
            .unwrap_or(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_from_the_sdk_are_named_by_field() {
        let client = r#"
    def _list_widgets_http_info(cls, request):
        http_info = {
            "method": "GET",
            "resource_path": "/v5/{project_id}/widgets",
            "response_type": "ListWidgetsResponse"
            }
        if 'colours' in local_var_params:
            query_params.append(('colour', local_var_params['colours']))
            collection_formats['colours'] = 'csv'
        if 'limit' in local_var_params:
            query_params.append(('limit', local_var_params['limit']))
        if 'x_language' in local_var_params:
            header_params['x-language'] = local_var_params['x_language']
        return http_info
"#;
        let models = [
            (
                "list_widgets_request.py",
                "class ListWidgetsRequest:\n    openapi_types = {\n        'colours': 'list[str]',\n        'limit': 'int',\n        'x_language': 'str'\n    }\n\n    attribute_map = {\n        'colours': 'colour',\n        'limit': 'limit',\n        'x_language': 'X-Language'\n    }\n",
            ),
            (
                "list_widgets_response.py",
                "class ListWidgetsResponse:\n    openapi_types = {\n        'total_num': 'int',\n        'data_list': 'list[Widget]'\n    }\n\n    attribute_map = {\n        'total_num': 'total_num',\n        'data_list': 'data_list'\n    }\n",
            ),
        ];
        let sdk = crate::sdk::Sdk::from_sources(client, models).unwrap();
        let ours = r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /v5/{project_id}/widgets:
    get:
      operationId: ListWidgets
      parameters:
        - {name: project_id, in: path, required: true, schema: {type: string}}
        - {name: colour, in: query, explode: false, schema: {type: array, items: {type: string}}}
        - {name: limit, in: query, schema: {type: string}}
        - {name: X-Language, in: header, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  total_num: {type: integer}
                  extra: {type: string}
  /v5/{project_id}/gadgets:
    get:
      operationId: ListGadgets
      responses: {'200': {description: ok}}
";
        let drift = compare_sdk(ours, "ours.yaml", &sdk).unwrap();
        let found: Vec<String> = drift
            .0
            .iter()
            .map(|i| format!("{} {}: {}", i.operation, i.field, i.what))
            .collect();
        assert_eq!(
            found,
            [
                "ListGadgets operation: not in the official SDK",
                "ListWidgets query colour: list joining: ours joins with commas, the SDK repeats the name (its client sends `csv` lists that way too)",
                "ListWidgets query limit: type: ours `string`, the SDK's `integer`",
                "ListWidgets 200 data_list: the SDK's only (array)",
                "ListWidgets 200 extra: ours only (string)",
            ]
        );
    }
}
