//! Splitting a spec by tag, so that its client is several crates that
//! cargo checks side by side instead of one that rustc checks on one core
//! (`cargo xtask generate --crate DIR --split N`).
//!
//! - Each operation belongs to its first tag (`untagged` without one),
//!   [`group_of`]; `hss-api`'s cargo features follow the same groups
//!   ([`crate::groups`]).
//! - A component schema that operations of two or more tags reach (through
//!   `$ref`s, transitively) is **shared**: it goes into a crate of its own
//!   that every part depends on. Everything a shared schema references is
//!   shared too, since whatever reaches it reaches them.
//! - The tags are packed into `N` **parts** of about equal weight (the size
//!   of their operations and of the schemas only they use), largest first,
//!   so the parts take about as long to check as each other.
//! - A part's spec has its tags' operations, the components they reach,
//!   and the shared schemas marked `x-hand-written` with their path in the
//!   shared crate, so progenitor names them there instead of generating
//!   them again.
//!
//! The split is a pure function of the spec; nothing of it is committed.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, bail};
use serde_json::{Map, Value};

use crate::generate::HAND_WRITTEN;
use crate::pointer::{self, HTTP_METHODS};

/// The tag of operations that have none.
pub const UNTAGGED: &str = "untagged";

/// A spec split by tag.
#[derive(Debug)]
pub struct Split {
    /// The shared schemas, with no operations.
    pub shared: Value,
    /// The names of the shared schemas.
    pub shared_schemas: BTreeSet<String>,
    /// The parts, heaviest first.
    pub parts: Vec<Part>,
}

/// One part of a split spec.
#[derive(Debug)]
pub struct Part {
    /// The tags whose operations it holds, in name order.
    pub tags: Vec<String>,
    /// Its operations' ids, in name order.
    pub operations: Vec<String>,
    /// Its spec.
    pub spec: Value,
}

