//! Loading and checking the OpenAPI document before progenitor sees it.
//!
//! progenitor assumes a well-formed document and panics or generates odd code
//! when it is not, so the checks here run first and name the place in the
//! spec that is wrong (as a JSON pointer such as `/paths/~1v5~1.../get`).
//! [`load`] runs every check and returns every problem of the document in
//! one go, so a maintainer fixes a spec in one round trip, not one per
//! problem.

use std::collections::BTreeSet;
use std::fmt;

use openapiv3::OpenAPI;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::keywords;
use crate::pointer::{self, deref, escape};

/// A spec problem, with the JSON pointer of the place it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecProblem {
    pub location: String,
    pub message: String,
}

impl fmt::Display for SpecProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Every problem of a document, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<SpecProblem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} problem(s):", self.0.len())?;
        for p in &self.0 {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// The spec both as raw JSON (for pointer-level checks) and typed.
pub struct Spec {
    pub raw: Value,
    pub openapi: OpenAPI,
}

/// Reads YAML (or JSON, a subset of YAML) text into a JSON value. A syntax
/// error names its line and column.
pub fn parse_raw(text: &str) -> Result<Value, SpecProblem> {
    serde_norway::from_str(text).map_err(|e| {
        let location = match e.location() {
            Some(l) => format!("line {} column {}", l.line(), l.column()),
            None => "/".to_string(),
        };
        SpecProblem {
            location,
            message: format!("not valid YAML: {e}"),
        }
    })
}

/// Parses YAML (or JSON) text into a typed spec. The error lists every part
/// of the document that is not OpenAPI 3.0, each with its JSON pointer.
pub fn parse(text: &str) -> anyhow::Result<Spec> {
    let raw = parse_raw(text).map_err(|p| anyhow::anyhow!("{p}"))?;
    let openapi = typed(&raw).map_err(|problems| {
        anyhow::anyhow!("not an OpenAPI 3.0 document: {}", Problems(problems))
    })?;
    Ok(Spec { raw, openapi })
}

/// Parses and checks: the typed spec, or every problem found (syntax, shape
/// and content) in one list.
pub fn load(text: &str) -> Result<Spec, Problems> {
    let raw = parse_raw(text).map_err(|p| Problems(vec![p]))?;
    load_value(raw)
}

/// [`load`] for a document already in memory.
pub fn load_value(raw: Value) -> Result<Spec, Problems> {
    let mut problems = check_raw(&raw);
    match typed(&raw) {
        Ok(openapi) if problems.is_empty() => Ok(Spec { raw, openapi }),
        Ok(_) => Err(Problems(problems)),
        Err(shape) => {
            // A shape error at a place a content check already explained
            // says the same thing less clearly.
            for p in shape {
                if !problems.iter().any(|q| q.location == p.location) {
                    problems.push(p);
                }
            }
            Err(Problems(problems))
        }
    }
}

/// Deserialises the document into openapiv3's types. On failure, each part
/// (path item, operation, parameter, response, header, media type, schema,
/// component) is deserialised on its own, down to the smallest parts that
/// fail, so every broken part is reported with its own pointer.
fn typed(raw: &Value) -> Result<OpenAPI, Vec<SpecProblem>> {
    let whole = match typed_part::<OpenAPI>(raw, "") {
        Ok(openapi) => return Ok(openapi),
        Err(p) => p,
    };
    let mut problems = Vec::new();
    if let Some(paths) = raw.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            drill(
                item,
                &pointer::push("/paths", path),
                Part::PathItem,
                &mut problems,
            );
        }
    }
    if let Some(components) = raw.get("components").and_then(Value::as_object) {
        for (kind, entries) in components {
            let part = match kind.as_str() {
                "schemas" => Part::Schema,
                "parameters" => Part::Parameter,
                "responses" => Part::Response,
                "headers" => Part::Header,
                "requestBodies" => Part::RequestBody,
                "securitySchemes" => Part::SecurityScheme,
                _ => continue,
            };
            for (name, entry) in entries.as_object().into_iter().flatten() {
                let ptr = pointer::push(&pointer::push("/components", kind), name);
                drill(entry, &ptr, part, &mut problems);
            }
        }
    }
    if problems.is_empty() {
        // Something outside paths and components (info, servers, ...).
        problems.push(whole);
    }
    Err(problems)
}

/// The kinds of object [`drill`] knows the children of.
#[derive(Clone, Copy)]
enum Part {
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Response,
    Header,
    MediaType,
    Schema,
    SecurityScheme,
}

