//! Success answers built from the response schemas of the spec
//! (`hss_operations::RESPONSES_JSON`): every field present with a
//! plausible value of its type, the same for the same seed every time.
//!
//! - Enumerated strings take one of their known values; `*_time` integers
//!   are milliseconds (seconds when 32-bit) in the month before the fake
//!   started; `*_ip` strings are private addresses; other strings read
//!   `<field>-<n>` within the schema's lengths.
//! - A string field named `<noun>_id` takes its value from one collection
//!   per name (`group_id-...`), so an id one answer shows is an id another
//!   lists; `host_id` (and the `host_name`, `private_ip`, `public_ip`,
//!   `agent_id` and `os_type` beside it) is a server of the fake's
//!   inventory.
//! - A listing pages over a stable collection: the items at an offset are
//!   the same every time, `total_num` counts them all, and the identity
//!   fields of its items are unique. A listing whose identity is an id
//!   lists that id's whole collection (every host, every `group_id`).

use std::collections::HashMap;
use std::sync::OnceLock;

use hss_operations::{Operation, RESPONSES_JSON};
use serde_json::{Map, Value, json};

use crate::data::mix;
use crate::workflow::{ServerFacts, Workflow};

/// How many values each `<noun>_id` collection has.
const IDS_PER_NAME: usize = 24;
/// How deep a schema is followed; deeper (a schema naming itself) is empty.
const MAX_DEPTH: usize = 12;
/// Items of an array that is not the listing's.
const NESTED_ITEMS: u64 = 2;

/// The parsed `responses.json`.
struct Responses {
    operations: HashMap<String, Value>,
    schemas: Map<String, Value>,
}

fn responses() -> &'static Responses {
    static PARSED: OnceLock<Responses> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut file: Value =
            serde_json::from_str(RESPONSES_JSON).expect("hss-operations' responses.json is JSON");
        let take = |file: &mut Value, key: &str| match file.get_mut(key).map(Value::take) {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        let operations = take(&mut file, "operations").into_iter().collect();
        let schemas = take(&mut file, "schemas");
        Responses {
            operations,
            schemas,
        }
    })
}

/// What an operation answers on success.
pub(crate) enum Success {
    Json(u16, Vec<u8>),
    File(u16, Vec<u8>),
    Empty(u16),
}

/// What an answer is built from: the fake's seed and start, its servers,
/// what was added to listings.
pub(crate) struct Context<'a> {
    pub(crate) added: &'a super::Added,
    pub(crate) seed: u64,
    /// When the fake started (ms): times are in the month before it.
    pub(crate) started_ms: i64,
    pub(crate) workflow: &'a Workflow,
}

/// The success answer of `op`; `offset` and `limit` are the request's,
/// for a listing.
pub(crate) fn success(
    cx: &Context<'_>,
    op: &Operation,
    offset: Option<i64>,
    limit: Option<i64>,
) -> Success {
    let answer = responses().operations.get(op.id);
    let status = answer
        .and_then(|a| a.get("status"))
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .unwrap_or(200);
    let media_type = answer
        .and_then(|a| a.get("media_type"))
        .and_then(Value::as_str);
    let schema = answer.and_then(|a| a.get("schema"));
    match (media_type, schema) {
        (Some(media), _) if !media.contains("json") => Success::File(
            status,
            format!("hss-fake: the file of {}\n", op.id).into_bytes(),
        ),
        (_, Some(schema)) => {
            let mut generator = Generator {
                cx,
                op,
                hosts: cx.workflow.server_count(),
            };
            let body = generator.answer(schema, offset, limit);
            Success::Json(
                status,
                serde_json::to_vec(&body).expect("a JSON value serializes"),
            )
        }
        _ => Success::Empty(status),
    }
}

struct Generator<'a, 'c> {
    cx: &'a Context<'c>,
    op: &'a Operation,
    hosts: usize,
}