/// Splits `raw` (a spec that `spec::load` accepted) into at most `parts`
/// parts (fewer when it has fewer tags) and the shared schemas, which
/// parts name as `{shared_crate}::types::{Name}`.
pub fn split(raw: &Value, parts: usize, shared_crate: &str) -> anyhow::Result<Split> {
    if parts < 2 {
        bail!("--split needs at least 2 parts (got {parts})");
    }
    let tags = operations_by_tag(raw)?;
    if tags.len() < 2 {
        bail!(
            "--split needs operations of at least 2 tags; the spec has {}",
            tags.len()
        );
    }
    let components = raw.get("components").cloned().unwrap_or(Value::Null);
    let reach: BTreeMap<&str, BTreeSet<Ref>> = tags
        .iter()
        .map(|(tag, paths)| (tag.as_str(), closure(raw, paths)))
        .collect();
    let mut users: BTreeMap<&str, usize> = BTreeMap::new();
    for refs in reach.values() {
        for r in refs.iter().filter(|r| r.kind == "schemas") {
            *users.entry(r.name.as_str()).or_default() += 1;
        }
    }
    let shared_schemas: BTreeSet<String> = users
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(name, _)| name.to_string())
        .collect();

    // Weigh each tag by the JSON of its operations and of its own schemas.
    let weight = |tag: &str| -> usize {
        let own: usize = reach[tag]
            .iter()
            .filter(|r| !(r.kind == "schemas" && shared_schemas.contains(&r.name)))
            .filter_map(|r| component(&components, r))
            .map(|v| v.to_string().len())
            .sum();
        tags[tag].to_string().len() + own
    };
    let mut order: Vec<(&str, usize)> = tags.keys().map(|t| (t.as_str(), weight(t))).collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let count = parts.min(order.len());
    let mut bins: Vec<(usize, Vec<&str>)> = vec![(0, Vec::new()); count];
    for (tag, w) in order {
        let lightest = (0..count)
            .min_by_key(|i| (bins[*i].0, *i))
            .expect("count >= 2");
        bins[lightest].0 += w;
        bins[lightest].1.push(tag);
    }
    bins.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));

    let shell = |paths: Value, schemas: Map<String, Value>, others: Map<String, Value>| {
        let mut spec = raw.clone();
        let object = spec.as_object_mut().expect("a spec is an object");
        object.insert("paths".into(), paths);
        let mut comps = others;
        if let Some(security) = components.get("securitySchemes") {
            comps.insert("securitySchemes".into(), security.clone());
        }
        comps.insert("schemas".into(), Value::Object(schemas));
        object.insert("components".into(), Value::Object(comps));
        spec
    };

    let schema_of = |name: &str| components["schemas"][name].clone();
    let shared = shell(
        Value::Object(Map::new()),
        shared_schemas
            .iter()
            .map(|n| (n.clone(), schema_of(n)))
            .collect(),
        Map::new(),
    );

    let mut out = Vec::new();
    for (_, mut bin_tags) in bins {
        bin_tags.sort_unstable();
        let mut paths = Map::new();
        let mut refs = BTreeSet::new();
        let mut operations = Vec::new();
        for tag in &bin_tags {
            for (path, item) in tags[*tag].as_object().expect("built as an object") {
                let entry = paths
                    .entry(path.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                for (key, value) in item.as_object().expect("built as an object") {
                    entry[key] = value.clone();
                    if let Some(id) = value.get("operationId").and_then(Value::as_str) {
                        operations.push(id.to_string());
                    }
                }
            }
            refs.extend(reach[*tag].iter().cloned());
        }
        operations.sort_unstable();
        let mut schemas = Map::new();
        let mut others: Map<String, Value> = Map::new();
        for r in &refs {
            let Some(value) = component(&components, r) else {
                continue;
            };
            if r.kind == "schemas" {
                let mut value = value.clone();
                if shared_schemas.contains(&r.name) {
                    let path = match value.get(HAND_WRITTEN).and_then(Value::as_str) {
                        // hss-api's own hand-written types live at the
                        // shared crate's root, as at every crate's.
                        Some(own) => match own.strip_prefix("crate::") {
                            Some(rest) => format!("{shared_crate}::{rest}"),
                            None => own.to_string(),
                        },
                        None => format!("{shared_crate}::types::{}", type_name(&r.name)),
                    };
                    value
                        .as_object_mut()
                        .with_context(|| format!("schema {} is not an object", r.name))?
                        .insert(HAND_WRITTEN.into(), Value::String(path));
                }
                schemas.insert(r.name.clone(), value);
            } else {
                let kind = others
                    .entry(r.kind.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                kind[r.name.as_str()] = value.clone();
            }
        }
        out.push(Part {
            tags: bin_tags.iter().map(|t| t.to_string()).collect(),
            operations,
            spec: shell(Value::Object(paths), schemas, others),
        });
    }
    Ok(Split {
        shared,
        shared_schemas,
        parts: out,
    })
}

/// The Rust name typify gives a component schema (what `types::X` in the
/// shared crate is). Were the two ever to disagree, the part would not
/// compile; `cargo check` of a `--split` crate says so.
fn type_name(schema: &str) -> String {
    rust_name(schema, Case::Pascal)
}

/// The case of a name progenitor and typify derive from the spec.
#[derive(Clone, Copy, Debug)]
pub enum Case {
    /// Types and builder structs (`ListVulScanTask`).
    Pascal,
    /// Client methods (`list_vul_scan_task`).
    Snake,
}

/// The Rust name progenitor and typify give a spec name in `case`: their
/// `sanitize`, with the same `heck`.
pub fn rust_name(name: &str, case: Case) -> String {
    use heck::{ToPascalCase, ToSnakeCase};
    let cleaned = crate::rust_names::words(name);
    let (out, prefix) = match case {
        Case::Pascal => (cleaned.to_pascal_case(), "X"),
        Case::Snake => (cleaned.to_snake_case(), "x"),
    };
    let out = match out.chars().next() {
        Some(c) if c.is_alphabetic() || c == '_' => out,
        _ => format!("{prefix}{out}"),
    };
    if out == "Self" {
        "Self_".to_string()
    } else {
        out
    }
}

/// The group an operation belongs to: its first tag ([`UNTAGGED`] without
/// one).
pub fn group_of<'a>(op: &pointer::Operation<'a>) -> &'a str {
    op.tags().next().unwrap_or(UNTAGGED)
}