/// Deserialises `value` as `part`; when that fails, tries its children and
/// reports the failing children instead, or this part when no child fails.
/// Needed because openapiv3's untagged enums (`ReferenceOr`, parameter
/// styles) make serde forget where inside them it failed.
fn drill(value: &Value, ptr: &str, part: Part, out: &mut Vec<SpecProblem>) {
    use openapiv3::ReferenceOr as R;
    let result = match part {
        Part::PathItem => typed_part::<R<openapiv3::PathItem>>(value, ptr).map(drop),
        Part::Operation => typed_part::<openapiv3::Operation>(value, ptr).map(drop),
        Part::Parameter => typed_part::<R<openapiv3::Parameter>>(value, ptr).map(drop),
        Part::RequestBody => typed_part::<R<openapiv3::RequestBody>>(value, ptr).map(drop),
        Part::Response => typed_part::<R<openapiv3::Response>>(value, ptr).map(drop),
        Part::Header => typed_part::<R<openapiv3::Header>>(value, ptr).map(drop),
        Part::MediaType => typed_part::<openapiv3::MediaType>(value, ptr).map(drop),
        Part::Schema => typed_part::<R<openapiv3::Schema>>(value, ptr).map(drop),
        Part::SecurityScheme => typed_part::<R<openapiv3::SecurityScheme>>(value, ptr).map(drop),
    };
    let Err(here) = result else { return };
    let before = out.len();
    let Some(map) = value.as_object() else {
        out.push(here);
        return;
    };
    let child = |key: &str, v: &Value, part: Part, out: &mut Vec<SpecProblem>| {
        drill(v, &pointer::push(ptr, key), part, out)
    };
    let each = |key: &str| {
        map.get(key)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v))
            .collect::<Vec<_>>()
    };
    let list = |key: &str| {
        map.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .collect::<Vec<_>>()
    };
    let nested =
        |key: &str, inner: &str| format!("{}/{}", pointer::push(ptr, key), pointer::escape(inner));
    match part {
        Part::PathItem | Part::Operation => {
            if matches!(part, Part::PathItem) {
                for (method, op) in pointer::methods_of(value) {
                    child(method, op, Part::Operation, out);
                }
            }
            for (i, p) in list("parameters") {
                drill(p, &format!("{ptr}/parameters/{i}"), Part::Parameter, out);
            }
            if let Some(body) = map.get("requestBody") {
                child("requestBody", body, Part::RequestBody, out);
            }
            for (code, r) in each("responses") {
                drill(r, &nested("responses", &code), Part::Response, out);
            }
        }
        Part::Parameter | Part::Header | Part::RequestBody | Part::Response | Part::MediaType => {
            if let Some(schema) = map.get("schema") {
                child("schema", schema, Part::Schema, out);
            }
            for (media, m) in each("content") {
                drill(m, &nested("content", &media), Part::MediaType, out);
            }
            for (name, h) in each("headers") {
                drill(h, &nested("headers", &name), Part::Header, out);
            }
        }
        Part::Schema => {
            for (rel, s) in pointer::subschemas(value) {
                drill(s, &format!("{ptr}{rel}"), Part::Schema, out);
            }
        }
        Part::SecurityScheme => {}
    }
    if out.len() == before {
        out.push(here);
    }
}

fn typed_part<T: DeserializeOwned>(value: &Value, base: &str) -> Result<T, SpecProblem> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let mut location = base.to_string();
        for segment in e.path() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    location.push_str(&format!("/{index}"))
                }
                serde_path_to_error::Segment::Map { key } => {
                    location = pointer::push(&location, key)
                }
                serde_path_to_error::Segment::Enum { .. }
                | serde_path_to_error::Segment::Unknown => {}
            }
        }
        let inner = e.into_inner().to_string();
        let hint = shape_hint(&inner);
        SpecProblem {
            location: pointer::display(&location).to_string(),
            message: format!("not OpenAPI 3.0: {inner}{hint}"),
        }
    })
}

/// What serde's messages about openapiv3's untagged enums usually mean.
fn shape_hint(message: &str) -> &'static str {
    if message.contains("ParameterSchemaOrContent") {
        " (a parameter or header needs `schema` or `content`; a `type` directly on it is Swagger 2)"
    } else if message.contains("untagged enum ReferenceOr") {
        " (neither a `$ref` nor a valid object of this kind: check `type` and the keywords beside it)"
    } else {
        ""
    }
}

/// Runs every content check and returns all problems found, in document
/// order. The document need not be typed-parseable.
pub fn validate(spec: &Spec) -> Vec<SpecProblem> {
    check_raw(&spec.raw)
}

