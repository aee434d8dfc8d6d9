//! Every kind of answer the fake sends is checked against
//! `openapi/hss.yaml`: the status must be documented for the operation, its
//! declared headers must be there, and a JSON body must validate against the
//! response schema — both as written and in a strict form that also refuses
//! fields the spec does not name (the fake should send nothing undocumented).

mod support;

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

/// The response object the spec gives for `status` of `ListVulScanTaskHost`.
fn response_for(spec: &Value, status: u16) -> Option<&Value> {
    response_of(spec, (OPERATION_PATH, "get"), status)
}

/// The response object the spec gives for `status` of an operation (path
/// template and method): the exact code, then `4XX`/`5XX`, then `default`.
fn response_of<'a>(spec: &'a Value, operation: (&str, &str), status: u16) -> Option<&'a Value> {
    let (path, method) = operation;
    let responses = &spec["paths"][path][method]["responses"];
    let range = format!("{}XX", status / 100);
    [status.to_string(), range, "default".to_owned()]
        .iter()
        .find_map(|key| responses.get(key))
        .map(|r| resolve(spec, r))
}

struct Seen {
    label: String,
    /// The operation's path template and method in the spec.
    operation: (&'static str, &'static str),
    status: u16,
    headers: reqwest::header::HeaderMap,
    content_type: String,
    body: Vec<u8>,
}

