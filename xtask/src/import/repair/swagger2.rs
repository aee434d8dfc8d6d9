//! Swagger 2 leftovers in an OpenAPI 3.0 document: headers and parameters
//! that carry their schema keywords themselves, `type: file`.

use serde_json::{Map, Value, json};

use super::super::Ctx;
use super::super::places::{operation_pointers, parameter_lists, parameter_pointers, text_of};
use crate::{keywords, pointer};

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
        for key in keywords::swagger2_inline() {
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
    form_parameters(ctx);
}

/// `in: formData` parameters (Swagger 2; OpenAPI 3.0 has no such place)
/// become the properties of a request body: `multipart/form-data` when one
/// is a file, `application/x-www-form-urlencoded` otherwise. The emptied
/// list entries are `null` until `rpc-paths` compacts the lists, as for
/// the removed header parameters.
fn form_parameters(ctx: &mut Ctx) {
    for list in parameter_lists(&ctx.doc) {
        let Some(op_ptr) = list.strip_suffix("/parameters") else {
            continue;
        };
        if ctx
            .doc
            .pointer(op_ptr)
            .and_then(|op| op.get("responses"))
            .is_none()
        {
            continue; // a path item's list: no body to move them into
        }
        let Some(items) = ctx.doc.pointer(&list).and_then(Value::as_array) else {
            continue;
        };
        let form: Vec<(usize, String, Value, bool)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let p = pointer::deref(&ctx.doc, p)?;
                if p.get("in")?.as_str()? != "formData" {
                    return None;
                }
                let name = p.get("name")?.as_str()?.to_string();
                let schema = p.get("schema").cloned().unwrap_or_else(|| json!({}));
                let required = p.get("required").and_then(Value::as_bool) == Some(true);
                Some((i, name, schema, required))
            })
            .collect();
        if form.is_empty() {
            continue;
        }
        let file = form
            .iter()
            .any(|(_, _, s, _)| s.get("type").and_then(Value::as_str) == Some("file"));
        let media = if file {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (_, name, schema, needed) in &form {
            properties.insert(name.clone(), schema.clone());
            if *needed {
                required.push(json!(name));
            }
        }
        let mut schema = json!({"type": "object", "properties": properties});
        if !required.is_empty() {
            schema["required"] = Value::Array(required);
        }
        if let Some(Value::Array(items)) = ctx.doc.pointer_mut(&list) {
            for (i, ..) in &form {
                items[*i] = Value::Null;
            }
        }
        if let Some(Value::Object(op)) = ctx.doc.pointer_mut(op_ptr) {
            let body = op
                .entry("requestBody")
                .or_insert_with(|| json!({"content": {}}));
            if body.get("content").is_none() {
                body["content"] = json!({});
            }
            if body["content"].get(media).is_none() {
                body["content"][media] = json!({"schema": schema});
            }
        }
        for (i, name, ..) in form {
            ctx.change(
                format!("{list}/{i}"),
                format!("`{name}` is `in: formData` (Swagger 2): now a property of the `{media}` request body"),
            );
        }
    }
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
