//! The vulnerability-scan workflow operations against a scripted HTTP server
//! on 127.0.0.1: each sends the method, path, query and JSON body the API
//! expects, and decodes a realistic answer, including values and fields the
//! spec does not know yet.
//!
//! `hss_fake::scripted` records request heads only; these requests carry
//! bodies, so this file has a server of its own that also reads the body
//! (by `Content-Length`, which reqwest sets for JSON bodies).

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use futures::TryStreamExt;
use hss_api::{Client, Error, Hooks, types};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as it arrived, body included.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    /// Path and query, still encoded.
    target: String,
    /// Lower-case names.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }
    /// The query as sorted `key=value` pairs, still encoded.
    fn query(&self) -> Vec<&str> {
        let mut pairs: Vec<&str> = self
            .target
            .split_once('?')
            .map(|(_, q)| q.split('&').collect())
            .unwrap_or_default();
        pairs.sort_unstable();
        pairs
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }
}

/// Answers every request with one status, content type and body, and
/// records what it was sent. Closed when dropped.
struct BodyServer {
    base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for BodyServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl BodyServer {
    async fn answering(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let body: Arc<Vec<u8>> = Arc::new(body.into());
        let log = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let Some(request) = read_request(&mut socket).await else {
                    continue;
                };
                log.lock().unwrap().push(request);
                let head = format!(
                    "HTTP/1.1 {status} Scripted\r\nContent-Type: {content_type}\r\nX-Request-Id: req-1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
                let _ = socket.shutdown().await;
            }
        });
        BodyServer {
            base_url,
            seen,
            task,
        }
    }

    async fn json(status: u16, body: &str) -> Self {
        Self::answering(status, "application/json", body).await
    }

    fn client(&self) -> Client {
        Client::new(&self.base_url, Hooks::new())
    }

    /// The one request the test sent.
    fn only_request(&self) -> Seen {
        let seen = self.seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "{seen:?}");
        seen[0].clone()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let target = request_line.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some(Seen {
        method,
        target,
        headers,
        body,
    })
}

const PROJECT: &str = "proj-1";

#[tokio::test]
async fn create_vulnerability_scan_task_posts_its_body() {
    let server = BodyServer::json(200, r#"{"task_id":"d8a12cf7-6a43","queued":true}"#).await;
    let created = server
        .client()
        .create_vulnerability_scan_task()
        .project_id(PROJECT)
        .enterprise_project_id("all_granted_eps")
        .body(types::CreateVulnerabilityScanTaskBody {
            manual_scan_type: vec!["linux_vul".parse().unwrap(), "urgent_vul".parse().unwrap()],
            batch_flag: Some(true),
            range_type: Some("specific_host".parse().unwrap()),
            agent_id_list: vec!["agent-1".parse().unwrap()],
            urgent_vul_id_list: vec!["URGENT-CVE-2024-6387".parse().unwrap()],
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.task_id.as_deref(), Some("d8a12cf7-6a43"));

    let seen = server.only_request();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path(), "/v5/proj-1/vulnerability/scan-task");
    assert_eq!(seen.query(), ["enterprise_project_id=all_granted_eps"]);
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(
        seen.json(),
        json!({
            "manual_scan_type": ["linux_vul", "urgent_vul"],
            "batch_flag": true,
            "range_type": "specific_host",
            "agent_id_list": ["agent-1"],
            "urgent_vul_id_list": ["URGENT-CVE-2024-6387"]
        })
    );
}

#[tokio::test]
async fn an_empty_scan_body_sends_an_empty_object() {
    let server = BodyServer::json(200, "{}").await;
    server
        .client()
        .create_vulnerability_scan_task()
        .project_id(PROJECT)
        .body(types::CreateVulnerabilityScanTaskBody::default())
        .send()
        .await
        .unwrap();
    let seen = server.only_request();
    assert_eq!(seen.target, "/v5/proj-1/vulnerability/scan-task");
    assert_eq!(seen.json(), json!({}));
}

#[tokio::test]
async fn request_constraints_are_checked_before_sending() {
    let server = BodyServer::json(200, "{}").await;
    let client = server.client();
    // Lengths are checked where a value is made (item counts are left to
    // the service: typify does not check `minItems`/`maxItems`).
    assert!(
        "x".repeat(65)
            .parse::<types::CreateVulnerabilityScanTaskBodyAgentIdListItem>()
            .is_err()
    );
    assert!("".parse::<types::ChangeVulStatusBodyOperateType>().is_err());
    // A body with required fields (`operate_type`) must be given: the
    // struct cannot be made without them, and a request without one is
    // refused before sending.
    let err = client
        .change_vul_status()
        .project_id(PROJECT)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("body")),
        "{err:?}"
    );
    // The path is never `..`.
    let err = client
        .list_host_vuls()
        .project_id(PROJECT)
        .host_id("..")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.seen.lock().unwrap().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn list_vul_scan_task_pages_and_filters() {
    let server = BodyServer::json(
        200,
        r#"{"total_num": 2, "next_marker": "x", "data_list": [
            {"id": "t-1", "scan_type": "manual", "start_time": 1679042408195, "end_time": 1679042408295,
             "scan_vul_types": ["linux_vul", "container_vul"], "status": "finished",
             "scanning_host_num": 0, "success_host_num": 2998, "failed_host_num": 2, "estimated_time": 0},
            {"id": "t-2", "scan_type": "on_demand", "status": "paused", "owner": {"name": "ops"}}
        ]}"#,
    )
    .await;
    let page = server
        .client()
        .list_vul_scan_task()
        .project_id(PROJECT)
        .limit(200)
        .offset(400)
        .scan_type("manual")
        .task_id("t-1")
        .min_start_time(1679042408000i64)
        .max_start_time(1679042409000i64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total_num, Some(2));
    let done = &page.data_list[0];
    assert_eq!(done.status.as_deref(), Some("finished"));
    assert_eq!(done.failed_host_num, Some(2));
    assert_eq!(done.scan_vul_types, ["linux_vul", "container_vul"]);
    let new = &page.data_list[1];
    assert_eq!(new.scan_type.as_deref(), Some("on_demand"));
    assert_eq!(new.status.as_deref(), Some("paused"));

    let seen = server.only_request();
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.path(), "/v5/proj-1/vulnerability/scan-tasks");
    assert_eq!(
        seen.query(),
        [
            "limit=200",
            "max_start_time=1679042409000",
            "min_start_time=1679042408000",
            "offset=400",
            "scan_type=manual",
            "task_id=t-1",
        ]
    );
    assert!(seen.body.is_empty());
}

