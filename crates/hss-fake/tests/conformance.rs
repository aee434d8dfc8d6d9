//! Every kind of answer the fake sends is checked against
//! `openapi/hss.yaml`: the status must be documented for the operation, its
//! declared headers must be there, and a JSON body must validate against the
//! response schema — both as written and in a strict form that also refuses
//! fields the spec does not name (the fake should send nothing undocumented).

use std::path::PathBuf;

use hss_fake::testing::sign;
use hss_fake::{AkSk, FakeHss, Fault, FaultRule, PageQuery, RunningFake};
use http::{HeaderMap, Method};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

const OPERATION_PATH: &str = "/v5/{project_id}/vulnerability/scan-task/{task_id}/hosts";

fn spec() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi/hss.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_norway::from_str(&text).expect("hss.yaml is valid YAML")
}

/// Follows a local `$ref` (`#/a/b/c`) through the whole document.
fn resolve<'a>(spec: &'a Value, mut node: &'a Value) -> &'a Value {
    while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local references are supported: {reference}"));
        node = spec
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling reference {reference}"));
    }
    node
}

/// Turns an OpenAPI 3.0 schema object into JSON Schema: inlines `$ref`s to
/// `#/components/schemas/...`, maps `nullable: true` to a `null` type, and
/// drops keywords JSON Schema does not have. `strict` adds
/// `additionalProperties: false` to every object schema that lists properties.
fn to_json_schema(spec: &Value, schema: &Value, strict: bool, depth: usize) -> Value {
    assert!(depth < 64, "schema recursion too deep");
    let schema = resolve(spec, schema);
    let Value::Object(object) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in object {
        match key.as_str() {
            "nullable" | "example" | "discriminator" | "xml" | "externalDocs" | "deprecated"
            | "readOnly" | "writeOnly" => {}
            k if k.starts_with("x-") => {}
            "properties" => {
                let props = value
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(name, s)| (name.clone(), to_json_schema(spec, s, strict, depth + 1)))
                    .collect();
                out.insert(key.clone(), Value::Object(props));
            }
            "items" | "additionalProperties" | "not" if value.is_object() => {
                out.insert(key.clone(), to_json_schema(spec, value, strict, depth + 1));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let list = value
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| to_json_schema(spec, s, strict, depth + 1))
                    .collect();
                out.insert(key.clone(), Value::Array(list));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    if object.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(Value::String(t)) = out.get("type").cloned() {
            out.insert("type".into(), json!([t, "null"]));
        }
        if let Some(Value::Array(values)) = out.get_mut("enum") {
            values.push(Value::Null);
        }
    }
    if strict && out.contains_key("properties") && !out.contains_key("additionalProperties") {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(out)
}

/// The response object the spec gives for `status`: the exact code, then
/// `4XX`/`5XX`, then `default`.
fn response_for(spec: &Value, status: u16) -> Option<&Value> {
    let responses = &spec["paths"][OPERATION_PATH]["get"]["responses"];
    let range = format!("{}XX", status / 100);
    [status.to_string(), range, "default".to_owned()]
        .iter()
        .find_map(|key| responses.get(key))
        .map(|r| resolve(spec, r))
}

struct Seen {
    label: String,
    status: u16,
    headers: reqwest::header::HeaderMap,
    content_type: String,
    body: Vec<u8>,
}

async fn fetch(label: &str, url: &str, headers: HeaderMap) -> Seen {
    let response = reqwest::Client::new()
        .get(url)
        .headers(headers)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    Seen {
        label: label.to_owned(),
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        content_type: response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

fn token(fake: &RunningFake) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("x-auth-token", fake.token().parse().unwrap());
    h
}

/// Collects one answer of every kind the fake gives.
async fn every_kind_of_answer() -> Vec<Seen> {
    let fake = FakeHss::builder()
        .seed(41)
        .hosts(260)
        .tasks(2)
        .lockout(None)
        .start()
        .await
        .unwrap();
    let task = fake.task_id();
    let page = |q: &PageQuery| {
        let qs = q.to_query_string();
        if qs.is_empty() {
            fake.hosts_url(&task)
        } else {
            format!("{}?{qs}", fake.hosts_url(&task))
        }
    };
    let all = |offset, limit| PageQuery {
        enterprise_project_id: Some("all_granted_eps".into()),
        ..PageQuery::page(offset, limit)
    };
    let mut seen = Vec::new();
    seen.push(fetch("default page", &page(&PageQuery::default()), token(&fake)).await);
    seen.push(fetch("full page", &page(&all(0, 200)), token(&fake)).await);
    seen.push(fetch("last partial page", &page(&all(200, 200)), token(&fake)).await);
    seen.push(fetch("empty page", &page(&all(5000, 10)), token(&fake)).await);
    for status in ["scanning", "success", "failed"] {
        let q = PageQuery {
            scan_status: Some(status.into()),
            ..all(0, 200)
        };
        seen.push(fetch(&format!("{status} hosts"), &page(&q), token(&fake)).await);
    }
    let url = page(&all(0, 50));
    let now = OffsetDateTime::now_utc();
    let signed = |key: &AkSk, at| sign(key, &Method::GET, &url, HeaderMap::new(), b"", at).unwrap();
    seen.push(fetch("AK/SK page", &url, signed(fake.access_key(), now)).await);
    seen.push(
        fetch(
            "temporary AK/SK page",
            &url,
            signed(fake.temporary_access_key(), now),
        )
        .await,
    );
    seen.push(
        fetch(
            "400 HSS.0001",
            &format!("{}?limit=5", fake.hosts_url(&task)),
            token(&fake),
        )
        .await,
    );
    seen.push(
        fetch(
            "400 HSS.0011",
            &fake.hosts_url("no-such-task"),
            token(&fake),
        )
        .await,
    );
    seen.push(fetch("401 no credentials", &url, HeaderMap::new()).await);
    let mut bad_token = HeaderMap::new();
    bad_token.insert("x-auth-token", "nope".parse().unwrap());
    seen.push(fetch("401 bad token", &url, bad_token).await);
    let wrong = AkSk {
        sk: "wrong".into(),
        ..fake.access_key().clone()
    };
    seen.push(fetch("401 bad signature", &url, signed(&wrong, now)).await);
    seen.push(
        fetch(
            "401 stale date",
            &url,
            signed(fake.access_key(), now - time::Duration::hours(1)),
        )
        .await,
    );
    seen.push(
        fetch(
            "404 APIGW.0101",
            &format!("{}/v5/other", fake.base_url()),
            token(&fake),
        )
        .await,
    );
    seen.extend(fault_answers(&fake, &url).await);
    seen
}

/// One answer under each fault that still answers.
async fn fault_answers(fake: &RunningFake, url: &str) -> Vec<Seen> {
    let mut seen = Vec::new();
    for (label, fault) in [
        ("429", Fault::throttle(3)),
        ("500", Fault::server_error(500)),
        ("502", Fault::server_error(502)),
        ("503", Fault::server_error(503)),
        ("504", Fault::server_error(504)),
        ("502 HTML", Fault::BadGatewayHtml),
        ("slow body", Fault::slow_body(4096, 1)),
        ("overlong page", Fault::overlong_page(5)),
        ("repeated page", Fault::RepeatedPage),
    ] {
        fake.set_faults([FaultRule::first(1, fault)]);
        seen.push(fetch(label, url, token(fake)).await);
    }
    fake.clear_faults();
    seen
}

#[tokio::test]
async fn every_answer_conforms_to_the_spec() {
    let spec = spec();
    assert_eq!(spec["openapi"].as_str().map(|v| &v[..3]), Some("3.0"));
    let answers = every_kind_of_answer().await;
    let mut statuses = std::collections::BTreeSet::new();
    for seen in &answers {
        let label = &seen.label;
        statuses.insert(seen.status);
        let response = response_for(&spec, seen.status)
            .unwrap_or_else(|| panic!("{label}: status {} is not documented", seen.status));
        for (name, header) in response
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let header = resolve(&spec, header);
            let value = seen.headers.get(name.as_str());
            if header.get("required") == Some(&Value::Bool(true)) || name == "X-Request-Id" {
                assert!(value.is_some(), "{label}: header {name} missing");
            }
            if let (Some(value), Some(schema)) = (value, header.get("schema")) {
                let text = value.to_str().unwrap();
                let instance = match resolve(&spec, schema).get("type").and_then(Value::as_str) {
                    Some("integer") => json!(text.parse::<i64>().unwrap_or_else(|_| panic!(
                        "{label}: header {name} is not an integer: {text}"
                    ))),
                    _ => json!(text),
                };
                let schema = to_json_schema(&spec, schema, false, 0);
                let validator = jsonschema::validator_for(&schema).unwrap();
                assert!(
                    validator.is_valid(&instance),
                    "{label}: header {name}={text}"
                );
            }
        }
        let content = &response["content"];
        if seen.content_type.starts_with("application/json") {
            let media = content
                .get("application/json")
                .unwrap_or_else(|| panic!("{label}: JSON is not documented for {}", seen.status));
            let body: Value = serde_json::from_slice(&seen.body)
                .unwrap_or_else(|e| panic!("{label}: body is not JSON: {e}"));
            for strict in [false, true] {
                let schema = to_json_schema(&spec, &media["schema"], strict, 0);
                let validator = jsonschema::validator_for(&schema).unwrap();
                let errors: Vec<String> = validator
                    .iter_errors(&body)
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .collect();
                assert!(
                    errors.is_empty(),
                    "{label} (strict: {strict}): {errors:#?}\n{body}"
                );
            }
        } else {
            // The only non-JSON answer is the proxy's HTML page, which the
            // spec cannot describe; clients must survive it.
            assert_eq!(
                label, "502 HTML",
                "unexpected content type {}",
                seen.content_type
            );
            assert!(seen.content_type.starts_with("text/html"));
        }
    }
    // The run covered what it should.
    for status in [200, 400, 401, 404, 429, 500, 502, 503, 504] {
        assert!(statuses.contains(&status), "no {status} answer checked");
    }
}

#[test]
fn strict_schemas_catch_undocumented_fields_and_wrong_types() {
    // The checker itself must be able to fail.
    let spec = spec();
    let media = &response_for(&spec, 200).unwrap()["content"]["application/json"];
    let strict = to_json_schema(&spec, &media["schema"], true, 0);
    let loose = to_json_schema(&spec, &media["schema"], false, 0);
    let strict = jsonschema::validator_for(&strict).unwrap();
    let loose = jsonschema::validator_for(&loose).unwrap();
    let good = json!({"total_num": 1, "data_list": [{"host_id": "h", "failed_reasons": [{"vul_type": "linux_vul"}]}]});
    assert!(strict.is_valid(&good));
    let extra = json!({"total_num": 1, "data_list": [{"host_id": "h", "agent_id": "x"}]});
    assert!(loose.is_valid(&extra));
    assert!(!strict.is_valid(&extra));
    let typo = json!({"total_num": 1, "data_list": [{"vul_scan_details": [{"vul_type": "x", "scan_vul_lists": []}]}]});
    assert!(!strict.is_valid(&typo));
    let wrong_type = json!({"total_num": "1", "data_list": []});
    assert!(!loose.is_valid(&wrong_type));
    let negative = json!({"total_num": -1, "data_list": []});
    assert!(!loose.is_valid(&negative));
}
