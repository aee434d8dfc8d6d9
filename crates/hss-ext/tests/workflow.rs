//! The whole vulnerability-scan workflow through `hss-ext` against
//! `hss-fake` on 127.0.0.1, signed with AK/SK: start a scan, wait for it,
//! list what failed, the vulnerabilities and their hosts, act on one,
//! read and set the policy, export and download the report; and a dry
//! run that sends nothing.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hss_ext::prelude::*;
use hss_ext::{
    DownloadOptions, ExportCategory, ExportRequest, HostVulQuery, ListQuery, PolicyStatus,
    RequestPreview, ScanPolicy, ScanRequest, ScanTaskQuery, ScanTaskStatus, Scope, VulHostQuery,
    VulOperation, VulStatusChange, VulnQuery, WaitOptions, WaitProgress,
};
use hss_fake::testing::ManualClock;

/// How long a scan and an export take on the fake's clock.
const SCAN: Duration = Duration::from_millis(600);
const EXPORT: Duration = Duration::from_millis(300);

async fn fake() -> hss_fake::RunningFake {
    fake_on(ManualClock::default()).await
}

/// The fake on `clock`, which the test moves: a waiter sees a task
/// running, then done, however slow the machine (at the present, so
/// signatures dated by the system clock pass).
async fn fake_on(clock: ManualClock) -> hss_fake::RunningFake {
    hss_fake::FakeHss::builder()
        .seed(11)
        .hosts(120)
        .clock(clock)
        .scan_task_duration(SCAN)
        .export_duration(EXPORT)
        .start()
        .await
        .expect("the fake starts")
}

fn client(fake: &hss_fake::RunningFake) -> HssClient {
    HssClient::builder()
        .endpoint_url(fake.base_url())
        .credentials(support::ak_sk(fake))
        .project_id(fake.project_id())
        .build()
        .unwrap()
}

fn quick() -> WaitOptions {
    WaitOptions::default()
        .initial_interval(Duration::from_millis(100))
        .max_interval(Duration::from_millis(200))
        .timeout(Duration::from_secs(30))
}

#[tokio::test]
async fn start_wait_list_act_export_download() {
    let clock = ManualClock::default();
    let fake = fake_on(clock.clone()).await;
    let client = client(&fake);

    // Start a scan and wait for it, watching the progress.
    let task_id = client
        .create_scan_task(&ScanRequest::new().vul_types([VulType::LinuxVul, VulType::WindowsVul]))
        .await
        .unwrap();
    let seen: Arc<Mutex<Vec<WaitProgress>>> = Arc::default();
    let (log, moved) = (Arc::clone(&seen), clock.clone());
    let task = client
        .wait_for_scan_task(
            &task_id,
            quick().on_progress(move |p| {
                log.lock().unwrap().push(p.clone());
                // Seen running: now the scan ends.
                if p.next_poll_in.is_some() {
                    moved.advance(SCAN);
                }
            }),
        )
        .await
        .unwrap();
    assert_eq!(task.id.as_deref(), Some(task_id.as_str()));
    assert_eq!(task.status(), Some(ScanTaskStatus::Finished));
    let progress = seen.lock().unwrap().clone();
    assert!(progress.len() >= 2, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0].elapsed <= w[1].elapsed));
    assert!(progress.iter().all(|p| p.task_id == task_id));
    let last = progress.last().unwrap();
    assert_eq!(last.state.as_deref(), Some("finished"));
    assert_eq!(last.next_poll_in, None);
    let counts = last.counts.unwrap();
    assert_eq!(counts.scanning, 0);

    // The task is listed; its failed hosts agree with its counts.
    let tasks = client
        .collect_all(ScanTaskQuery::new(), ListOptions::default())
        .await
        .unwrap();
    assert!(
        tasks
            .iter()
            .any(|t| t.id.as_deref() == Some(task_id.as_str()))
    );
    let failed = client
        .collect_all(
            HostQuery::new(&task_id).scan_status(ScanStatus::Failed),
            ListOptions::default().page_size(10).concurrency(3),
        )
        .await
        .unwrap();
    assert_eq!(failed.len() as u64, counts.failed);

    // Vulnerabilities, their hosts, and a host's vulnerabilities.
    let vulns = client
        .collect_all(
            VulnQuery::new(),
            ListOptions::default().page_size(10).concurrency(2),
        )
        .await
        .unwrap();
    assert!(!vulns.is_empty());
    let mut ids: Vec<_> = vulns
        .iter()
        .map(|v| VulnQuery::identity(v).unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), vulns.len(), "each vulnerability once");
    let vul = &vulns[0];
    let vul_id = vul.vul_id.clone().unwrap();
    let vul_type = VulType::parse(vul.type_.as_deref().unwrap());
    let hosts = client
        .collect_all(
            VulHostQuery::new(&vul_id, vul_type.clone()),
            ListOptions::default().page_size(10),
        )
        .await
        .unwrap();
    assert!(!hosts.is_empty());
    let host_id = hosts[0].host_id.clone().unwrap();
    let host_vuls = client
        .collect_all(
            HostVulQuery::new(&host_id),
            ListOptions::default().page_size(10),
        )
        .await
        .unwrap();
    assert!(
        host_vuls
            .iter()
            .any(|v| v.vul_id.as_deref() == Some(vul_id.as_str()))
    );
    let one = client
        .list_page(&HostVulQuery::new(&host_id).limit(10))
        .await
        .unwrap();
    assert_eq!(one.total_num, Some(host_vuls.len() as u64));

    let stats = client.vul_statistics(&Scope::new()).await.unwrap();
    assert!(stats.existed_vul_hosts.unwrap_or(0) > 0, "{stats:?}");

    // Act on one: ignore it on that host.
    client
        .change_vul_status(
            &VulStatusChange::new(VulOperation::Ignore)
                .vul_type(vul_type)
                .vul(&vul_id, [&host_id])
                .remark("accepted risk"),
        )
        .await
        .unwrap();

    // The policy round-trips.
    let shown = client.scan_policy(&Scope::new()).await.unwrap();
    let flipped = if shown.status.as_deref() == Some("open") {
        PolicyStatus::Close
    } else {
        PolicyStatus::Open
    };
    client
        .set_scan_policy(
            &ScanPolicy::from_shown(&shown)
                .status(flipped.clone())
                .at(2, 15),
        )
        .await
        .unwrap();
    let after = client.scan_policy(&Scope::new()).await.unwrap();
    assert_eq!(after.status.as_deref(), Some(flipped.as_str()));
    assert_eq!(after.time.unwrap().hour_part, Some(2));

    // Export, wait, download into a directory: one whole file, no leftovers.
    let export_id = client
        .export_vulns(&ExportRequest::new(ExportCategory::Vul))
        .await
        .unwrap();
    let moved = clock.clone();
    let export = client
        .wait_for_export(
            &export_id,
            quick().on_progress(move |p| {
                if p.next_poll_in.is_some() {
                    moved.advance(EXPORT);
                }
            }),
        )
        .await
        .unwrap();
    let file_id = export.file_id.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.csv");
    let done = client
        .download_export(&file_id, &path, DownloadOptions::default())
        .await
        .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(done.bytes, bytes.len() as u64);
    assert!(done.bytes > 0);
    assert_eq!(done.path.as_deref(), Some(path.as_path()));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["report.csv"], "no temporary file is left");

    // A limit below the file's size leaves nothing behind.
    let small = dir.path().join("small.csv");
    let err = client
        .download_export(&file_id, &small, DownloadOptions::default().max_bytes(8))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 8, .. }),
        "{err:?}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