#[tokio::test]
async fn list_vulnerabilities_filters_and_decodes() {
    let server = BodyServer::json(
        200,
        r#"{"total_num": 1, "data_list": [{
            "vul_id": "EulerOS-SA-2021-1894", "vul_name": "kernel", "type": "linux_vul",
            "label_list": ["exploit_available"], "repair_necessity": "Severe", "severity_level": "High",
            "repair_priority": "Urgent", "host_num": 2, "unhandle_host_num": 1, "scan_time": 1661752185836,
            "host_id_list": ["h-1"], "cve_list": [{"cve_id": "CVE-2021-33909", "cvss": 7.8, "epss": 0.1}],
            "hosts_num": {"important": 1, "common": 1, "test": 0, "unknown": 5},
            "repair_priority_list": [{"repair_priority": "High", "host_num": 2}],
            "exploit_maturity": "poc"
        }]}"#,
    )
    .await;
    let page = server
        .client()
        .list_vulnerabilities()
        .project_id(PROJECT)
        .type_("linux_vul")
        .limit(10)
        .offset(0)
        .handle_status("unhandled")
        .status("vul_status_unfix")
        .repair_priority("Critical,High")
        .asset_value("important")
        .cve_id("CVE-2021-33909")
        .node_type("not_cce")
        .send()
        .await
        .unwrap()
        .into_inner();
    let vul = &page.data_list[0];
    assert_eq!(page.total_num, Some(1));
    assert_eq!(vul.repair_necessity.as_deref(), Some("Severe"));
    assert_eq!(vul.repair_priority.as_deref(), Some("Urgent"));
    assert_eq!(vul.cve_list[0].cvss, Some(7.8));
    assert_eq!(vul.hosts_num.as_ref().unwrap().important, Some(1));
    assert_eq!(vul.repair_priority_list[0].host_num, Some(2));

    let seen = server.only_request();
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.path(), "/v5/proj-1/vulnerability/vulnerabilities");
    assert_eq!(
        seen.query(),
        [
            "asset_value=important",
            "cve_id=CVE-2021-33909",
            "handle_status=unhandled",
            "limit=10",
            "node_type=not_cce",
            "offset=0",
            "repair_priority=Critical%2CHigh",
            "status=vul_status_unfix",
            "type=linux_vul",
        ]
    );
}

