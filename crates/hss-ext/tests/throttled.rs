//! Listings against a fake that throttles like the API gateway (a token
//! bucket per credential, `429` `APIGW.0308` with `Retry-After`), over
//! loopback: they complete with every host once, answer each 429 by
//! slowing down (never by adding load), honour a user's ceiling, share
//! the rate across clones, and fail loudly when the service never lets
//! them through. Only what holds however slow or busy the machine is is
//! asserted here, with bounds derived from the algorithm; how few 429s
//! and how near the limit is exact in virtual time, against a simulated
//! gateway (`src/rate/sim.rs`), and speed is measured in `BENCHMARKS.md`.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use hss_ext::{Error, HostQuery, HssClient, ListOptions, RetryPolicy};
use hss_fake::{FakeHss, RateLimit, RunningFake};

/// A fake of `hosts` hosts (seeded, every request logged) that throttles
/// at `limit`, if any.
async fn fake(hosts: usize, limit: Option<RateLimit>) -> RunningFake {
    let mut builder = FakeHss::builder()
        .seed(16)
        .hosts(hosts)
        .request_log_capacity(100_000);
    if let Some(limit) = limit {
        builder = builder.rate_limit(limit);
    }
    builder.start().await.unwrap()
}

/// A client signing with the fake's AK/SK.
fn client(fake: &RunningFake) -> hss_ext::HssClientBuilder {
    let key = fake.access_key();
    HssClient::builder()
        .endpoint_url(fake.base_url())
        .credentials(hss_ext::Credentials::ak_sk(
            key.ak.clone(),
            hss_ext::SecretString::from(key.sk.clone()),
        ))
        .project_id(fake.project_id())
}

fn query(fake: &RunningFake) -> HostQuery {
    HostQuery::new(fake.task_id())
}

/// Statuses the fake answered to listing requests, in order.
fn statuses(fake: &RunningFake) -> Vec<u16> {
    fake.requests()
        .iter()
        .filter(|r| r.raw_path.ends_with("/hosts"))
        .filter_map(|r| r.status)
        .collect()
}