impl Generator<'_, '_> {
    /// The whole answer: a page of the listing's collection, or one value.
    fn answer(&mut self, schema: &Value, offset: Option<i64>, limit: Option<i64>) -> Value {
        let seed = mix(self.cx.seed, hash(self.op.id));
        let Some(paging) = self.op.offset_limit() else {
            return self.value(schema, "", seed, 0);
        };
        let resolved = resolve(schema);
        let item_schema = property(resolved, paging.item_array)
            .map(resolve)
            .and_then(|array| array.get("items"));
        let Some(item_schema) = item_schema else {
            return self.value(schema, "", seed, 0);
        };
        let identity = paging.item_identity.unwrap_or(&[]);
        let generated = self.collection_size(identity);
        let added = self.cx.added.of(self.op.id);
        let total = generated + added.len();
        let default = paging.limit_default.or(paging.limit_max).unwrap_or(10);
        let offset = usize::try_from(offset.unwrap_or(0).max(0)).unwrap_or(usize::MAX);
        let limit = usize::try_from(limit.unwrap_or(default).max(0)).unwrap_or(usize::MAX);
        let end = total.min(offset.saturating_add(limit));
        let items: Vec<Value> = (offset.min(end)..end)
            .map(|i| {
                let mut item = self.item(item_schema, identity, seed, i);
                // An added item: its generated fields, those posted over
                // them (its identity stays the generated one, new).
                if let (Some(posted), Value::Object(map)) = (
                    i.checked_sub(generated).and_then(|k| added.get(k)),
                    &mut item,
                ) {
                    for (field, value) in posted {
                        if map.contains_key(field) && !identity.contains(&field.as_str()) {
                            map.insert(field.clone(), value.clone());
                        }
                    }
                }
                item
            })
            .collect();
        let mut out = match self.value(schema, "", seed, 0) {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        out.insert(paging.item_array.to_owned(), Value::Array(items));
        out.insert(paging.total.to_owned(), json!(total));
        Value::Object(out)
    }

    /// How many items a listing with this identity has: every server for
    /// `host_id`, the whole collection of another id, else a few.
    fn collection_size(&self, identity: &[&str]) -> usize {
        match identity {
            ["host_id"] => self.hosts,
            [name] if is_id(name) => IDS_PER_NAME,
            _ => 3 + (hash(self.op.id) % 10) as usize,
        }
    }

    /// Item `index` of a listing: generated from its own seed, its
    /// identity fields set to the `index`th of their collections.
    fn item(&mut self, schema: &Value, identity: &[&str], seed: u64, index: usize) -> Value {
        let mut item = self.value(schema, "", mix(seed, index as u64 + 1), 0);
        let Value::Object(map) = &mut item else {
            return item;
        };
        for name in identity {
            let field = property(resolve(schema), name).map(resolve);
            let value = match field.and_then(|f| f.get("type")).and_then(Value::as_str) {
                Some("integer") | Some("number") => json!(index),
                _ if *name == "host_id" => match self.cx.workflow.server_facts(index) {
                    Some(server) => {
                        fill_server(map, &server);
                        continue;
                    }
                    None => json!(pooled_id(name, index, self.cx.seed)),
                },
                _ if is_id(name) => json!(pooled_id(name, index, self.cx.seed)),
                _ => json!(format!("{name}-{index}")),
            };
            map.insert((*name).to_owned(), value);
        }
        item
    }

    /// A value of `schema` for the field `name`.
    fn value(&mut self, schema: &Value, name: &str, seed: u64, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        let schema = resolve(schema);
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for part in parts {
                if let Value::Object(map) = self.value(part, name, seed, depth + 1) {
                    merged.extend(map);
                }
            }
            return Value::Object(merged);
        }
        if let Some(first) = ["oneOf", "anyOf"]
            .iter()
            .find_map(|k| schema.get(*k).and_then(Value::as_array)?.first())
        {
            return self.value(first, name, seed, depth + 1);
        }
        let ty = schema.get("type").and_then(Value::as_str).unwrap_or(
            if schema.get("properties").is_some() {
                "object"
            } else {
                "string"
            },
        );
        match ty {
            "object" => self.object(schema, seed, depth),
            "array" => {
                let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                let max = schema
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(u64::MAX);
                let count = NESTED_ITEMS.clamp(min, max.max(min));
                let items = schema.get("items").unwrap_or(&Value::Null);
                Value::Array(
                    (0..count)
                        .map(|i| self.value(items, name, mix(seed, i + 1), depth + 1))
                        .collect(),
                )
            }
            "integer" => json!(self.integer(schema, name, seed)),
            "number" => {
                let (min, max) = range(schema, 0.0, 100.0);
                json!(min + (max - min) * ((seed % 1000) as f64 / 1000.0))
            }
            "boolean" => json!(seed.is_multiple_of(2)),
            _ => json!(self.string(schema, name, seed)),
        }
    }