fn assert_no_secrets(preview: &RequestPreview, fake: &hss_fake::RunningFake) {
    let key = fake.access_key();
    let shown = format!("{preview}\n{preview:?}");
    assert!(!shown.contains(key.sk.as_str()), "{shown}");
    assert!(!shown.contains(key.ak.as_str()), "{shown}");
    assert!(!shown.contains(fake.token()), "{shown}");
    let authorization = preview.header("authorization").expect("signed");
    assert!(
        authorization.contains("Signature=[REDACTED]"),
        "{authorization}"
    );
    assert!(
        authorization.starts_with("SDK-HMAC-SHA256 "),
        "{authorization}"
    );
}

#[tokio::test]
async fn a_dry_run_signs_but_sends_nothing_and_shows_no_secret() {
    let fake = fake().await;
    let client = client(&fake);
    let before = fake.request_count();

    let change = VulStatusChange::new(VulOperation::Ignore).vul("CVE-2024-6387", ["host-1"]);
    let preview = client
        .preview(|c| async move { c.change_vul_status(&change).await })
        .await
        .unwrap();
    assert_eq!(preview.method, "PUT");
    assert_eq!(
        preview.url,
        format!(
            "{}/v5/{}/vulnerability/status",
            fake.base_url(),
            fake.project_id()
        )
    );
    assert_eq!(preview.header("content-type"), Some("application/json"));
    assert!(preview.header("x-sdk-date").is_some());
    let body: serde_json::Value = serde_json::from_str(preview.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["operate_type"], "ignore");
    assert_no_secrets(&preview, &fake);

    let scan = client
        .preview(|c| async move {
            c.create_scan_task(&ScanRequest::new().vul_types([VulType::LinuxVul]))
                .await
        })
        .await
        .unwrap();
    assert_eq!(scan.method, "POST");
    assert_no_secrets(&scan, &fake);
    let policy = ScanPolicy::new(
        hss_ext::ScanPeriod::OneDay,
        hss_ext::ScanRange::AllHost,
        PolicyStatus::Open,
    );
    let set = client
        .preview(|c| async move { c.set_scan_policy(&policy).await })
        .await
        .unwrap();
    assert!(set.to_string().starts_with("PUT "), "{set}");
    let export = client
        .preview(|c| async move {
            c.export_vulns(&ExportRequest::new(ExportCategory::Host))
                .await
        })
        .await
        .unwrap();
    assert!(export.url.contains("category=host"), "{}", export.url);

    // Bad input is refused as the real call would refuse it.
    let err = client
        .preview(|c| async move {
            c.change_vul_status(&VulStatusChange::new(VulOperation::Verify))
                .await
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                parameter: "data_list",
                ..
            }
        ),
        "{err:?}"
    );

    assert_eq!(fake.request_count(), before, "nothing reached the server");
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());

    // The same client then sends for real.
    client
        .set_scan_policy(&ScanPolicy::new(
            hss_ext::ScanPeriod::OneWeek,
            hss_ext::ScanRange::AllHost,
            PolicyStatus::Open,
        ))
        .await
        .unwrap();
    assert_eq!(fake.request_count(), before + 1);
}

#[tokio::test]
async fn a_token_is_redacted_in_a_preview() {
    let fake = fake().await;
    let client = HssClient::builder()
        .endpoint_url(fake.base_url())
        .credentials(hss_ext::Credentials::token(hss_ext::SecretString::from(
            fake.token().to_owned(),
        )))
        .project_id(fake.project_id())
        .build()
        .unwrap();
    let preview = client
        .preview(|c| async move { c.vul_statistics(&Scope::new()).await })
        .await
        .unwrap();
    assert_eq!(preview.header("x-auth-token"), Some("[REDACTED]"));
    let shown = format!("{preview} {preview:?}");
    assert!(!shown.contains(fake.token()), "{shown}");
    assert!(fake.requests().is_empty());
}