/// Each tag's operations as path items: `{tag: {path: {method: op}}}`.
/// Path-level keys other than operations (`parameters`, `summary`) go with
/// every tag that has an operation on the path.
fn operations_by_tag(raw: &Value) -> anyhow::Result<BTreeMap<String, Value>> {
    let paths = raw
        .get("paths")
        .and_then(Value::as_object)
        .context("the spec has no `paths` object")?;
    if paths.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut tags: BTreeMap<String, Value> = BTreeMap::new();
    for op in pointer::operations(raw) {
        let tag = group_of(&op).to_string();
        let common: Map<String, Value> = op
            .item
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| !HTTP_METHODS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let entry = tags
            .entry(tag)
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .expect("built as an object")
            .entry(op.path.to_string())
            .or_insert_with(|| Value::Object(common));
        entry[op.method] = op.op.clone();
    }
    Ok(tags)
}

/// A `#/components/{kind}/{name}` reference.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Ref {
    kind: String,
    name: String,
}

fn component<'a>(components: &'a Value, r: &Ref) -> Option<&'a Value> {
    components.get(&r.kind)?.get(&r.name)
}

/// Every component `value` reaches, transitively.
fn closure(raw: &Value, value: &Value) -> BTreeSet<Ref> {
    let mut starts = Vec::new();
    pointer::refs_in(value, &mut starts);
    let starts = starts
        .iter()
        .filter_map(|r| pointer::ref_target(r))
        .map(str::to_string);
    pointer::ref_closure(raw, starts)
        .iter()
        .filter_map(|target| {
            let mut tokens = target.strip_prefix("/components/")?.splitn(2, '/');
            let (kind, name) = (tokens.next()?, tokens.next()?);
            (!name.contains('/')).then(|| Ref {
                kind: kind.to_string(),
                name: name.replace("~1", "/").replace("~0", "~"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(id: &str, tag: Option<&str>, schema: &str) -> Value {
        let mut op = json!({
            "operationId": id,
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": format!("#/components/schemas/{schema}")}
            }}}}
        });
        if let Some(tag) = tag {
            op["tags"] = json!([tag]);
        }
        op
    }

    fn fixture() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/a": {"get": op("GetA", Some("alpha"), "AResponse")},
                "/a2": {"post": op("PostA", Some("alpha"), "Common")},
                "/b": {"get": op("GetB", Some("beta"), "BResponse"),
                       "parameters": [{"$ref": "#/components/parameters/Region"}]},
                "/c": {"get": op("GetC", None, "Common")}
            },
            "components": {
                "parameters": {"Region": {"name": "region", "in": "header", "schema": {"type": "string"}}},
                "securitySchemes": {"aksk": {"type": "apiKey", "name": "Authorization", "in": "header"}},
                "schemas": {
                    "AResponse": {"type": "object", "properties": {"c": {"$ref": "#/components/schemas/Common"}}},
                    "BResponse": {"type": "object", "properties": {"c": {"$ref": "#/components/schemas/Common"}}},
                    "Common": {"type": "object", "properties": {"i": {"$ref": "#/components/schemas/inner_id"}}},
                    "inner_id": {"type": "string", "maxLength": 8},
                    "Unused": {"type": "string"}
                }
            }
        })
    }

    #[test]
    fn schemas_two_tags_reach_are_shared_with_what_they_reference() {
        let split = split(&fixture(), 3, "x_shared").unwrap();
        assert_eq!(
            split.shared_schemas,
            BTreeSet::from(["Common".to_string(), "inner_id".to_string()])
        );
        assert_eq!(split.shared["paths"], json!({}));
        assert_eq!(
            split.shared["components"]["schemas"]["inner_id"],
            json!({"type": "string", "maxLength": 8})
        );
        let tags: Vec<Vec<String>> = split.parts.iter().map(|p| p.tags.clone()).collect();
        assert_eq!(tags.len(), 3);
        assert!(tags.contains(&vec![UNTAGGED.to_string()]), "{tags:?}");
    }

    #[test]
    fn a_part_names_shared_schemas_in_the_shared_crate_and_keeps_its_own() {
        let split = split(&fixture(), 2, "x_shared").unwrap();
        let part = split
            .parts
            .iter()
            .find(|p| p.tags.contains(&"beta".to_string()))
            .unwrap();
        let schemas = &part.spec["components"]["schemas"];
        assert_eq!(
            schemas["Common"][HAND_WRITTEN],
            json!("x_shared::types::Common")
        );
        assert_eq!(
            schemas["inner_id"][HAND_WRITTEN],
            json!("x_shared::types::InnerId")
        );
        assert!(schemas["BResponse"].get(HAND_WRITTEN).is_none());
        assert!(schemas.get("AResponse").is_none() || part.tags.contains(&"alpha".to_string()));
        assert!(schemas.get("Unused").is_none());
        // Path-level parameters and the components they reach go along.
        assert_eq!(
            part.spec["paths"]["/b"]["parameters"][0]["$ref"],
            json!("#/components/parameters/Region")
        );
        assert!(part.spec["components"]["parameters"]["Region"].is_object());
        assert!(part.spec["components"]["securitySchemes"]["aksk"].is_object());
    }

    #[test]
    fn every_operation_lands_in_exactly_one_part() {
        for n in 2..=4 {
            let split = split(&fixture(), n, "x_shared").unwrap();
            let mut ids: Vec<String> = split
                .parts
                .iter()
                .flat_map(|p| p.operations.clone())
                .collect();
            ids.sort();
            assert_eq!(ids, ["GetA", "GetB", "GetC", "PostA"], "{n} parts");
            assert_eq!(split.parts.len(), n.min(3));
        }
    }

    #[test]
    fn hand_written_shared_types_move_to_the_shared_crate() {
        let mut spec = fixture();
        spec["components"]["schemas"]["inner_id"][HAND_WRITTEN] = json!("crate::InnerId");
        let split = split(&spec, 2, "x_shared").unwrap();
        for part in &split.parts {
            if let Some(s) = part.spec["components"]["schemas"].get("inner_id") {
                assert_eq!(s[HAND_WRITTEN], json!("x_shared::InnerId"));
            }
        }
        assert_eq!(
            split.shared["components"]["schemas"]["inner_id"][HAND_WRITTEN],
            json!("crate::InnerId")
        );
    }

    #[test]
    fn too_few_parts_or_tags_is_an_error() {
        let e = split(&fixture(), 1, "x").unwrap_err().to_string();
        assert!(e.contains("at least 2 parts"), "{e}");
        let mut one_tag = fixture();
        one_tag["paths"] = json!({"/a": {"get": op("GetA", Some("alpha"), "AResponse")}});
        let e = split(&one_tag, 2, "x").unwrap_err().to_string();
        assert!(e.contains("at least 2 tags"), "{e}");
    }

    #[test]
    fn type_names_are_upper_camel_case() {
        assert_eq!(type_name("inner_id"), "InnerId");
        assert_eq!(type_name("SharedProjectId3"), "SharedProjectId3");
        assert_eq!(type_name("list-x.y"), "ListXY");
        assert_eq!(type_name("HTTPServer"), "HttpServer");
        assert_eq!(type_name("3d"), "X3d");
    }
}
