//! Shapes of the workflow the fake never sends, from scripted loopback
//! servers: listings that move, a download cut off, a waiter meeting its
//! deadline, `429` with `Retry-After` while waiting, an export that
//! fails, and state-changing requests that must not be sent twice.

mod support;

use std::time::{Duration, Instant};

use hss_ext::prelude::*;
use hss_ext::{
    DownloadOptions, ExportStatus, HostVulQuery, ScanRequest, ScanTaskQuery, TaskKind,
    VulHostQuery, VulnQuery, WaitOptions,
};
use support::{Reply, ScriptedServer, window};

fn client(server: &ScriptedServer) -> HssClient {
    HssClient::builder()
        .endpoint_url(server.base_url())
        .without_credentials()
        .project_id("p")
        .retry(RetryPolicy::default().with_initial_backoff(Duration::from_millis(10)))
        .build()
        .unwrap()
}

fn quick() -> WaitOptions {
    WaitOptions::default()
        .initial_interval(Duration::from_millis(100))
        .max_interval(Duration::from_millis(100))
        .jitter(0.0)
}

/// A page of vulnerabilities `ids` (each `linux_vul`).
fn vul_page(ids: &[String], offset: u64, limit: u64) -> String {
    let start = (offset as usize).min(ids.len());
    let end = (offset.saturating_add(limit) as usize).min(ids.len());
    let items: Vec<String> = ids[start..end]
        .iter()
        .map(|id| format!(r#"{{"vul_id":"{id}","type":"linux_vul","vul_name":"n"}}"#))
        .collect();
    format!(
        r#"{{"total_num":{},"data_list":[{}]}}"#,
        ids.len(),
        items.join(",")
    )
}

fn vul_ids(range: std::ops::Range<u32>) -> Vec<String> {
    range.map(|i| format!("V{i}")).collect()
}

#[tokio::test]
async fn a_vulnerability_list_that_moves_is_verified_and_complete() {
    // 30 vulnerabilities; after the first page, V0 is fixed and leaves,
    // so offset paging would skip V10.
    let server = ScriptedServer::start(|seen, n| {
        let (offset, limit) = window(seen);
        let ids = if n == 0 {
            vul_ids(0..30)
        } else {
            vul_ids(1..30)
        };
        Reply::json(200, vul_page(&ids, offset, limit))
    })
    .await;
    let vulns = client(&server)
        .collect_all(VulnQuery::new(), ListOptions::default().page_size(10))
        .await
        .unwrap();
    let mut ids: Vec<_> = vulns.iter().map(|v| v.vul_id.clone().unwrap()).collect();
    ids.sort();
    let mut expected = vul_ids(0..30);
    expected.sort();
    assert_eq!(ids, expected, "every vulnerability once, V0 included");
    assert!(server.requests().len() > 3, "a verifying pass was made");
}

#[tokio::test]
async fn a_list_that_always_repeats_fails_naming_what_repeated() {
    // Every page is the first: V0..V9 over and over.
    let server = ScriptedServer::start(|seen, _| {
        let (_, limit) = window(seen);
        Reply::json(200, vul_page(&vul_ids(0..30), 0, limit))
    })
    .await;
    let err = client(&server)
        .collect_all(
            HostVulQuery::new("host-1"),
            ListOptions::default().page_size(10),
        )
        .await
        .unwrap_err();
    let Error::IncompleteListing(drift) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(drift.items, "vulnerabilities");
    let text = err.to_string();
    assert!(text.contains("the list kept changing"), "{text}");
    assert!(text.contains("vulnerabilities seen twice"), "{text}");
}

#[tokio::test]
async fn listings_send_their_operation_and_filters() {
    let server =
        ScriptedServer::always(Reply::json(200, r#"{"total_num":0,"data_list":[]}"#)).await;
    let client = client(&server);
    client
        .collect_all(
            VulHostQuery::new("CVE-1", VulType::AppVul).status(hss_ext::VulStatus::Unfix),
            ListOptions::default(),
        )
        .await
        .unwrap();
    client
        .collect_all(
            ScanTaskQuery::new().scan_type(hss_ext::ScanType::Manual),
            ListOptions::default(),
        )
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].path(), "/v5/p/vulnerability/hosts");
    assert_eq!(requests[0].query("vul_id"), Some("CVE-1"));
    assert_eq!(requests[0].query("type"), Some("app_vul"));
    assert_eq!(requests[0].query("status"), Some("vul_status_unfix"));
    assert_eq!(requests[0].query("limit"), Some("200"));
    assert_eq!(requests[1].path(), "/v5/p/vulnerability/scan-tasks");
    assert_eq!(requests[1].query("scan_type"), Some("manual"));
    // Bad input never reaches the server.
    let err = client
        .collect_all(VulnQuery::new().vul_id(""), ListOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                parameter: "vul_id",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_download_cut_off_leaves_no_file() {
    // Announces 1000 bytes, sends 100, closes.
    let server = ScriptedServer::always(
        Reply::raw(200, "application/octet-stream", vec![b'x'; 100])
            .header("Content-Length", "1000")
            .header("Content-Disposition", "attachment; filename=\"vuls.csv\""),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.csv");
    std::fs::write(&path, b"the previous report").unwrap();
    let err = client(&server)
        .download_export("file-1", &path, DownloadOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { .. } | Error::Decode { .. }),
        "{err:?}"
    );
    // The earlier file is untouched and no partial file is left.
    assert_eq!(std::fs::read(&path).unwrap(), b"the previous report");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn a_download_reports_the_suggested_name_and_streams_to_a_writer() {
    let server = ScriptedServer::always(
        Reply::raw(200, "application/octet-stream", b"a,b\n1,2\n".to_vec()).header(
            "Content-Disposition",
            "attachment; filename=\"../vuls.csv\"",
        ),
    )
    .await;
    let mut out = Vec::new();
    let done = client(&server)
        .download_export_to("file-1", &mut out, DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(out, b"a,b\n1,2\n");
    assert_eq!(done.bytes, 8);
    assert_eq!(done.suggested_name.as_deref(), Some("vuls.csv"));
    assert_eq!(server.requests()[0].path(), "/v5/p/download/file-1");
}

fn task(status: &str) -> String {
    format!(
        r#"{{"total_num":1,"data_list":[{{"id":"t-1","status":"{status}","scanning_host_num":3,"success_host_num":5,"failed_host_num":1}}]}}"#
    )
}

#[tokio::test]
async fn a_waiter_meets_its_deadline_naming_the_task_and_its_state() {
    let server = ScriptedServer::always(Reply::json(200, task("running"))).await;
    let started = Instant::now();
    let err = client(&server)
        .wait_for_scan_task("t-1", quick().timeout(Duration::from_millis(450)))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    let Error::WaitTimeout {
        kind,
        task_id,
        last_state,
        polls,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*kind, TaskKind::ScanTask);
    assert_eq!(task_id, "t-1");
    assert_eq!(last_state.as_deref(), Some("running"));
    assert!(err.to_string().contains("t-1") && err.to_string().contains("running"));
    // Never busy: one poll per 100 ms at most (a slower machine polls
    // less), and it waited until its deadline. The exact schedule, and
    // that it stops at the deadline, are shown in virtual time (`wait.rs`).
    let requests = server.requests().len() as u32;
    // Every poll the waiter counts was sent; the one the deadline cut may
    // not have reached the server yet.
    assert!(
        requests == *polls || requests + 1 == *polls,
        "{requests} requests for {polls} polls"
    );
    assert!((1..=5).contains(polls), "{polls} polls");
    assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
    assert_eq!(server.requests()[0].query("task_id"), Some("t-1"));
}

#[tokio::test]
async fn a_waiter_honours_retry_after_and_does_not_multiply_requests() {
    let server = ScriptedServer::start(|_, n| match n {
        0 => Reply::json(
            429,
            r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#,
        )
        .header("Retry-After", "1"),
        1 => Reply::json(200, task("running")),
        _ => Reply::json(200, task("finished")),
    })
    .await;
    let started = Instant::now();
    let done = client(&server)
        .wait_for_scan_task("t-1", quick())
        .await
        .unwrap();
    assert_eq!(done.status.as_deref(), Some("finished"));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After waited for"
    );
    assert_eq!(
        server.requests().len(),
        3,
        "one request per poll, no retries on top"
    );
}

#[tokio::test]
async fn an_export_that_fails_is_reported_as_failed() {
    let server = ScriptedServer::start(|_, n| {
        if n == 0 {
            Reply::json(200, r#"{"task_id":"e-1","task_status":"running"}"#)
        } else {
            Reply::json(200, r#"{"task_id":"e-1","task_status":"failure"}"#)
        }
    })
    .await;
    let err = client(&server)
        .wait_for_export("e-1", quick())
        .await
        .unwrap_err();
    let Error::TaskFailed {
        kind,
        task_id,
        state,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*kind, task_id.as_str()), (TaskKind::Export, "e-1"));
    assert_eq!(ExportStatus::parse(state), ExportStatus::Failure);
    assert_eq!(server.requests()[0].path(), "/v5/p/export-task/e-1");
}

#[tokio::test]
async fn a_scan_that_failed_everywhere_is_reported_as_failed() {
    let server = ScriptedServer::always(Reply::json(
        200,
        r#"{"total_num":1,"data_list":[{"id":"t-1","status":"finished","success_host_num":0,"failed_host_num":4}]}"#,
    ))
    .await;
    let err = client(&server)
        .wait_for_scan_task("t-1", quick())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TaskFailed { .. }), "{err:?}");
    assert!(err.to_string().contains("every host (4)"), "{err}");
}

#[tokio::test]
async fn a_task_never_listed_ends_after_the_grace() {
    let server =
        ScriptedServer::always(Reply::json(200, r#"{"total_num":0,"data_list":[]}"#)).await;
    let err = client(&server)
        .wait_for_scan_task("t-9", quick().not_found_grace(Duration::from_millis(250)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TaskNotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn a_post_is_not_sent_again_after_a_server_error_but_is_after_429() {
    let server = ScriptedServer::always(Reply::json(503, r#"{"error_code":"HSS.0500"}"#)).await;
    let err = client(&server)
        .create_scan_task(&ScanRequest::new().vul_types([VulType::LinuxVul]))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        server.requests().len(),
        1,
        "a POST that may have run is not resent"
    );

    let server = ScriptedServer::start(|_, n| {
        if n == 0 {
            Reply::json(429, r#"{"error_code":"APIGW.0308"}"#)
        } else {
            Reply::json(200, r#"{"task_id":"t-2"}"#)
        }
    })
    .await;
    let id = client(&server)
        .create_scan_task(&ScanRequest::new())
        .await
        .unwrap();
    assert_eq!(id, "t-2");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "throttled before it ran: sent again");
    assert_eq!(requests[0].method, "POST");
}
