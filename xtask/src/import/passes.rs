//! The normalisation passes of `cargo xtask import`, one function each, in
//! the order of [`super::PASSES`]. Each works on the upstream document in
//! place and reports every change through [`Ctx::change`] with the pointer
//! of the place in the upstream document.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::Ctx;
use super::text;
use crate::pointer::{self, HTTP_METHODS, Side};

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
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in HTTP_METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op
                .get("operationId")
                .or_else(|| item.get("x-operationId"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let tags = op
                .get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            out.push(UpstreamOp {
                path: path.clone(),
                method: method.to_string(),
                id,
                tags,
            });
        }
    }
    out
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
    let Some(paths) = ctx.doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    paths.retain(|path, item| {
        let Some(item) = item.as_object_mut() else {
            return false;
        };
        let x_id = item.get("x-operationId").cloned();
        for method in HTTP_METHODS {
            let id = item
                .get(method)
                .and_then(|op| op.get("operationId").or(x_id.as_ref()))
                .and_then(Value::as_str)
                .map(str::to_string);
            if let Some(id) = id
                && !keep.contains(&(path.clone(), id))
            {
                item.remove(method);
            }
        }
        HTTP_METHODS.iter().any(|m| item.contains_key(*m))
    });
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

/// Pointers of every parameter object: components and the lists of path
/// items and operations.
fn parameter_pointers(doc: &Value) -> Vec<String> {
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
fn parameter_lists(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let item_ptr = pointer::push("/paths", path);
        if item.get("parameters").is_some() {
            out.push(format!("{item_ptr}/parameters"));
        }
        for method in HTTP_METHODS {
            if item
                .get(method)
                .and_then(|op| op.get("parameters"))
                .is_some()
            {
                out.push(format!("{item_ptr}/{method}/parameters"));
            }
        }
    }
    out
}

/// Pointers of every operation.
fn operation_pointers(doc: &Value) -> Vec<String> {
    operations(doc)
        .into_iter()
        .map(|op| pointer::push(&pointer::push("/paths", &op.path), &op.method))
        .collect()
}

/// Calls `f` on every schema object (not `$ref`s) of the document, parents
/// first; `f` pushes `(pointer, message)` for each change it makes.
fn edit_schemas(
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

/// Keywords a Swagger 2 header or parameter carries itself, which OpenAPI 3
/// puts in its `schema`.
const SCHEMA_KEYWORDS: [&str; 12] = [
    "type",
    "format",
    "items",
    "enum",
    "default",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
];

pub fn swagger2_headers(ctx: &mut Ctx) {
    let mut headers = Vec::new();
    for op in operation_pointers(&ctx.doc) {
        collect_headers(&ctx.doc, &format!("{op}/responses"), true, &mut headers);
    }
    collect_headers(&ctx.doc, "/components/responses", true, &mut headers);
    collect_headers(&ctx.doc, "/components", false, &mut headers);
    for ptr in headers {
        let Some(Value::Object(header)) = ctx.doc.pointer_mut(&ptr) else {
            continue;
        };
        if header.contains_key("schema")
            || header.contains_key("content")
            || header.contains_key("$ref")
        {
            continue;
        }
        let mut schema = Map::new();
        for key in SCHEMA_KEYWORDS {
            if let Some(v) = header.remove(key) {
                schema.insert(key.into(), v);
            }
        }
        let moved: Vec<String> = schema.keys().map(|k| format!("`{k}`")).collect();
        if !schema.contains_key("type") {
            schema.insert("type".into(), json!("string"));
        }
        header.insert("schema".into(), Value::Object(schema));
        let message = if moved.is_empty() {
            "a header without `schema`: now `schema: {type: string}`".to_string()
        } else {
            format!(
                "moved {} into a `schema` (a Swagger 2 header)",
                moved.join(", ")
            )
        };
        ctx.change(ptr, message);
    }
}

/// Header pointers under `base`: with `per_response`, under each
/// `base/<status>/headers`; otherwise `base/headers/*`.
fn collect_headers(doc: &Value, base: &str, per_response: bool, out: &mut Vec<String>) {
    let Some(map) = doc.pointer(base).and_then(Value::as_object) else {
        return;
    };
    let mut under = |ptr: String, holder: &Value| {
        for (name, _) in holder
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            out.push(pointer::push(&format!("{ptr}/headers"), name));
        }
    };
    if per_response {
        for (status, response) in map {
            under(pointer::push(base, status), response);
        }
    } else {
        under(base.to_string(), &Value::Object(map.clone()));
    }
}

