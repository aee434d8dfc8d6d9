//! Our own words for what the imported spec must describe: tag names,
//! summaries, response descriptions, the info block. Upstream's
//! descriptions are not copied (they are Huawei's text, mostly in Chinese):
//! the `upstream-text` repair removes them, and where OpenAPI needs a text,
//! this module supplies a neutral English one.

use serde_json::{Map, Value, json};

use super::Ctx;
use super::places::{edit_schemas, operation_pointers, parameter_pointers};
use super::read::{operations, tag_names};
use crate::pointer;

/// English names of HSS's upstream tags (our translations), used for the
/// imported spec's `tags` and accepted by `--tag` beside the upstream name.
pub const HSS_TAGS: [(&str, &str); 25] = [
    ("资产管理", "asset-management"),
    ("容器网络隔离信息", "container-network-isolation"),
    ("容器管理", "container-management"),
    ("容器安装与配置", "container-installation"),
    ("勒索防护", "ransomware-protection"),
    ("集群防护", "cluster-protection"),
    ("病毒查杀", "antivirus"),
    ("应用防护", "application-protection"),
    ("漏洞管理", "vulnerability"),
    ("容器镜像", "container-images"),
    ("集群管理", "cluster-management"),
    ("基线管理", "baseline"),
    ("白名单管理", "allowlists"),
    ("事件管理", "events"),
    ("主机管理", "host-management"),
    ("动态端口蜜罐", "port-honeypot"),
    ("安装配置", "installation"),
    ("主机安装与配置", "host-installation"),
    ("网页防篡改", "web-tamper-protection"),
    ("容器资产", "container-assets"),
    ("配额管理", "quotas"),
    ("标签管理", "labels"),
    ("安全运营", "security-operations"),
    ("入侵检测", "intrusion-detection"),
    ("策略管理", "policies"),
];

/// The English name of an upstream tag: from [`HSS_TAGS`], the tag itself
/// when it is already plain ASCII, or `tag-<n>` (n counts upstream's
/// untranslated tags in document order) with `false` for "untranslated".
pub fn tag_name(upstream: &str, untranslated_index: usize) -> (String, bool) {
    if let Some((_, name)) = HSS_TAGS.iter().find(|(up, _)| *up == upstream) {
        return ((*name).to_string(), true);
    }
    if upstream.is_ascii() {
        return (upstream.to_string(), true);
    }
    (format!("tag-{untranslated_index}"), false)
}

/// A description for a response, which OpenAPI requires.
pub fn response_description(status: &str) -> String {
    match status {
        "200" => "Success.".to_string(),
        "201" => "Created.".to_string(),
        "202" => "Accepted.".to_string(),
        "204" => "Success, no content.".to_string(),
        "400" => "Invalid request.".to_string(),
        "401" => "Authentication failed.".to_string(),
        "403" => "Not allowed.".to_string(),
        "404" => "Not found.".to_string(),
        "429" => "Throttled.".to_string(),
        "500" => "Server error.".to_string(),
        "default" => "Any other answer.".to_string(),
        other => format!("Status {other}."),
    }
}

/// True when a text has characters outside ASCII (upstream's Chinese text).
pub fn is_foreign(text: &str) -> bool {
    !text.is_ascii()
}

/// True when a JSON value holds any non-ASCII string.
pub fn has_foreign_text(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => is_foreign(s),
        serde_json::Value::Array(items) => items.iter().any(has_foreign_text),
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(k, v)| is_foreign(k) || has_foreign_text(v)),
        _ => false,
    }
}

