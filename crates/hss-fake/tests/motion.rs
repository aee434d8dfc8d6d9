//! Tasks that move while they are listed, over real HTTP on 127.0.0.1: a
//! running scan, hosts inserted at the front and removed from the middle,
//! and hosts joining and leaving over time.

mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use hss_fake::testing::ManualClock;
use hss_fake::{FakeHss, FakeHssBuilder, HostChurn, RunningFake, ScanProgress};
use serde_json::Value;

async fn get(fake: &RunningFake, query: &str) -> Value {
    let url = format!("{}?{query}", fake.hosts_url(&fake.task_id()));
    let response = support::http_client()
        .get(url)
        .header("X-Auth-Token", fake.token())
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON body")
}

fn total(page: &Value) -> u64 {
    page["total_num"].as_u64().expect("total_num")
}

fn ids(page: &Value) -> Vec<String> {
    page["data_list"]
        .as_array()
        .expect("data_list")
        .iter()
        .map(|h| h["host_id"].as_str().expect("host_id").to_owned())
        .collect()
}

/// Every host ID a filter lists, page by page.
async fn list_ids(fake: &RunningFake, filter: &str) -> Vec<String> {
    let mut all = Vec::new();
    for offset in (0..2_000).step_by(200) {
        let page = get(fake, &format!("limit=200&offset={offset}{filter}")).await;
        let got = ids(&page);
        if got.is_empty() {
            break;
        }
        all.extend(got);
    }
    all
}

fn builder(clock: &ManualClock) -> FakeHssBuilder {
    FakeHss::builder().seed(17).hosts(600).clock(clock.clone())
}

#[tokio::test]
async fn a_scanning_listing_shrinks_and_shifts_left_as_hosts_finish() {
    let fake = builder(&ManualClock::default()).start().await.unwrap();
    let task = fake.task_id();
    let scanning = list_ids(&fake, "&scan_status=scanning").await;
    let success = total(&get(&fake, "scan_status=success").await);
    let failed = total(&get(&fake, "scan_status=failed").await);
    assert!(scanning.len() > 40, "{} scanning", scanning.len());

    assert_eq!(fake.advance_scan(&task, 25), Some(25));
    let page = get(&fake, "scan_status=scanning&limit=200").await;
    assert_eq!(total(&page), scanning.len() as u64 - 25);
    let still = list_ids(&fake, "&scan_status=scanning").await;
    // The hosts still scanning keep their order; each moved left by the
    // number of finished hosts listed before it.
    let gone: HashSet<&String> = scanning.iter().filter(|h| !still.contains(h)).collect();
    assert_eq!(gone.len(), 25);
    let expected: Vec<String> = scanning
        .iter()
        .filter(|h| !gone.contains(h))
        .cloned()
        .collect();
    assert_eq!(still, expected);
    let last = still.last().unwrap();
    let old_offset = scanning.iter().position(|h| h == last).unwrap();
    let gone_before = scanning[..old_offset]
        .iter()
        .filter(|h| gone.contains(h))
        .count();
    assert!(gone_before > 0);
    assert_eq!(still.len() - 1, old_offset - gone_before);
    let success_now = total(&get(&fake, "scan_status=success").await);
    let failed_now = total(&get(&fake, "scan_status=failed").await);
    assert_eq!(success_now + failed_now, success + failed + 25);
    assert!(success_now > success, "some finished as success");

    // Finished hosts look like generated ones: a failed one says why.
    let failed_list = get(&fake, "scan_status=failed&limit=200").await;
    for host in failed_list["data_list"].as_array().unwrap() {
        assert!(
            !host["failed_reasons"].as_array().unwrap().is_empty(),
            "{host}"
        );
    }
    // It ends: asking for more than are left finishes the rest.
    let left = still.len();
    assert_eq!(fake.advance_scan(&task, 10_000), Some(left));
    assert_eq!(total(&get(&fake, "scan_status=scanning").await), 0);
    assert_eq!(fake.advance_scan(&task, 1), Some(0));
    assert_eq!(fake.advance_scan("nope", 1), None);
}

#[tokio::test]
async fn scan_progress_follows_the_fakes_clock() {
    let clock = ManualClock::default();
    let progress = ScanProgress::new(3, Duration::from_secs(1)).failed_percent(50);
    let fake = builder(&clock)
        .scan_progress(progress)
        .start()
        .await
        .unwrap();
    let start = scanning(&fake).await;
    let all = total(&get(&fake, "").await);
    clock.advance(Duration::from_millis(999));
    assert_eq!(scanning(&fake).await, start, "no step before a second");
    clock.advance(Duration::from_millis(1));
    assert_eq!(scanning(&fake).await, start - 3);
    clock.advance(Duration::from_secs(4));
    assert_eq!(scanning(&fake).await, start - 15);
    // Finished hosts are counted by the other filters, none is lost.
    let success = total(&get(&fake, "scan_status=success").await);
    let failed = total(&get(&fake, "scan_status=failed").await);
    assert_eq!(success + failed + start - 15, all);
    clock.advance(Duration::from_secs(3_600));
    assert_eq!(scanning(&fake).await, 0);
    assert_eq!(total(&get(&fake, "").await), all);

    // The same seed and as many finished hosts give the same data, however
    // the steps were batched.
    let clock2 = ManualClock::default();
    let again = builder(&clock2)
        .scan_progress(progress)
        .start()
        .await
        .unwrap();
    clock2.advance(Duration::from_secs(5));
    let _ = scanning(&again).await;
    clock2.advance(Duration::from_secs(3_600));
    assert_eq!(again.dataset(), fake.dataset());
}

