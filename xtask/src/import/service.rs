//! The whole service: `openapi/hss.yaml` built from the official SDK's
//! operations (`cargo xtask import` without a selection).
//!
//! Which source decides what:
//!
//! - **The SDK decides the wire**: every operation, its method and path,
//!   each parameter's name, location and type, the body and response
//!   models (names, fields, types). It is what Huawei's SDKs send, in every
//!   language, so it is what the service accepts.
//! - **The definition adds limits** where it has the operation: required
//!   flags, ranges, lengths, item counts, defaults and known values of the
//!   parameters and body fields the SDK also has (matched by name). Where
//!   the two disagree on a type, the SDK wins and the report says so.
//! - **`openapi/reviewed.yaml` is ours**: the reviewed operations are taken
//!   from it as they are, with its shared components.
//! - **`openapi/groups.yaml` places operations in groups**; summaries are
//!   ours (`summary.rs`).
//!
//! Responses stay lenient: every field optional, no limits (known values
//! are kept, as information).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::pointer;
use crate::sdk::{self, Location, Sdk, SdkType};
use crate::spec::KNOWN_VALUES;

/// One group of `openapi/groups.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    pub summary: String,
    #[serde(default)]
    pub segments: Vec<String>,
    #[serde(default)]
    pub requires: Vec<String>,
}

/// `openapi/groups.yaml`.
#[derive(Debug, Clone)]
pub struct Groups(pub Vec<Group>);

impl Groups {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let groups: Vec<Group> = serde_norway::from_str(text)?;
        let mut names = BTreeSet::new();
        let mut segments = BTreeMap::new();
        for g in &groups {
            if !names.insert(g.name.as_str()) {
                bail!("group `{}` is listed twice", g.name);
            }
            if g.summary.trim().is_empty() {
                bail!("group `{}` has no summary", g.name);
            }
            for s in &g.segments {
                if let Some(other) = segments.insert(s.as_str(), g.name.as_str()) {
                    bail!("segment `{s}` is placed in `{other}` and `{}`", g.name);
                }
            }
        }
        for g in &groups {
            for r in &g.requires {
                if !names.contains(r.as_str()) {
                    bail!("group `{}` requires `{r}`, which is not a group", g.name);
                }
            }
        }
        Ok(Groups(groups))
    }

    /// The group of an operation of the SDK, by its path.
    pub fn of(&self, op: &sdk::Operation) -> anyhow::Result<&Group> {
        let segment = op.group();
        self.0
            .iter()
            .find(|g| g.segments.iter().any(|s| s == segment))
            .with_context(|| {
                format!(
                    "`{}` ({} {}): no group of openapi/groups.yaml has the path segment `{segment}`",
                    op.id(),
                    op.method,
                    op.path
                )
            })
    }
}

/// What building the whole spec noticed: each a sentence naming its place.
#[derive(Debug, Default)]
pub struct Notes(pub Vec<String>);

/// The inputs of [`build`].
pub struct Sources<'a> {
    pub sdk: &'a Sdk,
    /// The definition after the import's passes (every operation).
    pub definition: &'a Value,
    /// `openapi/reviewed.yaml`.
    pub reviewed: &'a Value,
    pub groups: &'a Groups,
    /// Says where the facts came from, in `info.description`.
    pub provenance: &'a str,
}