    fn object(&mut self, schema: &Value, seed: u64, depth: usize) -> Value {
        let mut map = Map::new();
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (field, sub) in properties {
                let value = self.value(sub, field, mix(seed, hash(field)), depth + 1);
                map.insert(field.clone(), value);
            }
        }
        if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            map.insert(
                "key-1".into(),
                self.value(extra, "", mix(seed, 7), depth + 1),
            );
        }
        if map.get("host_id").is_some_and(Value::is_string) && self.hosts > 0 {
            let index = (seed % self.hosts as u64) as usize;
            if let Some(server) = self.cx.workflow.server_facts(index) {
                fill_server(&mut map, &server);
            }
        }
        Value::Object(map)
    }

    fn integer(&self, schema: &Value, name: &str, seed: u64) -> i64 {
        let int32 = schema.get("format").and_then(Value::as_str) == Some("int32");
        if name.ends_with("time") || name.ends_with("_at") {
            // Some time in the month before the fake started.
            let ago = (seed % (30 * 24 * 3600)) as i64;
            let ms = self.cx.started_ms - ago * 1000;
            return if int32 { ms / 1000 } else { ms };
        }
        let (min, max) = range(schema, 0.0, 100.0);
        let (min, max) = (min.ceil() as i64, max.floor() as i64);
        if max <= min {
            return min;
        }
        let span = (max - min).min(100) as u64 + 1;
        min + (seed % span) as i64
    }

    fn string(&self, schema: &Value, name: &str, seed: u64) -> String {
        if let Some(known) = schema
            .get("x-known-values")
            .or_else(|| schema.get("enum"))
            .and_then(Value::as_array)
            .filter(|v| !v.is_empty())
        {
            let pick = &known[(seed % known.len() as u64) as usize];
            if let Some(text) = pick.as_str() {
                return text.to_owned();
            }
        }
        let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let text = if is_id(name) {
            pooled_id(name, (seed % IDS_PER_NAME as u64) as usize, self.cx.seed)
        } else if name.ends_with("_ip") || name == "ip" {
            format!("192.168.{}.{}", (seed >> 8) % 256, seed % 254 + 1)
        } else if schema.get("format").and_then(Value::as_str) == Some("date-time") {
            "2026-01-01T00:00:00Z".to_owned()
        } else if name.is_empty() {
            format!("value-{}", seed % 1000)
        } else {
            format!("{name}-{}", seed % 1000)
        };
        fit(text, min, max)
    }
}

/// Fills the fields of `server` that `map` has.
fn fill_server(map: &mut Map<String, Value>, server: &ServerFacts) {
    map.insert("host_id".into(), json!(server.host_id));
    for (field, value) in [
        ("host_name", &server.host_name),
        ("private_ip", &server.private_ip),
        ("public_ip", &server.public_ip),
        ("agent_id", &server.agent_id),
    ] {
        if map.get(field).is_some_and(Value::is_string) {
            map.insert(field.into(), json!(value));
        }
    }
    if map.get("os_type").is_some_and(Value::is_string) {
        map.insert("os_type".into(), json!(server.os_type));
    }
}

/// The `index`th id of the collection `name`: 32 hex digits, as HSS's
/// ids are, the same for the same seed.
fn pooled_id(name: &str, index: usize, seed: u64) -> String {
    let a = mix(mix(seed, hash(name)), index as u64);
    let b = mix(a, 0x6964);
    format!("{a:016x}{b:016x}")
}

/// A field naming something another operation lists.
fn is_id(name: &str) -> bool {
    name.ends_with("_id") && name != "enterprise_project_id" && name != "project_id"
}

/// `text` cut or padded to `min..=max` characters.
fn fit(text: String, min: usize, max: Option<usize>) -> String {
    let mut text: String = match max {
        Some(max) => text.chars().take(max).collect(),
        None => text,
    };
    while text.chars().count() < min {
        text.push('x');
    }
    text
}

fn range(schema: &Value, low: f64, high: f64) -> (f64, f64) {
    let min = schema.get("minimum").and_then(Value::as_f64);
    let max = schema.get("maximum").and_then(Value::as_f64);
    match (min, max) {
        (Some(min), Some(max)) => (min, max),
        (Some(min), None) => (min, min + (high - low)),
        (None, Some(max)) => ((max - (high - low)).max(low.min(max)), max),
        (None, None) => (low, high),
    }
}

/// The schema a `$ref` names (followed a few times), else `schema`.
fn resolve(mut schema: &Value) -> &Value {
    for _ in 0..8 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(name) => match responses().schemas.get(name) {
                Some(target) => schema = target,
                None => return &Value::Null,
            },
            None => break,
        }
    }
    schema
}

fn property<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
    schema.get("properties")?.get(name)
}

/// FNV-1a: a hash that is the same on every machine and release.
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
