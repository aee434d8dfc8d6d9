//! The vulnerability-scan workflow over real HTTP on 127.0.0.1, with plain
//! reqwest: a created scan task that progresses and ends with failures,
//! listings and statistics that agree and follow status changes, an
//! export downloaded as a real file, the policy round trip, and bad bodies
//! answered in the service's error shape. POST and PUT requests are signed
//! with AK/SK (the body hash included); GETs use the token.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use hss_fake::testing::{ManualClock, sign};
use hss_fake::{FakeHss, Fault, FaultRule, RunningFake, paths};
use http::{HeaderMap, Method};
use serde_json::{Value, json};

struct Fake {
    fake: RunningFake,
    clock: ManualClock,
}

async fn start(hosts: usize) -> Fake {
    let clock = ManualClock::default();
    let fake = FakeHss::builder()
        .seed(23)
        .hosts(hosts)
        .clock(clock.clone())
        .scan_task_duration(Duration::from_secs(10))
        .scan_task_failed_percent(40)
        .export_duration(Duration::from_secs(1))
        .vul_operation_duration(Duration::from_secs(5))
        .start()
        .await
        .unwrap();
    Fake { fake, clock }
}

impl Fake {
    fn p(&self) -> String {
        self.fake.project_id()
    }

    async fn get(&self, path_and_query: &str) -> (u16, Value) {
        let response = support::http_client()
            .get(self.fake.url(path_and_query))
            .header("X-Auth-Token", self.fake.token())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn ok(&self, path_and_query: &str) -> Value {
        let (status, body) = self.get(path_and_query).await;
        assert_eq!(status, 200, "{path_and_query}: {body}");
        body
    }

    /// Sends `body` signed with the AK/SK at the fake's clock.
    async fn send_raw(&self, method: Method, path_and_query: &str, body: &[u8]) -> (u16, Value) {
        let url = self.fake.url(path_and_query);
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            "application/json;charset=UTF-8".parse().unwrap(),
        );
        let clock_now = hss_fake::Clock::now(&self.clock);
        let headers = sign(
            self.fake.access_key(),
            &method,
            &url,
            headers,
            body,
            clock_now,
        )
        .unwrap();
        let response = support::http_client()
            .request(method, &url)
            .headers(headers)
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn send(&self, method: Method, path_and_query: &str, body: &Value) -> (u16, Value) {
        self.send_raw(method, path_and_query, &serde_json::to_vec(body).unwrap())
            .await
    }

    async fn task(&self, task_id: &str) -> Value {
        let page = self
            .ok(&format!(
                "{}?task_id={task_id}",
                paths::scan_tasks_path(&self.p())
            ))
            .await;
        assert_eq!(page["total_num"], 1, "{page}");
        page["data_list"][0].clone()
    }

    async fn host_count(&self, task_id: &str, status: &str) -> u64 {
        let path = format!("{}?scan_status={status}", self.fake.hosts_path(task_id));
        self.ok(&path).await["total_num"].as_u64().unwrap()
    }

    /// Every row of a listing, paging by 200.
    async fn all(&self, path: &str, query: &str) -> Vec<Value> {
        let mut rows = Vec::new();
        for page in 0..100 {
            let body = self
                .ok(&format!("{path}?{query}&limit=200&offset={}", page * 200))
                .await;
            let list = body["data_list"].as_array().unwrap().clone();
            let total = body["total_num"].as_u64().unwrap() as usize;
            rows.extend(list);
            if rows.len() >= total {
                break;
            }
        }
        rows
    }
}

fn assert_hss_error(status: u16, body: &Value, code: &str, words: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error_code"], code, "{body}");
    let msg = body["error_msg"].as_str().unwrap();
    assert!(msg.contains(words), "{msg:?} should say {words:?}");
}

#[tokio::test]
async fn a_created_scan_task_progresses_and_ends_with_failures_its_hosts_agree_with() {
    let f = start(40).await;
    let (status, created) = f
        .send(
            Method::POST,
            &paths::create_scan_task_path(&f.p()),
            &json!({"manual_scan_type": ["linux_vul", "windows_vul", "urgent_vul"], "batch_flag": true, "range_type": "all_host"}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let task_id = created["task_id"].as_str().unwrap().to_owned();
    assert_eq!(task_id.len(), 32);

    let task = f.task(&task_id).await;
    assert_eq!(task["status"], "running");
    assert_eq!(task["scan_type"], "manual");
    assert_eq!(task["scanning_host_num"], 40);
    assert_eq!(task["estimated_time"], 10);
    assert_eq!(
        task["scan_vul_types"],
        json!(["linux_vul", "windows_vul", "urgent_vul"])
    );
    assert!(task.get("end_time").is_none());
    assert_eq!(f.host_count(&task_id, "scanning").await, 40);
    // The newest task comes first in the unfiltered list, the dataset's after it.
    let all = f.ok(&paths::scan_tasks_path(&f.p())).await;
    assert_eq!(all["total_num"], 2);
    assert_eq!(all["data_list"][0]["id"], task_id.as_str());
    assert_eq!(all["data_list"][1]["scan_type"], "schedule");

    f.clock.advance(Duration::from_secs(5));
    let task = f.task(&task_id).await;
    assert_eq!(task["status"], "running");
    assert_eq!(task["scanning_host_num"], 20);
    assert_eq!(task["estimated_time"], 5);
    for (field, status) in [
        ("scanning_host_num", "scanning"),
        ("success_host_num", "success"),
        ("failed_host_num", "failed"),
    ] {
        assert_eq!(
            task[field].as_u64().unwrap(),
            f.host_count(&task_id, status).await,
            "{field}"
        );
    }

    f.clock.advance(Duration::from_secs(5));
    let task = f.task(&task_id).await;
    assert_eq!(task["status"], "finished");
    assert_eq!(task["scanning_host_num"], 0);
    let (ok, failed) = (
        task["success_host_num"].as_u64().unwrap(),
        task["failed_host_num"].as_u64().unwrap(),
    );
    assert_eq!(ok + failed, 40);
    assert!(failed > 0 && ok > 0, "{task}");
    assert_eq!(failed, f.host_count(&task_id, "failed").await);
    assert_eq!(
        task["end_time"].as_i64().unwrap() - task["start_time"].as_i64().unwrap(),
        10_000,
        "the last host finished at the end of the duration"
    );
    let failed_hosts = f
        .ok(&format!(
            "{}?scan_status=failed&limit=200",
            f.fake.hosts_path(&task_id)
        ))
        .await;
    for host in failed_hosts["data_list"].as_array().unwrap() {
        let reasons = host["failed_reasons"].as_array().unwrap();
        assert!(!reasons.is_empty(), "{host}");
        assert!(
            reasons
                .iter()
                .all(|r| r["failed_reason"].as_str().is_some_and(|s| !s.is_empty()))
        );
    }
    // The created task's hosts are the project's servers.
    let servers: BTreeSet<String> = f.fake.server_ids().into_iter().collect();
    let scanned: BTreeSet<String> = f
        .all(&f.fake.hosts_path(&task_id), "scan_status=success")
        .await
        .iter()
        .chain(failed_hosts["data_list"].as_array().unwrap())
        .map(|h| h["host_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(scanned, servers);
}

#[tokio::test]
async fn a_task_for_named_agents_scans_them_and_steps_by_hand() {
    let f = start(20).await;
    let servers = f.fake.server_ids();
    let agents: Vec<String> = servers[..3]
        .iter()
        .map(|h| f.fake.agent_id(h).unwrap())
        .collect();
    let (status, created) = f
        .send(
            Method::POST,
            &paths::create_scan_task_path(&f.p()),
            &json!({"manual_scan_type": ["linux_vul"], "range_type": "specific_host", "agent_id_list": agents}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let task_id = created["task_id"].as_str().unwrap();
    let hosts = f.ok(&f.fake.hosts_path(task_id)).await;
    let ids: Vec<&str> = hosts["data_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        servers[..3].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(f.fake.advance_scan(task_id, 1), Some(1));
    assert_eq!(f.task(task_id).await["scanning_host_num"], 2);
    assert_eq!(f.fake.advance_scan(task_id, usize::MAX), Some(2));
    let task = f.task(task_id).await;
    assert_eq!(task["status"], "finished");
    assert!(task["end_time"].is_i64());

    let (status, body) = f
        .send(
            Method::POST,
            &paths::create_scan_task_path(&f.p()),
            &json!({"manual_scan_type": ["linux_vul"], "range_type": "specific_host", "agent_id_list": ["nope"]}),
        )
        .await;
    assert_hss_error(status, &body, "HSS.0011", "agent nope");
}

#[tokio::test]
async fn listings_and_statistics_agree_and_follow_status_changes() {
    let f = start(200).await;
    let p = f.p();
    let types = [
        "linux_vul",
        "windows_vul",
        "web_cms",
        "app_vul",
        "urgent_vul",
    ];
    let stats = f.ok(&paths::statistics_path(&p)).await;
    let mut unrepaired = 0;
    for t in types {
        let page = f
            .ok(&format!(
                "{}?type={t}&handle_status=unhandled",
                paths::vulnerabilities_path(&p)
            ))
            .await;
        unrepaired += page["total_num"].as_u64().unwrap();
    }
    assert_eq!(stats["unrepair"].as_u64().unwrap(), unrepaired, "{stats}");
    let with_open: usize = f
        .fake
        .server_ids()
        .iter()
        .filter(|h| {
            f.fake
                .host_vuls(h)
                .unwrap()
                .iter()
                .any(|v| v.status != "vul_status_ignored" && v.status != "vul_status_fixed")
        })
        .count();
    assert_eq!(
        stats["existed_vul_hosts"].as_u64().unwrap() as usize,
        with_open
    );

    // The most widespread Linux vulnerability with something to handle.
    let vulns = f
        .all(
            &paths::vulnerabilities_path(&p),
            "type=linux_vul&handle_status=unhandled",
        )
        .await;
    let row = vulns
        .iter()
        .max_by_key(|r| r["unhandle_host_num"].as_u64().unwrap())
        .unwrap()
        .clone();
    let vul_id = row["vul_id"].as_str().unwrap().to_owned();
    let hosts_path = paths::vul_hosts_path(&p);
    let everyone = f
        .all(&hosts_path, &format!("vul_id={vul_id}&type=linux_vul"))
        .await;
    let unhandled = f
        .all(
            &hosts_path,
            &format!("vul_id={vul_id}&type=linux_vul&handle_status=unhandled"),
        )
        .await;
    let all_rows = f
        .all(
            &paths::vulnerabilities_path(&p),
            &format!("type=linux_vul&vul_id={vul_id}"),
        )
        .await;
    assert_eq!(
        all_rows[0]["host_num"].as_u64().unwrap() as usize,
        everyone.len()
    );
    assert_eq!(
        row["unhandle_host_num"].as_u64().unwrap() as usize,
        unhandled.len()
    );
    assert!(
        row["severity_level"].is_string()
            && row["cve_list"].as_array().is_some_and(|c| !c.is_empty())
    );
    let host_ids: Vec<String> = unhandled
        .iter()
        .map(|h| h["host_id"].as_str().unwrap().to_owned())
        .collect();
    let first = host_ids[0].clone();
    let on_host = f
        .all(&paths::host_vuls_path(&p, &first), "type=linux_vul")
        .await;
    let listed = on_host
        .iter()
        .find(|v| v["vul_id"] == vul_id.as_str())
        .unwrap();
    assert_eq!(
        listed["status"], unhandled[0]["status"],
        "both listings say the same"
    );
    assert_eq!(listed["severity_level"], row["severity_level"]);

    // Ignore it on every host that had it to handle.
    let (status, body) = f
        .send(
            Method::PUT,
            &paths::vul_status_path(&p),
            &json!({"operate_type": "ignore", "remark": "accepted risk", "data_list": [{"vul_id": vul_id, "host_id_list": host_ids}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let still = f
        .ok(&format!(
            "{hosts_path}?vul_id={vul_id}&type=linux_vul&handle_status=unhandled"
        ))
        .await;
    assert_eq!(still["total_num"], 0);
    let vulns_after = f
        .all(
            &paths::vulnerabilities_path(&p),
            "type=linux_vul&handle_status=unhandled",
        )
        .await;
    assert!(vulns_after.iter().all(|r| r["vul_id"] != vul_id.as_str()));
    let ignored = f
        .all(
            &hosts_path,
            &format!("vul_id={vul_id}&type=linux_vul&status=vul_status_ignored"),
        )
        .await;
    assert!(ignored.iter().all(|h| h["status"] == "vul_status_ignored"));
    assert!(ignored.iter().any(|h| h["remark"] == "accepted risk"));
    let after = f.ok(&paths::statistics_path(&p)).await;
    assert_eq!(after["unrepair"].as_u64().unwrap(), unrepaired - 1);
    assert_eq!(
        after["today_handle"].as_u64().unwrap(),
        stats["today_handle"].as_u64().unwrap() + host_ids.len() as u64
    );
    assert_eq!(
        after["all_handle"].as_u64().unwrap(),
        stats["all_handle"].as_u64().unwrap() + host_ids.len() as u64
    );
    let status_on = |vuls: Vec<hss_fake::HostVulStatus>| {
        vuls.into_iter()
            .find(|v| v.vul_id == vul_id)
            .unwrap()
            .status
    };
    assert_eq!(
        status_on(f.fake.host_vuls(&first).unwrap()),
        "vul_status_ignored"
    );

    // Take it back on one host and repair it there: fixing, then fixed.
    for op in ["not_ignore", "immediate_repair"] {
        let (status, body) = f
            .send(
                Method::PUT,
                &paths::vul_status_path(&p),
                &json!({"operate_type": op, "host_data_list": [{"host_id": first, "vul_id_list": [vul_id]}]}),
            )
            .await;
        assert_eq!(status, 200, "{op}: {body}");
    }
    let on_host = |rows: Vec<Value>| {
        rows.into_iter()
            .find(|v| v["vul_id"] == vul_id.as_str())
            .unwrap()
    };
    let row = on_host(
        f.all(&paths::host_vuls_path(&p, &first), "type=linux_vul")
            .await,
    );
    assert_eq!(row["status"], "vul_status_fixing");
    f.clock.advance(Duration::from_secs(5));
    let row = on_host(
        f.all(&paths::host_vuls_path(&p, &first), "type=linux_vul")
            .await,
    );
    assert_eq!(row["status"], "vul_status_fixed");
    assert_eq!(
        status_on(f.fake.host_vuls(&first).unwrap()),
        "vul_status_fixed"
    );

    let (status, body) = f
        .send(
            Method::PUT,
            &paths::vul_status_path(&p),
            &json!({"operate_type": "ignore", "host_data_list": [{"host_id": first, "vul_id_list": ["KB0"]}]}),
        )
        .await;
    assert_hss_error(status, &body, "HSS.0011", "KB0");
}

#[tokio::test]
async fn an_export_runs_then_downloads_as_a_csv_file() {
    let f = start(120).await;
    let p = f.p();
    let expected = f
        .all(&paths::vulnerabilities_path(&p), "type=linux_vul")
        .await;
    let query = "category=vul&export_size=1000&type=linux_vul";
    let (status, body) = f
        .send(
            Method::POST,
            &format!("{}?{query}", paths::export_path(&p)),
            &json!({"export_headers": [["vul_id", "Vulnerability ID"], ["vul_name", "Name"], ["host_num", "Servers"], ["severity_level", "Severity"]]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let task_id = body["task_id"].as_str().unwrap().to_owned();
    let task = f.ok(&paths::export_task_path(&p, &task_id)).await;
    assert_eq!(task["task_status"], "running");
    assert!(task.get("file_id").is_none());
    f.clock.advance(Duration::from_secs(1));
    let task = f.ok(&paths::export_task_path(&p, &task_id)).await;
    assert_eq!(task["task_status"], "success", "{task}");
    let file_id = task["file_id"].as_str().unwrap();
    let file_name = task["file_name"].as_str().unwrap();
    assert!(file_name.ends_with(".csv"));

    let response = support::http_client()
        .get(f.fake.url(&paths::download_path(&p, file_id)))
        .header("X-Auth-Token", f.fake.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/octet-stream"
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(disposition, format!("attachment; filename=\"{file_name}\""));
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "Vulnerability ID,Name,Servers,Severity");
    assert_eq!(lines.len(), expected.len() + 1);
    for (line, row) in lines[1..].iter().zip(&expected) {
        assert!(
            line.starts_with(&format!("{},", row["vul_id"].as_str().unwrap())),
            "{line}"
        );
        assert!(line.contains(&format!(",{},", row["host_num"])), "{line}");
    }

    // Per host: the server's vulnerabilities with its name.
    let host = f.fake.server_ids()[0].clone();
    let (status, body) = f
        .send(
            Method::POST,
            &format!("{}?category=host&export_size=100&host_id={host}", paths::export_path(&p)),
            &json!({"export_headers": [["host_name", "Server"], ["vul_id", "ID"], ["status", "Status"]]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    f.clock.advance(Duration::from_secs(1));
    let task = f
        .ok(&paths::export_task_path(
            &p,
            body["task_id"].as_str().unwrap(),
        ))
        .await;
    let response = support::http_client()
        .get(
            f.fake
                .url(&paths::download_path(&p, task["file_id"].as_str().unwrap())),
        )
        .header("X-Auth-Token", f.fake.token())
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    assert_eq!(
        text.lines().count(),
        f.fake.host_vuls(&host).unwrap().len() + 1,
        "{text}"
    );

    let (status, body) = f.get(&paths::download_path(&p, "no-such-file")).await;
    assert_hss_error(status, &body, "HSS.0011", "no-such-file");
}

#[tokio::test]
async fn the_scan_policy_round_trips() {
    let f = start(30).await;
    let p = f.p();
    let policy = f.ok(&paths::scan_policy_path(&p)).await;
    assert_eq!(policy["scan_range_type"], "all_host");
    assert_eq!(policy["total_host_num"], 30);
    let hosts: Vec<String> = f.fake.server_ids()[..2].to_vec();
    let wanted = json!({
        "scan_period": "one_week",
        "scan_range_type": "specific_host",
        "host_ids": hosts,
        "scan_vul_types": ["linux_vul", "urgent_vul"],
        "status": "close",
        "time": {"day_part": [1, 4], "hour_part": 3, "minute_part": 30, "timezone_offset": -480},
    });
    let (status, body) = f
        .send(Method::PUT, &paths::scan_policy_path(&p), &wanted)
        .await;
    assert_eq!(status, 200, "{body}");
    let got = f.ok(&paths::scan_policy_path(&p)).await;
    for field in [
        "scan_period",
        "scan_range_type",
        "host_ids",
        "scan_vul_types",
        "status",
        "time",
    ] {
        assert_eq!(got[field], wanted[field], "{field}");
    }
    assert_eq!(got["total_host_num"], 2);
    let (status, body) = f
        .send(Method::PUT, &paths::scan_policy_path(&p), &json!({"scan_period": "one_day", "scan_range_type": "specific_host", "status": "open"}))
        .await;
    assert_hss_error(status, &body, "HSS.0001", "host_ids");
}

#[tokio::test]
async fn bad_requests_get_the_service_error_shape() {
    let f = start(10).await;
    let p = f.p();
    let create = paths::create_scan_task_path(&p);
    for (body, code, words) in [
        (
            json!({"manual_scan_type": ["linux_vul"], "batch_flag": true, "colour": "red"}),
            "HSS.0001",
            "unknown field colour",
        ),
        (
            json!({"batch_flag": true}),
            "HSS.0001",
            "manual_scan_type is required",
        ),
        (
            json!({"manual_scan_type": ["linux_vul"], "batch_flag": "yes"}),
            "HSS.0001",
            "batch_flag must be true or false",
        ),
        (
            json!({"manual_scan_type": []}),
            "HSS.0001",
            "manual_scan_type must have 1 to 200 items",
        ),
        (
            json!({"manual_scan_type": ["mac_vul"], "batch_flag": true}),
            "HSS.0001",
            "manual_scan_type[0] must be one of",
        ),
        (
            json!({"manual_scan_type": ["linux_vul"], "range_type": "specific_host"}),
            "HSS.0001",
            "agent_id_list is required",
        ),
        (json!([1, 2]), "HSS.0002", "JSON object"),
    ] {
        let (status, answer) = f.send(Method::POST, &create, &body).await;
        assert_hss_error(status, &answer, code, words);
    }
    let (status, answer) = f.send_raw(Method::POST, &create, b"{not json").await;
    assert_hss_error(status, &answer, "HSS.0002", "not valid JSON");
    let (status, answer) = f
        .send_raw(Method::PUT, &paths::vul_status_path(&p), b"")
        .await;
    assert_hss_error(status, &answer, "HSS.0002", "JSON object is required");
    let (status, answer) = f
        .send(
            Method::PUT,
            &paths::vul_status_path(&p),
            &json!({"remark": "x", "data_list": [{"vul_id": "v"}]}),
        )
        .await;
    assert_hss_error(status, &answer, "HSS.0001", "operate_type is required");
    let (status, answer) = f
        .send(
            Method::PUT,
            &paths::vul_status_path(&p),
            &json!({"operate_type": "ignore", "data_list": [{"vul_id": "v"}]}),
        )
        .await;
    assert_hss_error(
        status,
        &answer,
        "HSS.0001",
        "data_list[0].host_id_list is required",
    );
    let (status, answer) = f
        .send(
            Method::PUT,
            &paths::scan_policy_path(&p),
            &json!({"scan_period": "hourly", "scan_range_type": "all_host", "status": "open"}),
        )
        .await;
    assert_hss_error(status, &answer, "HSS.0001", "scan_period must be one of");
    let (status, answer) = f
        .send(Method::PUT, &paths::scan_policy_path(&p), &json!({"scan_period": "one_day", "scan_range_type": "all_host", "status": "open", "time": {"hour_part": 24}}))
        .await;
    assert_hss_error(
        status,
        &answer,
        "HSS.0001",
        "time.hour_part must be an integer from 0 to 23",
    );
    let (status, answer) = f
        .send(
            Method::POST,
            &format!("{}?category=vul", paths::export_path(&p)),
            &json!({"export_headers": [["a", "A"]]}),
        )
        .await;
    assert_hss_error(status, &answer, "HSS.0001", "export_size is required");
    let (status, answer) = f
        .send(
            Method::POST,
            &format!("{}?category=vul&export_size=5", paths::export_path(&p)),
            &json!({"export_headers": [["a"]]}),
        )
        .await;
    assert_hss_error(
        status,
        &answer,
        "HSS.0001",
        "export_headers[0] must be an array of two strings",
    );

    // Query parameters.
    for (query, code, words) in [
        (
            format!("{}?type=linux_vul", paths::vul_hosts_path(&p)),
            "HSS.0001",
            "vul_id is required",
        ),
        (
            format!("{}?limit=5", paths::vulnerabilities_path(&p)),
            "HSS.0001",
            "limit must be an integer from 10 to 200",
        ),
        (
            format!("{}?limit=201", paths::scan_tasks_path(&p)),
            "HSS.0001",
            "limit must be an integer from 0 to 200",
        ),
        (
            format!("{}?handle_status=maybe", paths::vulnerabilities_path(&p)),
            "HSS.0001",
            "handle_status must be one of",
        ),
        (
            format!("{}?enterprise_project_id=nope", paths::statistics_path(&p)),
            "HSS.0011",
            "enterprise project nope",
        ),
        (
            paths::host_vuls_path(&p, "no-such-host"),
            "HSS.0011",
            "host no-such-host",
        ),
        (
            paths::statistics_path("other-project"),
            "HSS.0011",
            "project other-project",
        ),
    ] {
        let (status, answer) = f.get(&query).await;
        assert_hss_error(status, &answer, code, words);
    }
    // limit=0 is documented for the task list.
    assert_eq!(
        f.ok(&format!("{}?limit=0", paths::scan_tasks_path(&p)))
            .await["data_list"],
        json!([])
    );

    // A body other than the one signed is refused by the gateway.
    let url = f.fake.url(&create);
    let now = hss_fake::Clock::now(&f.clock);
    let headers = sign(
        f.fake.access_key(),
        &Method::POST,
        &url,
        HeaderMap::new(),
        br#"{"manual_scan_type":["linux_vul"],"batch_flag":true}"#,
        now,
    )
    .unwrap();
    let response = support::http_client()
        .post(&url)
        .headers(headers)
        .body(r#"{"manual_scan_type":["web_cms"],"batch_flag":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // Too big a body: the gateway's 413.
    let big = vec![b' '; 2 << 20];
    let (status, _) = f
        .send_raw(Method::PUT, &paths::vul_status_path(&p), &big)
        .await;
    assert_eq!(status, 413);
    // A known path with another method is no API.
    let (status, answer) = f
        .send(Method::DELETE, &paths::scan_policy_path(&p), &json!({}))
        .await;
    assert_eq!(status, 404, "{answer}");
}

#[tokio::test]
async fn faults_and_the_request_log_cover_the_new_operations() {
    let f = start(10).await;
    let p = f.p();
    f.fake
        .set_faults([FaultRule::first(1, Fault::server_error(503))]);
    let (status, _) = f.get(&paths::vulnerabilities_path(&p)).await;
    assert_eq!(status, 503);
    assert_eq!(f.get(&paths::vulnerabilities_path(&p)).await.0, 200);
    f.fake.clear_faults();
    let body = json!({"manual_scan_type": ["linux_vul"], "batch_flag": true});
    let (status, _) = f
        .send(Method::POST, &paths::create_scan_task_path(&p), &body)
        .await;
    assert_eq!(status, 200);
    let logged = f.fake.requests();
    let post = logged.iter().find(|r| r.method == Method::POST).unwrap();
    assert_eq!(post.raw_path, paths::create_scan_task_path(&p));
    assert_eq!(post.body, serde_json::to_vec(&body).unwrap());
    assert_eq!(post.status, Some(200));
    assert!(matches!(
        post.caller,
        Some(hss_fake::Caller::AccessKey { .. })
    ));

    f.fake
        .set_faults([FaultRule::first(1, Fault::TruncatedBody)]);
    let result = support::http_client()
        .get(f.fake.url(&paths::statistics_path(&p)))
        .header("X-Auth-Token", f.fake.token())
        .send()
        .await
        .unwrap()
        .bytes()
        .await;
    assert!(result.is_err(), "a truncated body fails to read");
}