#[tokio::test]
async fn list_vul_hosts_needs_the_vulnerability_and_decodes_new_values() {
    let server = BodyServer::json(
        200,
        r#"{"total_num": 1, "data_list": [{
            "host_id": "h-1", "agent_id": "a-1", "host_name": "web-1", "host_ip": "192.168.0.1",
            "status": "vul_status_quarantined", "asset_value": "critical", "os_type": "HarmonyOS",
            "host_status": "HIBERNATED", "agent_status": "upgrading", "is_affect_business": true,
            "cve_id_list": ["CVE-2021-33909"], "scan_time": 1661752185836, "support_restore": false,
            "disabled_operate_types": [{"operate_type": "snooze", "reason": "not supported"}],
            "kernel_live_patch": true
        }]}"#,
    )
    .await;
    let client = server.client();
    // Without the required `vul_id` and `type`, nothing is sent.
    let err = client
        .list_vul_hosts()
        .project_id(PROJECT)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");

    let page = client
        .list_vul_hosts()
        .project_id(PROJECT)
        .vul_id("EulerOS-SA-2021-1894")
        .type_("linux_vul")
        .host_name("web-1")
        .is_affect_business(true)
        .severity_level("Critical,High")
        .limit(200)
        .send()
        .await
        .unwrap()
        .into_inner();
    let host = &page.data_list[0];
    assert_eq!(host.status.as_deref(), Some("vul_status_quarantined"));
    assert_eq!(host.os_type.as_deref(), Some("HarmonyOS"));
    assert_eq!(host.host_status.as_deref(), Some("HIBERNATED"));
    assert_eq!(host.agent_status.as_deref(), Some("upgrading"));
    assert_eq!(
        host.disabled_operate_types[0].operate_type.as_deref(),
        Some("snooze")
    );

    let seen = server.only_request();
    assert_eq!(seen.path(), "/v5/proj-1/vulnerability/hosts");
    assert_eq!(
        seen.query(),
        [
            "host_name=web-1",
            "is_affect_business=true",
            "limit=200",
            "severity_level=Critical%2CHigh",
            "type=linux_vul",
            "vul_id=EulerOS-SA-2021-1894",
        ]
    );
}

#[tokio::test]
async fn list_host_vuls_puts_the_server_in_the_path() {
    let server = BodyServer::json(
        200,
        r#"{"total_num": 3, "data_list": [{
            "vul_id": "USN-5528-1", "type": "linux_vul", "status": "vul_status_unfix",
            "severity_level": "Medium", "repair_cmd": "apt upgrade libfreetype6",
            "app_list": [{"app_name": "libfreetype6", "app_version": "2.10.1", "upgrade_version": "2.10.2", "arch": "amd64"}],
            "cve_list": [{"cve_id": "CVE-2022-27405", "cvss": 7.5}],
            "disabled_operate_types": [], "first_scan_time": 1661752185836
        }, {"vul_id": "X-1", "type": "kernel_vul", "status": "vul_status_postponed"}]}"#,
    )
    .await;
    let page = server
        .client()
        .list_host_vuls()
        .project_id(PROJECT)
        .host_id("host/1")
        .type_("linux_vul")
        .handle_status("unhandled")
        .limit(50)
        .offset(100)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total_num, Some(3));
    assert_eq!(
        page.data_list[0].app_list[0].upgrade_version.as_deref(),
        Some("2.10.2")
    );
    assert_eq!(page.data_list[1].type_.as_deref(), Some("kernel_vul"));
    assert_eq!(
        page.data_list[1].status.as_deref(),
        Some("vul_status_postponed")
    );

    let seen = server.only_request();
    assert_eq!(seen.path(), "/v5/proj-1/vulnerability/host/host%2F1");
    assert_eq!(
        seen.query(),
        [
            "handle_status=unhandled",
            "limit=50",
            "offset=100",
            "type=linux_vul"
        ]
    );
}

#[tokio::test]
async fn show_vul_statics_decodes_the_counts() {
    let server = BodyServer::json(
        200,
        r#"{"need_urgent_repair": 22, "unrepair": 23, "existed_vul_hosts": 33, "today_handle": 77,
            "all_handle": 44, "supported": 78, "vul_library_update_time": 1692170925188, "new_metric": 1}"#,
    )
    .await;
    let stats = server
        .client()
        .show_vul_statics()
        .project_id(PROJECT)
        .enterprise_project_id("0")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats.need_urgent_repair, Some(22));
    assert_eq!(stats.existed_vul_hosts, Some(33));
    assert_eq!(stats.vul_library_update_time, Some(1692170925188));
    let seen = server.only_request();
    assert_eq!(
        seen.target,
        "/v5/proj-1/vulnerability/statistics?enterprise_project_id=0"
    );
    assert_eq!(seen.method, "GET");
}

