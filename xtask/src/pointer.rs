//! JSON pointers (RFC 6901) and a walk over every schema of an OpenAPI 3.0
//! document, so that checks, import passes and the leniency policy all name
//! places the same way (`/paths/~1v5~1{project_id}~1.../get/parameters/1/schema`).

use serde_json::Value;

use crate::keywords;

/// Escapes one reference token: `~` becomes `~0`, `/` becomes `~1`.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `base` plus one token, escaped.
pub fn push(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
}

/// The pointer of the whole document is the empty string; messages show `/`.
pub fn display(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

/// The methods an OpenAPI 3.0 path item may hold, in the order progenitor
/// iterates them.
pub const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The operations a path item holds, `(method, operation)`, in
/// [`HTTP_METHODS`] order.
pub fn methods_of(item: &Value) -> impl Iterator<Item = (&'static str, &Value)> {
    HTTP_METHODS
        .iter()
        .filter_map(move |m| item.get(*m).map(|op| (*m, op)))
}

/// One operation of a document, as [`operations`] finds it.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    /// The path key (RPC-style upstream: `/ListVulScanTaskHost`).
    pub path: &'a str,
    pub method: &'static str,
    /// The path item that holds it (for path-level parameters and, upstream,
    /// `x-operationId`, `x-url`, `x-method`).
    pub item: &'a Value,
    pub op: &'a Value,
}

impl<'a> Operation<'a> {
    /// `/paths/<path>`.
    pub fn item_pointer(&self) -> String {
        push("/paths", self.path)
    }

    /// `/paths/<path>/<method>`.
    pub fn pointer(&self) -> String {
        push(&self.item_pointer(), self.method)
    }

    /// Its `operationId`.
    pub fn id(&self) -> Option<&'a str> {
        self.op.get("operationId").and_then(Value::as_str)
    }

    /// Its `operationId`, or upstream's path-level `x-operationId`.
    pub fn upstream_id(&self) -> Option<&'a str> {
        self.id()
            .or_else(|| self.item.get("x-operationId").and_then(Value::as_str))
    }

    /// Its tags, as written.
    pub fn tags(self) -> impl Iterator<Item = &'a str> {
        self.op
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
    }
}

/// Every operation of the document, in document order: the one walk over a
/// spec's operations that every part of xtask uses.
pub fn operations(doc: &Value) -> impl Iterator<Item = Operation<'_>> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            methods_of(item).map(move |(method, op)| Operation {
                path,
                method,
                item,
                op,
            })
        })
}

/// Follows local `$ref`s (one level at a time) to the object they name.
/// `None` when a ref does not resolve, is not local or loops.
pub fn deref<'a>(root: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    for _ in 0..32 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => node = root.pointer(r.strip_prefix('#')?)?,
            None => return Some(node),
        }
    }
    None
}

/// Which way the data a schema describes travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// Sent by the client: parameters and request bodies.
    Request,
    /// Sent by the service: response bodies and response headers.
    Response,
    /// A component schema; its side is where it is referenced from.
    Component,
}

/// One place where the document holds a schema (not a sub-schema).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaRoot {
    pub pointer: String,
    pub side: Side,
}

