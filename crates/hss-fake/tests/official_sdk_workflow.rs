//! Checked by something we did not write: the official Python SDK
//! (`huaweicloudsdkhss` and `huaweicloudsdkcore` 3.1.219, pinned in
//! `crates/hss-auth/tests/interop/requirements.txt`) calls every operation
//! of the vulnerability-scan workflow against hss-fake with its own
//! request models and signer (AK/SK, bodies included), parses every answer
//! with its own response models, and prints what it got; this test
//! asserts that against the fake's state.
//!
//! The SDK is prepared by `crates/hss-auth/tests/interop/official_sdk.rs`
//! (a venv under the target directory, made by the test itself;
//! `$HSS_INTEROP_PYTHON` overrides). Without it the test fails;
//! `HSS_SKIP_OFFICIAL_SDK=1` skips it on purpose.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use hss_fake::testing::ManualClock;
use hss_fake::{DEFAULT_REGION, FakeHss, RunningFake, paths};
use serde_json::Value;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/vul_workflow.py");

#[path = "../../hss-auth/tests/interop/official_sdk.rs"]
mod pinned_sdk;

/// Runs the script against `fake`; its exit code and JSON output.
async fn official_sdk(python: &Path, fake: &RunningFake) -> (i32, Value) {
    let key = fake.access_key();
    let mut command = pinned_sdk::loopback_script(python, SCRIPT);
    command
        .args([
            fake.base_url(),
            DEFAULT_REGION.to_owned(),
            fake.project_id(),
        ])
        .env("HSS_INTEROP_AK", &key.ak)
        .env("HSS_INTEROP_SK", &key.sk);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("the script runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "the script printed no JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), value)
}

