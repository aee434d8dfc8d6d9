//! The generated client against a real HTTP server on 127.0.0.1: what goes
//! out on the wire, and what comes back decoded.

use hss_api::{Client, Error, Hooks, OperationInfo, RequestHook};
use hss_fake::scripted::{Reply, ScriptedServer};

const HOSTS_PATH: &str = "/v5/proj-1/vulnerability/scan-task/task-1/hosts";

/// The example response of the API document, verbatim.
const DOCUMENT_EXAMPLE: &str = r#"{
"total_num" : 1,
"data_list" : [ {
"host_id" : "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
"host_name" : "ecs-ubuntu-abc123",
"public_ip" : "112.10.10.3",
"private_ip" : "192.168.10.1",
"asset_value" : "important",
"scan_status" : "failed",
"failed_reasons" : [ {
"vul_type" : "linux_vul",
"failed_reason" : "this_is_failed_reason"
} ]
} ]
}"#;

const REQUEST_ID: &str = "req-0123456789abcdef";

fn reply(status: u16, body: &str) -> Reply {
    Reply::json(status, body).header("X-Request-Id", REQUEST_ID)
}

/// The operation for project `proj-1`, task `task-1`.
fn task_1(client: &Client) -> hss_api::builder::ListVulScanTaskHost<'_> {
    client
        .list_vul_scan_task_host()
        .project_id("proj-1")
        .task_id("task-1")
}

async fn server_with(body: &str) -> (ScriptedServer, Client) {
    let server = ScriptedServer::always(reply(200, body)).await;
    let client = Client::new(server.base_url(), Hooks::new());
    (server, client)
}

#[tokio::test]
async fn every_parameter_reaches_the_wire() {
    let (server, client) = server_with(r#"{"total_num":0,"data_list":[]}"#).await;
    task_1(&client)
        .enterprise_project_id("all_granted_eps")
        .limit(200)
        .offset(400)
        .scan_status("failed")
        .send()
        .await
        .unwrap();

    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].target,
        format!(
            "{HOSTS_PATH}?enterprise_project_id=all_granted_eps&limit=200&offset=400&scan_status=failed"
        )
    );
    assert_eq!(seen[0].header("accept"), Some("application/json"));
    assert_eq!(seen[0].header("api-version"), Some("v5"));
}

#[tokio::test]
async fn optional_parameters_are_left_out_entirely() {
    let (server, client) = server_with("{}").await;
    task_1(&client).send().await.unwrap();
    assert_eq!(server.requests()[0].target, HOSTS_PATH);
}

#[tokio::test]
async fn query_values_are_escaped() {
    let (server, client) = server_with("{}").await;
    task_1(&client)
        .enterprise_project_id("a b&c=d#e?f/g")
        .send()
        .await
        .unwrap();
    // Form encoding, as reqwest writes it; hss-ext rewrites the query to the
    // canonical `%20` form before signing.
    assert_eq!(
        server.requests()[0].target,
        format!("{HOSTS_PATH}?enterprise_project_id=a+b%26c%3Dd%23e%3Ff%2Fg")
    );
}