#[tokio::test]
async fn change_vul_status_puts_its_body_and_expects_no_answer_body() {
    let server = BodyServer::json(200, "").await;
    let done = server
        .client()
        .change_vul_status()
        .project_id(PROJECT)
        .body(types::ChangeVulStatusBody {
            operate_type: "ignore".parse().unwrap(),
            remark: Some("accepted risk: 受控环境".parse().unwrap()),
            type_: Some("linux_vul".parse().unwrap()),
            data_list: vec![types::VulOperateInfo {
                vul_id: "EulerOS-SA-2021-1894".parse().unwrap(),
                host_id_list: vec!["h-1".parse().unwrap(), "h-2".parse().unwrap()],
            }],
            backup_info_id: None,
            custom_backup_hosts: Vec::new(),
            host_data_list: Vec::new(),
            select_type: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);

    let seen = server.only_request();
    assert_eq!(seen.method, "PUT");
    assert_eq!(seen.target, "/v5/proj-1/vulnerability/status");
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(
        seen.json(),
        json!({
            "operate_type": "ignore",
            "remark": "accepted risk: 受控环境",
            "type": "linux_vul",
            "data_list": [{"vul_id": "EulerOS-SA-2021-1894", "host_id_list": ["h-1", "h-2"]}]
        })
    );
}

#[tokio::test]
async fn the_scan_policy_round_trips() {
    let policy = r#"{"scan_period": "one_week", "scan_vul_types": ["linux_vul", "windows_vul"],
        "scan_range_type": "all_host", "host_ids": [], "total_host_num": 5, "status": "open",
        "time": {"day_part": [1], "hour_part": 2, "minute_part": 30, "next_scan_time": 1692170925188,
                 "timezone_offset": -480, "cron": "0 30 2 * * 1"}, "scan_engine": "v2"}"#;
    let server = BodyServer::json(200, policy).await;
    let shown = server
        .client()
        .show_vul_scan_policy()
        .project_id(PROJECT)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(shown.scan_period.as_deref(), Some("one_week"));
    assert_eq!(shown.status.as_deref(), Some("open"));
    let time = shown.time.as_ref().unwrap();
    assert_eq!(time.timezone_offset, Some(-480));
    assert_eq!(time.day_part, [1]);
    assert_eq!(
        server.only_request().target,
        "/v5/proj-1/vulnerability/scan-policy"
    );

    let server = BodyServer::json(200, "").await;
    server
        .client()
        .change_vul_scan_policy()
        .project_id(PROJECT)
        .enterprise_project_id("all_granted_eps")
        .body(types::ChangeVulScanPolicyBody {
            scan_period: "one_day".parse().unwrap(),
            scan_range_type: "specific_host".parse().unwrap(),
            host_ids: vec!["h-1".parse().unwrap()],
            scan_vul_types: vec!["linux_vul".parse().unwrap()],
            status: "open".parse().unwrap(),
            time: Some(types::VulScanPolicyTime {
                day_part: vec![1, 15],
                hour_part: Some(3),
                minute_part: Some(0),
                timezone_offset: Some(-480),
                next_scan_time: None,
            }),
        })
        .send()
        .await
        .unwrap();
    let seen = server.only_request();
    assert_eq!(seen.method, "PUT");
    assert_eq!(
        seen.target,
        "/v5/proj-1/vulnerability/scan-policy?enterprise_project_id=all_granted_eps"
    );
    assert_eq!(
        seen.json(),
        json!({
            "scan_period": "one_day",
            "scan_range_type": "specific_host",
            "host_ids": ["h-1"],
            "scan_vul_types": ["linux_vul"],
            "status": "open",
            "time": {"day_part": [1, 15], "hour_part": 3, "minute_part": 0, "timezone_offset": -480}
        })
    );
}

