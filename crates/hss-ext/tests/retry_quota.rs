//! The retry quota a client shares across all its requests (the AWS SDKs'
//! standard-mode token bucket), counted in requests a scripted server on
//! 127.0.0.1 receives. Backoffs are a few milliseconds, and every count
//! here is exact: the quota, not timing, decides how many retries happen.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::future::join_all;
use hss_ext::prelude::*;
use reqwest::StatusCode;
use support::{Reply, ScriptedServer, page, window};

/// Pages requested at once, as a listing with `concurrency(16)` does.
const PAGES: u32 = 16;
/// Attempts per request in these tests.
const ATTEMPTS: u32 = 4;

fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
        .with_budget(Duration::from_secs(30))
}

fn client_with(server: &ScriptedServer, retry: RetryPolicy) -> HssClient {
    HssClient::builder()
        .endpoint_url(server.base_url())
        .without_credentials()
        .project_id("proj")
        .retry(retry)
        .build()
        .unwrap()
}

/// A server that throttles while `failing` is set and serves pages otherwise.
async fn throttling_while(failing: Arc<AtomicBool>) -> ScriptedServer {
    ScriptedServer::start(move |seen, _| {
        if failing.load(Ordering::SeqCst) {
            Reply::json(
                429,
                r#"{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}"#,
            )
        } else {
            let (offset, limit) = window(seen);
            Reply::json(200, page(offset, limit, 10_000))
        }
    })
    .await
}

/// `PAGES` pages at once from clones of one client; every one must fail.
async fn sixteen_pages(client: &HssClient) -> Vec<Error> {
    let calls = (0..PAGES).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .list_hosts_page(&HostQuery::new("task").limit(200).offset(i * 200))
                .await
        })
    });
    join_all(calls)
        .await
        .into_iter()
        .map(|joined| {
            joined
                .unwrap()
                .expect_err("the service throttles every request")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pages_of_a_throttled_service_share_one_quota() {
    let failing = Arc::new(AtomicBool::new(true));
    let server = throttling_while(failing.clone()).await;
    // Room for 10 retries in all.
    let quota = 10 * RetryPolicy::RETRY_COST;
    let client = client_with(&server, policy().with_retry_quota(quota));

    let errors = sixteen_pages(&client).await;
    assert!(
        errors
            .iter()
            .all(|e| e.status() == Some(StatusCode::TOO_MANY_REQUESTS)),
        "{errors:?}"
    );
    // Each page once, plus what the quota paid for: not 16 × 4 = 64.
    assert_eq!(server.requests().len(), 16 + 10);
    assert_eq!(client.retry_quota_available(), Some(0));

    // With the bucket empty a failure is not retried at all.
    client
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 27);

    // The service recovers: each first-attempt success gives one token back.
    failing.store(false, Ordering::SeqCst);
    for _ in 0..RetryPolicy::RETRY_COST {
        client
            .list_hosts_page(&HostQuery::new("task"))
            .await
            .unwrap();
    }
    assert_eq!(
        client.retry_quota_available(),
        Some(RetryPolicy::RETRY_COST)
    );
    assert_eq!(server.requests().len(), 32);

    // Enough for one retry again, and no more.
    failing.store(true, Ordering::SeqCst);
    client
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 34, "one retry");
    assert_eq!(client.retry_quota_available(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_quota_every_page_retries_on_its_own() {
    let server = throttling_while(Arc::new(AtomicBool::new(true))).await;
    let client = client_with(&server, policy().without_retry_quota());
    let errors = sixteen_pages(&client).await;
    assert_eq!(errors.len(), PAGES as usize);
    assert_eq!(server.requests().len(), (PAGES * ATTEMPTS) as usize);
    assert_eq!(client.retry_quota_available(), None);
}

#[tokio::test]
async fn a_retry_that_succeeds_gives_its_tokens_back() {
    // Every first attempt fails, every retry succeeds.
    let server = ScriptedServer::start(|seen, n| {
        if n % 2 == 0 {
            Reply::json(503, r#"{"error_code":"APIGW.0500","error_msg":"busy"}"#)
        } else {
            let (offset, limit) = window(seen);
            Reply::json(200, page(offset, limit, 30))
        }
    })
    .await;
    // Two retries' worth: without refunds the third call would fail.
    let quota = 2 * RetryPolicy::RETRY_COST;
    let client = client_with(&server, policy().with_retry_quota(quota));
    for call in 0..10 {
        client
            .list_hosts_page(&HostQuery::new("task"))
            .await
            .unwrap_or_else(|e| panic!("call {call}: {e}"));
    }
    assert_eq!(server.requests().len(), 20);
    assert_eq!(client.retry_quota_available(), Some(quota));
}

#[tokio::test]
async fn a_timeout_costs_twice_what_a_503_costs() {
    let quota = 4 * RetryPolicy::RETRY_COST;
    assert_eq!(RetryPolicy::TIMEOUT_RETRY_COST, 2 * RetryPolicy::RETRY_COST);
    let retry = policy().with_max_attempts(10).with_retry_quota(quota);

    let unavailable = ScriptedServer::always(Reply::json(503, "{}")).await;
    client_with(&unavailable, retry.clone())
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert_eq!(unavailable.requests().len(), 1 + 4);

    // Answers come long after the 200 ms request timeout.
    let silent =
        ScriptedServer::always(Reply::json(200, "{}").delayed(Duration::from_secs(20))).await;
    let client = HssClient::builder()
        .endpoint_url(silent.base_url())
        .without_credentials()
        .project_id("proj")
        .request_timeout(Duration::from_millis(200))
        .retry(retry)
        .build()
        .unwrap();
    let err = client
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert!(support::is_timeout(&err), "{err:?}");
    assert_eq!(silent.requests().len(), 1 + 2);
    assert_eq!(client.retry_quota_available(), Some(0));
}

#[tokio::test]
async fn with_retry_starts_a_full_quota_and_clones_share_theirs() {
    let server = throttling_while(Arc::new(AtomicBool::new(true))).await;
    let client = client_with(&server, policy().with_retry_quota(RetryPolicy::RETRY_COST));
    let clone = client.clone();
    clone
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 2);
    assert_eq!(
        client.retry_quota_available(),
        Some(0),
        "spent by the clone"
    );

    let fresh = client.with_retry(policy().with_retry_quota(RetryPolicy::RETRY_COST));
    assert_eq!(fresh.retry_quota_available(), Some(RetryPolicy::RETRY_COST));
    assert_eq!(clone.retry_quota_available(), Some(0));
}