#[tokio::test]
async fn odd_path_values_are_encoded_and_never_change_the_endpoint() {
    let cases = [
        ("a/b", "a%2Fb"),
        ("a?b", "a%3Fb"),
        ("a#b", "a%23b"),
        ("50%", "50%25"),
        ("%2e%2e", "%252e%252e"),
        ("a b", "a%20b"),
        ("任务", "%E4%BB%BB%E5%8A%A1"),
        (".hidden", ".hidden"),
        ("a..b", "a..b"),
        ("...", "..."),
    ];
    for (task_id, encoded) in cases {
        let (server, client) = server_with("{}").await;
        client
            .list_vul_scan_task_host()
            .project_id("proj-1")
            .task_id(task_id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{task_id:?}: {e}"));
        assert_eq!(
            server.requests()[0].target,
            format!("/v5/proj-1/vulnerability/scan-task/{encoded}/hosts"),
            "task_id {task_id:?}"
        );
    }
}

#[tokio::test]
async fn dot_segments_and_bad_lengths_are_refused_before_sending() {
    let too_long = "x".repeat(257);
    let cases: [(&str, &str, &str); 6] = [
        ("proj-1", ".", "task_id"),
        ("proj-1", "..", "task_id"),
        ("..", "task-1", "project_id"),
        (".", "task-1", "project_id"),
        ("proj-1", "", "task_id"),
        (&too_long, "task-1", "project_id"),
    ];
    let (server, client) = server_with("{}").await;
    for (project_id, task_id, named) in cases {
        let err = client
            .list_vul_scan_task_host()
            .project_id(project_id)
            .task_id(task_id)
            .send()
            .await
            .expect_err("must be refused");
        match err {
            Error::InvalidRequest(message) => {
                assert!(message.contains(named), "{message} should name {named}")
            }
            other => panic!("expected InvalidRequest, got {other:?}"),
        }
    }
    assert!(server.requests().is_empty(), "nothing may reach the server");
}

#[tokio::test]
async fn the_document_example_decodes_to_its_values() {
    let (_server, client) = server_with(DOCUMENT_EXAMPLE).await;
    let page = task_1(&client).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["x-request-id"].to_str().unwrap(), REQUEST_ID);
    let page = page.into_inner();
    assert_eq!(page.total_num, Some(1));
    assert_eq!(page.data_list.len(), 1);
    let host = &page.data_list[0];
    assert_eq!(
        host.host_id.as_deref(),
        Some("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
    );
    assert_eq!(host.host_name.as_deref(), Some("ecs-ubuntu-abc123"));
    assert_eq!(host.public_ip.as_deref(), Some("112.10.10.3"));
    assert_eq!(host.private_ip.as_deref(), Some("192.168.10.1"));
    assert_eq!(host.asset_value.as_deref(), Some("important"));
    assert_eq!(host.scan_status.as_deref(), Some("failed"));
    assert_eq!(host.failed_reasons.len(), 1);
    assert_eq!(
        host.failed_reasons[0].vul_type.as_ref().map(|t| t.as_str()),
        Some("linux_vul")
    );
    assert_eq!(
        host.failed_reasons[0].failed_reason.as_deref(),
        Some("this_is_failed_reason")
    );
    assert!(host.vul_scan_details.is_empty());
}

#[tokio::test]
async fn unknown_fields_and_new_values_still_decode() {
    let body = r#"{"total_num": 2, "next_marker": "abc", "data_list": [
        {"host_id": "h1", "scan_status": "paused", "asset_value": "critical", "agent_version": "3.2",
         "failed_reasons": [{"vul_type": "container_vul", "failed_reason": "x", "code": 7}],
         "vul_scan_details": [{"vul_type": "urgent_vul", "status": "queued",
            "scan_vul_list": [{"vul_id": "CVE-2024-0001", "vul_name": "n", "status": "failed", "failed_reason": "r"}]}]}
    ]}"#;
    let (_server, client) = server_with(body).await;
    let page = task_1(&client).send().await.unwrap().into_inner();
    let host = &page.data_list[0];
    assert_eq!(host.scan_status.as_deref(), Some("paused"));
    assert_eq!(host.asset_value.as_deref(), Some("critical"));
    assert_eq!(
        host.failed_reasons[0].vul_type.as_ref().unwrap().as_str(),
        "container_vul"
    );
    let detail = &host.vul_scan_details[0];
    assert_eq!(detail.status.as_deref(), Some("queued"));
    assert_eq!(
        detail.scan_vul_list[0].vul_id.as_deref(),
        Some("CVE-2024-0001")
    );
}

#[tokio::test]
async fn a_response_missing_every_optional_field_decodes() {
    let (_server, client) = server_with(r#"{"data_list": [{}]}"#).await;
    let page = task_1(&client).send().await.unwrap().into_inner();
    assert_eq!(page.total_num, None);
    assert_eq!(page.data_list.len(), 1);
    assert_eq!(page.data_list[0], Default::default());
}

#[tokio::test]
async fn an_error_body_decodes_with_status_and_headers() {
    let server = ScriptedServer::always(reply(
        400,
        r#"{"error_code":"HSS.0001","error_msg":"Invalid parameter: limit"}"#,
    ))
    .await;
    let client = Client::new(server.base_url(), Hooks::new());
    let err = task_1(&client).limit(5).send().await.unwrap_err();
    let Error::ErrorResponse(response) = err else {
        panic!("expected ErrorResponse, got {err:?}");
    };
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["x-request-id"].to_str().unwrap(),
        REQUEST_ID
    );
    assert_eq!(response.error_code.as_deref(), Some("HSS.0001"));
    assert_eq!(
        response.error_msg.as_deref(),
        Some("Invalid parameter: limit")
    );
}