#[tokio::test]
async fn export_vuls_posts_columns_and_filters() {
    let server = BodyServer::json(200, r#"{"task_id": "export-1"}"#).await;
    let created = server
        .client()
        .export_vuls()
        .project_id(PROJECT)
        .export_size(NonZeroU32::new(5000).unwrap())
        .category("vul")
        .type_("linux_vul")
        .status("vul_status_unfix")
        .body(types::ExportVulsBody {
            // A column is a pair by type: `[field, title]`.
            export_headers: vec![
                [
                    "vul_name".parse().unwrap(),
                    "Vulnerability".parse().unwrap(),
                ],
                ["host_num".parse().unwrap(), "Servers".parse().unwrap()],
            ],
            host_id_list: Vec::new(),
            vul_id_list: Vec::new(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.task_id.as_deref(), Some("export-1"));

    let seen = server.only_request();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path(), "/v5/proj-1/vul/export");
    assert_eq!(
        seen.query(),
        [
            "category=vul",
            "export_size=5000",
            "status=vul_status_unfix",
            "type=linux_vul",
        ]
    );
    assert_eq!(
        seen.json(),
        json!({"export_headers": [["vul_name", "Vulnerability"], ["host_num", "Servers"]]})
    );
}

#[tokio::test]
async fn list_query_export_task_sends_the_region_header() {
    let server = BodyServer::json(
        200,
        r#"{"task_id": "export-1", "task_name": "export_vul", "task_status": "queued",
            "file_id": "file-1", "file_name": "vulnerabilities.csv", "progress": 40}"#,
    )
    .await;
    let task = server
        .client()
        .list_query_export_task()
        .project_id(PROJECT)
        .task_id("export-1")
        .region("ap-southeast-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(task.task_status.as_deref(), Some("queued"));
    assert_eq!(task.file_id.as_deref(), Some("file-1"));
    let seen = server.only_request();
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.target, "/v5/proj-1/export-task/export-1");
    assert_eq!(seen.header("region"), Some("ap-southeast-1"));
}

#[tokio::test]
async fn the_download_is_a_byte_stream() {
    // Not UTF-8, not JSON: the bytes come back as they were sent.
    let file: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let server = BodyServer::answering(200, "application/octet-stream", file.clone()).await;
    let response = server
        .client()
        .list_download_exported_file()
        .project_id(PROJECT)
        .file_id("file-1")
        .enterprise_project_id("all_granted_eps")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], "req-1");
    let chunks: Vec<_> = response
        .into_inner()
        .into_inner()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chunks.concat(), file);

    let seen = server.only_request();
    assert_eq!(seen.method, "GET");
    assert_eq!(
        seen.target,
        "/v5/proj-1/download/file-1?enterprise_project_id=all_granted_eps"
    );
}

#[tokio::test]
async fn a_download_error_is_json() {
    let server = BodyServer::json(
        404,
        r#"{"error_code":"HSS.1033","error_msg":"The file does not exist"}"#,
    )
    .await;
    let err = server
        .client()
        .list_download_exported_file()
        .project_id(PROJECT)
        .file_id("gone")
        .send()
        .await;
    let Err(Error::ErrorResponse(response)) = err else {
        panic!("expected ErrorResponse");
    };
    assert_eq!(response.status(), 404);
    assert_eq!(response.error_code.as_deref(), Some("HSS.1033"));
}

#[test]
fn every_operation_documents_the_same_error_statuses() {
    let expected: &[u16] = &[400, 401, 403, 404, 429, 500, 502, 503, 504];
    use hss_api::statuses::*;
    for (name, list) in [
        (
            "CreateVulnerabilityScanTask",
            CREATE_VULNERABILITY_SCAN_TASK_ERRORS,
        ),
        ("ListVulScanTask", LIST_VUL_SCAN_TASK_ERRORS),
        ("ListVulScanTaskHost", LIST_VUL_SCAN_TASK_HOST_ERRORS),
        ("ListVulnerabilities", LIST_VULNERABILITIES_ERRORS),
        ("ListVulHosts", LIST_VUL_HOSTS_ERRORS),
        ("ListHostVuls", LIST_HOST_VULS_ERRORS),
        ("ShowVulStatics", SHOW_VUL_STATICS_ERRORS),
        ("ChangeVulStatus", CHANGE_VUL_STATUS_ERRORS),
        ("ShowVulScanPolicy", SHOW_VUL_SCAN_POLICY_ERRORS),
        ("ChangeVulScanPolicy", CHANGE_VUL_SCAN_POLICY_ERRORS),
        ("ExportVuls", EXPORT_VULS_ERRORS),
        ("ListQueryExportTask", LIST_QUERY_EXPORT_TASK_ERRORS),
        (
            "ListDownloadExportedFile",
            LIST_DOWNLOAD_EXPORTED_FILE_ERRORS,
        ),
    ] {
        assert_eq!(list, expected, "{name}");
    }
}