/// Builds the whole spec.
pub fn build(sources: &Sources<'_>) -> anyhow::Result<(Value, Notes)> {
    let mut b = Builder {
        sdk: sources.sdk,
        definition: sources.definition,
        definition_ops: pointer::operations(sources.definition)
            .filter_map(|op| Some((op.id()?.to_string(), op.op.clone())))
            .collect(),
        components: sources
            .reviewed
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        reviewed_schemas: BTreeSet::new(),
        shared_parameters: sources
            .reviewed
            .pointer("/components/parameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        model_names: BTreeMap::new(),
        response_side: BTreeSet::new(),
        notes: Notes::default(),
    };
    b.reviewed_schemas = b.components.keys().cloned().collect();
    let reviewed_ops: BTreeMap<String, (String, String, Value)> =
        pointer::operations(sources.reviewed)
            .filter_map(|op| {
                Some((
                    op.id()?.to_string(),
                    (op.path.to_string(), op.method.to_string(), op.op.clone()),
                ))
            })
            .collect();
    let errors = error_responses(sources.reviewed)?;

    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for (id, op) in &sources.sdk.operations {
        let group = sources.groups.of(op)?;
        let method = op.method.to_ascii_lowercase();
        let (path, mut operation) = match reviewed_ops.get(id) {
            Some((path, reviewed_method, operation)) => {
                if *path != op.path || *reviewed_method != method {
                    bail!(
                        "`{id}` is {} {path} in openapi/reviewed.yaml but {} {} in the SDK",
                        reviewed_method.to_ascii_uppercase(),
                        op.method,
                        op.path
                    );
                }
                (path.clone(), operation.clone())
            }
            None => (op.path.clone(), b.operation(op, &errors)?),
        };
        operation["tags"] = json!([group.name]);
        let item = paths.entry(path).or_default();
        if item.insert(method, operation).is_some() {
            bail!("{} {} holds two operations", op.method, op.path);
        }
    }
    for id in reviewed_ops.keys() {
        if !sources.sdk.operations.contains_key(id) {
            bail!("`{id}` of openapi/reviewed.yaml is not an operation of the SDK");
        }
    }

    let mut doc = sources.reviewed.clone();
    doc["info"]["description"] = json!(sources.provenance);
    doc["tags"] = Value::Array(
        sources
            .groups
            .0
            .iter()
            .map(|g| {
                let mut tag = json!({"name": g.name, "description": g.summary});
                if !g.requires.is_empty() {
                    tag["x-group-requires"] = json!(g.requires);
                }
                tag
            })
            .collect(),
    );
    doc["paths"] = Value::Object(
        paths
            .into_iter()
            .map(|(p, item)| (p, Value::Object(item)))
            .collect(),
    );
    doc["components"]["schemas"] = Value::Object(std::mem::take(&mut b.components));
    Ok((doc, b.notes))
}

/// The reviewed operations' error responses (every status but 2xx), which
/// every operation lists.
fn error_responses(reviewed: &Value) -> anyhow::Result<Map<String, Value>> {
    let first = pointer::operations(reviewed)
        .next()
        .context("openapi/reviewed.yaml has no operation")?;
    Ok(first
        .op
        .get("responses")
        .and_then(Value::as_object)
        .context("its first operation has no responses")?
        .iter()
        .filter(|(status, _)| !status.starts_with('2'))
        .map(|(s, r)| (s.clone(), r.clone()))
        .collect())
}

struct Builder<'a> {
    sdk: &'a Sdk,
    definition: &'a Value,
    definition_ops: BTreeMap<String, Value>,
    /// `#/components/schemas`, reviewed ones first.
    components: Map<String, Value>,
    reviewed_schemas: BTreeSet<String>,
    /// `#/components/parameters` of `reviewed.yaml`.
    shared_parameters: Map<String, Value>,
    /// SDK class -> component name.
    model_names: BTreeMap<String, String>,
    /// Components a response reaches (they get no limits).
    response_side: BTreeSet<String>,
    notes: Notes,
}

/// Keywords the definition's limits are copied with, by our schema's type.
const LIMITS: &[(&str, &[&str])] = &[
    ("string", &["minLength", "maxLength", "default"]),
    ("integer", &["minimum", "maximum", "default"]),
    ("number", &["minimum", "maximum", "default"]),
    ("boolean", &["default"]),
    ("array", &["minItems", "maxItems"]),
];