#[tokio::test]
async fn scan_progress_runs_on_the_system_clock_until_the_scan_ends() {
    // About 70 hosts scanning, one finishing every 25 ms: almost 2 seconds.
    let progress = ScanProgress::new(1, Duration::from_millis(25));
    let fake = FakeHss::builder()
        .seed(17)
        .hosts(600)
        .scan_progress(progress)
        .start()
        .await
        .unwrap();
    // Each sample with when its request went and when its answer came.
    let mut samples = Vec::new();
    let sample = || async {
        let sent = Instant::now();
        let scanning = total(&get(&fake, "scan_status=scanning").await);
        (sent, scanning, Instant::now())
    };
    samples.push(sample().await);
    // However slow the machine: the scanning hosts left at the first
    // answer finish one per step after it, so a request sent later (two
    // steps of leeway for the two clocks) must find none. No other bound:
    // a slow machine only samples less often.
    let (_, first, answered) = samples[0];
    let ended_by = answered + progress.every * (first as u32 + 2);
    while samples
        .last()
        .is_some_and(|(sent, scanning, _)| *scanning > 0 && *sent < ended_by)
    {
        tokio::time::sleep(Duration::from_millis(15)).await;
        samples.push(sample().await);
    }
    let seen: Vec<u64> = samples.iter().map(|(_, scanning, _)| *scanning).collect();
    assert_eq!(seen.last(), Some(&0), "the scan ends: {seen:?}");
    assert!(seen.windows(2).all(|w| w[1] <= w[0]), "{seen:?}");
    assert!(seen[0] > 0, "{seen:?}");
    // It took steps, never more than the time between two samples allows
    // (one more for where the steps fall, one for the two clocks): not all
    // at once.
    for pair in samples.windows(2) {
        let ((sent, before, _), (_, after, answered)) = (pair[0], pair[1]);
        let steps = (answered - sent).as_nanos() / progress.every.as_nanos();
        assert!(
            u128::from(before - after) <= steps + 2,
            "{before} to {after} in {:?}: {seen:?}",
            answered - sent
        );
    }
}

#[tokio::test]
async fn hosts_inserted_at_the_front_and_removed_from_the_middle_move_pages() {
    let fake = FakeHss::builder().seed(5).hosts(120).start().await.unwrap();
    let task = fake.task_id();
    let before = list_ids(&fake, "").await;
    assert_eq!(before.len(), 120);

    let added = fake.insert_hosts(&task, 0, 3).unwrap();
    let added: Vec<String> = added
        .iter()
        .map(|h| h.info.host_id.clone().unwrap())
        .collect();
    let first = get(&fake, "limit=10&offset=0").await;
    assert_eq!(total(&first), 123);
    assert_eq!(ids(&first)[..3], added[..]);
    assert_eq!(ids(&first)[3..], before[..7]);
    // What was at offset 10 is now at 13.
    let shifted = get(&fake, "limit=10&offset=13").await;
    assert_eq!(ids(&shifted), before[10..20]);
    assert!(added.iter().all(|h| !before.contains(h)), "new hosts");

    // Remove 5 from the middle: what was at 60..70 (now 63..73) moves to 58.
    let removed = fake.remove_hosts_at(&task, 50..55).unwrap();
    let removed: Vec<String> = removed
        .iter()
        .map(|h| h.info.host_id.clone().unwrap())
        .collect();
    assert_eq!(removed, before[47..52]);
    let page = get(&fake, "limit=10&offset=58").await;
    assert_eq!(total(&page), 118);
    assert_eq!(ids(&page), before[60..70]);
    assert_eq!(fake.remove_hosts_at(&task, 500..), Some(Vec::new()));
    let rest = fake.remove_hosts_at(&task, 100..).unwrap();
    assert_eq!(rest.len(), 18);
    assert_eq!(total(&get(&fake, "").await), 100);
    assert!(fake.insert_hosts("nope", 0, 1).is_none());
}

#[tokio::test]
async fn churn_adds_and_removes_hosts_over_time_within_bounds() {
    let clock = ManualClock::default();
    let churn = HostChurn::new(4, 2, Duration::from_secs(1)).bounds(100, 140);
    let fake = FakeHss::builder()
        .seed(23)
        .hosts(120)
        .clock(clock.clone())
        .host_churn(churn)
        .start()
        .await
        .unwrap();
    let before = list_ids(&fake, "").await;
    clock.advance(Duration::from_secs(1));
    let after = list_ids(&fake, "").await;
    assert_eq!(after.len(), 122);
    assert_eq!(total(&get(&fake, "").await), 122);
    let stayed: Vec<&String> = before.iter().filter(|h| after.contains(h)).collect();
    assert_eq!(stayed.len(), 118, "two left");
    let kept_order: Vec<&String> = after.iter().filter(|h| before.contains(h)).collect();
    assert_eq!(stayed, kept_order, "the others keep their order");
    // However long nobody looks, the task stays within its bounds.
    clock.advance(Duration::from_secs(86_400));
    assert_eq!(total(&get(&fake, "").await), 140);
    let ids: HashSet<String> = list_ids(&fake, "").await.into_iter().collect();
    assert_eq!(ids.len(), 140, "no host is listed twice");
}

async fn scanning(fake: &RunningFake) -> u64 {
    total(&get(fake, "scan_status=scanning").await)
}