fn check_raw(raw: &Value) -> Vec<SpecProblem> {
    let mut problems = Vec::new();
    check_version(raw, &mut problems);
    check_refs(raw, &mut problems);
    check_operations(raw, &mut problems);
    check_schemas(raw, &mut problems);
    check_examples(raw, &mut problems);
    problems
}

fn escape_pointer_token(token: &str) -> String {
    escape(token)
}

fn problem(problems: &mut Vec<SpecProblem>, location: &str, message: impl Into<String>) {
    problems.push(SpecProblem {
        location: pointer::display(location).to_string(),
        message: message.into(),
    });
}

fn check_version(raw: &Value, problems: &mut Vec<SpecProblem>) {
    match raw.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => problem(
            problems,
            "/openapi",
            format!("version {v} is not supported: progenitor reads OpenAPI 3.0.x"),
        ),
        None => problem(problems, "/openapi", "missing the `openapi` version field"),
    }
}

/// Every local `$ref` must point at something; remote refs are refused
/// because generation must not depend on the network.
fn check_refs(root: &Value, problems: &mut Vec<SpecProblem>) {
    pointer::visit(root, &mut |here, node| {
        let Some(reference) = node.as_object().and_then(|map| map.get("$ref")) else {
            return true;
        };
        match reference.as_str() {
            Some(r) if r.starts_with('#') => {
                if root.pointer(&r[1..]).is_none() {
                    problem(
                        problems,
                        here,
                        format!("$ref `{r}` does not resolve to anything in this document"),
                    );
                }
            }
            Some(r) => problem(
                problems,
                here,
                format!("$ref `{r}` points outside this document; only local refs are supported"),
            ),
            None => problem(problems, here, "$ref must be a string"),
        }
        true
    });
}

/// Template variables of a path, such as `project_id` in `/v5/{project_id}/x`.
pub fn path_variables(path: &str) -> BTreeSet<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

fn check_operations(raw: &Value, problems: &mut Vec<SpecProblem>) {
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        problem(problems, "/paths", "the document has no `paths`");
        return;
    };
    let rpc: Vec<&String> = paths
        .iter()
        .filter(|(_, item)| item.get("x-url").is_some())
        .map(|(path, _)| path)
        .collect();
    if let Some(first) = rpc.first() {
        problem(
            problems,
            &pointer::push("/paths", first),
            format!(
                "this is an RPC-style Huawei definition ({} path item(s) with `x-url`/`x-method`); convert it with `cargo xtask import --definition FILE --all --out SPEC`",
                rpc.len()
            ),
        );
    }
    for (path, item) in paths {
        if item.get("$ref").is_some() {
            problem(
                problems,
                &pointer::push("/paths", path),
                "a path item `$ref` is not supported by progenitor; write the path item inline",
            );
        }
    }
    let mut seen_ids: Vec<(String, String)> = Vec::new();
    for op in pointer::operations(raw).filter(|op| op.item.get("$ref").is_none()) {
        let op_ptr = op.pointer();
        match op.id() {
            None => problem(problems, &op_ptr, "operation has no operationId"),
            Some(id) => {
                if let Some((_, first)) = seen_ids.iter().find(|(seen, _)| seen == id) {
                    problem(
                        problems,
                        &format!("{op_ptr}/operationId"),
                        format!("operationId `{id}` is already used at {first}"),
                    );
                } else {
                    seen_ids.push((id.to_string(), op_ptr.clone()));
                }
            }
        }
        if let Some((_, fragment)) = op.path.split_once('#')
            && (op.id() != Some(fragment) || pointer::methods_of(op.item).count() > 1)
        {
            problem(
                problems,
                &op_ptr,
                format!(
                    "a path key with a fragment (`#{fragment}`) holds one operation whose operationId is the fragment; it names one of several operations on the same method and path"
                ),
            );
        }
        check_path_params(
            raw,
            op.path,
            &op_ptr,
            op.item.get("parameters"),
            op.op.get("parameters"),
            problems,
        );
    }
}

fn check_path_params(
    raw: &Value,
    path: &str,
    op_ptr: &str,
    shared: Option<&Value>,
    own: Option<&Value>,
    problems: &mut Vec<SpecProblem>,
) {
    let variables = path_variables(path);
    let mut declared = BTreeSet::new();
    let lists = [(shared, "../parameters"), (own, "parameters")];
    for (list, rel) in lists {
        let Some(list) = list.and_then(Value::as_array) else {
            continue;
        };
        for (i, param) in list.iter().enumerate() {
            let ptr = format!("{op_ptr}/{rel}/{i}");
            let Some(param) = deref(raw, param) else {
                continue;
            };
            if param.get("in").and_then(Value::as_str) != Some("path") {
                continue;
            }
            let name = param
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !variables.contains(name) {
                problem(
                    problems,
                    &ptr,
                    format!("path parameter `{name}` does not appear in the path `{path}`"),
                );
            }
            if param.get("required").and_then(Value::as_bool) != Some(true) {
                problem(
                    problems,
                    &format!("{ptr}/required"),
                    format!("path parameter `{name}` must be `required: true`"),
                );
            }
            declared.insert(name.to_string());
        }
    }
    for missing in variables.difference(&declared) {
        problem(
            problems,
            op_ptr,
            format!("`{{{missing}}}` in the path `{path}` has no `in: path` parameter"),
        );
    }
}