pub fn parameter_type(ctx: &mut Ctx) {
    for ptr in parameter_pointers(&ctx.doc) {
        let Some(Value::Object(param)) = ctx.doc.pointer_mut(&ptr) else {
            continue;
        };
        if param.contains_key("schema")
            && let Some(t) = param.remove("type")
        {
            ctx.change(
                format!("{ptr}/type"),
                format!(
                    "removed `type: {}` beside the parameter's `schema` (a Swagger 2 leftover)",
                    text_of(&t)
                ),
            );
        }
    }
}

pub fn dangling_refs(ctx: &mut Ctx) {
    let mut found = Vec::new();
    find_refs(&ctx.doc, &mut String::new(), &mut found);
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

fn find_refs(node: &Value, here: &mut String, out: &mut Vec<(String, String)>) {
    match node {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                out.push((here.clone(), r.to_string()));
                return;
            }
            for (k, v) in map {
                let len = here.len();
                here.push('/');
                here.push_str(&pointer::escape(k));
                find_refs(v, here, out);
                here.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = here.len();
                here.push_str(&format!("/{i}"));
                find_refs(v, here, out);
                here.truncate(len);
            }
        }
        _ => {}
    }
}

/// Removes the header parameters `matches` accepts from every parameter
/// list; returns `(list pointer, index, name)` of each. A removed entry is
/// left as `null` until `rpc-paths` compacts the lists, so that the pointers
/// later passes report still name places in the upstream document.
fn remove_header_params(
    ctx: &mut Ctx,
    matches: impl Fn(&str) -> bool,
) -> Vec<(String, usize, String)> {
    let mut removed = Vec::new();
    for list in parameter_lists(&ctx.doc) {
        let Some(items) = ctx.doc.pointer(&list).and_then(Value::as_array) else {
            continue;
        };
        let hits: Vec<(usize, String)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let p = pointer::deref(&ctx.doc, p)?;
                let name = p.get("name")?.as_str()?;
                (p.get("in")?.as_str()? == "header" && matches(name)).then(|| (i, name.to_string()))
            })
            .collect();
        if let Some(Value::Array(items)) = ctx.doc.pointer_mut(&list) {
            for (i, _) in &hits {
                items[*i] = Value::Null;
            }
        }
        removed.extend(hits.into_iter().map(|(i, name)| (list.clone(), i, name)));
    }
    removed
}

pub fn auth_headers(ctx: &mut Ctx) {
    let removed = remove_header_params(ctx, |name| {
        name.eq_ignore_ascii_case("x-auth-token") || name.eq_ignore_ascii_case("x-security-token")
    });
    for (list, i, name) in removed {
        let op = list.trim_end_matches("/parameters").to_string();
        let scheme = if name.eq_ignore_ascii_case("x-auth-token") {
            ctx.authenticated.insert(op);
            "the `token` security scheme (or `aksk` signing)"
        } else {
            "`aksk` signing with temporary credentials"
        };
        ctx.change(
            format!("{list}/{i}"),
            format!("removed the header parameter `{name}`: credentials are {scheme}, applied by a request hook"),
        );
    }
}