/// Every top-level schema position of the document: component schemas,
/// parameter schemas, request and response bodies, response headers.
/// Positions behind a `$ref` are not followed (the target is listed where
/// it is defined).
pub fn schema_roots(doc: &Value) -> Vec<SchemaRoot> {
    let mut out = Vec::new();
    let mut add = |pointer: String, side: Side| out.push(SchemaRoot { pointer, side });

    let mut last_item = None;
    for op in operations(doc) {
        let item_ptr = op.item_pointer();
        // Path-level parameters once per path item, before its operations.
        if last_item != Some(op.path) {
            last_item = Some(op.path);
            parameter_list_roots(
                op.item.get("parameters"),
                &push(&item_ptr, "parameters"),
                &mut add,
            );
        }
        let op_ptr = op.pointer();
        let op = op.op;
        parameter_list_roots(op.get("parameters"), &push(&op_ptr, "parameters"), &mut add);
        if let Some(body) = op.get("requestBody") {
            content_roots(body, &push(&op_ptr, "requestBody"), Side::Request, &mut add);
        }
        if let Some(responses) = op.get("responses").and_then(Value::as_object) {
            for (status, response) in responses {
                response_roots(
                    response,
                    &push(&push(&op_ptr, "responses"), status),
                    &mut add,
                );
            }
        }
    }
    if let Some(components) = doc.get("components") {
        let each = |kind: &'static str| {
            components
                .get(kind)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(move |(name, v)| (push(&push("/components", kind), name), v))
        };
        for (ptr, _) in each("schemas") {
            add(ptr, Side::Component);
        }
        for (ptr, param) in each("parameters") {
            parameter_roots(param, &ptr, &mut add);
        }
        for (ptr, body) in each("requestBodies") {
            content_roots(body, &ptr, Side::Request, &mut add);
        }
        for (ptr, response) in each("responses") {
            response_roots(response, &ptr, &mut add);
        }
        for (ptr, header) in each("headers") {
            if header.get("schema").is_some() {
                add(push(&ptr, "schema"), Side::Response);
            }
        }
    }
    out
}

fn parameter_list_roots(list: Option<&Value>, base: &str, add: &mut impl FnMut(String, Side)) {
    for (i, param) in list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        parameter_roots(param, &format!("{base}/{i}"), add);
    }
}

fn parameter_roots(param: &Value, ptr: &str, add: &mut impl FnMut(String, Side)) {
    if param.get("schema").is_some() {
        add(push(ptr, "schema"), Side::Request);
    }
    content_roots(param, ptr, Side::Request, add);
}

fn response_roots(response: &Value, ptr: &str, add: &mut impl FnMut(String, Side)) {
    if let Some(headers) = response.get("headers").and_then(Value::as_object) {
        for (name, header) in headers {
            if header.get("schema").is_some() {
                add(
                    push(&push(&push(ptr, "headers"), name), "schema"),
                    Side::Response,
                );
            }
        }
    }
    content_roots(response, ptr, Side::Response, add);
}

fn content_roots(holder: &Value, ptr: &str, side: Side, add: &mut impl FnMut(String, Side)) {
    if let Some(content) = holder.get("content").and_then(Value::as_object) {
        for (media, media_type) in content {
            if media_type.get("schema").is_some() {
                add(push(&push(&push(ptr, "content"), media), "schema"), side);
            }
        }
    }
}

/// The sub-schemas of a schema object, as `(relative tokens, schema)`.
pub fn subschemas(schema: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    let Some(map) = schema.as_object() else {
        return out;
    };
    for keyword in keywords::subschema_keywords() {
        let key = keyword.name;
        let Some(value) = map.get(key) else { continue };
        match keyword.kind {
            keywords::Kind::NamedSchemas => {
                for (name, s) in value.as_object().into_iter().flatten() {
                    out.push((push(&format!("/{key}"), name), s));
                }
            }
            keywords::Kind::Composition => {
                for (i, s) in value.as_array().into_iter().flatten().enumerate() {
                    out.push((format!("/{key}/{i}"), s));
                }
            }
            _ if value.is_object() => out.push((format!("/{key}"), value)),
            _ => {}
        }
    }
    out
}

/// Every schema object of the document (top-level positions and all their
/// sub-schemas), parents before children, in document order.
pub fn all_schemas(doc: &Value) -> Vec<SchemaRoot> {
    let mut out = Vec::new();
    for root in schema_roots(doc) {
        let Some(schema) = doc.pointer(&root.pointer) else {
            continue;
        };
        walk(schema, root.pointer.clone(), root.side, &mut out);
    }
    out
}

fn walk(schema: &Value, pointer: String, side: Side, out: &mut Vec<SchemaRoot>) {
    let children = subschemas(schema);
    out.push(SchemaRoot {
        pointer: pointer.clone(),
        side,
    });
    for (rel, child) in children {
        walk(child, format!("{pointer}{rel}"), side, out);
    }
}