/// The schema types of OpenAPI 3.0.
const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];

/// Formats typify turns into types from crates that neither `hss-api` nor a
/// `--crate` crate depends on.
pub const FORMATS_NEEDING_CRATES: [(&str, &str); 3] = [
    ("date-time", "chrono::DateTime<chrono::Utc>"),
    ("date", "chrono::NaiveDate"),
    ("uuid", "uuid::Uuid"),
];

/// Shapes that typify or progenitor mishandle (panics, silently wrong
/// types, code that does not build without warnings).
fn check_schemas(raw: &Value, problems: &mut Vec<SpecProblem>) {
    for site in pointer::all_schemas(raw) {
        let Some(schema) = raw.pointer(&site.pointer).and_then(Value::as_object) else {
            if raw.pointer(&site.pointer).is_some_and(|v| !v.is_boolean()) {
                problem(problems, &site.pointer, "a schema must be an object");
            }
            continue;
        };
        if schema.contains_key("$ref") {
            continue;
        }
        check_schema(&site.pointer, schema, problems);
        if let Some(known) = schema.get(KNOWN_VALUES) {
            // A parameter's schema may leave the prose to the parameter.
            let parent = site
                .pointer
                .strip_suffix("/schema")
                .and_then(|p| raw.pointer(p))
                .filter(|p| p.get("in").is_some())
                .and_then(|p| p.get("description"))
                .and_then(Value::as_str);
            check_known_values(&site.pointer, schema, known, parent, problems);
        }
    }
}