pub fn upstream_text(ctx: &mut Ctx) {
    let tags = tag_names(&ctx.doc);
    for (up, english) in &tags {
        if !HSS_TAGS.iter().any(|(t, _)| t == up) && !up.is_ascii() {
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
        let ours = response_description(&status);
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
    edit_schemas(ctx, |map, ptr, _, changes| {
        strip_in(map, ptr, changes);
        strip_prose_values(map, ptr, changes);
    });
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

/// Upstream writes prose where a schema wants values: a `default` of
/// `"空"` ("empty"), enumerations of sentences, misspelt keys holding a
/// description. Such a default or enumeration is dropped (the type stays,
/// so every value is still accepted), a pattern keeps its meaning with its
/// non-ASCII characters written as `\uXXXX` escapes, and any other
/// non-keyword key with prose goes; each is a change in the report.
fn strip_prose_values(
    map: &mut Map<String, Value>,
    ptr: &str,
    changes: &mut Vec<(String, String)>,
) {
    for key in ["default", "enum"] {
        if map.get(key).is_some_and(has_foreign_text) {
            map.remove(key);
            changes.push((
                format!("{ptr}/{key}"),
                format!("dropped `{key}`: upstream prose (non-ASCII text), not a value"),
            ));
        }
    }
    if let Some(pattern) = map.get("pattern").and_then(Value::as_str)
        && is_foreign(pattern)
    {
        let at = format!("{ptr}/pattern");
        match ascii_pattern(pattern) {
            Some(escaped) => {
                changes.push((
                    at,
                    format!(
                        "non-ASCII characters of the pattern written as `\\uXXXX`: `{escaped}`"
                    ),
                ));
                map.insert("pattern".into(), Value::String(escaped));
            }
            None => {
                changes.push((
                    at,
                    "dropped a pattern with characters beyond `\\uFFFF`".to_string(),
                ));
                map.remove("pattern");
            }
        }
    }
    let prose: Vec<String> = map
        .iter()
        .filter(|(k, v)| {
            !crate::keywords::TABLE
                .iter()
                .any(|kw| kw.name == k.as_str())
                && !["example", "examples", "$ref"].contains(&k.as_str())
                && (is_foreign(k) || has_foreign_text(v))
        })
        .map(|(k, _)| k.clone())
        .collect();
    for key in prose {
        map.remove(&key);
        changes.push((
            pointer::push(ptr, &key),
            format!("dropped `{key}`: not a schema keyword, upstream prose"),
        ));
    }
}

/// `pattern` with every non-ASCII character as an ECMA-262 `\uXXXX` escape
/// (the regular expression dialect of JSON Schema); `None` when a character
/// needs more than four hex digits. An escaped non-ASCII character (`\【`)
/// becomes the escape alone.
fn ascii_pattern(pattern: &str) -> Option<String> {
    let mut out = String::new();
    let mut backslashes = 0;
    for c in pattern.chars() {
        if c.is_ascii() {
            out.push(c);
            backslashes = if c == '\\' { backslashes + 1 } else { 0 };
            continue;
        }
        let code = u16::try_from(u32::from(c)).ok()?;
        if backslashes % 2 == 1 {
            out.pop();
        }
        out.push_str(&format!("\\u{code:04x}"));
        backslashes = 0;
    }
    Some(out)
}

fn drop_foreign_example(
    map: &mut Map<String, Value>,
    ptr: &str,
    changes: &mut Vec<(String, String)>,
) {
    if map.get("example").is_some_and(has_foreign_text) {
        map.remove("example");
        changes.push((
            format!("{ptr}/example"),
            "dropped an example with upstream (non-ASCII) text".to_string(),
        ));
    }
    if let Some(Value::Object(examples)) = map.get_mut("examples") {
        let foreign: Vec<String> = examples
            .iter()
            .filter(|(k, v)| is_foreign(k) || has_foreign_text(v))
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

/// Any non-ASCII text left in the output is upstream's: a pass missed a
/// place. Reported (with the output pointer) rather than written silently.
pub(super) fn foreign_text(node: &Value, problems: &mut Vec<String>) {
    pointer::visit(node, &mut |here, value| {
        match value {
            Value::String(s) if is_foreign(s) => problems.push(format!(
                "{}: upstream (non-ASCII) text would be copied: {s:?}",
                pointer::display(here)
            )),
            Value::Object(map) => {
                for k in map.keys().filter(|k| is_foreign(k)) {
                    problems.push(format!("{}: a non-ASCII key", pointer::push(here, k)));
                }
            }
            _ => {}
        }
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_keeps_its_meaning_in_ascii() {
        assert_eq!(
            ascii_pattern("^[一-龥a-z]+$").as_deref(),
            Some("^[\\u4e00-\\u9fa5a-z]+$")
        );
        // An escaped character becomes the escape alone; an escaped
        // backslash before one stays.
        assert_eq!(
            ascii_pattern("[\\【\\\\】]").as_deref(),
            Some("[\\u3010\\\\\\u3011]")
        );
        assert_eq!(ascii_pattern("^[a-z]$").as_deref(), Some("^[a-z]$"));
        assert_eq!(ascii_pattern("^😀$"), None);
    }

    #[test]
    fn prose_defaults_and_enumerations_go_and_typed_values_stay() {
        let mut map = json!({
            "type": "string",
            "default": "空",
            "enum": ["a", "基于采样数据"],
            "descriptipn": "开关状态",
            "maxLength": 4
        });
        let mut changes = Vec::new();
        strip_prose_values(map.as_object_mut().unwrap(), "/s", &mut changes);
        assert_eq!(map, json!({"type": "string", "maxLength": 4}));
        let at: Vec<&str> = changes.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(at, ["/s/default", "/s/enum", "/s/descriptipn"]);
    }
}