/// Calls `f(pointer, value)` on `node` and every value under it, parents
/// first, in document order (pointers relative to `node`); `f` returns
/// whether to look inside the value. The one recursive walk over raw JSON
/// that checks and repairs share.
pub fn visit(node: &Value, f: &mut impl FnMut(&str, &Value) -> bool) {
    visit_at(node, &mut String::new(), f);
}

fn visit_at(node: &Value, here: &mut String, f: &mut impl FnMut(&str, &Value) -> bool) {
    if !f(here, node) {
        return;
    }
    let len = here.len();
    match node {
        Value::Object(map) => {
            for (k, v) in map {
                here.push('/');
                here.push_str(&escape(k));
                visit_at(v, here, f);
                here.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                here.push_str(&format!("/{i}"));
                visit_at(v, here, f);
                here.truncate(len);
            }
        }
        _ => {}
    }
}

/// The local `$ref`s anywhere under `node`.
pub fn refs_in(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                out.push(r.to_string());
            }
            for v in map.values() {
                refs_in(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs_in(v, out)),
        _ => {}
    }
}

/// The pointer a local `$ref` names (`#/components/schemas/X` gives
/// `/components/schemas/X`).
pub fn ref_target(reference: &str) -> Option<&str> {
    reference.strip_prefix('#')
}

/// Everything reachable through `$ref`s from `starts` (pointers), the
/// starts included: the refs' target pointers, sorted.
pub fn ref_closure(
    doc: &Value,
    starts: impl IntoIterator<Item = String>,
) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo: Vec<String> = starts.into_iter().collect();
    while let Some(ptr) = todo.pop() {
        if !seen.insert(ptr.clone()) {
            continue;
        }
        let Some(node) = doc.pointer(&ptr) else {
            continue;
        };
        let mut refs = Vec::new();
        refs_in(node, &mut refs);
        for r in refs {
            if let Some(target) = ref_target(&r)
                && !seen.contains(target)
            {
                todo.push(target.to_string());
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_are_escaped() {
        assert_eq!(push("/paths", "/v5/{id}~x"), "/paths/~1v5~1{id}~0x");
    }

    #[test]
    fn schema_roots_cover_parameters_bodies_responses_and_components() {
        let doc = json!({
            "paths": {"/a": {"post": {
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {
                    "headers": {"X-R": {"schema": {"type": "string"}}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}
                }}
            }}},
            "components": {"schemas": {"A": {"type": "object", "properties": {"b": {"type": "array", "items": {"type": "string"}}}}}}
        });
        let all: Vec<(String, Side)> = all_schemas(&doc)
            .into_iter()
            .map(|r| (r.pointer, r.side))
            .collect();
        assert_eq!(
            all,
            vec![
                ("/paths/~1a/post/parameters/0/schema".into(), Side::Request),
                (
                    "/paths/~1a/post/requestBody/content/application~1json/schema".into(),
                    Side::Request
                ),
                (
                    "/paths/~1a/post/responses/200/headers/X-R/schema".into(),
                    Side::Response
                ),
                (
                    "/paths/~1a/post/responses/200/content/application~1json/schema".into(),
                    Side::Response
                ),
                ("/components/schemas/A".into(), Side::Component),
                ("/components/schemas/A/properties/b".into(), Side::Component),
                (
                    "/components/schemas/A/properties/b/items".into(),
                    Side::Component
                ),
            ]
        );
    }

    #[test]
    fn ref_closure_follows_refs_and_survives_cycles_and_dangling_refs() {
        let doc = json!({"components": {"schemas": {
            "A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}},
            "B": {"properties": {"a": {"$ref": "#/components/schemas/A"}, "x": {"$ref": "#/components/schemas/Gone"}}},
            "C": {}
        }}});
        let closure = ref_closure(&doc, ["/components/schemas/A".to_string()]);
        assert_eq!(
            closure.into_iter().collect::<Vec<_>>(),
            vec![
                "/components/schemas/A",
                "/components/schemas/B",
                "/components/schemas/Gone"
            ]
        );
    }
}