/// Moves `clock` on by `by` once the fake has answered a `GET` whose path
/// `is_poll` accepts. The guard only stops a script that never polls.
fn move_clock_after(
    fake: &RunningFake,
    clock: &ManualClock,
    by: Duration,
    is_poll: impl Fn(&str) -> bool,
) {
    let guard = std::time::Instant::now() + Duration::from_secs(600);
    while !fake.requests().iter().any(|r| {
        r.method == http::Method::GET
            && r.status == Some(200)
            && is_poll(r.raw_path.split('?').next().unwrap_or(""))
    }) {
        assert!(std::time::Instant::now() < guard, "the SDK never polled");
        std::thread::sleep(Duration::from_millis(10));
    }
    clock.advance(by);
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_sdk_runs_the_whole_workflow_against_the_fake() {
    let Some(python) =
        pinned_sdk::python("the_official_sdk_runs_the_whole_workflow_against_the_fake")
    else {
        return;
    };
    // The scan and the export move on a clock this test moves, once the SDK
    // has read each as running, so "running" is seen however slow the
    // machine (the SDK signs with the system clock; the moves stay far
    // inside the gateway's 15 minutes of allowed skew).
    let (clock, scan, export) = (
        ManualClock::default(),
        Duration::from_millis(600),
        Duration::from_millis(300),
    );
    let fake = FakeHss::builder()
        .seed(71)
        .hosts(60)
        .clock(clock.clone())
        .scan_task_duration(scan)
        .scan_task_failed_percent(40)
        .export_duration(export)
        .start()
        .await
        .unwrap();
    let fake = std::sync::Arc::new(fake);
    let project = fake.project_id();
    let mover = {
        let (fake, clock) = (fake.clone(), clock.clone());
        std::thread::spawn(move || {
            move_clock_after(&fake, &clock, scan, |path| {
                path == paths::scan_tasks_path(&project)
            });
            move_clock_after(&fake, &clock, export, |path| {
                path.starts_with(&paths::export_task_path(&project, ""))
            });
        })
    };

    let (code, sdk) = official_sdk(&python, &fake).await;
    mover.join().expect("the clock was moved");
    assert_eq!(code, 0, "{sdk}");

    // The scan: started running, ended with successes and failures that
    // add up, failed hosts with their causes.
    let task_id = sdk["task_id"].as_str().unwrap();
    assert_eq!(task_id.len(), 32);
    assert_eq!(sdk["first_status"], "running");
    let task = &sdk["task"];
    assert_eq!(task["status"], "finished");
    assert_eq!(task["scan_type"], "manual");
    assert_eq!(
        strings(&task["scan_vul_types"]),
        ["linux_vul", "windows_vul", "urgent_vul"]
    );
    assert_eq!(task["scanning"], 0);
    let (ok, failed) = (
        task["success"].as_u64().unwrap(),
        task["failed"].as_u64().unwrap(),
    );
    assert_eq!(ok + failed, 60);
    assert!(ok > 0 && failed > 0, "{task}");
    assert!(task["end_time"].as_i64().unwrap() >= task["start_time"].as_i64().unwrap());
    let failed_hosts = sdk["failed_hosts"].as_array().unwrap();
    assert_eq!(failed_hosts.len() as u64, failed);
    let servers: BTreeSet<String> = fake.server_ids().into_iter().collect();
    for host in failed_hosts {
        assert!(servers.contains(host["host_id"].as_str().unwrap()));
        let reasons = strings(&host["reasons"]);
        assert!(
            !reasons.is_empty() && reasons.iter().all(|r| !r.is_empty()),
            "{host}"
        );
    }
    let matching = fake.matching_hosts(task_id, None, Some("failed")).unwrap();
    assert_eq!(matching.len() as u64, failed);

    // Vulnerabilities, their hosts and one host's, as the fake has them.
    let vul_id = sdk["vul_id"].as_str().unwrap();
    let row = sdk["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["vul_id"] == vul_id)
        .unwrap();
    assert!(!strings(&row["cves"]).is_empty());
    let host_ids = strings(&sdk["vul_host_ids"]);
    assert_eq!(
        row["unhandle_host_num"].as_u64().unwrap() as usize,
        host_ids.len()
    );
    assert_eq!(
        sdk["vul_hosts_total"].as_u64().unwrap() as usize,
        host_ids.len()
    );
    for host in &host_ids {
        let vuls = fake.host_vuls(host).unwrap();
        let on_host = vuls.iter().find(|v| v.vul_id == vul_id).unwrap();
        assert_eq!(
            on_host.status, "vul_status_ignored",
            "the SDK ignored it on {host}"
        );
    }
    let listed: BTreeSet<String> = sdk["host_vuls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["vul_id"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = fake
        .host_vuls(&host_ids[0])
        .unwrap()
        .into_iter()
        .filter(|v| v.vul_type == "linux_vul")
        .map(|v| v.vul_id)
        .collect();
    assert_eq!(listed, expected);

    // The status change shows in the lists and the statistics.
    assert_eq!(sdk["change_status_code"], 200);
    assert_eq!(sdk["unhandled_after"], 0);
    assert!(sdk["ignored_after"].as_u64().unwrap() >= host_ids.len() as u64);
    let (before, after) = (&sdk["stats_before"], &sdk["stats_after"]);
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap();
    assert_eq!(n(after, "unrepair"), n(before, "unrepair") - 1);
    assert_eq!(
        n(after, "today_handle"),
        n(before, "today_handle") + host_ids.len() as u64
    );
    assert_eq!(
        n(after, "all_handle"),
        n(before, "all_handle") + host_ids.len() as u64
    );
    assert!(n(before, "supported") > 0);

    // The policy round trip.
    assert_eq!(sdk["policy_before"]["total_host_num"], 60);
    let policy = &sdk["policy_after"];
    assert_eq!(policy["scan_period"], "one_week");
    assert_eq!(policy["scan_range_type"], "specific_host");
    assert_eq!(policy["status"], "close");
    assert_eq!(
        strings(&policy["host_ids"]),
        host_ids[..2.min(host_ids.len())]
    );
    assert_eq!(strings(&policy["scan_vul_types"]), ["linux_vul"]);
    assert_eq!(policy["hour_part"], 3);

    // The export, its file downloaded through the SDK's stream.
    assert_eq!(sdk["export_first_status"], "running");
    assert_eq!(sdk["export"]["task_status"], "success");
    let file = sdk["file"].as_str().unwrap();
    let lines: Vec<&str> = file.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "ID,Servers");
    assert!(
        lines[1..]
            .iter()
            .any(|l| l.starts_with(&format!("{vul_id},"))),
        "{file}"
    );

    // Every request the SDK sent was accepted, and every operation was called.
    let requests = fake.requests();
    assert!(
        requests.iter().all(|r| r.status == Some(200)),
        "{requests:#?}"
    );
    assert!(
        requests
            .iter()
            .all(|r| matches!(r.caller, Some(hss_fake::Caller::AccessKey { .. })))
    );
    let called: BTreeSet<(String, String)> = requests
        .iter()
        .map(|r| (r.method.to_string(), route_name(&r.raw_path)))
        .collect();
    for (method, route) in [
        ("POST", "vulnerability/scan-task"),
        ("GET", "vulnerability/scan-tasks"),
        ("GET", "vulnerability/scan-task/*/hosts"),
        ("GET", "vulnerability/vulnerabilities"),
        ("GET", "vulnerability/hosts"),
        ("GET", "vulnerability/host/*"),
        ("GET", "vulnerability/statistics"),
        ("PUT", "vulnerability/status"),
        ("GET", "vulnerability/scan-policy"),
        ("PUT", "vulnerability/scan-policy"),
        ("POST", "vul/export"),
        ("GET", "export-task/*"),
        ("GET", "download/*"),
    ] {
        assert!(
            called.contains(&(method.to_owned(), route.to_owned())),
            "{method} {route} not called: {called:?}"
        );
    }
}

/// The path after the project, with IDs as `*`.
fn route_name(raw_path: &str) -> String {
    let rest: Vec<&str> = raw_path.split('/').skip(3).collect();
    match rest.as_slice() {
        ["vulnerability", "scan-task", _, "hosts"] => "vulnerability/scan-task/*/hosts".to_owned(),
        ["vulnerability", "host", _] => "vulnerability/host/*".to_owned(),
        [first @ ("export-task" | "download"), _] => format!("{first}/*"),
        other => other.join("/"),
    }
}