fn check_schema(ptr: &str, schema: &Map<String, Value>, problems: &mut Vec<SpecProblem>) {
    let ty = schema.get("type").and_then(Value::as_str);
    let format = schema.get("format").and_then(Value::as_str);
    match (ty, schema.get("type")) {
        (Some(t), _) if !TYPES.contains(&t) => problem(
            problems,
            &format!("{ptr}/type"),
            format!(
                "`type: {t}` is not an OpenAPI 3.0 type (one of {})",
                TYPES.join(", ")
            ),
        ),
        (None, Some(t)) => problem(
            problems,
            &format!("{ptr}/type"),
            format!("`type` must be a single type name in OpenAPI 3.0, not {t}"),
        ),
        _ => {}
    }
    if ty == Some("object") {
        let shapeless =
            !schema.contains_key("properties") && !schema.contains_key("additionalProperties");
        if let Some(f) = format {
            problem(
                problems,
                &format!("{ptr}/format"),
                format!(
                    "`type: object` with `format: {f}` describes a scalar; typify cannot generate it (write the scalar type)"
                ),
            );
        }
        if schema.contains_key("items") {
            problem(
                problems,
                &format!("{ptr}/items"),
                "`type: object` with `items` describes an array (write `type: array`)",
            );
        }
        let scalar: Vec<&str> = keywords::scalar_limits()
            .filter(|k| schema.contains_key(*k))
            .collect();
        if shapeless && !scalar.is_empty() {
            problem(
                problems,
                ptr,
                format!(
                    "`type: object` with {} describes a string or number; typify would make a map that fails on real data",
                    scalar
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    if let (None, Some(f)) = (ty, format) {
        problem(
            problems,
            &format!("{ptr}/format"),
            format!("`format: {f}` without a `type`; typify cannot tell what it formats"),
        );
    }
    if let (Some("boolean"), Some(f)) = (ty, format) {
        problem(
            problems,
            &format!("{ptr}/format"),
            format!("`format: {f}` does not apply to `type: boolean`"),
        );
    }
    if let (Some("string"), Some(f)) = (ty, format)
        && let Some((_, rust)) = FORMATS_NEEDING_CRATES.iter().find(|(name, _)| *name == f)
    {
        problem(
            problems,
            &format!("{ptr}/format"),
            format!(
                "`format: {f}` becomes `{rust}`, from a crate the generated client does not depend on (drop the format, or use `cargo xtask import`, which does)"
            ),
        );
    }
    if schema.get("minLength").and_then(Value::as_u64) == Some(0) {
        problem(
            problems,
            &format!("{ptr}/minLength"),
            "`minLength: 0` constrains nothing, and typify's check for it is a comparison that is always false (a warning under -D warnings); drop it",
        );
    }
    if let (Some(required), Some(props)) = (
        schema.get("required").and_then(Value::as_array),
        schema.get("properties").and_then(Value::as_object),
    ) {
        let composed = keywords::has_any(schema, keywords::compositions());
        for (i, name) in required.iter().enumerate() {
            let Some(name) = name.as_str() else { continue };
            if !composed && !props.contains_key(name) {
                problem(
                    problems,
                    &format!("{ptr}/required/{i}"),
                    format!(
                        "`{name}` is required but is not a property; typify would add a mandatory field of any type"
                    ),
                );
            }
        }
    }
}

/// The extension that lists the documented values of an open enumerated
/// string: the one machine-readable place for them (`hss-ext`'s typed enums
/// are checked against it). The schema stays `type: string` without `enum`,
/// so a value the service adds later still decodes (and can be sent).
pub const KNOWN_VALUES: &str = "x-known-values";

/// `x-known-values` must be a non-empty list of distinct, non-empty strings
/// on a `type: string` schema without `enum`, and the description (the
/// schema's, or for a parameter's schema the parameter's) must name every
/// value in backquotes, so the prose and the list cannot drift apart.
fn check_known_values(
    ptr: &str,
    schema: &Map<String, Value>,
    known: &Value,
    parameter_description: Option<&str>,
    problems: &mut Vec<SpecProblem>,
) {
    let at = format!("{ptr}/{}", escape_pointer_token(KNOWN_VALUES));
    if schema.get("type").and_then(Value::as_str) != Some("string") {
        problem(
            problems,
            &at,
            "`x-known-values` belongs on a `type: string` schema",
        );
    }
    if schema.contains_key("enum") {
        problem(
            problems,
            &at,
            "`x-known-values` beside `enum`: the values belong in one place (an open string keeps `x-known-values` only)",
        );
    }
    let Some(values) = known.as_array().filter(|v| !v.is_empty()) else {
        problem(
            problems,
            &at,
            "`x-known-values` must be a non-empty list of strings",
        );
        return;
    };
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .or(parameter_description)
        .unwrap_or("");
    let mut seen = BTreeSet::new();
    for (i, value) in values.iter().enumerate() {
        let here = format!("{at}/{i}");
        match value.as_str() {
            Some(v) if !v.is_empty() => {
                if !seen.insert(v) {
                    problem(problems, &here, format!("`{v}` is listed twice"));
                }
                if !description.contains(&format!("`{v}`")) {
                    problem(
                        problems,
                        &here,
                        format!(
                            "`{v}` is a known value the description does not name (write it as `{v}` in backquotes)"
                        ),
                    );
                }
            }
            _ => problem(problems, &here, "a known value must be a non-empty string"),
        }
    }
}

/// One value that must match a schema: an example or a default.
struct Sample {
    location: String,
    what: &'static str,
    schema: Value,
    value: Value,
}

/// Checks every `example`, every `examples` value and every `default`
/// against its schema, with one compiled validator for the whole document.
fn check_examples(raw: &Value, problems: &mut Vec<SpecProblem>) {
    problems.extend(sample_problems(raw));
}

/// Every example and default of the document that does not match its
/// schema, each at the pointer of the example or default itself.
pub fn sample_problems(raw: &Value) -> Vec<SpecProblem> {
    let mut found = Vec::new();
    collect_examples(raw, &mut String::new(), &mut found);
    validate_samples(raw, found)
}

/// Finds the samples: a schema object's own `example` and `default`, and the
/// `example`/`examples` of parameters, headers and media types.
fn collect_examples(node: &Value, here: &mut String, out: &mut Vec<Sample>) {
    match node {
        Value::Object(map) => {
            if let Some(schema) = map.get("schema") {
                if let Some(example) = map.get("example") {
                    out.push(Sample {
                        location: format!("{here}/example"),
                        what: "example",
                        schema: schema.clone(),
                        value: example.clone(),
                    });
                }
                if let Some(examples) = map.get("examples").and_then(Value::as_object) {
                    for (name, ex) in examples {
                        if let Some(value) = ex.get("value") {
                            out.push(Sample {
                                location: format!(
                                    "{here}/examples/{}/value",
                                    escape_pointer_token(name)
                                ),
                                what: "example",
                                schema: schema.clone(),
                                value: value.clone(),
                            });
                        }
                    }
                }
            } else if (map.contains_key("type") || map.contains_key("properties"))
                // A `properties` map is no schema, even with a property
                // called `type` beside one called `example`.
                && !here.ends_with("/properties")
            {
                // A schema object carrying its own example or default.
                for (key, what) in [("example", "example"), ("default", "default")] {
                    if let Some(value) = map.get(key) {
                        let mut schema = map.clone();
                        schema.remove("example");
                        schema.remove("default");
                        out.push(Sample {
                            location: format!("{here}/{key}"),
                            what,
                            schema: Value::Object(schema),
                            value: value.clone(),
                        });
                    }
                }
            }
            for (key, value) in map {
                let len = here.len();
                here.push('/');
                here.push_str(&escape_pointer_token(key));
                collect_examples(value, here, out);
                here.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                let len = here.len();
                here.push_str(&format!("/{i}"));
                collect_examples(value, here, out);
                here.truncate(len);
            }
        }
        _ => {}
    }
}

/// Validates every sample with one compiled validator: its root holds the
/// document's components (so `#/components/...` refs resolve) and one
/// property per sample, named by the sample's index, whose schema is the
/// sample's schema. Each sample is then validated as `{"<index>": value}`.
/// A schema that does not compile is reported on its own and left out.
fn validate_samples(raw: &Value, samples: Vec<Sample>) -> Vec<SpecProblem> {
    if samples.is_empty() {
        return Vec::new();
    }
    let components = raw.get("components").map(as_json_schema);
    let build = |indices: &[usize]| {
        let mut root = Map::new();
        if let Some(c) = &components {
            root.insert("components".into(), c.clone());
        }
        let props: Map<String, Value> = indices
            .iter()
            .map(|&i| (i.to_string(), as_json_schema(&samples[i].schema)))
            .collect();
        root.insert("properties".into(), Value::Object(props));
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&Value::Object(root))
    };
    let all: Vec<usize> = (0..samples.len()).collect();
    let mut problems = Vec::new();
    let (validator, usable) = match build(&all) {
        Ok(v) => (v, all),
        Err(_) => {
            // Find the schemas that do not compile; validate the rest.
            let mut usable = Vec::new();
            for &i in &all {
                match build(&[i]) {
                    Ok(_) => usable.push(i),
                    Err(e) => problem(
                        &mut problems,
                        &samples[i].location,
                        format!("the {}'s schema cannot be compiled: {e}", samples[i].what),
                    ),
                }
            }
            match build(&usable) {
                Ok(v) => (v, usable),
                Err(e) => {
                    problem(
                        &mut problems,
                        "/components",
                        format!("the schemas cannot be compiled together: {e}"),
                    );
                    return problems;
                }
            }
        }
    };
    for i in usable {
        let sample = &samples[i];
        let key = i.to_string();
        let instance = Value::Object(Map::from_iter([(key.clone(), sample.value.clone())]));
        let prefix = format!("/{key}");
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| {
                let at = e.instance_path().to_string();
                let at = at.strip_prefix(&prefix).unwrap_or(&at).to_string();
                format!("{} (at {})", e, pointer::display(&at))
            })
            .collect();
        if !errors.is_empty() {
            problem(
                &mut problems,
                &sample.location,
                format!(
                    "{} does not match its schema: {}",
                    sample.what,
                    errors.join("; ")
                ),
            );
        }
    }
    problems.sort_by(|a, b| a.location.cmp(&b.location));
    problems
}

/// An OpenAPI 3.0 schema as the JSON Schema draft 4 it means: `nullable`
/// becomes a `null` type, and what draft 4 would refuse to compile (a type
/// OpenAPI does not have) is left out, since [`check_schema`] reports it.
fn as_json_schema(node: &Value) -> Value {
    match node {
        Value::Object(map) => {
            let mut out: Map<String, Value> = map
                .iter()
                .map(|(k, v)| {
                    let v = match k.as_str() {
                        // Example values are data, not schemas.
                        "example" | "default" | "enum" => v.clone(),
                        _ => as_json_schema(v),
                    };
                    (k.clone(), v)
                })
                .collect();
            if let Some(Value::String(t)) = out.get("type") {
                if !TYPES.contains(&t.as_str()) {
                    out.remove("type");
                } else if map.get("nullable").and_then(Value::as_bool) == Some(true) {
                    let t = t.clone();
                    out.insert("type".into(), serde_json::json!([t, "null"]));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(as_json_schema).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems_of(yaml: &str) -> Vec<String> {
        match load(yaml) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.0.iter().map(ToString::to_string).collect(),
        }
    }

    const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

    fn one_response_schema(schema: &str) -> String {
        format!(
            "{HEAD}paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {schema}\n"
        )
    }

    const RESPONSE_SCHEMA: &str = "/paths/~1a/get/responses/200/content/application~1json/schema";

    #[test]
    fn the_project_spec_is_clean() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/hss.yaml"))
                .unwrap();
        assert_eq!(problems_of(&text), Vec::<String>::new());
    }

    #[test]
    fn known_values_are_strings_named_in_the_description() {
        let ok = one_response_schema(
            "{type: string, description: 'On (`on`) or `off`.', x-known-values: [on, 'off']}",
        );
        assert_eq!(problems_of(&ok), Vec::<String>::new());
        let bad = one_response_schema(
            "{type: integer, description: '`on`', enum: [1], x-known-values: [on, on, '', 'off']}",
        );
        let at = format!("{RESPONSE_SCHEMA}/x-known-values");
        assert_eq!(
            problems_of(&bad),
            vec![
                format!("{at}: `x-known-values` belongs on a `type: string` schema"),
                format!(
                    "{at}: `x-known-values` beside `enum`: the values belong in one place (an open string keeps `x-known-values` only)"
                ),
                format!("{at}/1: `on` is listed twice"),
                format!("{at}/2: a known value must be a non-empty string"),
                format!(
                    "{at}/3: `off` is a known value the description does not name (write it as `off` in backquotes)"
                ),
            ]
        );
        let empty = one_response_schema("{type: string, x-known-values: []}");
        assert_eq!(
            problems_of(&empty),
            vec![format!(
                "{at}: `x-known-values` must be a non-empty list of strings"
            )]
        );
    }

    #[test]
    fn dangling_ref_is_named_with_its_location() {
        let yaml = one_response_schema("{$ref: '#/components/schemas/Missing'}");
        let problems = problems_of(&yaml);
        assert_eq!(
            problems,
            vec![format!(
                "{RESPONSE_SCHEMA}: $ref `#/components/schemas/Missing` does not resolve to anything in this document"
            )]
        );
    }

    #[test]
    fn missing_and_duplicate_operation_ids_are_reported() {
        let yaml = format!(
            "{HEAD}paths:\n  /a:\n    get:\n      operationId: same\n      responses: {{'200': {{description: ok}}}}\n    post:\n      responses: {{'200': {{description: ok}}}}\n  /b:\n    get:\n      operationId: same\n      responses: {{'200': {{description: ok}}}}\n"
        );
        let problems = problems_of(&yaml);
        assert!(problems.contains(&"/paths/~1a/post: operation has no operationId".to_string()));
        assert!(
            problems.contains(
                &"/paths/~1b/get/operationId: operationId `same` is already used at /paths/~1a/get"
                    .to_string()
            )
        );
    }

    #[test]
    fn a_path_fragment_must_name_its_one_operation() {
        let yaml = format!(
            "{HEAD}paths:\n  /a#Start:\n    post:\n      operationId: Stop\n      responses: {{'200': {{description: ok}}}}\n  /a#Stop:\n    post:\n      operationId: Stop2\n      responses: {{'200': {{description: ok}}}}\n"
        );
        let problems = problems_of(&yaml);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(
            problems[0].starts_with("/paths/~1a#Start/post: a path key with a fragment (`#Start`)")
        );
        let ok = format!(
            "{HEAD}paths:\n  /a#Start:\n    post:\n      operationId: Start\n      responses: {{'200': {{description: ok}}}}\n"
        );
        assert_eq!(problems_of(&ok), Vec::<String>::new());
    }

    #[test]
    fn path_parameters_must_be_declared_and_required() {
        let yaml = format!(
            "{HEAD}paths:\n  /a/{{id}}/{{other}}:\n    get:\n      operationId: a\n      parameters:\n        - {{name: id, in: path, schema: {{type: string}}}}\n        - {{name: ghost, in: path, required: true, schema: {{type: string}}}}\n      responses: {{'200': {{description: ok}}}}\n"
        );
        let problems = problems_of(&yaml);
        let op = "/paths/~1a~1{id}~1{other}/get";
        assert!(problems.contains(&format!(
            "{op}/parameters/0/required: path parameter `id` must be `required: true`"
        )));
        assert!(problems.contains(&format!(
            "{op}/parameters/1: path parameter `ghost` does not appear in the path `/a/{{id}}/{{other}}`"
        )));
        assert!(problems.contains(&format!(
            "{op}: `{{other}}` in the path `/a/{{id}}/{{other}}` has no `in: path` parameter"
        )));
    }

    #[test]
    fn examples_are_checked_against_their_schemas() {
        let yaml = format!(
            "{HEAD}paths:\n  /a:\n    get:\n      operationId: a\n      parameters:\n        - {{name: limit, in: query, schema: {{type: integer, maximum: 200}}, example: 500}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Page'}}\n              example: {{total: 'many'}}\ncomponents:\n  schemas:\n    Page:\n      type: object\n      properties:\n        total: {{type: integer}}\n"
        );
        let problems = problems_of(&yaml);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(
            problems[0].starts_with(
                "/paths/~1a/get/parameters/0/example: example does not match its schema"
            )
        );
        assert!(problems[1].starts_with(
            "/paths/~1a/get/responses/200/content/application~1json/example: example does not match its schema"
        ));
        assert!(problems[1].contains("(at /total)"), "{}", problems[1]);
    }

    #[test]
    fn defaults_and_nullable_examples_are_checked_as_openapi_means_them() {
        let yaml = one_response_schema(
            "{type: object, properties: {n: {type: string, default: 0}, m: {type: string, nullable: true, example: null}}}",
        );
        assert_eq!(
            problems_of(&yaml),
            vec![format!(
                "{RESPONSE_SCHEMA}/properties/n/default: default does not match its schema: 0 is not of type \"string\" (at /)"
            )]
        );
    }

    #[test]
    fn many_examples_are_checked_in_one_run() {
        // 300 mismatching examples: all are reported, each at its place.
        let props: Vec<String> = (0..300)
            .map(|i| format!("p{i}: {{type: integer, example: x{i}}}"))
            .collect();
        let yaml = one_response_schema(&format!(
            "{{type: object, properties: {{{}}}}}",
            props.join(", ")
        ));
        let problems = problems_of(&yaml);
        assert_eq!(problems.len(), 300);
        assert!(
            problems
                .iter()
                .all(|p| p.contains("example does not match its schema"))
        );
        assert!(problems.contains(&format!(
            "{RESPONSE_SCHEMA}/properties/p299/example: example does not match its schema: \"x299\" is not of type \"integer\" (at /)"
        )));
    }

    #[test]
    fn other_openapi_versions_are_refused() {
        let yaml = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n";
        let problems = problems_of(yaml);
        assert_eq!(
            problems,
            vec!["/openapi: version 3.1.0 is not supported: progenitor reads OpenAPI 3.0.x"]
        );
    }

    #[test]
    fn a_yaml_syntax_error_names_line_and_column() {
        let problems = problems_of("openapi: 3.0.3\ninfo: {title: t\n");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("line 3 column 1: "), "{problems:?}");
        assert!(problems[0].contains("not valid YAML"), "{problems:?}");
    }

    #[test]
    fn every_part_that_is_not_openapi_is_reported_with_its_pointer() {
        // A Swagger-2 response header (no `schema`) in two operations.
        let yaml = format!(
            "{HEAD}paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200': {{description: ok, headers: {{X-Id: {{type: string}}}}}}\n  /b:\n    get:\n      operationId: b\n      responses:\n        '200': {{description: ok, headers: {{X-Id: {{type: string}}}}}}\n"
        );
        let problems = problems_of(&yaml);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        for (p, path) in problems.iter().zip(["a", "b"]) {
            assert!(
                p.starts_with(&format!(
                    "/paths/~1{path}/get/responses/200/headers/X-Id: not OpenAPI 3.0: "
                )),
                "{p}"
            );
            assert!(p.contains("needs `schema` or `content`"), "{p}");
        }
    }

    #[test]
    fn shapes_typify_mishandles_are_reported() {
        let yaml = one_response_schema(
            "{type: object, required: [a, ghost], properties: {a: {type: object, format: int64}, b: {type: object, items: {type: string}}, c: {type: object, maxLength: 8}, d: {format: int32}, e: {type: boolean, format: int64}, f: {type: string, format: date-time}, g: {type: string, minLength: 0}, h: {type: file}}}",
        );
        let problems = problems_of(&yaml);
        let expect = [
            "/properties/a/format: `type: object` with `format: int64` describes a scalar",
            "/properties/b/items: `type: object` with `items` describes an array",
            "/properties/c: `type: object` with `maxLength` describes a string or number",
            "/properties/d/format: `format: int32` without a `type`",
            "/properties/e/format: `format: int64` does not apply to `type: boolean`",
            "/properties/f/format: `format: date-time` becomes `chrono::DateTime<chrono::Utc>`",
            "/properties/g/minLength: `minLength: 0` constrains nothing",
            "/properties/h/type: `type: file` is not an OpenAPI 3.0 type",
            "/required/1: `ghost` is required but is not a property",
        ];
        for e in expect {
            let want = format!("{RESPONSE_SCHEMA}{e}");
            assert!(
                problems.iter().any(|p| p.starts_with(&want)),
                "missing {want}\n{problems:#?}"
            );
        }
    }
}
