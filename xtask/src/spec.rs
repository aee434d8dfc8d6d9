//! Loading and checking the OpenAPI document before progenitor sees it.
//!
//! progenitor assumes a well-formed document and panics or generates odd code
//! when it is not, so the checks here run first and name the place in the
//! spec that is wrong (as a JSON pointer such as `/paths/~1v5~1.../get`).

use std::collections::BTreeSet;
use std::fmt;

use openapiv3::OpenAPI;
use serde_json::Value;

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

/// The spec both as raw JSON (for pointer-level checks) and typed.
pub struct Spec {
    pub raw: Value,
    pub openapi: OpenAPI,
}

/// Parses YAML (or JSON, a subset of YAML) text into a typed spec.
pub fn parse(text: &str) -> anyhow::Result<Spec> {
    let raw: Value =
        serde_norway::from_str(text).map_err(|e| anyhow::anyhow!("not valid YAML: {e}"))?;
    // Round-trip through `Value` so errors from openapiv3 carry a path.
    let openapi: OpenAPI = serde_json::from_value(raw.clone())
        .map_err(|e| anyhow::anyhow!("not an OpenAPI 3.0 document: {e}"))?;
    Ok(Spec { raw, openapi })
}

/// Runs every check and returns all problems found, in document order.
pub fn validate(spec: &Spec) -> Vec<SpecProblem> {
    let mut problems = Vec::new();
    check_version(&spec.raw, &mut problems);
    check_refs(&spec.raw, &spec.raw, &mut String::new(), &mut problems);
    check_operations(&spec.raw, &mut problems);
    check_examples(&spec.raw, &mut problems);
    problems
}

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn problem(problems: &mut Vec<SpecProblem>, location: &str, message: impl Into<String>) {
    let location = if location.is_empty() { "/" } else { location };
    problems.push(SpecProblem {
        location: location.to_string(),
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
fn check_refs(root: &Value, node: &Value, here: &mut String, problems: &mut Vec<SpecProblem>) {
    match node {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref") {
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
                        format!(
                            "$ref `{r}` points outside this document; only local refs are supported"
                        ),
                    ),
                    None => problem(problems, here, "$ref must be a string"),
                }
            }
            for (key, value) in map {
                let len = here.len();
                here.push('/');
                here.push_str(&escape_pointer_token(key));
                check_refs(root, value, here, problems);
                here.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                let len = here.len();
                here.push_str(&format!("/{i}"));
                check_refs(root, value, here, problems);
                here.truncate(len);
            }
        }
        _ => {}
    }
}

/// Follows a local `$ref` (one level at a time) to the object it names.
fn deref<'a>(root: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    for _ in 0..32 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => node = root.pointer(r.strip_prefix('#')?)?,
            None => return Some(node),
        }
    }
    None
}

/// Template variables of a path, such as `project_id` in `/v5/{project_id}/x`.
fn path_variables(path: &str) -> BTreeSet<String> {
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
    let mut seen_ids: Vec<(String, String)> = Vec::new();
    for (path, item) in paths {
        let path_ptr = format!("/paths/{}", escape_pointer_token(path));
        let Some(item) = deref(raw, item).and_then(Value::as_object) else {
            continue;
        };
        let shared_params = item.get("parameters");
        for method in HTTP_METHODS {
            let Some(op) = item.get(method) else { continue };
            let op_ptr = format!("{path_ptr}/{method}");
            match op.get("operationId").and_then(Value::as_str) {
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
            check_path_params(
                raw,
                path,
                &op_ptr,
                shared_params,
                op.get("parameters"),
                problems,
            );
        }
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

/// Checks every `example` that sits next to a schema against that schema.
fn check_examples(raw: &Value, problems: &mut Vec<SpecProblem>) {
    let mut found = Vec::new();
    collect_examples(raw, &mut String::new(), &mut found);
    for (location, schema, example) in found {
        if let Err(message) = validate_against(raw, &schema, &example) {
            problem(
                problems,
                &location,
                format!("example does not match its schema: {message}"),
            );
        }
    }
}

/// Finds `(pointer, schema, example)` triples: a schema object's own
/// `example`, and the `example`/`examples` of parameters and media types.
fn collect_examples(node: &Value, here: &mut String, out: &mut Vec<(String, Value, Value)>) {
    match node {
        Value::Object(map) => {
            if let Some(schema) = map.get("schema") {
                if let Some(example) = map.get("example") {
                    out.push((format!("{here}/example"), schema.clone(), example.clone()));
                }
                if let Some(examples) = map.get("examples").and_then(Value::as_object) {
                    for (name, ex) in examples {
                        if let Some(value) = ex.get("value") {
                            out.push((
                                format!("{here}/examples/{}/value", escape_pointer_token(name)),
                                schema.clone(),
                                value.clone(),
                            ));
                        }
                    }
                }
            } else if let Some(example) = map.get("example") {
                // A schema object (it has a type, properties or a ref target)
                // carrying its own example.
                if map.contains_key("type") || map.contains_key("properties") {
                    let mut schema = map.clone();
                    schema.remove("example");
                    out.push((
                        format!("{here}/example"),
                        Value::Object(schema),
                        example.clone(),
                    ));
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

/// Validates `example` against an OpenAPI 3.0 schema object. Local refs to
/// `#/components/...` resolve because the components ride along in the root.
fn validate_against(raw: &Value, schema: &Value, example: &Value) -> Result<(), String> {
    let mut root = serde_json::Map::new();
    if let Some(components) = raw.get("components") {
        root.insert("components".into(), components.clone());
    }
    root.insert("allOf".into(), Value::Array(vec![schema.clone()]));
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&Value::Object(root))
        .map_err(|e| format!("the schema itself is not valid: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(example)
        .map(|e| format!("{} (at {})", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems_of(yaml: &str) -> Vec<String> {
        let spec = parse(yaml).expect("parses");
        validate(&spec).iter().map(ToString::to_string).collect()
    }

    const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

    #[test]
    fn the_project_spec_is_clean() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/hss.yaml"))
                .unwrap();
        assert_eq!(problems_of(&text), Vec::<String>::new());
    }

    #[test]
    fn dangling_ref_is_named_with_its_location() {
        let yaml = format!(
            "{HEAD}paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Missing'}}\n"
        );
        let problems = problems_of(&yaml);
        assert_eq!(
            problems,
            vec![
                "/paths/~1a/get/responses/200/content/application~1json/schema: $ref `#/components/schemas/Missing` does not resolve to anything in this document"
            ]
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
        assert!(problems[1].contains("/total"), "{}", problems[1]);
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
}
