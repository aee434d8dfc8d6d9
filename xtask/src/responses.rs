//! `hss-operations`' `responses.json`: the success answer of every
//! operation of the spec as data, so that something answering as the
//! service would (the fake) can build one without the typed client.
//!
//! The file is JSON, sorted and indented so that a change of the spec is a
//! readable diff:
//!
//! ```json
//! {
//!   "operations": {"ListHostGroups": {"status": 200, "media_type": "application/json", "schema": {"$ref": "ListHostGroupsResponse"}}},
//!   "schemas": {"ListHostGroupsResponse": {"type": "object", "properties": {...}}}
//! }
//! ```
//!
//! An operation answering without a body has no `media_type` and no
//! `schema`. Schemas keep only what describes a value (type, format,
//! properties, required, items, limits, known values, nullable,
//! `additionalProperties`, `allOf`/`oneOf`/`anyOf`); `$ref`s name a key of
//! `schemas`; prose is left out. Only schemas some answer reaches are
//! listed.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};

use crate::pointer;

/// Schema keywords the file keeps.
const KEPT: [&str; 17] = [
    "type",
    "format",
    "properties",
    "required",
    "items",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "nullable",
    "additionalProperties",
    "x-known-values",
    "allOf",
    "oneOf",
    "anyOf",
];

const SCHEMAS: &str = "/components/schemas/";

/// The file's text for the spec text.
pub fn generate(spec_text: &str) -> anyhow::Result<String> {
    let raw = crate::spec::parse_raw(spec_text).map_err(|p| anyhow::anyhow!("{p}"))?;
    render(&raw)
}

/// The file's text for a parsed spec.
pub fn render(doc: &Value) -> anyhow::Result<String> {
    let mut operations = BTreeMap::new();
    let mut roots = Vec::new();
    for found in pointer::operations(doc) {
        let Some(id) = found.id() else { continue };
        let answer =
            success(doc, found.op, &mut roots).with_context(|| format!("`{id}`'s answer"))?;
        if operations.insert(id.to_owned(), answer).is_some() {
            bail!("the operation id `{id}` is used twice");
        }
    }
    let starts = roots
        .iter()
        .filter_map(|r| pointer::ref_target(r))
        .map(str::to_owned);
    let mut schemas = BTreeMap::new();
    for target in pointer::ref_closure(doc, starts) {
        let Some(name) = target.strip_prefix(SCHEMAS) else {
            bail!("an answer refers to {target}, which is not a component schema");
        };
        let schema = doc
            .pointer(&target)
            .with_context(|| format!("{target} does not exist"))?;
        schemas.insert(name.to_owned(), prune(schema)?);
    }
    let file = json!({"operations": operations, "schemas": schemas});
    let mut text = serde_json::to_string_pretty(&file)?;
    text.push('\n');
    Ok(text)
}

/// `{status, media_type?, schema?}` of the operation's lowest 2xx answer;
/// the `$ref`s of its schema are added to `refs`.
fn success(doc: &Value, op: &Value, refs: &mut Vec<String>) -> anyhow::Result<Value> {
    let responses = op
        .get("responses")
        .and_then(Value::as_object)
        .context("no responses")?;
    let Some((status, response)) = responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .min_by_key(|(code, _)| code.as_str())
    else {
        bail!("no 2xx response");
    };
    let status: u16 = status
        .parse()
        .with_context(|| format!("the status `{status}`"))?;
    let response = pointer::deref(doc, response).context("an unresolved response $ref")?;
    let mut out = Map::new();
    out.insert("status".into(), status.into());
    if let Some((media_type, content)) = response
        .get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.iter().next())
    {
        out.insert("media_type".into(), media_type.clone().into());
        if let Some(schema) = content.get("schema") {
            pointer::refs_in(schema, refs);
            out.insert("schema".into(), prune(schema)?);
        }
    }
    Ok(Value::Object(out))
}

/// `schema` with only the [`KEPT`] keywords, `$ref`s shortened to names.
fn prune(schema: &Value) -> anyhow::Result<Value> {
    let Some(map) = schema.as_object() else {
        // `additionalProperties: true` and the like.
        return Ok(schema.clone());
    };
    if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
        let Some(name) = reference
            .strip_prefix("#")
            .and_then(|r| r.strip_prefix(SCHEMAS))
        else {
            bail!("the $ref {reference} is not a component schema");
        };
        return Ok(json!({"$ref": name}));
    }
    let mut out = Map::new();
    for key in KEPT {
        let Some(value) = map.get(key) else { continue };
        let value = match key {
            "properties" => Value::Object(
                value
                    .as_object()
                    .context("properties is not an object")?
                    .iter()
                    .map(|(name, s)| Ok((name.clone(), prune(s)?)))
                    .collect::<anyhow::Result<_>>()?,
            ),
            "items" | "additionalProperties" => prune(value)?,
            "allOf" | "oneOf" | "anyOf" => Value::Array(
                value
                    .as_array()
                    .with_context(|| format!("{key} is not a list"))?
                    .iter()
                    .map(prune)
                    .collect::<anyhow::Result<_>>()?,
            ),
            _ => value.clone(),
        };
        out.insert(key.to_owned(), value);
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v5/{project_id}/groups:
    get:
      operationId: ListGroups
      responses:
        "200":
          description: Done.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/ListGroupsResponse"}
        "400": {description: Bad.}
    delete:
      operationId: DeleteGroup
      responses:
        "204": {description: Done.}
components:
  schemas:
    ListGroupsResponse:
      type: object
      description: Some prose.
      properties:
        total_num: {type: integer, format: int32, minimum: 0}
        data_list: {type: array, items: {$ref: "#/components/schemas/Group"}}
    Group:
      type: object
      properties:
        group_id: {type: string, maxLength: 64, description: More prose.}
        status: {type: string, x-known-values: [on, off]}
    Unused: {type: string}
"##;

    #[test]
    fn answers_keep_their_status_shape_and_reached_schemas_without_prose() {
        let text = generate(SPEC).unwrap();
        let file: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            file["operations"]["ListGroups"],
            json!({"status": 200, "media_type": "application/json", "schema": {"$ref": "ListGroupsResponse"}})
        );
        assert_eq!(file["operations"]["DeleteGroup"], json!({"status": 204}));
        let schemas = file["schemas"].as_object().unwrap();
        assert_eq!(
            schemas.keys().collect::<Vec<_>>(),
            ["Group", "ListGroupsResponse"]
        );
        assert_eq!(
            schemas["Group"]["properties"]["group_id"],
            json!({"type": "string", "maxLength": 64})
        );
        assert_eq!(
            schemas["ListGroupsResponse"]["properties"]["data_list"]["items"],
            json!({"$ref": "Group"})
        );
        assert!(!text.contains("prose"));
        assert_eq!(generate(SPEC).unwrap(), text, "deterministic");
    }

    #[test]
    fn an_operation_without_a_success_answer_is_an_error() {
        let spec = SPEC.replace("\"204\"", "\"404\"");
        let err = format!("{:#}", generate(&spec).unwrap_err());
        assert!(
            err.contains("DeleteGroup") && err.contains("no 2xx"),
            "{err}"
        );
    }
}