async fn fetch(label: &str, url: &str, headers: HeaderMap) -> Seen {
    let response = support::http_client()
        .get(url)
        .headers(headers)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    Seen {
        label: label.to_owned(),
        operation: (OPERATION_PATH, "get"),
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
    let statuses = check_all(&spec, &answers);
    // The run covered what it should.
    for status in [200, 400, 401, 404, 429, 500, 502, 503, 504] {
        assert!(statuses.contains(&status), "no {status} answer checked");
    }
}

/// Checks every answer against its operation in the spec; the statuses seen.
fn check_all(spec: &Value, answers: &[Seen]) -> std::collections::BTreeSet<u16> {
    let mut statuses = std::collections::BTreeSet::new();
    for seen in answers {
        statuses.insert(seen.status);
        check(spec, seen);
    }
    statuses
}

fn check(spec: &Value, seen: &Seen) {
    let label = &seen.label;
    let response = response_of(spec, seen.operation, seen.status)
        .unwrap_or_else(|| panic!("{label}: status {} is not documented", seen.status));
    for (name, header) in response
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let header = resolve(spec, header);
        let value = seen.headers.get(name.as_str());
        if header.get("required") == Some(&Value::Bool(true)) || name == "X-Request-Id" {
            assert!(value.is_some(), "{label}: header {name} missing");
        }
        if let (Some(value), Some(schema)) = (value, header.get("schema")) {
            let text = value.to_str().unwrap();
            let instance = match resolve(spec, schema).get("type").and_then(Value::as_str) {
                Some("integer") => json!(text.parse::<i64>().unwrap_or_else(|_| panic!(
                    "{label}: header {name} is not an integer: {text}"
                ))),
                _ => json!(text),
            };
            let schema = to_json_schema(spec, schema, false, 0);
            let validator = jsonschema::validator_for(&schema).unwrap();
            assert!(
                validator.is_valid(&instance),
                "{label}: header {name}={text}"
            );
        }
    }
    let content = &response["content"];
    if content.is_null() {
        assert!(
            seen.body.is_empty(),
            "{label}: no body is documented, got {} bytes",
            seen.body.len()
        );
        assert!(
            seen.content_type.is_empty(),
            "{label}: {} without a body",
            seen.content_type
        );
    } else if seen.content_type == "application/octet-stream" {
        assert!(
            content.get("application/octet-stream").is_some(),
            "{label}: a file is not documented for {}",
            seen.status
        );
        assert!(!seen.body.is_empty(), "{label}: an empty file");
    } else if seen.content_type.starts_with("application/json") {
        let media = content
            .get("application/json")
            .unwrap_or_else(|| panic!("{label}: JSON is not documented for {}", seen.status));
        let body: Value = serde_json::from_slice(&seen.body)
            .unwrap_or_else(|e| panic!("{label}: body is not JSON: {e}"));
        for strict in [false, true] {
            let schema = to_json_schema(spec, &media["schema"], strict, 0);
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

/// One answer of `operation`, sent with `method` and `body` (signed with
/// the AK/SK when there is a body, the token otherwise).
async fn fetch_op(
    fake: &RunningFake,
    label: &str,
    operation: (&'static str, &'static str),
    url: &str,
    body: Option<&Value>,
) -> Seen {
    let method: Method = operation.1.to_ascii_uppercase().parse().unwrap();
    // The signer wants the query canonical: keys sorted.
    let url = &match url.split_once('?') {
        Some((path, query)) => {
            let mut pairs: Vec<&str> = query.split('&').collect();
            pairs.sort_unstable();
            format!("{path}?{}", pairs.join("&"))
        }
        None => url.to_owned(),
    };
    let client = support::http_client();
    let request = match body {
        Some(body) => {
            let bytes = serde_json::to_vec(body).unwrap();
            let mut headers = HeaderMap::new();
            headers.insert("content-type", "application/json".parse().unwrap());
            let headers = sign(
                fake.access_key(),
                &method,
                url,
                headers,
                &bytes,
                OffsetDateTime::now_utc(),
            )
            .unwrap();
            client.request(method, url).headers(headers).body(bytes)
        }
        None => client.request(method, url).headers(token(fake)),
    };
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    Seen {
        label: label.to_owned(),
        operation,
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

const CREATE: (&str, &str) = ("/v5/{project_id}/vulnerability/scan-task", "post");
const TASKS: (&str, &str) = ("/v5/{project_id}/vulnerability/scan-tasks", "get");
const VULS: (&str, &str) = ("/v5/{project_id}/vulnerability/vulnerabilities", "get");
const VUL_HOSTS: (&str, &str) = ("/v5/{project_id}/vulnerability/hosts", "get");
const HOST_VULS: (&str, &str) = ("/v5/{project_id}/vulnerability/host/{host_id}", "get");
const STATS: (&str, &str) = ("/v5/{project_id}/vulnerability/statistics", "get");
const STATUS: (&str, &str) = ("/v5/{project_id}/vulnerability/status", "put");
const POLICY: (&str, &str) = ("/v5/{project_id}/vulnerability/scan-policy", "get");
const SET_POLICY: (&str, &str) = ("/v5/{project_id}/vulnerability/scan-policy", "put");
const EXPORT: (&str, &str) = ("/v5/{project_id}/vul/export", "post");
const EXPORT_TASK: (&str, &str) = ("/v5/{project_id}/export-task/{task_id}", "get");
const DOWNLOAD: (&str, &str) = ("/v5/{project_id}/download/{file_id}", "get");

/// Answers of every workflow operation: successes in each state (a task
/// running and finished, vulnerabilities of every type and status, an
/// export running and done, the file) and their errors.
async fn workflow_answers() -> Vec<Seen> {
    use hss_fake::paths::*;
    let fake = FakeHss::builder()
        .seed(43)
        .hosts(150)
        .enterprise_projects(2)
        .scan_task_duration(std::time::Duration::from_millis(300))
        .export_duration(std::time::Duration::from_millis(200))
        .vul_operation_duration(std::time::Duration::ZERO)
        .lockout(None)
        .start()
        .await
        .unwrap();
    let p = fake.project_id();
    let url = |path: String| fake.url(&path);
    let all = "enterprise_project_id=all_granted_eps";
    let mut seen = Vec::new();
    let body = json!({"manual_scan_type": ["linux_vul", "windows_vul", "web_cms", "app_vul", "urgent_vul"], "batch_flag": true});
    let created = fetch_op(
        &fake,
        "create task",
        CREATE,
        &format!("{}?{all}", url(create_scan_task_path(&p))),
        Some(&body),
    )
    .await;
    let task_id = serde_json::from_slice::<Value>(&created.body).unwrap()["task_id"]
        .as_str()
        .unwrap()
        .to_owned();
    seen.push(created);
    seen.push(
        fetch_op(
            &fake,
            "running task",
            TASKS,
            &format!("{}?task_id={task_id}&{all}", url(scan_tasks_path(&p))),
            None,
        )
        .await,
    );
    seen.push(
        fetch_op(
            &fake,
            "bad create body",
            CREATE,
            &url(create_scan_task_path(&p)),
            Some(&json!({"batch_flag": 1})),
        )
        .await,
    );
    for t in [
        "linux_vul",
        "windows_vul",
        "web_cms",
        "app_vul",
        "urgent_vul",
    ] {
        let q = format!("type={t}&limit=200&{all}");
        seen.push(
            fetch_op(
                &fake,
                &format!("{t} vulnerabilities"),
                VULS,
                &format!("{}?{q}", url(vulnerabilities_path(&p))),
                None,
            )
            .await,
        );
    }
    let vul_page: Value = serde_json::from_slice(
        &fetch_op(
            &fake,
            "",
            VULS,
            &format!("{}?type=linux_vul&{all}", url(vulnerabilities_path(&p))),
            None,
        )
        .await
        .body,
    )
    .unwrap();
    let vul_id = vul_page["data_list"][0]["vul_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let host_id = vul_page["data_list"][0]["host_id_list"][0]
        .as_str()
        .unwrap()
        .to_owned();
    seen.push(
        fetch_op(
            &fake,
            "vul hosts",
            VUL_HOSTS,
            &format!(
                "{}?vul_id={vul_id}&type=linux_vul&limit=200&{all}",
                url(vul_hosts_path(&p))
            ),
            None,
        )
        .await,
    );
    seen.push(
        fetch_op(
            &fake,
            "vul hosts without vul_id",
            VUL_HOSTS,
            &url(vul_hosts_path(&p)),
            None,
        )
        .await,
    );
    for t in ["linux_vul", "windows_vul", "app_vul"] {
        for server in fake.server_ids().iter().take(20) {
            let q = format!("type={t}&{all}");
            seen.push(
                fetch_op(
                    &fake,
                    &format!("{t} of {server}"),
                    HOST_VULS,
                    &format!("{}?{q}", url(host_vuls_path(&p, server))),
                    None,
                )
                .await,
            );
        }
    }
    seen.push(
        fetch_op(
            &fake,
            "no such host",
            HOST_VULS,
            &url(host_vuls_path(&p, "nope")),
            None,
        )
        .await,
    );
    seen.push(
        fetch_op(
            &fake,
            "statistics",
            STATS,
            &format!("{}?{all}", url(statistics_path(&p))),
            None,
        )
        .await,
    );
    for op in [
        "ignore",
        "not_ignore",
        "immediate_repair",
        "verify",
        "manual_repair",
        "add_to_whitelist",
    ] {
        let body = json!({"operate_type": op, "remark": "r", "data_list": [{"vul_id": vul_id, "host_id_list": [host_id]}]});
        seen.push(
            fetch_op(
                &fake,
                op,
                STATUS,
                &format!("{}?{all}", url(vul_status_path(&p))),
                Some(&body),
            )
            .await,
        );
        seen.push(
            fetch_op(
                &fake,
                &format!("after {op}"),
                VUL_HOSTS,
                &format!(
                    "{}?vul_id={vul_id}&type=linux_vul&{all}",
                    url(vul_hosts_path(&p))
                ),
                None,
            )
            .await,
        );
    }
    seen.push(
        fetch_op(
            &fake,
            "bad status body",
            STATUS,
            &url(vul_status_path(&p)),
            Some(&json!({"operate_type": "fix"})),
        )
        .await,
    );
    seen.push(fetch_op(&fake, "policy", POLICY, &url(scan_policy_path(&p)), None).await);
    let policy = json!({"scan_period": "one_week", "scan_range_type": "specific_host", "host_ids": [host_id], "status": "open", "time": {"day_part": [1], "hour_part": 1, "minute_part": 2, "timezone_offset": 0}});
    seen.push(
        fetch_op(
            &fake,
            "set policy",
            SET_POLICY,
            &url(scan_policy_path(&p)),
            Some(&policy),
        )
        .await,
    );
    seen.push(
        fetch_op(
            &fake,
            "changed policy",
            POLICY,
            &url(scan_policy_path(&p)),
            None,
        )
        .await,
    );
    seen.push(
        fetch_op(
            &fake,
            "bad policy",
            SET_POLICY,
            &url(scan_policy_path(&p)),
            Some(&json!({"scan_period": "one_week"})),
        )
        .await,
    );
    let headers = json!({"export_headers": [["vul_id", "ID"], ["vul_name", "Name"]]});
    let exported = fetch_op(
        &fake,
        "export",
        EXPORT,
        &format!(
            "{}?category=vul&export_size=100&{all}",
            url(export_path(&p))
        ),
        Some(&headers),
    )
    .await;
    let export_id = serde_json::from_slice::<Value>(&exported.body).unwrap()["task_id"]
        .as_str()
        .unwrap()
        .to_owned();
    seen.push(exported);
    seen.push(
        fetch_op(
            &fake,
            "export without category",
            EXPORT,
            &format!("{}?export_size=1", url(export_path(&p))),
            Some(&headers),
        )
        .await,
    );
    seen.push(
        fetch_op(
            &fake,
            "export running",
            EXPORT_TASK,
            &url(export_task_path(&p, &export_id)),
            None,
        )
        .await,
    );
    seen.push(
        fetch_op(
            &fake,
            "no such export",
            EXPORT_TASK,
            &url(export_task_path(&p, "nope")),
            None,
        )
        .await,
    );
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    let done = fetch_op(
        &fake,
        "export done",
        EXPORT_TASK,
        &url(export_task_path(&p, &export_id)),
        None,
    )
    .await;
    let file_id = serde_json::from_slice::<Value>(&done.body).unwrap()["file_id"]
        .as_str()
        .unwrap()
        .to_owned();
    seen.push(done);
    seen.push(
        fetch_op(
            &fake,
            "download",
            DOWNLOAD,
            &url(download_path(&p, &file_id)),
            None,
        )
        .await,
    );
    seen.push(
        fetch_op(
            &fake,
            "no such file",
            DOWNLOAD,
            &url(download_path(&p, "nope")),
            None,
        )
        .await,
    );
    seen.push(
        fetch_op(
            &fake,
            "finished task",
            TASKS,
            &format!("{}?{all}&limit=200", url(scan_tasks_path(&p))),
            None,
        )
        .await,
    );
    seen.push(fetch_op(&fake, "tasks of 0", TASKS, &url(scan_tasks_path(&p)), None).await);
    let mut unsigned = HeaderMap::new();
    unsigned.insert("x-auth-token", "nope".parse().unwrap());
    let mut denied = fetch(
        &format!("401 on {}", STATS.0),
        &url(statistics_path(&p)),
        unsigned,
    )
    .await;
    denied.operation = STATS;
    seen.push(denied);
    seen
}

#[tokio::test]
async fn every_workflow_answer_conforms_to_the_spec() {
    let spec = spec();
    let answers = workflow_answers().await;
    let statuses = check_all(&spec, &answers);
    assert!(statuses.contains(&200) && statuses.contains(&400) && statuses.contains(&401));
    // Every operation was checked.
    for op in [
        CREATE,
        TASKS,
        VULS,
        VUL_HOSTS,
        HOST_VULS,
        STATS,
        STATUS,
        POLICY,
        SET_POLICY,
        EXPORT,
        EXPORT_TASK,
        DOWNLOAD,
    ] {
        assert!(
            answers.iter().any(|a| a.operation == op && a.status == 200),
            "no 200 of {op:?}"
        );
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