/// Statuses as runs, `200×12 429×3 ...`, for failure messages.
fn compact(statuses: &[u16]) -> String {
    let mut runs: Vec<(u16, usize)> = Vec::new();
    for status in statuses {
        match runs.last_mut() {
            Some((last, n)) if last == status => *n += 1,
            _ => runs.push((*status, 1)),
        }
    }
    runs.iter()
        .map(|(status, n)| format!("{status}×{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The least `Retry-After` the fake sends with a `429` (whole seconds).
const LEAST_RETRY_AFTER: Duration = Duration::from_secs(1);

/// Checks that no `429` added load, however slow the machine: every page
/// got through `listings` times, and every 429 was followed by exactly one
/// more request for its page (none from a client that gave up, never
/// several); with one listing, none sooner than the `Retry-After` after
/// the refused one. Returns the most 429s one page drew.
fn assert_429s_slow_down(fake: &RunningFake, listings: usize) -> usize {
    let mut by_page: BTreeMap<String, Vec<(SystemTime, u16)>> = BTreeMap::new();
    for request in fake.requests() {
        if let (true, Some(status)) = (request.raw_path.ends_with("/hosts"), request.status) {
            let offset = request
                .query_pairs()
                .into_iter()
                .find(|(name, _)| name == "offset")
                .map(|(_, value)| value)
                .unwrap_or_default();
            by_page
                .entry(offset)
                .or_default()
                .push((request.received_at, status));
        }
    }
    let mut most = 0;
    for (offset, requests) in &by_page {
        let refused = requests.iter().filter(|(_, s)| *s == 429).count();
        let ok = requests.iter().filter(|(_, s)| *s == 200).count();
        assert_eq!(
            (ok, requests.len()),
            (listings, listings + refused),
            "offset {offset}: {requests:?}"
        );
        most = most.max(refused.div_ceil(listings));
        if listings == 1 {
            for pair in requests.windows(2) {
                let waited = pair[1].0.duration_since(pair[0].0).unwrap_or_default();
                assert!(waited >= LEAST_RETRY_AFTER, "offset {offset}: {requests:?}");
            }
        }
    }
    // A page the fake refused as often as the client tries would have
    // failed the listing.
    assert!(most < RetryPolicy::default().max_attempts() as usize);
    most
}

fn distinct_ids(hosts: &[hss_ext::hss_api::types::VulScanTaskHostInfo]) -> usize {
    hosts
        .iter()
        .filter_map(|h| h.host_id.as_deref())
        .collect::<HashSet<_>>()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_under_a_rate_limit_completes_and_slows_down_on_429s() {
    // 150 pages of 10 against 40 requests/s with a burst of 8: about 3.6 s
    // on a quiet machine.
    let limit = RateLimit::new(40.0, 8);
    let fake = fake(1_500, Some(limit)).await;
    let client = client(&fake).build().unwrap();
    let started = Instant::now();
    let hosts = client
        .collect_hosts(
            query(&fake),
            ListOptions::default().page_size(10).adaptive(64),
        )
        .await
        .expect("a throttled listing completes");
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(hosts.len(), 1_500);
    assert_eq!(distinct_ids(&hosts), 1_500, "every host exactly once");

    let statuses = statuses(&fake);
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    let ok = statuses.iter().filter(|s| **s == 200).count();
    assert_eq!(ok, 150, "{statuses:?}");
    assert_eq!(throttled as u64, fake.throttled_count());
    assert_eq!(client.throttled_answers(), fake.throttled_count());
    // How few 429s depends on timing, so it is asserted in virtual time
    // (`src/rate/sim.rs`); here, that none of them added load.
    assert_429s_slow_down(&fake, 1);
    // Never faster than the gateway allows (the burst, then the rate): a
    // slower machine only takes longer.
    let allowed = (f64::from(limit.burst) + limit.per_second * elapsed) as usize + 1;
    assert!(ok <= allowed, "{ok} pages in {elapsed:.2} s");
    assert!(client.send_rate().is_some(), "the client learnt a rate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ceiling_paces_every_request_and_holds_without_throttling() {
    let fake = fake(300, None).await;
    let paced = client(&fake).max_requests_per_second(25.0).build().unwrap();
    assert_eq!(paced.send_rate(), Some(25.0));
    let started = Instant::now();
    let hosts = paced
        .collect_hosts(
            query(&fake),
            ListOptions::default().page_size(10).concurrency(16),
        )
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(hosts.len(), 300);
    // 30 requests, evenly paced at 25 per second, no burst: the last
    // went at least 29 / 25 s after the first, however fast the fake is,
    // less the 5 ms early a slot may be taken (one slot, not one each:
    // slots stay 40 ms apart).
    assert_eq!(statuses(&fake).len(), 30);
    assert!(elapsed >= Duration::from_millis(29 * 40 - 5), "{elapsed:?}");
    assert_eq!(fake.throttled_count(), 0);

    let bad = client(&fake).max_requests_per_second(0.0).build();
    assert!(matches!(bad, Err(Error::Config { .. })), "{bad:?}");
    let bad = client(&fake).max_requests_per_second(f64::NAN).build();
    assert!(matches!(bad, Err(Error::Config { .. })), "{bad:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clones_share_one_rate_and_two_listings_stay_within_the_limit() {
    let limit = RateLimit::new(30.0, 5);
    let fake = fake(600, Some(limit)).await;
    let first = client(&fake).build().unwrap();
    let second = first.clone();
    let options = ListOptions::default().page_size(10).adaptive(32);
    let started = Instant::now();
    let (a, b) = tokio::join!(
        first.collect_hosts(query(&fake), options),
        second.collect_hosts(query(&fake), options),
    );
    let elapsed = started.elapsed().as_secs_f64();
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.len(), b.len()), (600, 600));
    assert_eq!((distinct_ids(&a), distinct_ids(&b)), (600, 600));
    let statuses = statuses(&fake);
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(statuses.len() - throttled, 120);
    // One rate for both: the clones saw the same throttling. (That one
    // rate draws fewer 429s than two is shown in virtual time.)
    assert_eq!(first.throttled_answers(), second.throttled_answers());
    assert_eq!(first.throttled_answers(), fake.throttled_count());
    assert_eq!(throttled as u64, fake.throttled_count());
    assert_429s_slow_down(&fake, 2);
    let allowed = f64::from(limit.burst) + limit.per_second * elapsed + 1.0;
    assert!(120.0 <= allowed, "120 pages in {elapsed:.2} s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_never_multiplies_the_load() {
    // 2 requests per second, a burst of 1, 32 pages in flight allowed:
    // a client that retried every 429 at once would send hundreds.
    let fake = fake(80, Some(RateLimit::new(2.0, 1))).await;
    let client = client(&fake).build().unwrap();
    let hosts = client
        .collect_hosts(
            query(&fake),
            ListOptions::default().page_size(10).adaptive(32),
        )
        .await
        .expect("completes, slowly");
    assert_eq!(hosts.len(), 80);
    let statuses = statuses(&fake);
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(statuses.len() - throttled, 8);
    // Each 429 is retried once, after its Retry-After, at most
    // `max_attempts - 1` times per page (so at most 24 429s for 8 pages),
    // never the hundreds of a client that resends at once.
    let most = assert_429s_slow_down(&fake, 1);
    assert!(
        throttled <= 8 * most,
        "{throttled} 429s for 8 pages: {statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_never_lets_a_page_through_fails_the_listing_loudly() {
    // One request per 100 s after the first: every later page is refused
    // with Retry-After: 100, beyond the default retry budget (60 s), so
    // nothing waits, however slow the machine.
    let fake = fake(100, Some(RateLimit::new(0.01, 1))).await;
    let client = client(&fake).build().unwrap();
    assert!(client.retry_policy().budget() < Duration::from_secs(100));
    let mut stream = std::pin::pin!(client.list_hosts(
        query(&fake),
        ListOptions::default().page_size(10).concurrency(8),
    ));
    let mut listed = 0;
    let mut error = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(_) => listed += 1,
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    assert_eq!(listed, 10, "only the first page got through");
    let error = error.expect("the listing ends in an error, not a short list");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429), "{error}");
    assert_eq!(error.error_code(), Some("APIGW.0308"));
    assert!(stream.next().await.is_none(), "nothing after the error");
    // Retry-After (100 s) is beyond the budget: no page was retried, so
    // at most the 8 pages in flight were refused, once each.
    let throttled = statuses(&fake).iter().filter(|s| **s == 429).count();
    assert!((1..=8).contains(&throttled), "{throttled}");
    let mut offsets: Vec<_> = fake
        .requests()
        .iter()
        .filter(|r| r.raw_path.ends_with("/hosts"))
        .map(|r| r.raw_query.clone())
        .collect();
    let sent = offsets.len();
    offsets.sort();
    offsets.dedup();
    assert_eq!(offsets.len(), sent, "a page sent twice: {offsets:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_concurrency_listing_is_paced_once_throttled_and_completes() {
    // 32 pages at once against a burst of 8: a storm of 429s at first,
    // then every request, retries included, waits for the learnt rate.
    let limit = RateLimit::new(40.0, 8);
    let fake = fake(1_000, Some(limit)).await;
    let client = client(&fake).build().unwrap();
    let hosts = client
        .collect_hosts(
            query(&fake),
            ListOptions::default().page_size(10).concurrency(32),
        )
        .await
        .expect("completes");
    assert_eq!((hosts.len(), distinct_ids(&hosts)), (1_000, 1_000));
    let statuses = statuses(&fake);
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(statuses.len() - throttled, 100);
    // How many 429s the opening storm and later probes draw is asserted in
    // virtual time; here, that each was answered by slowing down.
    assert_429s_slow_down(&fake, 1);
    // A fixed concurrency is paced exactly when the service throttled.
    assert_eq!(
        client.send_rate().is_some(),
        throttled > 0,
        "{throttled} 429s of {}: {}",
        statuses.len(),
        compact(&statuses)
    );
}
