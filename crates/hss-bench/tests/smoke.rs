//! Smoke tests: the code paths of the benchmarks on a few hundred hosts.
//! They check that every row lists every host, not how fast.

use std::process::Command;

use hss_bench::Target;
use hss_bench::floor::{self, Decode};
use hss_bench::run::{self, Variant};
use hss_bench::sdk::{self, Auth};

const HOSTS: usize = 450;

async fn fake() -> (hss_fake::RunningFake, Target) {
    let fake = hss_fake::FakeHss::builder()
        .seed(hss_bench::fixture::SEED)
        .hosts(HOSTS)
        // Several projects, so listing every host needs all_granted_eps.
        .enterprise_projects(3)
        .start()
        .await
        .expect("the fake starts");
    let key = fake.access_key().clone();
    let target = Target {
        base_url: fake.base_url(),
        project_id: fake.project_id(),
        task_id: fake.task_id(),
        token: fake.token().to_owned(),
        ak: key.ak,
        sk: key.sk,
    };
    (fake, target)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_row_lists_every_host_of_every_enterprise_project() {
    let (fake, target) = fake().await;
    let all = fake
        .matching_hosts(&target.task_id, Some("all_granted_eps"), None)
        .unwrap()
        .len() as u64;
    assert_eq!(all, HOSTS as u64);
    // Without all_granted_eps only about half would count.
    assert!(
        fake.matching_hosts(&target.task_id, None, None)
            .unwrap()
            .len()
            < HOSTS
    );

    let http = floor::http_client().unwrap();
    for decode in [Decode::Structs, Decode::Value] {
        assert_eq!(
            floor::list(&http, &target, decode, u64::MAX).await.unwrap(),
            all
        );
    }
    for auth in [Auth::Token, Auth::AkSk] {
        let client = sdk::client(&target, auth).unwrap();
        for concurrency in [1, 8] {
            let seen = sdk::list(&client, &target, concurrency, u64::MAX)
                .await
                .unwrap();
            assert_eq!(seen, all, "{auth:?}, concurrency {concurrency}");
        }
    }
    for variant in [Variant::Floor, Variant::Sdk { concurrency: 3 }] {
        let timed = run::listing(variant, &target, u64::MAX, all).await.unwrap();
        assert_eq!(timed.hosts, all);
        assert!(timed.rate() > 0.0);
        // Stopping early stops at the host asked for, mid-page.
        let timed = run::listing(variant, &target, 250, 250).await.unwrap();
        assert_eq!(timed.hosts, 250);
    }
    // A count that does not match is an error, not a figure.
    assert!(
        run::listing(Variant::Floor, &target, u64::MAX, all + 1)
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_child_streams_with_either_client_and_reports_its_peak() {
    let (_fake, target) = fake().await;
    let floor = hss_bench::child::stream_hosts(&target, Variant::Floor, 300)
        .await
        .unwrap();
    assert_eq!(floor.hosts, 300);
    let report = hss_bench::child::stream_hosts(&target, Variant::Sdk { concurrency: 4 }, 300)
        .await
        .unwrap();
    assert_eq!(report.hosts, 300);
    if cfg!(target_os = "linux") {
        assert!(report.after.peak_kib >= report.before.current_kib);
        assert!(report.after.peak_kib > 0);
    }
}

#[test]
fn the_e2e_binary_runs_end_to_end_on_a_small_task() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("e2e.json");
    let output = Command::new(env!("CARGO_BIN_EXE_e2e"))
        .args([
            "--hosts",
            "400",
            "--rounds",
            "2",
            "--latency-ms",
            "0,5",
            "--no-python",
            "--mem-hosts",
            "200,400",
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for expected in [
        "| 0 ms | a floor",
        "| 5 ms | c hss-ext stream, concurrency 8",
        "| 0 ms | b/a |",
        "| 400 hosts |",
    ] {
        assert!(stdout.contains(expected), "no {expected:?} in\n{stdout}");
    }
    assert!(stderr.contains("row d skipped: --no-python"), "{stderr}");

    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let latencies = results["latencies"].as_array().unwrap();
    assert_eq!(latencies.len(), 2);
    for at in latencies {
        // Without latency the rows run three times the rounds.
        let rounds = if at["latency_ms"] == 0 { 6 } else { 2 };
        for row in ["floor", "sdk", "sdk_concurrent"] {
            assert_eq!(at[row]["hosts"], 400, "{row}");
            assert_eq!(at[row]["rates"].as_array().unwrap().len(), rounds, "{row}");
        }
        assert!(at["python"].is_null());
    }
    let memory = results["memory"].as_array().unwrap();
    assert_eq!(memory.len(), 2);
    assert_eq!(memory[1]["report"]["hosts"], 400);
}

#[test]
fn the_micro_report_runs() {
    let output = Command::new(env!("CARGO_BIN_EXE_micro-report"))
        .arg("--quick")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("decode speed-up of the generated types over serde_json::Value"));
}