impl Builder<'_> {
    fn operation(
        &mut self,
        op: &sdk::Operation,
        errors: &Map<String, Value>,
    ) -> anyhow::Result<Value> {
        let id = op.id();
        let upstream = self.definition_ops.get(&id).cloned();
        let mut parameters = Vec::new();
        let mut declared: BTreeSet<&str> = BTreeSet::new();
        if op.path.contains("{project_id}") && !op.params.iter().any(|p| p.wire == "project_id") {
            parameters.push(path_parameter("project_id", &SdkType::Str));
            declared.insert("project_id");
        }
        let mut form = Map::new();
        for p in &op.params {
            let ty = self
                .sdk
                .param_type(op, &p.attribute)
                .with_context(|| format!("`{id}`: the SDK gives `{}` no type", p.attribute))?
                .clone();
            if p.location == Location::Form {
                form.insert(p.wire.clone(), self.schema(&ty, false)?);
                continue;
            }
            declared.insert(p.wire.as_str());
            if p.location == Location::Path {
                parameters.push(path_parameter(&p.wire, &ty));
                continue;
            }
            let mut parameter = match (p.location, p.wire.as_str()) {
                (Location::Header, "region") => json!({"$ref": "#/components/parameters/Region"}),
                (Location::Query, "enterprise_project_id") => {
                    json!({"$ref": "#/components/parameters/EnterpriseProjectId"})
                }
                _ => json!({
                    "name": p.wire,
                    "in": p.location.openapi(),
                    "required": false,
                    "schema": self.schema(&ty, false)?,
                }),
            };
            // A shared parameter the definition requires here is written
            // out, required, with the shared one's schema.
            if let Some(shared) = parameter.get("$ref").and_then(Value::as_str).and_then(|r| {
                self.shared_parameters
                    .get(r.rsplit('/').next().unwrap_or_default())
            }) && upstream
                .as_ref()
                .and_then(|u| self.upstream_parameter(u, &p.wire, p.location.openapi()))
                .is_some_and(|t| t.get("required").and_then(Value::as_bool) == Some(true))
            {
                parameter = shared.clone();
                parameter["required"] = json!(true);
                // Its text says it is optional.
                if let Some(map) = parameter.as_object_mut() {
                    map.remove("description");
                }
            }
            if parameter.get("$ref").is_none()
                && parameter
                    .get("schema")
                    .and_then(|s| s.get("$ref"))
                    .is_none()
                && let Some(theirs) = upstream
                    .as_ref()
                    .and_then(|u| self.upstream_parameter(u, &p.wire, p.location.openapi()))
            {
                if theirs.get("required").and_then(Value::as_bool) == Some(true) {
                    parameter["required"] = json!(true);
                }
                if let Some(schema) = theirs.get("schema") {
                    let schema = self.resolve(schema).clone();
                    let place = format!("`{id}` parameter `{}`", p.wire);
                    self.limits(&mut parameter["schema"], &schema, &place);
                    move_known_values_note(&mut parameter);
                }
            }
            parameters.push(parameter);
        }
        for segment in op
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        {
            if !declared.contains(segment) {
                bail!(
                    "`{id}`: `{{{segment}}}` in {} is no parameter of the SDK",
                    op.path
                );
            }
        }

        let mut operation = json!({
            "operationId": id,
            "summary": super::summary::of(&id),
            "parameters": parameters,
        });
        if !form.is_empty() {
            operation["requestBody"] = json!({
                "required": true,
                "content": {"multipart/form-data": {"schema": {"type": "object", "properties": form}}},
            });
        } else if let Some(body) = &op.body {
            let ty = self
                .sdk
                .param_type(op, body)
                .with_context(|| format!("`{id}`: the body `{body}` has no type"))?
                .clone();
            let schema = self.schema(&ty, false)?;
            if let (Some(upstream), SdkType::Model(class)) = (&upstream, &ty)
                && let Some(theirs) = upstream
                    .pointer("/requestBody/content/application~1json/schema")
                    .map(|s| self.resolve(s).clone())
            {
                let name = self.model_names[class].clone();
                self.body_limits(&name, &theirs, &format!("`{id}` body"), 0);
            }
            let media = if op
                .content_types
                .iter()
                .any(|c| c.starts_with("application/json"))
            {
                "application/json"
            } else {
                op.content_types
                    .first()
                    .map_or("application/json", String::as_str)
            };
            operation["requestBody"] = json!({
                "required": true,
                "content": {media: {"schema": schema}},
            });
        }

        let status = upstream
            .as_ref()
            .and_then(|u| {
                u.get("responses")?
                    .as_object()?
                    .keys()
                    .find(|s| s.starts_with('2'))
                    .cloned()
            })
            .unwrap_or_else(|| "200".to_string());
        let mut responses = Map::new();
        responses.insert(status, self.success(op)?);
        responses.extend(errors.clone());
        operation["responses"] = Value::Object(responses);
        Ok(operation)
    }

    /// The success response: the response model without the fields the SDK
    /// reads from headers.
    fn success(&mut self, op: &sdk::Operation) -> anyhow::Result<Value> {
        let class = &op.response;
        let model = self
            .sdk
            .models
            .get(class)
            .with_context(|| format!("`{}`: no response model `{class}`", op.id()))?
            .clone();
        if model.stream {
            return Ok(json!({
                "description": "The file's bytes.",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }));
        }
        let fields: Vec<_> = model
            .fields
            .iter()
            .filter(|(_, f)| {
                !op.response_headers
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(&f.wire))
            })
            .collect();
        let schema = match fields.as_slice() {
            [] => return Ok(json!({"description": "Done; the answer has no body."})),
            [(attribute, field)] if attribute == "body" => self.schema(&field.ty, true)?,
            _ => {
                let mut properties = Map::new();
                for (_, field) in &fields {
                    properties.insert(field.wire.clone(), self.schema(&field.ty, true)?);
                }
                let name = self.free_name(class);
                self.components.insert(
                    name.clone(),
                    json!({"type": "object", "properties": properties}),
                );
                self.response_side.insert(name.clone());
                json!({"$ref": format!("#/components/schemas/{name}")})
            }
        };
        if let Some(upstream) = self.definition_ops.get(&op.id()).cloned()
            && let Some(theirs) = upstream
                .pointer("/responses")
                .and_then(Value::as_object)
                .and_then(|r| r.iter().find(|(s, _)| s.starts_with('2')))
                .and_then(|(_, r)| r.pointer("/content/application~1json/schema"))
        {
            let theirs = self.resolve(theirs).clone();
            self.known_values(&schema, &theirs, 0);
        }
        Ok(json!({
            "description": "Done.",
            "content": {"application/json": {"schema": schema}},
        }))
    }

    /// The schema of an SDK type; models become components.
    fn schema(&mut self, ty: &SdkType, response: bool) -> anyhow::Result<Value> {
        Ok(match ty {
            SdkType::Str => json!({"type": "string"}),
            SdkType::Int => json!({"type": "integer", "format": "int64"}),
            SdkType::Float => json!({"type": "number", "format": "double"}),
            SdkType::Bool => json!({"type": "boolean"}),
            SdkType::Object => json!({}),
            SdkType::File => json!({"type": "string", "format": "binary"}),
            SdkType::List(item) => json!({"type": "array", "items": self.schema(item, response)?}),
            SdkType::Map(value) => {
                json!({"type": "object", "additionalProperties": self.schema(value, response)?})
            }
            SdkType::Model(class) => {
                let name = self.model(class)?;
                if response {
                    self.mark_response(&name);
                }
                json!({"$ref": format!("#/components/schemas/{name}")})
            }
        })
    }

    /// The component of an SDK model, made on first use.
    fn model(&mut self, class: &str) -> anyhow::Result<String> {
        if let Some(name) = self.model_names.get(class) {
            return Ok(name.clone());
        }
        let model = self
            .sdk
            .models
            .get(class)
            .with_context(|| format!("the SDK has no model `{class}`"))?
            .clone();
        if self.reviewed_schemas.contains(class) && self.reviewed_covers(class, &model) {
            self.model_names
                .insert(class.to_string(), class.to_string());
            return Ok(class.to_string());
        }
        let name = self.free_name(class);
        self.model_names.insert(class.to_string(), name.clone());
        // Reserve the name before the fields, which may refer back to it.
        self.components
            .insert(name.clone(), json!({"type": "object"}));
        let mut properties = Map::new();
        for (_, field) in &model.fields {
            properties.insert(field.wire.clone(), self.schema(&field.ty, false)?);
        }
        let mut schema = json!({"type": "object"});
        if !properties.is_empty() {
            schema["properties"] = Value::Object(properties);
        }
        self.components.insert(name.clone(), schema);
        Ok(name)
    }

    /// Whether the reviewed schema of that name has every field of the
    /// SDK's model (then it is the same model, reviewed, and is reused).
    fn reviewed_covers(&self, name: &str, model: &sdk::Model) -> bool {
        let Some(properties) = self
            .components
            .get(name)
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
        else {
            return false;
        };
        model
            .fields
            .iter()
            .all(|(_, f)| properties.contains_key(&f.wire))
    }

    /// `class`, or `class` with a suffix when a reviewed schema has its name.
    fn free_name(&mut self, class: &str) -> String {
        if !self.components.contains_key(class) {
            return class.to_string();
        }
        let name = (2..)
            .map(|n| format!("{class}{n}"))
            .find(|n| !self.components.contains_key(n))
            .expect("a free name");
        self.notes.0.push(format!(
            "the SDK's model `{class}` is `{name}`: openapi/reviewed.yaml has a schema of that name"
        ));
        name
    }

    /// Marks a component and everything it references as reached by a
    /// response.
    fn mark_response(&mut self, name: &str) {
        if !self.response_side.insert(name.to_string()) {
            return;
        }
        let mut refs = Vec::new();
        if let Some(schema) = self.components.get(name) {
            pointer::refs_in(schema, &mut refs);
        }
        for r in refs {
            if let Some(target) = r.strip_prefix("#/components/schemas/") {
                self.mark_response(target);
            }
        }
    }

    fn resolve<'v>(&'v self, schema: &'v Value) -> &'v Value {
        pointer::deref(self.definition, schema).unwrap_or(schema)
    }

    /// The definition's parameter of that name and location.
    fn upstream_parameter(&self, op: &Value, name: &str, location: &str) -> Option<Value> {
        op.get("parameters")?
            .as_array()?
            .iter()
            .map(|p| self.resolve(p))
            .find(|p| {
                p.get("name").and_then(Value::as_str) == Some(name)
                    && p.get("in").and_then(Value::as_str) == Some(location)
            })
            .cloned()
    }

    /// Copies the definition's limits and known values onto `ours` (an
    /// inline schema) where the types agree.
    fn limits(&mut self, ours: &mut Value, theirs: &Value, place: &str) {
        let ty = ours
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let their_ty = theirs
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if ty.is_empty() || their_ty.is_empty() {
            return;
        }
        if ty != their_ty {
            self.notes.0.push(format!(
                "{place}: the SDK says `{ty}`, the definition `{their_ty}`; the SDK's type is kept"
            ));
            return;
        }
        for (t, keys) in LIMITS {
            if *t != ty {
                continue;
            }
            for key in *keys {
                let Some(value) = theirs.get(*key) else {
                    continue;
                };
                let fits = match *key {
                    "default" => default_fits(&ty, value),
                    "minLength" => value.as_u64().is_some_and(|n| n > 0),
                    _ => value.is_number(),
                };
                if fits {
                    ours[*key] = value.clone();
                }
            }
        }
        if ty == "string"
            && let Some(values) = known_values_of(theirs)
        {
            ours[KNOWN_VALUES] = json!(values);
            ours["description"] = json!(values_sentence(&values));
        }
        if ty == "string" {
            self.share_length_class(ours);
        }
        if ty == "array"
            && let (Some(mut item), Some(their_item)) =
                (ours.get("items").cloned(), theirs.get("items"))
            && item.get("$ref").is_none()
        {
            let their_item = self.resolve(their_item).clone();
            self.limits(&mut item, &their_item, place);
            ours["items"] = item;
        }
    }

    /// A string whose only limits are its lengths refers to one component
    /// per pair of lengths (`Text1To64`) instead of carrying them inline:
    /// typify makes a validating newtype of every constrained string, and
    /// hundreds of identical ones were most of the time `hss-api` took to
    /// compile (trait coherence over their `From` impls).
    fn share_length_class(&mut self, ours: &mut Value) {
        let Some(map) = ours.as_object() else { return };
        if map
            .keys()
            .any(|k| !matches!(k.as_str(), "type" | "minLength" | "maxLength"))
        {
            return;
        }
        let (min, max) = (
            map.get("minLength").and_then(Value::as_u64),
            map.get("maxLength").and_then(Value::as_u64),
        );
        let (name, description) = match (min, max) {
            (None, None) => return,
            (Some(a), Some(b)) => (
                format!("Text{a}To{b}"),
                format!("Text of {a} to {b} characters."),
            ),
            (None, Some(b)) => (
                format!("TextUpTo{b}"),
                format!("Text of at most {b} characters."),
            ),
            (Some(a), None) => (
                format!("TextFrom{a}"),
                format!("Text of at least {a} characters."),
            ),
        };
        let mut component = ours.clone();
        component["description"] = json!(description);
        match self.components.get(&name) {
            Some(existing) if *existing != component => return,
            Some(_) => {}
            None => {
                self.components.insert(name.clone(), component);
            }
        }
        *ours = json!({"$ref": format!("#/components/schemas/{name}")});
    }

    /// [`Self::limits`] through a body model: required fields and each
    /// field's limits, into its component (unless a response reaches it).
    fn body_limits(&mut self, name: &str, theirs: &Value, place: &str, depth: usize) {
        if depth > 8 || self.reviewed_schemas.contains(name) {
            return;
        }
        let Some(mut ours) = self.components.get(name).cloned() else {
            return;
        };
        let lenient = self.response_side.contains(name);
        let Some(their_props) = theirs.get("properties").and_then(Value::as_object) else {
            return;
        };
        let our_names: BTreeSet<String> = ours
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        if !lenient {
            let required: Vec<&str> = theirs
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|r| our_names.contains(*r))
                .collect();
            if !required.is_empty() {
                ours["required"] = json!(required);
            }
        }
        let mut nested = Vec::new();
        for field in &our_names {
            let Some(their_field) = their_props.get(field) else {
                continue;
            };
            let their_field = self.resolve(their_field).clone();
            let place = format!("{place} field `{field}`");
            let our_field = &mut ours["properties"][field];
            match our_reference(our_field) {
                Some(target) => nested.push((target, their_field, place)),
                None if lenient => {
                    if let Some(values) = known_values_of(&their_field)
                        && our_field.get("type").and_then(Value::as_str) == Some("string")
                    {
                        our_field[KNOWN_VALUES] = json!(values);
                        our_field["description"] = json!(values_sentence(&values));
                    }
                }
                None => {
                    let mut field_schema = our_field.clone();
                    self.limits(&mut field_schema, &their_field, &place);
                    ours["properties"][field] = field_schema;
                }
            }
        }
        self.components.insert(name.to_string(), ours);
        for (target, their_field, place) in nested {
            let theirs = match their_field.get("items") {
                Some(items) if their_field.get("type").and_then(Value::as_str) == Some("array") => {
                    self.resolve(items).clone()
                }
                _ => their_field,
            };
            self.body_limits(&target, &theirs, &place, depth + 1);
        }
    }

    /// Known values of the definition's response fields onto ours.
    fn known_values(&mut self, ours: &Value, theirs: &Value, depth: usize) {
        if depth > 8 {
            return;
        }
        match (ours.get("$ref"), ours.get("type").and_then(Value::as_str)) {
            (Some(_), _) => {
                if let Some(name) = our_reference(ours)
                    && !self.reviewed_schemas.contains(&name)
                {
                    let Some(mut schema) = self.components.get(&name).cloned() else {
                        return;
                    };
                    let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut)
                    else {
                        return;
                    };
                    let mut nested = Vec::new();
                    for (field, our_field) in props.iter_mut() {
                        let Some(their_field) = theirs.get("properties").and_then(|p| p.get(field))
                        else {
                            continue;
                        };
                        let their_field = self.resolve(their_field).clone();
                        if our_field.get("type").and_then(Value::as_str) == Some("string") {
                            if let Some(values) = known_values_of(&their_field) {
                                our_field[KNOWN_VALUES] = json!(values);
                                our_field["description"] = json!(values_sentence(&values));
                            }
                        } else {
                            nested.push((our_field.clone(), their_field));
                        }
                    }
                    self.components.insert(name, schema);
                    for (our_field, their_field) in nested {
                        self.known_values(&our_field, &their_field, depth + 1);
                    }
                }
            }
            (None, Some("array")) => {
                if let (Some(item), Some(their_item)) = (ours.get("items"), theirs.get("items")) {
                    let their_item = self.resolve(their_item).clone();
                    self.known_values(&item.clone(), &their_item, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// A path parameter: required; a string is a `ResourceId`, which refuses
/// `.` and `..` (see openapi/README.md).
fn path_parameter(name: &str, ty: &SdkType) -> Value {
    let schema = match ty {
        SdkType::Int => json!({"type": "integer", "format": "int64"}),
        _ => json!({"$ref": "#/components/schemas/ResourceId"}),
    };
    json!({"name": name, "in": "path", "required": true, "schema": schema})
}

/// A parameter's known values go in its description, which the generator
/// checks names every value.
fn move_known_values_note(parameter: &mut Value) {
    if let Some(text) = parameter["schema"].get("description").cloned()
        && let Some(schema) = parameter["schema"].as_object_mut()
    {
        schema.remove("description");
        parameter["description"] = text;
    }
}

fn our_reference(schema: &Value) -> Option<String> {
    let r = schema
        .get("$ref")
        .or_else(|| schema.pointer("/items/$ref"))?;
    r.as_str()?
        .strip_prefix("#/components/schemas/")
        .map(str::to_string)
}

/// The definition's values of an enumerated string: `enum`, or
/// `x-known-values` after the import's leniency.
fn known_values_of(schema: &Value) -> Option<Vec<String>> {
    let list = schema
        .get(KNOWN_VALUES)
        .or_else(|| schema.get("enum"))?
        .as_array()?;
    let mut values = Vec::new();
    for v in list {
        let v = v.as_str()?.to_string();
        if v.is_empty() || v.contains('`') || values.contains(&v) {
            return None;
        }
        values.push(v);
    }
    (!values.is_empty()).then_some(values)
}

fn values_sentence(values: &[String]) -> String {
    let listed: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    format!("Known values: {}.", listed.join(", "))
}

fn default_fits(ty: &str, value: &Value) -> bool {
    match ty {
        "string" => value.as_str().is_some_and(|s| !s.is_empty()),
        "integer" => value.is_i64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three operations in the SDK client's form (our own text).
    const CLIENT: &str = r#"
    def _list_widgets_http_info(cls, request):
        http_info = {
            "method": "GET",
            "resource_path": "/v5/{project_id}/widget/widgets",
            "response_type": "ListWidgetsResponse"
            }
        if 'limit' in local_var_params:
            query_params.append(('limit', local_var_params['limit']))
        if 'colours' in local_var_params:
            query_params.append(('colour', local_var_params['colours']))
            collection_formats['colours'] = 'csv'
        if 'region' in local_var_params:
            header_params['region'] = local_var_params['region']
        response_headers = ["X-request-id", ]
        return http_info

    def _paint_widget_http_info(cls, request):
        http_info = {
            "method": "PUT",
            "resource_path": "/v5/{project_id}/widget/{widget_id}/paint",
            "response_type": "PaintWidgetResponse"
            }
        if 'widget_id' in local_var_params:
            path_params['widget_id'] = local_var_params['widget_id']
        body = None
        if 'body' in local_var_params:
            body = local_var_params['body']
        header_params['Content-Type'] = http_utils.select_header_content_type(
            ['application/json;charset=UTF-8'])
        return http_info

    def _show_widget_file_http_info(cls, request):
        http_info = {
            "method": "GET",
            "resource_path": "/v5/{project_id}/gadget/file",
            "response_type": "ShowWidgetFileResponse"
            }
        return http_info
"#;

    const MODELS: &[&str] = &[
        "class ListWidgetsRequest:\n    openapi_types = {\n        'limit': 'int',\n        'colours': 'list[str]',\n        'region': 'str'\n    }\n\n    attribute_map = {\n        'limit': 'limit',\n        'colours': 'colour',\n        'region': 'region'\n    }\n",
        "class ListWidgetsResponse(SdkResponse):\n    openapi_types = {\n        'body': 'list[Widget]',\n        'x_request_id': 'str'\n    }\n\n    attribute_map = {\n        'body': 'body',\n        'x_request_id': 'X-request-id'\n    }\n",
        "class Widget:\n    openapi_types = {\n        'widget_id': 'str',\n        'state': 'str'\n    }\n\n    attribute_map = {\n        'widget_id': 'widget_id',\n        'state': 'state'\n    }\n",
        "class PaintWidgetRequest:\n    openapi_types = {\n        'widget_id': 'str',\n        'body': 'PaintWidgetRequestInfo'\n    }\n\n    attribute_map = {\n        'widget_id': 'widget_id',\n        'body': 'body'\n    }\n",
        "class PaintWidgetRequestInfo:\n    openapi_types = {\n        'colour': 'str',\n        'coats': 'int',\n        'wet': 'str'\n    }\n\n    attribute_map = {\n        'colour': 'colour',\n        'coats': 'coats',\n        'wet': 'wet'\n    }\n",
        "class PaintWidgetResponse(SdkResponse):\n    openapi_types = {\n    }\n\n    attribute_map = {\n    }\n",
        "class ShowWidgetFileRequest:\n    openapi_types = {\n    }\n\n    attribute_map = {\n    }\n",
        "class ShowWidgetFileResponse(SdkStreamResponse):\n    openapi_types = {\n    }\n\n    attribute_map = {\n    }\n",
    ];

    fn sdk() -> Sdk {
        Sdk::from_sources(CLIENT, MODELS.iter().map(|m| ("model.py", *m))).unwrap()
    }

    /// The definition, after the import's passes: limits and known values.
    fn definition() -> Value {
        json!({"paths": {
            "/v5/{project_id}/widget/widgets": {"get": {
                "operationId": "ListWidgets",
                "parameters": [{"name": "limit", "in": "query", "required": true,
                    "schema": {"type": "integer", "minimum": 10, "maximum": 200, "default": 10}},
                    {"name": "region", "in": "header", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"content": {"application/json": {"schema": {
                    "type": "array", "items": {"type": "object", "properties": {
                        "state": {"type": "string", "x-known-values": ["on", "off"]}}}}}}}}}},
            "/v5/{project_id}/widget/{widget_id}/paint": {"put": {
                "operationId": "PaintWidget",
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "required": ["colour", "absent"], "properties": {
                        "colour": {"type": "string", "maxLength": 16, "enum": ["red", "blue"]},
                        "coats": {"type": "string"},
                        "wet": {"type": "string", "minLength": 0, "maxLength": 32}}}}}},
                "responses": {"204": {"description": "Done."}}}}
        }})
    }

    fn reviewed() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "v5"},
            "paths": {"/v5/{project_id}/gadget/file": {"get": {
                "operationId": "ShowWidgetFile", "summary": "Reviewed.", "tags": ["old"],
                "parameters": [], "responses": {"200": {"description": "Done."},
                    "400": {"$ref": "#/components/responses/BadRequest"}}}}},
            "components": {
                "schemas": {"ResourceId": {"type": "string"}},
                "parameters": {"Region": {"name": "region", "in": "header", "required": false,
                    "description": "Optional.", "schema": {"type": "string"}}}
            }
        })
    }

    fn groups() -> Groups {
        Groups::parse(
            "- {name: widgets, summary: Widgets., segments: [widget], requires: [gadgets]}\n\
             - {name: gadgets, summary: Gadgets., segments: [gadget]}\n",
        )
        .unwrap()
    }

    fn built() -> (Value, Notes) {
        let (sdk, definition, reviewed, groups) = (sdk(), definition(), reviewed(), groups());
        build(&Sources {
            sdk: &sdk,
            definition: &definition,
            reviewed: &reviewed,
            groups: &groups,
            provenance: "ours",
        })
        .unwrap()
    }

    #[test]
    fn parameters_come_from_the_sdk_with_the_definitions_limits() {
        let (doc, _) = built();
        let list = &doc["paths"]["/v5/{project_id}/widget/widgets"]["get"];
        assert_eq!(list["tags"], json!(["widgets"]));
        assert_eq!(list["summary"], "List widgets.");
        let params = list["parameters"].as_array().unwrap();
        assert_eq!(
            params[0],
            json!({"name": "project_id", "in": "path", "required": true,
                "schema": {"$ref": "#/components/schemas/ResourceId"}})
        );
        assert_eq!(
            params[1],
            json!({"name": "limit", "in": "query", "required": true, "schema":
                {"type": "integer", "format": "int64", "minimum": 10, "maximum": 200, "default": 10}})
        );
        // A list is an array under its wire name, repeated in the query.
        assert_eq!(params[2]["name"], "colour");
        assert_eq!(
            params[2]["schema"],
            json!({"type": "array", "items": {"type": "string"}})
        );
        // The shared `region` header, required here as the definition says.
        assert_eq!(
            params[3],
            json!({"name": "region", "in": "header", "required": true, "schema": {"type": "string"}})
        );
        // The reviewed errors are every operation's.
        assert_eq!(
            list["responses"]["400"],
            json!({"$ref": "#/components/responses/BadRequest"})
        );
    }

    #[test]
    fn responses_drop_header_fields_and_keep_known_values() {
        let (doc, _) = built();
        let ok = &doc["paths"]["/v5/{project_id}/widget/widgets"]["get"]["responses"]["200"];
        // `body` alone (the header attribute dropped) is the body itself.
        assert_eq!(
            ok["content"]["application/json"]["schema"],
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Widget"}})
        );
        let widget = &doc["components"]["schemas"]["Widget"];
        assert_eq!(
            widget["properties"]["state"][KNOWN_VALUES],
            json!(["on", "off"])
        );
        assert!(widget.get("required").is_none());
    }

    #[test]
    fn bodies_get_required_fields_and_limits_where_the_types_agree() {
        let (doc, notes) = built();
        let paint = &doc["paths"]["/v5/{project_id}/widget/{widget_id}/paint"]["put"];
        assert_eq!(
            paint["requestBody"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/PaintWidgetRequestInfo"})
        );
        // No answer body; the definition's status.
        assert_eq!(paint["responses"]["204"]["content"], Value::Null);
        let body = &doc["components"]["schemas"]["PaintWidgetRequestInfo"];
        assert_eq!(body["required"], json!(["colour"]));
        assert_eq!(body["properties"]["colour"]["maxLength"], 16);
        assert_eq!(
            body["properties"]["colour"][KNOWN_VALUES],
            json!(["red", "blue"])
        );
        // The SDK's integer stays one; the disagreement is noted.
        assert_eq!(body["properties"]["coats"]["type"], "integer");
        assert!(notes.0.iter().any(|n| n.contains("coats")), "{:?}", notes.0);
        // A string limited by its lengths alone shares one component per
        // pair of lengths; `minLength: 0` constrains nothing.
        assert_eq!(
            body["properties"]["wet"],
            json!({"$ref": "#/components/schemas/TextUpTo32"})
        );
        assert_eq!(
            doc["components"]["schemas"]["TextUpTo32"],
            json!({"type": "string", "maxLength": 32, "description": "Text of at most 32 characters."})
        );
    }

    #[test]
    fn reviewed_operations_are_kept_with_their_group_as_tag() {
        let (doc, _) = built();
        let file = &doc["paths"]["/v5/{project_id}/gadget/file"]["get"];
        assert_eq!(file["summary"], "Reviewed.");
        assert_eq!(file["tags"], json!(["gadgets"]));
        assert_eq!(
            doc["tags"][0],
            json!({"name": "widgets", "description": "Widgets.", "x-group-requires": ["gadgets"]})
        );
    }

    #[test]
    fn an_unplaced_path_segment_fails_the_import_by_name() {
        let groups = Groups::parse("- {name: widgets, summary: W., segments: [widget]}\n").unwrap();
        let (sdk, definition, reviewed) = (sdk(), definition(), reviewed());
        let err = build(&Sources {
            sdk: &sdk,
            definition: &definition,
            reviewed: &reviewed,
            groups: &groups,
            provenance: "ours",
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("`gadget`"), "{err}");
        assert!(Groups::parse("- {name: a, summary: A., requires: [b]}\n").is_err());
    }
}
