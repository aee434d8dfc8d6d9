//! The `hss-fake` binary: the simplest path (`hss-fake --hosts 3000` and a
//! query without parameters list 3,000 hosts) and its flags for a running
//! scan and page faults, over real HTTP on 127.0.0.1.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// A plain reqwest client for loopback http, with ring as its crypto
/// provider (the workspace builds reqwest without one of its own).
fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Every host ID listed by paging `url` (no other parameters) with `token`.
async fn list_all(url: &str, token: &str) -> (u64, HashSet<String>) {
    let client = http_client();
    let mut seen = HashSet::new();
    let bare: Value = client
        .get(url)
        .header("X-Auth-Token", token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let total = bare["total_num"].as_u64().unwrap();
    for offset in (0..total).step_by(200) {
        let page: Value = client
            .get(format!("{url}?offset={offset}&limit=200"))
            .header("X-Auth-Token", token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["total_num"].as_u64(), Some(total));
        for host in page["data_list"].as_array().unwrap() {
            seen.insert(host["host_id"].as_str().unwrap().to_owned());
        }
    }
    (total, seen)
}

/// The `hss-fake` binary, killed when dropped.
struct Binary(Child);

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `hss-fake --port 0 ARGS` and reads its banner until the line
/// starting with `until`: (base URL, banner lines).
fn run_binary(args: &[&str]) -> (Binary, String, Vec<String>) {
    let mut child = Binary(
        Command::new(env!("CARGO_BIN_EXE_hss-fake"))
            .args(["--port", "0", "--token", "test-token"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("hss-fake starts"),
    );
    let stdout = child.0.stdout.take().unwrap();
    let mut lines = Vec::new();
    // The banner ends with the `try: curl` line; bounded in case it never comes.
    for line in BufReader::new(stdout).lines().take(50) {
        let line = line.expect("banner line");
        let done = line.starts_with("try:");
        lines.push(line);
        if done {
            break;
        }
    }
    let base = lines
        .iter()
        .find_map(|l| l.strip_prefix("hss-fake listening on "))
        .expect("the banner names the address")
        .to_owned();
    (child, base, lines)
}

fn banner_value<'a>(lines: &'a [String], key: &str) -> &'a str {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(key))
        .map(|v| v.trim().split(' ').next().unwrap())
        .unwrap_or_else(|| panic!("no {key} in {lines:?}"))
}

#[tokio::test]
async fn the_binary_with_3000_hosts_lists_3000_without_parameters() {
    let (_child, base, lines) = run_binary(&["--hosts", "3000"]);
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let project = banner_value(&lines, "project_id:");
    let task = banner_value(&lines, "task_id:");
    let url = format!("{base}/v5/{project}/vulnerability/scan-task/{task}/hosts");
    let (total, seen) = list_all(&url, "test-token").await;
    assert_eq!(total, 3_000);
    assert_eq!(seen.len(), 3_000);
}

#[tokio::test]
async fn the_binary_runs_a_scan_and_serves_page_faults() {
    let (_child, base, lines) = run_binary(&[
        "--hosts",
        "400",
        "--scan-progress",
        "20:10",
        "--fault",
        "overlong:3@first:1",
    ]);
    assert!(
        lines.iter().any(|l| l.starts_with("scan progress:")),
        "{lines:?}"
    );
    let project = banner_value(&lines, "project_id:");
    let task = banner_value(&lines, "task_id:");
    let url = format!("{base}/v5/{project}/vulnerability/scan-task/{task}/hosts");
    let client = http_client();
    let get = |query: &'static str| {
        let request = client
            .get(format!("{url}?{query}"))
            .header("X-Auth-Token", "test-token");
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let first = get("limit=10").await;
    assert_eq!(first["data_list"].as_array().unwrap().len(), 13);
    let mut scanning = Vec::new();
    for _ in 0..200 {
        let page = get("scan_status=scanning").await;
        scanning.push(page["total_num"].as_u64().unwrap());
        if scanning.last() == Some(&0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(scanning.last(), Some(&0), "{scanning:?}");
    assert!(scanning.windows(2).all(|w| w[1] <= w[0]), "{scanning:?}");
}

#[tokio::test]
async fn the_workflow_speeds_are_flags() {
    let (_child, base, lines) = run_binary(&[
        "--hosts",
        "40",
        "--scan-task-ms",
        "0",
        "--scan-task-failed-percent",
        "100",
    ]);
    let project = banner_value(&lines, "project_id:");
    let client = http_client();
    let created: Value = client
        .post(format!("{base}/v5/{project}/vulnerability/scan-task"))
        .header("X-Auth-Token", "test-token")
        .json(&serde_json::json!({"manual_scan_type": ["linux_vul"], "batch_flag": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task = created["task_id"].as_str().expect("a task id").to_owned();
    let url = format!("{base}/v5/{project}/vulnerability/scan-task/{task}/hosts");
    // A scan that takes no time is over at the first look, and every host
    // of it failed, as the flags say.
    let (total, _) = list_all(&url, "test-token").await;
    assert!(total > 0);
    let failed: Value = client
        .get(format!("{url}?scan_status=failed&limit=10"))
        .header("X-Auth-Token", "test-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(failed["total_num"].as_u64(), Some(total));
}

#[test]
fn the_banner_says_how_to_point_hss_at_the_fake() {
    let (_child, base, lines) = run_binary(&["--hosts", "10", "--region", "ap-southeast-1"]);
    let export = lines
        .iter()
        .find_map(|l| l.trim().strip_prefix("export "))
        .unwrap_or_else(|| panic!("no export line in {lines:?}"));
    let vars: std::collections::HashMap<&str, &str> = export
        .split(' ')
        .filter_map(|word| word.split_once('='))
        .collect();
    assert_eq!(vars["HUAWEICLOUD_SDK_AK"], banner_value(&lines, "AK / SK:"));
    assert!(vars.contains_key("HUAWEICLOUD_SDK_SK"), "{export}");
    assert_eq!(vars["HUAWEICLOUD_SDK_REGION"], "ap-southeast-1");
    assert_eq!(vars["HUAWEICLOUD_SDK_REGION_HSS_AP_SOUTHEAST_1"], base);
    assert_eq!(
        vars["HUAWEICLOUD_SDK_IAM_ENDPOINT"], base,
        "the fake is IAM too"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.trim() == "cargo run -q -p hss-cli -- auth check"),
        "{lines:?}"
    );
}