pub fn content_type_header(ctx: &mut Ctx) {
    let removed = remove_header_params(ctx, |name| name.eq_ignore_ascii_case("content-type"));
    for (list, i, name) in removed {
        ctx.change(
            format!("{list}/{i}"),
            format!("removed the header parameter `{name}`: the request body's media type sets it"),
        );
    }
}

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
    for key in ["minLength", "maxLength", "pattern"] {
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

pub fn scalar_objects(ctx: &mut Ctx) {
    edit_schemas(ctx, |map, ptr, _, changes| {
        if map.get("type").and_then(Value::as_str) != Some("object")
            || [
                "properties",
                "additionalProperties",
                "allOf",
                "oneOf",
                "anyOf",
            ]
            .iter()
            .any(|k| map.contains_key(*k))
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

pub fn file_downloads(ctx: &mut Ctx) {
    let mut files = Vec::new();
    for site in pointer::all_schemas(&ctx.doc) {
        if ctx
            .doc
            .pointer(&site.pointer)
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            == Some("file")
        {
            files.push(site.pointer);
        }
    }
    for ptr in files {
        // A whole response body: the media type becomes binary too.
        let media = ptr
            .strip_suffix("/schema")
            .and_then(|m| m.rsplit_once("/content/"));
        if let Some((response, media_token)) = media.filter(|(r, _)| r.contains("/responses/")) {
            let content_ptr = format!("{response}/content");
            if let Some(Value::Object(content)) = ctx.doc.pointer_mut(&content_ptr) {
                let media_name = media_token.replace("~1", "/").replace("~0", "~");
                content.remove(&media_name);
                content.insert(
                    "application/octet-stream".into(),
                    json!({"schema": {"type": "string", "format": "binary"}}),
                );
                ctx.change(
                    ptr,
                    format!("`type: file` under `{media_name}`: the body is now `application/octet-stream`, a byte stream"),
                );
            }
        } else if let Some(slot) = ctx.doc.pointer_mut(&ptr) {
            *slot = json!({"type": "string", "format": "binary"});
            ctx.change(ptr, "`type: file` is now `type: string, format: binary`");
        }
    }
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

pub fn required_properties(ctx: &mut Ctx) {
    edit_schemas(ctx, |map, ptr, _, changes| {
        if ["allOf", "oneOf", "anyOf"]
            .iter()
            .any(|k| map.contains_key(*k))
        {
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

pub fn upstream_text(ctx: &mut Ctx) {
    let tags = tag_names(&ctx.doc);
    for (up, english) in &tags {
        if !text::HSS_TAGS.iter().any(|(t, _)| t == up) && !up.is_ascii() {
            ctx.change(
                "/paths",
                format!("the upstream tag `{up}` has no English name: it is `{english}`"),
            );
        }
    }
    // Operations: summary = operation id, no description, English tags.
    for op in operations(&ctx.doc) {
        let op_ptr = pointer::push(&pointer::push("/paths", &op.path), &op.method);
        let Some(Value::Object(map)) = ctx.doc.pointer_mut(&op_ptr) else {
            continue;
        };
        let mut changes = Vec::new();
        if map.get("summary").and_then(Value::as_str) != Some(op.id.as_str()) {
            let had = map.insert("summary".into(), json!(op.id)).is_some();
            changes.push(if had {
                (
                    format!("{op_ptr}/summary"),
                    "upstream summary replaced by the operation id".to_string(),
                )
            } else {
                (
                    op_ptr.clone(),
                    "added the operation id as the summary".to_string(),
                )
            });
        }
        if map.remove("description").is_some() {
            changes.push((
                format!("{op_ptr}/description"),
                "upstream description not copied".to_string(),
            ));
        }
        if let Some(Value::Array(list)) = map.get_mut("tags") {
            for (i, tag) in list.iter_mut().enumerate() {
                if let Some((up, english)) = tags
                    .iter()
                    .find(|(up, _)| Some(up.as_str()) == tag.as_str())
                    && up != english
                {
                    changes.push((
                        format!("{op_ptr}/tags/{i}"),
                        format!("tag `{up}` is `{english}`"),
                    ));
                    *tag = json!(english);
                }
            }
        }
        for (p, m) in changes {
            ctx.change(p, m);
        }
    }
    // Responses: a neutral description (OpenAPI requires one).
    let mut responses = Vec::new();
    for op in operation_pointers(&ctx.doc) {
        for (status, _) in ctx
            .doc
            .pointer(&format!("{op}/responses"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            responses.push((
                pointer::push(&format!("{op}/responses"), status),
                status.clone(),
            ));
        }
    }
    for (name, _) in ctx
        .doc
        .pointer("/components/responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        responses.push((pointer::push("/components/responses", name), String::new()));
    }
    for (ptr, status) in responses {
        let Some(Value::Object(map)) = ctx.doc.pointer_mut(&ptr) else {
            continue;
        };
        if map.contains_key("$ref") {
            continue;
        }
        let ours = text::response_description(&status);
        if map.get("description").and_then(Value::as_str) != Some(ours.as_str()) {
            map.insert("description".into(), json!(ours));
            ctx.change(
                format!("{ptr}/description"),
                format!("upstream description replaced by `{ours}`"),
            );
        }
        strip_text_keys(ctx, &ptr, false, &["headers"], &["content"]);
    }
    // Parameters, headers, request bodies, media types: no descriptions;
    // examples with foreign text go.
    for ptr in parameter_pointers(&ctx.doc) {
        strip_text_keys(ctx, &ptr, true, &[], &[]);
    }
    for op in operation_pointers(&ctx.doc) {
        strip_text_keys(ctx, &format!("{op}/requestBody"), true, &[], &["content"]);
    }
    strip_text_keys(ctx, "/components", false, &["headers"], &[]);
    for (name, _) in ctx
        .doc
        .pointer("/components/requestBodies")
        .and_then(Value::as_object)
        .cloned()
        .into_iter()
        .flatten()
    {
        strip_text_keys(
            ctx,
            &pointer::push("/components/requestBodies", &name),
            true,
            &[],
            &["content"],
        );
    }
    // Every schema, and the siblings of `$ref`s (which OpenAPI 3.0 ignores).
    edit_schemas(ctx, |map, ptr, _, changes| strip_in(map, ptr, changes));
    let mut changes = Vec::new();
    for site in pointer::all_schemas(&ctx.doc) {
        let Some(Value::Object(map)) = ctx.doc.pointer_mut(&site.pointer) else {
            continue;
        };
        if map.contains_key("$ref") {
            let siblings: Vec<String> = map.keys().filter(|k| *k != "$ref").cloned().collect();
            for k in siblings {
                map.remove(&k);
                changes.push((
                    pointer::push(&site.pointer, &k),
                    format!("dropped `{k}` beside `$ref` (OpenAPI 3.0 ignores it)"),
                ));
            }
        }
    }
    for (p, m) in changes {
        ctx.change(p, m);
    }
    // Vendor extensions on operations and schemas (path-item ones are read
    // by `rpc-paths`).
    for op in operation_pointers(&ctx.doc) {
        let Some(Value::Object(map)) = ctx.doc.pointer_mut(&op) else {
            continue;
        };
        let ext: Vec<String> = map
            .keys()
            .filter(|k| k.starts_with("x-"))
            .cloned()
            .collect();
        for k in &ext {
            map.remove(k);
        }
        for k in ext {
            ctx.change(
                pointer::push(&op, &k),
                format!("dropped the vendor extension `{k}`"),
            );
        }
    }
}

/// Strips upstream text from the object at `ptr` (its own description
/// when `own`), from the entries of its header maps (`maps`) and the
/// examples of its media types (`media`).
fn strip_text_keys(ctx: &mut Ctx, ptr: &str, own: bool, maps: &[&str], media: &[&str]) {
    let mut changes = Vec::new();
    let Some(Value::Object(map)) = ctx.doc.pointer_mut(ptr) else {
        return;
    };
    if map.contains_key("$ref") {
        return;
    }
    if own {
        strip_in(map, ptr, &mut changes);
    }
    for key in maps.iter().chain(media) {
        if let Some(Value::Object(entries)) = map.get_mut(*key) {
            for (name, entry) in entries.iter_mut() {
                if let Value::Object(entry) = entry {
                    let at = pointer::push(&format!("{ptr}/{key}"), name);
                    if maps.contains(key) {
                        strip_in(entry, &at, &mut changes);
                    } else {
                        drop_foreign_example(entry, &at, &mut changes);
                    }
                }
            }
        }
    }
    for (p, m) in changes {
        ctx.change(p, m);
    }
}

/// Removes `description` and `title`, and examples with foreign text.
fn strip_in(map: &mut Map<String, Value>, ptr: &str, changes: &mut Vec<(String, String)>) {
    for key in ["description", "title"] {
        if map.remove(key).is_some() {
            changes.push((format!("{ptr}/{key}"), format!("upstream {key} not copied")));
        }
    }
    drop_foreign_example(map, ptr, changes);
}

fn drop_foreign_example(
    map: &mut Map<String, Value>,
    ptr: &str,
    changes: &mut Vec<(String, String)>,
) {
    if map.get("example").is_some_and(text::has_foreign_text) {
        map.remove("example");
        changes.push((
            format!("{ptr}/example"),
            "dropped an example with upstream (non-ASCII) text".to_string(),
        ));
    }
    if let Some(Value::Object(examples)) = map.get_mut("examples") {
        let foreign: Vec<String> = examples
            .iter()
            .filter(|(k, v)| text::is_foreign(k) || text::has_foreign_text(v))
            .map(|(k, _)| k.clone())
            .collect();
        for name in foreign {
            examples.remove(&name);
            changes.push((
                pointer::push(&format!("{ptr}/examples"), &name),
                "dropped an example with upstream (non-ASCII) text".to_string(),
            ));
        }
    }
}

/// Keywords that make typify generate a validating type for a parameter.
const CONSTRAINTS: [&str; 8] = [
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "enum",
    "exclusiveMinimum",
    "exclusiveMaximum",
];

pub fn shared_parameter_schemas(ctx: &mut Ctx) {
    // (name, schema without example) -> pointers of the schemas.
    let mut groups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut add = |name: String, ptr: String, schema: &Value| {
        let Some(schema) = schema.as_object() else {
            return;
        };
        if schema.contains_key("$ref") || !CONSTRAINTS.iter().any(|k| schema.contains_key(*k)) {
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
        .chain(operations(&ctx.doc).into_iter().map(|op| op.id))
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
pub fn free_type_name(base: &str, taken: &BTreeSet<String>, prefixes: &[String]) -> String {
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
        !CONSTRAINTS.iter().any(|k| m.contains_key(*k))
            && ![
                "$ref",
                "allOf",
                "oneOf",
                "anyOf",
                "not",
                "properties",
                "additionalProperties",
                "minItems",
                "maxItems",
                "uniqueItems",
            ]
            .iter()
            .any(|k| m.contains_key(*k))
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
        find_refs(&ctx.doc, &mut String::new(), &mut found);
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

/// The security schemes an imported spec offers, as `openapi/hss.yaml`
/// describes them.
fn security_schemes() -> Value {
    json!({
        "token": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Auth-Token",
            "description": "IAM user token: the `X-Subject-Token` response header of IAM `POST /v3/auth/tokens`."
        },
        "aksk": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "AK/SK request signing (`SDK-HMAC-SHA256`) with an `X-Sdk-Date` header; temporary credentials add a signed `X-Security-Token`."
        }
    })
}

pub fn rpc_paths(ctx: &mut Ctx) {
    let old = match ctx.doc.get_mut("paths").map(Value::take) {
        Some(Value::Object(paths)) => paths,
        _ => Map::new(),
    };
    let mut new_paths: Map<String, Value> = Map::new();
    let mut placed: BTreeMap<(String, String), String> = BTreeMap::new();
    let authenticated = std::mem::take(&mut ctx.authenticated);
    let mut any_auth = false;
    for (key, item) in old {
        let item_ptr = pointer::push("/paths", &key);
        let Value::Object(mut item) = item else {
            continue;
        };
        let url = item
            .remove("x-url")
            .and_then(|v| v.as_str().map(str::to_string));
        let x_method = item
            .remove("x-method")
            .and_then(|v| v.as_str().map(str::to_lowercase));
        let x_id = item
            .remove("x-operationId")
            .and_then(|v| v.as_str().map(str::to_string));
        for k in item
            .keys()
            .filter(|k| k.starts_with("x-"))
            .cloned()
            .collect::<Vec<_>>()
        {
            item.remove(&k);
            ctx.change(
                pointer::push(&item_ptr, &k),
                format!("dropped the vendor extension `{k}`"),
            );
        }
        let shared_params = item.remove("parameters").map(|mut p| {
            if let Value::Array(list) = &mut p {
                list.retain(|p| !p.is_null());
            }
            p
        });
        let methods: Vec<&str> = HTTP_METHODS
            .iter()
            .copied()
            .filter(|m| item.contains_key(*m))
            .collect();
        let path = match &url {
            Some(u) => match u.strip_prefix("{endpoint}") {
                Some(p) if p.starts_with('/') => p.split('?').next().unwrap_or(p).to_string(),
                _ => {
                    ctx.problem(
                        format!("{item_ptr}/x-url"),
                        format!("`x-url: {u}` does not start with `{{endpoint}}/`"),
                    );
                    continue;
                }
            },
            // Already a real path (not RPC-style): keep it.
            None => key.clone(),
        };
        if methods.len() > 1 && x_method.is_some() {
            ctx.problem(item_ptr.clone(), "an RPC-style path item with more than one operation; `x-method` cannot say which is which");
            continue;
        }
        for method in methods {
            let Some(Value::Object(mut op)) = item.remove(method) else {
                continue;
            };
            let op_ptr = pointer::push(&item_ptr, method);
            let real_method = x_method.clone().unwrap_or_else(|| method.to_string());
            if !HTTP_METHODS.contains(&real_method.as_str()) {
                ctx.problem(
                    format!("{item_ptr}/x-method"),
                    format!("`x-method: {real_method}` is not an HTTP method"),
                );
                continue;
            }
            if !op.contains_key("operationId")
                && let Some(id) = &x_id
            {
                op.insert("operationId".into(), json!(id));
                ctx.change(
                    format!("{op_ptr}/operationId"),
                    format!("operation id `{id}` from `x-operationId`"),
                );
            }
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            if let Some(Value::Array(list)) = op.get_mut("parameters") {
                list.retain(|p| !p.is_null());
                if list.is_empty() {
                    op.remove("parameters");
                }
            }
            if let Some(Value::Array(shared)) = &shared_params {
                let list = op.entry("parameters").or_insert_with(|| json!([]));
                if let Value::Array(list) = list {
                    for p in shared.iter().rev() {
                        list.insert(0, p.clone());
                    }
                }
                ctx.change(
                    format!("{item_ptr}/parameters"),
                    format!("path-item parameters moved into `{id}`"),
                );
            }
            if authenticated.contains(&op_ptr) {
                any_auth = true;
            } else {
                op.insert("security".into(), json!([]));
                ctx.change(
                    op_ptr.clone(),
                    "no auth header parameter upstream: `security: []` (no credentials)",
                );
            }
            if let Some(first) = placed.get(&(path.clone(), real_method.clone())) {
                ctx.problem(
                    op_ptr.clone(),
                    format!(
                        "`{id}` and `{first}` are both `{} {path}`",
                        real_method.to_uppercase()
                    ),
                );
                continue;
            }
            placed.insert((path.clone(), real_method.clone()), id.clone());
            let target = new_paths.entry(path.clone()).or_insert_with(|| json!({}));
            target[real_method.as_str()] = Value::Object(op);
            if key != path || method != real_method {
                ctx.change(
                    op_ptr,
                    format!(
                        "`{id}` is `{} {path}` (from `x-method` and `x-url`)",
                        real_method.to_uppercase()
                    ),
                );
            }
        }
    }
    ctx.doc["paths"] = Value::Object(new_paths);

    // Document level: version, servers, security.
    if ctx.doc.get("openapi").and_then(Value::as_str) != Some("3.0.3") {
        let was = ctx.doc.get("openapi").map(text_of).unwrap_or_default();
        ctx.doc["openapi"] = json!("3.0.3");
        ctx.change("/openapi", format!("`openapi: {was}` is now `3.0.3`"));
    }
    let host = ctx
        .doc
        .pointer("/info/x-host")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(host) = host {
        let mut server = json!({"url": format!("https://{host}")});
        let vars = crate::spec::path_variables(&host);
        if !vars.is_empty() {
            let mut variables = Map::new();
            for v in vars {
                let default = if v == "region" { "ap-southeast-1" } else { "" };
                variables.insert(v, json!({"default": default}));
            }
            server["variables"] = Value::Object(variables);
        }
        ctx.doc["servers"] = json!([server]);
        ctx.change(
            "/servers",
            format!("servers: `https://{host}`, from `info.x-host`"),
        );
    }
    if let Some(Value::Object(info)) = ctx.doc.get_mut("info") {
        let ext: Vec<String> = info
            .keys()
            .filter(|k| k.starts_with("x-"))
            .cloned()
            .collect();
        for k in ext {
            info.remove(&k);
        }
    }
    let operations = operations(&ctx.doc).len();
    ctx.doc["info"] = info(&ctx.doc, &ctx.label, operations);
    ctx.change(
        "/info",
        "title and description are ours; the version is upstream's",
    );
    let tags: BTreeSet<String> = self::operations(&ctx.doc)
        .into_iter()
        .flat_map(|op| op.tags)
        .collect();
    if !tags.is_empty() {
        ctx.doc["tags"] = Value::Array(tags.into_iter().map(|t| json!({"name": t})).collect());
    }
    if any_auth {
        let components = ctx.doc.as_object_mut().and_then(|d| {
            d.entry("components")
                .or_insert_with(|| json!({}))
                .as_object_mut()
        });
        if let Some(components) = components {
            components.insert("securitySchemes".into(), security_schemes());
        }
        ctx.doc["security"] = json!([{"token": []}, {"aksk": []}]);
        ctx.change(
            "/components/securitySchemes",
            "added the `token` and `aksk` security schemes",
        );
    }
}

/// The info block of an imported spec: our words, upstream's version.
pub fn info(doc: &Value, label: &str, operations: usize) -> Value {
    let title = doc
        .pointer("/info/title")
        .and_then(Value::as_str)
        .filter(|t| t.is_ascii())
        .unwrap_or("API");
    let version = doc
        .pointer("/info/version")
        .and_then(Value::as_str)
        .unwrap_or("0");
    json!({
        "title": format!("Huawei Cloud {title} (imported)"),
        "version": version,
        "description": format!(
            "{operations} operation(s) imported by `cargo xtask import` from {label}. Upstream descriptions are not copied; response schemas follow the generator's response leniency policy (xtask/src/leniency.rs)."
        )
    })
}

/// The imported spec as YAML, keys in the order people read OpenAPI in,
/// after a header comment.
pub fn to_yaml(doc: &Value, label: &str) -> anyhow::Result<String> {
    let yaml = serde_norway::to_string(&ordered(doc))?;
    Ok(format!(
        "# Imported by `cargo xtask import` from {label}.\n# Every change to upstream is listed in the import report; see openapi/README.md.\n{yaml}"
    ))
}

/// Key order for the output: the document's top level, then a list that
/// fits operations, parameters and schemas; other keys keep their (sorted)
/// order after those.
const TOP_ORDER: [&str; 7] = [
    "openapi",
    "info",
    "servers",
    "security",
    "tags",
    "paths",
    "components",
];
const KEY_ORDER: [&str; 26] = [
    "operationId",
    "name",
    "in",
    "required",
    "tags",
    "summary",
    "title",
    "description",
    "security",
    "parameters",
    "requestBody",
    "responses",
    "type",
    "format",
    "nullable",
    "enum",
    "default",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "items",
    "properties",
    "example",
    "content",
];

fn ordered(value: &Value) -> serde_norway::Value {
    match value {
        Value::Object(map) => {
            let order: &[&str] = if map.contains_key("openapi") {
                &TOP_ORDER
            } else {
                &KEY_ORDER
            };
            let mut keys: Vec<&String> = map.keys().collect();
            let rank = |k: &str| {
                // A schema's `required` list reads best just before its
                // properties; a parameter's `required` flag near its name.
                let k = if k == "required" && map[k].is_array() {
                    "properties"
                } else {
                    k
                };
                order.iter().position(|o| *o == k).unwrap_or(order.len())
            };
            keys.sort_by_key(|k| rank(k));
            let mut out = serde_norway::Mapping::new();
            for k in keys {
                out.insert(
                    serde_norway::Value::String(k.clone()),
                    ordered(&map[k.as_str()]),
                );
            }
            serde_norway::Value::Mapping(out)
        }
        Value::Array(items) => serde_norway::Value::Sequence(items.iter().map(ordered).collect()),
        Value::String(s) => serde_norway::Value::String(s.clone()),
        Value::Number(n) => serde_norway::to_value(n).unwrap_or(serde_norway::Value::Null),
        Value::Bool(b) => serde_norway::Value::Bool(*b),
        Value::Null => serde_norway::Value::Null,
    }
}

/// A JSON value as message text (strings without quotes).
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