#[tokio::test]
async fn a_nested_gateway_error_decodes() {
    let server = ScriptedServer::always(reply(401, r#"{"error":{"code":"APIGW.0301","message":"Incorrect IAM authentication information","error_code":"APIGW.0301","request_id":"r-1"}}"#))
    .await;
    let client = Client::new(server.base_url(), Hooks::new());
    let err = task_1(&client).send().await.unwrap_err();
    let Error::ErrorResponse(response) = err else {
        panic!("expected ErrorResponse, got {err:?}");
    };
    assert_eq!(response.status(), 401);
    let gateway = response.error.as_ref().unwrap();
    assert_eq!(gateway.code.as_deref(), Some("APIGW.0301"));
    assert_eq!(gateway.request_id.as_deref(), Some("r-1"));
}

struct StampHook;

impl RequestHook for StampHook {
    fn name(&self) -> &'static str {
        "stamp"
    }
    fn before_send(
        &self,
        request: &mut reqwest::Request,
        op: &OperationInfo,
    ) -> Result<(), String> {
        request.headers_mut().insert(
            "x-operation",
            op.operation_id
                .parse()
                .map_err(|_| "bad header".to_string())?,
        );
        Ok(())
    }
}

struct RefuseHook;

impl RequestHook for RefuseHook {
    fn name(&self) -> &'static str {
        "refuse"
    }
    fn before_send(&self, _: &mut reqwest::Request, _: &OperationInfo) -> Result<(), String> {
        Err("no credentials configured".into())
    }
}

#[tokio::test]
async fn hooks_see_every_request_and_can_stop_it() {
    let server = ScriptedServer::always(reply(200, "{}")).await;
    let client = Client::new(server.base_url(), Hooks::new().with(StampHook));
    task_1(&client).send().await.unwrap();
    assert_eq!(
        server.requests()[0].header("x-operation"),
        Some("list_vul_scan_task_host")
    );

    let refusing = Client::new(server.base_url(), Hooks::new().with(RefuseHook));
    let err = task_1(&refusing).send().await.unwrap_err();
    assert!(
        matches!(&err, Error::Custom(m) if m == "refuse: no credentials configured"),
        "{err:?}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "the refused request was not sent"
    );
    assert_eq!(
        format!("{:?}", Hooks::new().with(StampHook)),
        r#"["stamp"]"#
    );
}

/// Replaces every answer's body, and logs the order it is called in.
struct ReplaceBody(std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>);

impl RequestHook for ReplaceBody {
    fn name(&self) -> &'static str {
        "replace-body"
    }
    fn before_send(&self, _: &mut reqwest::Request, _: &OperationInfo) -> Result<(), String> {
        self.0.lock().unwrap().push("before_send");
        Ok(())
    }
    fn wrap_response(&self, response: reqwest::Response, _: &OperationInfo) -> reqwest::Response {
        self.0.lock().unwrap().push("wrap_response");
        let (parts, _) = http::Response::<reqwest::Body>::from(response).into_parts();
        let body = reqwest::Body::from(r#"{"total_num":7,"data_list":[]}"#);
        reqwest::Response::from(http::Response::from_parts(parts, body))
    }
    fn after_send(&self, result: &reqwest::Result<reqwest::Response>, _: &OperationInfo) {
        assert!(result.is_ok());
        self.0.lock().unwrap().push("after_send");
    }
}

#[tokio::test]
async fn hooks_can_wrap_the_response_before_its_body_is_read() {
    let server = ScriptedServer::always(reply(200, r#"{"total_num":1,"data_list":[]}"#)).await;
    let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let client = Client::new(
        server.base_url(),
        Hooks::new().with(ReplaceBody(calls.clone())),
    );
    let page = task_1(&client).send().await.unwrap();
    assert_eq!(page.total_num, Some(7), "the wrapped body was decoded");
    assert_eq!(
        page.headers()["x-request-id"],
        REQUEST_ID,
        "the head is kept"
    );
    assert_eq!(
        *calls.lock().unwrap(),
        ["before_send", "wrap_response", "after_send"]
    );
}

#[test]
fn https_endpoints_work_out_of_the_box() {
    // Building a client for an https URL needs a TLS backend compiled in;
    // progenitor's `Client::new` would panic without one.
    let client = Client::new("https://hss.ap-southeast-1.myhuaweicloud.com", Hooks::new());
    assert_eq!(
        hss_api::ClientInfo::baseurl(&client),
        "https://hss.ap-southeast-1.myhuaweicloud.com"
    );
}
