//! RPC-style paths become real ones; the document becomes OpenAPI 3.0.3.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::super::Ctx;
use super::super::places::text_of;
use super::super::text;
use super::credentials::security_schemes;
use crate::pointer::{self, HTTP_METHODS};

/// The real path of an upstream path item: from `x-url` (without
/// `{endpoint}` and any query), or the key itself when it is already a path
/// (not RPC-style). `Err` holds the `x-url` that is not one.
fn real_path(key: &str, url: Option<&str>) -> Result<String, String> {
    match url {
        Some(u) => match u.strip_prefix("{endpoint}") {
            Some(p) if p.starts_with('/') => Ok(p.split('?').next().unwrap_or(p).to_string()),
            _ => Err(u.to_string()),
        },
        None => Ok(key.to_string()),
    }
}

/// How many upstream operations each `(real path, method)` has.
fn places(paths: &Map<String, Value>) -> BTreeMap<(String, String), usize> {
    let mut count = BTreeMap::new();
    for (key, item) in paths {
        let url = item.get("x-url").and_then(Value::as_str);
        let Ok(path) = real_path(key, url) else {
            continue;
        };
        let x_method = item.get("x-method").and_then(Value::as_str);
        for (method, _) in pointer::methods_of(item) {
            let method = x_method.map_or(method.to_string(), str::to_lowercase);
            *count.entry((path.clone(), method)).or_default() += 1;
        }
    }
    count
}

/// The key an operation is placed under. Upstream has operations that
/// share one method and path and differ only in their body (ECS's server
/// actions on `POST .../servers/{server_id}/action`, DNS's public and
/// private zones). OpenAPI 3.0 has one operation per method of a path item,
/// so each such operation gets its own key: the path plus a URL fragment
/// naming the operation, `/v2.1/{project_id}/servers/{server_id}/action#BatchStartServers`.
/// A fragment is never part of a request (RFC 9110, section 7.1), so any
/// OpenAPI tool still sends the real path; our generator removes the
/// fragment from the generated code altogether
/// ([`crate::generate`]), and the spec's checks ([`crate::spec`]) require
/// the fragment to be the operation's id. Every operation of such a group
/// gets one, so none is the default and a new sibling upstream renames
/// nothing.
fn path_key(path: &str, id: &str, sharing: usize) -> String {
    if sharing > 1 {
        format!("{path}#{id}")
    } else {
        path.to_string()
    }
}

/// Makes the operation's path parameters those of `path`: a required
/// string parameter for each variable it does not declare (upstream leaves
/// some out, for example CCI's Kubernetes paths), and no parameter the
/// path has no place for (IMS declares `project_id` on a path without it).
/// Returns the names added and those removed.
fn match_path_variables(
    doc: &Value,
    op: &mut Map<String, Value>,
    path: &str,
) -> (Vec<String>, Vec<String>) {
    let variables = crate::spec::path_variables(path);
    let path_name = |p: &Value| {
        let p = pointer::deref(doc, p)?;
        (p.get("in").and_then(Value::as_str) == Some("path")).then(|| {
            p.get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        })
    };
    let mut declared = BTreeSet::new();
    let mut removed = Vec::new();
    if let Some(Value::Array(list)) = op.get_mut("parameters") {
        list.retain(|p| match path_name(p) {
            Some(name) if !variables.contains(&name) => {
                removed.push(name);
                false
            }
            Some(name) => {
                declared.insert(name);
                true
            }
            None => true,
        });
    }
    let missing: Vec<String> = variables
        .into_iter()
        .filter(|v| !declared.contains(v))
        .collect();
    if !missing.is_empty()
        && let Value::Array(list) = op.entry("parameters").or_insert_with(|| json!([]))
    {
        for name in &missing {
            list.push(
                json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
            );
        }
    }
    (missing, removed)
}

pub fn rpc_paths(ctx: &mut Ctx) {
    let old = match ctx.doc.get_mut("paths").map(Value::take) {
        Some(Value::Object(paths)) => paths,
        _ => Map::new(),
    };
    let sharing = places(&old);
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
        let path = match real_path(&key, url.as_deref()) {
            Ok(path) => path,
            Err(u) => {
                ctx.problem(
                    format!("{item_ptr}/x-url"),
                    format!("`x-url: {u}` does not start with `{{endpoint}}/`"),
                );
                continue;
            }
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
            let (added, removed) = match_path_variables(&ctx.doc, &mut op, &path);
            for name in added {
                ctx.change(
                    op_ptr.clone(),
                    format!("`{{{name}}}` of `{path}` has no parameter upstream: added a required string path parameter `{name}`"),
                );
            }
            for name in removed {
                ctx.change(
                    op_ptr.clone(),
                    format!("removed the path parameter `{name}`: `{path}` has no `{{{name}}}`"),
                );
            }
            let shared_by = sharing
                .get(&(path.clone(), real_method.clone()))
                .copied()
                .unwrap_or(1);
            let placed_key = path_key(&path, &id, shared_by);
            if let Some(first) = placed.get(&(placed_key.clone(), real_method.clone())) {
                ctx.problem(
                    op_ptr.clone(),
                    format!(
                        "`{id}` and `{first}` are both `{} {path}`",
                        real_method.to_uppercase()
                    ),
                );
                continue;
            }
            placed.insert((placed_key.clone(), real_method.clone()), id.clone());
            if shared_by > 1 {
                ctx.change(
                    op_ptr.clone(),
                    format!(
                        "`{id}` is one of {shared_by} operations on `{} {path}` (the body tells them apart): its path key is `{placed_key}`, a URL fragment that is never sent",
                        real_method.to_uppercase()
                    ),
                );
            }
            let target = new_paths
                .entry(placed_key.clone())
                .or_insert_with(|| json!({}));
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
    let operations = pointer::operations(&ctx.doc).count();
    ctx.doc["info"] = text::info(&ctx.doc, &ctx.label, operations);
    ctx.change(
        "/info",
        "title and description are ours; the version is upstream's",
    );
    let tags: BTreeSet<String> = pointer::operations(&ctx.doc)
        .flat_map(|op| op.tags())
        .map(str::to_string)
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
