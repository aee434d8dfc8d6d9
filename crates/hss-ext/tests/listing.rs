//! Listing every host against a scripted server on 127.0.0.1.

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::StreamExt;
use hss_ext::prelude::*;
use support::{Reply, ScriptedServer, page, window};

fn client(server: &ScriptedServer) -> HssClient {
    HssClient::builder()
        .endpoint_url(server.base_url())
        .without_credentials()
        .project_id("proj")
        .retry(RetryPolicy::default().with_initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap()
}

/// A stable task of `total` hosts.
async fn task_of(total: u64) -> ScriptedServer {
    ScriptedServer::start(move |seen, _| {
        let (offset, limit) = window(seen);
        Reply::json(200, page(offset, limit, total))
    })
    .await
}

fn ids(hosts: &[hss_ext::hss_api::types::VulScanTaskHostInfo]) -> Vec<String> {
    hosts.iter().map(|h| h.host_id.clone().unwrap()).collect()
}

fn expected(range: std::ops::Range<u64>) -> Vec<String> {
    range.map(|i| format!("h{i}")).collect()
}

#[tokio::test]
async fn zero_one_and_many_pages_at_concurrency_1_and_8() {
    for (total, requests) in [(0u64, 1usize), (200, 1), (150, 1), (1234, 7), (2000, 10)] {
        for concurrency in [1, 8] {
            let server = task_of(total).await;
            let hosts = client(&server)
                .collect_hosts(
                    HostQuery::new("task"),
                    ListOptions::default().concurrency(concurrency),
                )
                .await
                .unwrap();
            assert_eq!(
                ids(&hosts),
                expected(0..total),
                "total {total}, concurrency {concurrency}"
            );
            assert_eq!(
                server.requests().len(),
                requests,
                "total {total}, concurrency {concurrency}"
            );
            assert!(server.peak_concurrency() <= concurrency);
            for seen in server.requests() {
                assert_eq!(seen.query("limit"), Some("200"));
            }
        }
    }
}

#[tokio::test]
async fn concurrency_is_used_and_bounded() {
    let server = ScriptedServer::start(|seen, _| {
        let (offset, limit) = window(seen);
        Reply::json(200, page(offset, limit, 5000)).delayed(Duration::from_millis(30))
    })
    .await;
    let hosts = client(&server)
        .collect_hosts(
            HostQuery::new("task"),
            ListOptions::default().concurrency(8),
        )
        .await
        .unwrap();
    assert_eq!(hosts.len(), 5000);
    // Never more than 8 at a time. How many meet at the server depends on
    // how fast the machine sends them; that pages after the first go
    // exactly 8 at a time is shown in virtual time (`src/rate/sim.rs`).
    let peak = server.peak_concurrency();
    assert!((1..=8).contains(&peak), "{peak}");
}

#[tokio::test]
async fn page_size_and_start_offset_are_honoured() {
    let server = task_of(95).await;
    let hosts = client(&server)
        .collect_hosts(
            HostQuery::new("task").offset(20),
            ListOptions::default().page_size(25),
        )
        .await
        .unwrap();
    assert_eq!(ids(&hosts), expected(20..95));
    let offsets: Vec<_> = server.requests().iter().map(|s| window(s).0).collect();
    assert_eq!(offsets, vec![20, 45, 70]);
}

/// Lists a task whose size is `first` for the first answer and `then` for
/// every later one, at concurrency 1 and 8.
async fn list_while_total_moves(first: u64, then: u64) {
    for concurrency in [1, 8] {
        let server = ScriptedServer::start(move |seen, n| {
            let (offset, limit) = window(seen);
            Reply::json(200, page(offset, limit, if n == 0 { first } else { then }))
        })
        .await;
        let hosts = client(&server)
            .collect_hosts(
                HostQuery::new("task"),
                ListOptions::default().concurrency(concurrency),
            )
            .await
            .unwrap();
        assert_eq!(ids(&hosts), expected(0..then), "concurrency {concurrency}");
    }
}

#[tokio::test]
async fn a_task_that_shrinks_mid_listing_ends_at_its_new_size() {
    list_while_total_moves(1000, 500).await;
}

#[tokio::test]
async fn a_task_that_grows_mid_listing_is_listed_to_its_new_size() {
    list_while_total_moves(500, 900).await;
}

#[tokio::test]
async fn a_short_page_is_refilled_so_no_host_is_skipped() {
    // The page at offset 200 returns only 150 hosts; total stays 1000.
    for concurrency in [1, 8] {
        let server = ScriptedServer::start(|seen, _| {
            let (offset, limit) = window(seen);
            let limit = if offset == 200 { 150 } else { limit };
            Reply::json(200, page(offset, limit, 1000))
        })
        .await;
        let hosts = client(&server)
            .collect_hosts(
                HostQuery::new("task"),
                ListOptions::default().concurrency(concurrency),
            )
            .await
            .unwrap();
        assert_eq!(ids(&hosts), expected(0..1000), "concurrency {concurrency}");
        let unique: HashSet<_> = ids(&hosts).into_iter().collect();
        assert_eq!(unique.len(), 1000);
    }
}

#[tokio::test]
async fn an_early_empty_page_is_an_error_after_the_hosts_before_it() {
    for concurrency in [1, 8] {
        let server = ScriptedServer::start(|seen, _| {
            let (offset, limit) = window(seen);
            if offset >= 400 {
                Reply::json(200, r#"{"total_num":1000,"data_list":[]}"#)
            } else {
                Reply::json(200, page(offset, limit, 1000))
            }
        })
        .await;
        let client = client(&server);
        let items: Vec<_> = client
            .list_hosts(
                HostQuery::new("task"),
                ListOptions::default().concurrency(concurrency),
            )
            .collect()
            .await;
        assert_eq!(items.len(), 401, "400 hosts, once each, then the error");
        assert!(items[..400].iter().all(Result::is_ok));
        let err = items[400].as_ref().unwrap_err();
        let Error::IncompleteListing(drift) = err else {
            panic!("{err:?}")
        };
        assert_eq!(drift.empty_page_at, Some(400));
        assert_eq!(drift.total_after, Some(1000));
        assert_eq!(drift.listed, 400);
        assert_eq!(drift.passes, 3, "verified twice before giving up");
        assert!(err.request_id().unwrap().starts_with("req-"));
        assert!(
            err.to_string().contains("empty page at offset 400"),
            "{err}"
        );

        let err = client
            .collect_hosts(
                HostQuery::new("task"),
                ListOptions::default().concurrency(concurrency),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, Error::IncompleteListing(_)));
    }
}

#[tokio::test]
async fn the_offset_cap_is_an_error_never_a_silent_truncation() {
    let server = task_of(2_500_000).await;
    let items: Vec<_> = client(&server)
        .list_hosts(
            HostQuery::new("task").offset(1_999_900),
            ListOptions::default().concurrency(8),
        )
        .collect()
        .await;
    let (ok, err): (Vec<_>, Vec<_>) = items.into_iter().partition(Result::is_ok);
    // One page from 1,999,900; the next would start at 2,000,100, past the cap.
    assert_eq!(ok.len(), 200);
    let offsets: Vec<_> = server.requests().iter().map(|s| window(s).0).collect();
    assert_eq!(offsets, vec![1_999_900]);
    assert_eq!(err.len(), 1);
    let err = err.into_iter().next().unwrap().unwrap_err();
    assert!(
        matches!(
            err,
            Error::OffsetCap {
                total_num: 2_500_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("2000000"), "{err}");
}

#[tokio::test]
async fn without_total_num_a_short_page_ends_the_listing() {
    let server = ScriptedServer::start(|seen, _| {
        let (offset, limit) = window(seen);
        let body = page(offset, limit, 450).replacen(r#""total_num":450,"#, "", 1);
        Reply::json(200, body)
    })
    .await;
    let hosts = client(&server)
        .collect_hosts(HostQuery::new("task"), ListOptions::default())
        .await
        .unwrap();
    assert_eq!(ids(&hosts), expected(0..450));
}

#[tokio::test]
async fn dropping_the_stream_early_stops_fetching() {
    let served = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&served);
    let server = ScriptedServer::start(move |seen, _| {
        counter.fetch_add(1, Ordering::SeqCst);
        let (offset, limit) = window(seen);
        Reply::json(200, page(offset, limit, 100_000))
    })
    .await;
    let client = client(&server);
    let first: Vec<_> = client
        .list_hosts(
            HostQuery::new("task"),
            ListOptions::default().concurrency(4),
        )
        .take(250)
        .collect()
        .await;
    assert_eq!(first.len(), 250);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        served.load(Ordering::SeqCst) <= 6,
        "{}",
        served.load(Ordering::SeqCst)
    );
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let server = task_of(10).await;
    let client = client(&server);
    let err = client
        .collect_hosts(HostQuery::new(".."), ListOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid task_id: \"..\" is a path navigation segment, not an id"
    );
    let err = client
        .collect_hosts(
            HostQuery::new("task"),
            ListOptions::default().page_size(500),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid page_size: must be between 10 and 200, got 500"
    );
    let err = client
        .list_hosts_page(&HostQuery::new("task").limit(5))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidInput {
            parameter: "limit",
            ..
        }
    ));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn pages_carry_total_num_and_request_id_for_progress() {
    let server = task_of(450).await;
    let pages: Vec<_> = client(&server)
        .list_pages(
            HostQuery::new("task"),
            ListOptions::default().concurrency(2),
        )
        .collect()
        .await;
    let pages: Vec<_> = pages.into_iter().map(Result::unwrap).collect();
    let sizes: Vec<_> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, vec![200, 200, 50]);
    assert!(pages.iter().all(|p| p.total_num == Some(450)));
    let ids: HashSet<_> = pages
        .iter()
        .map(|p| p.request_id.clone().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
}

/// Regression (found by `tests/fault_matrix.rs`): polling a listing again
/// after it ended panicked inside `futures::stream::unfold`.
#[tokio::test]
async fn a_finished_listing_polled_again_stays_finished() {
    let server = task_of(30).await;
    let listing = client(&server);
    let mut hosts = std::pin::pin!(listing.list_hosts(HostQuery::new("t"), ListOptions::default()));
    let mut count = 0;
    while let Some(host) = hosts.next().await {
        host.unwrap();
        count += 1;
    }
    assert_eq!(count, 30);
    assert!(hosts.next().await.is_none());
    assert!(hosts.next().await.is_none());

    // The same after an error, and for a query refused before sending.
    let failing =
        ScriptedServer::start(|_, _| Reply::json(400, r#"{"error_code":"HSS.0001"}"#)).await;
    let failing_client = client(&failing);
    let mut pages =
        std::pin::pin!(failing_client.list_pages(HostQuery::new("t"), ListOptions::default()));
    assert!(pages.next().await.unwrap().is_err());
    assert!(pages.next().await.is_none());
    assert!(pages.next().await.is_none());
    let mut refused =
        std::pin::pin!(failing_client.list_pages(HostQuery::new(""), ListOptions::default()));
    assert!(refused.next().await.unwrap().is_err());
    assert!(refused.next().await.is_none());
    assert!(refused.next().await.is_none());
}

/// A page of any listing: items `{"group_id": "g<i>", "name": ...}`, the
/// ids of `ids` from `offset`.
fn group_page(ids: &[u64], offset: u64, limit: u64, total: u64) -> String {
    let items: Vec<String> = ids
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|i| format!(r#"{{"group_id":"g{i}","group_name":"group {i}","host_num":{i}}}"#))
        .collect();
    format!(
        r#"{{"total_num":{total},"data_list":[{}]}}"#,
        items.join(",")
    )
}

fn any_listing(
    operation: &'static hss_ext::hss_operations::Operation,
    limit: u32,
) -> OperationRequest {
    OperationRequest::new(operation)
        .param("limit", limit.to_string())
        .unwrap()
}

#[tokio::test]
async fn any_listing_operation_verifies_by_its_identity_and_yields_each_item_once() {
    // The first pass sees the list shift by one at offset 20 (g19 again);
    // the verifying pass is clean.
    let passes = Arc::new(AtomicU64::new(0));
    let seen_passes = passes.clone();
    let server = ScriptedServer::start(move |seen, _| {
        let (offset, limit) = window(seen);
        if offset == 0 {
            seen_passes.fetch_add(1, Ordering::SeqCst);
        }
        let ids: Vec<u64> = if seen_passes.load(Ordering::SeqCst) == 1 && offset >= 20 {
            (0..45).map(|i| if i >= 20 { i - 1 } else { i }).collect()
        } else {
            (0..45).collect()
        };
        Reply::json(200, group_page(&ids, offset, limit, 45))
    })
    .await;
    let pages: Vec<_> = client(&server)
        .list_operation_pages(
            any_listing(hss_ext::hss_operations::LIST_HOST_GROUPS, 10),
            ListOptions::default().concurrency(1),
        )
        .collect()
        .await;
    let mut ids = Vec::new();
    for page in pages {
        for item in page.unwrap().items {
            let value: serde_json::Value = serde_json::from_str(item.json()).unwrap();
            ids.push(value["group_id"].as_str().unwrap().to_owned());
        }
    }
    let unique: HashSet<_> = ids.iter().cloned().collect();
    assert_eq!(ids.len(), 45, "{ids:?}");
    assert_eq!(unique.len(), 45, "each once");
    assert_eq!(passes.load(Ordering::SeqCst), 2, "one verifying pass");
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.query("limit") == Some("10"))
    );
}

#[tokio::test]
async fn a_listing_without_item_identity_fails_loudly_when_the_count_moves() {
    // ListHostStatus names no identity: items are matched by count only.
    let server = ScriptedServer::start(|seen, _| {
        let (offset, limit) = window(seen);
        let total = if offset == 0 { 30 } else { 31 };
        Reply::json(
            200,
            group_page(&(0..31).collect::<Vec<_>>(), offset, limit, total),
        )
    })
    .await;
    let items: Vec<_> = client(&server)
        .list_operation_pages(
            any_listing(hss_ext::hss_operations::LIST_HOST_STATUS, 10),
            ListOptions::default().concurrency(1),
        )
        .collect()
        .await;
    let err = items.last().unwrap().as_ref().unwrap_err();
    let Error::IncompleteListing(drift) = err else {
        panic!("{err:?}")
    };
    assert_eq!(drift.passes, 1, "no verifying pass without an identity");
    assert!(drift.without_id > 0);
    assert!(err.to_string().contains("total_num 30 -> 31"), "{err}");
}

#[tokio::test]
async fn any_listing_stops_at_its_operations_offset_cap() {
    // ListWtpProtectHost takes offsets up to 100.
    let server = ScriptedServer::start(|seen, _| {
        let (offset, limit) = window(seen);
        Reply::json(
            200,
            group_page(&(0..500).collect::<Vec<_>>(), offset, limit, 500),
        )
    })
    .await;
    let pages: Vec<_> = client(&server)
        .list_operation_pages(
            any_listing(hss_ext::hss_operations::LIST_WTP_PROTECT_HOST, 100),
            ListOptions::default().concurrency(1),
        )
        .collect()
        .await;
    let listed: usize = pages
        .iter()
        .filter_map(|p| p.as_ref().ok())
        .map(|p| p.items.len())
        .sum();
    assert_eq!(listed, 200, "offsets 0 and 100");
    let err = pages.last().unwrap().as_ref().unwrap_err();
    assert!(
        matches!(
            err,
            Error::OffsetCap {
                offset: 200,
                total_num: 500,
                max_offset: 100
            }
        ),
        "{err:?}"
    );
}

/// Every page of `query` as received (`list_all_received`): the items'
/// text and identities, or the first error.
async fn received(
    client: &HssClient,
    options: ListOptions,
) -> Result<Vec<(String, Option<String>)>, Error> {
    let mut pages = std::pin::pin!(client.list_all_received(HostQuery::new("task"), options));
    let mut items = Vec::new();
    while let Some(page) = pages.next().await {
        for item in page?.items {
            items.push((item.json().to_owned(), item.identity().map(str::to_owned)));
        }
    }
    Ok(items)
}

#[tokio::test]
async fn items_as_received_are_the_typed_listings_items_checked_the_same_way() {
    // A moving task (a short page refilled): the same hosts, once each,
    // in the same order, with the same text and identity.
    let server = ScriptedServer::start(|seen, _| {
        let (offset, limit) = window(seen);
        let limit = if offset == 200 { 150 } else { limit };
        Reply::json(200, page(offset, limit, 1000))
    })
    .await;
    let hss = client(&server);
    let options = ListOptions::default().concurrency(4);
    let typed: Vec<(String, Option<String>)> = {
        let mut pages = std::pin::pin!(hss.list_all_pages(HostQuery::new("task"), options));
        let mut items = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.unwrap();
            for (host, text) in page.items_received() {
                items.push((text.unwrap().to_owned(), host.host_id.clone()));
            }
        }
        items
    };
    let raw = received(&hss, options).await.unwrap();
    assert_eq!(raw.len(), 1000);
    assert_eq!(raw, typed);

    // An item the model refuses (a host id that is a number) fails the
    // page as the typed decode does, with the same error.
    let server = ScriptedServer::start(|seen, _| {
        let (offset, limit) = window(seen);
        let body = page(offset, limit, 400);
        Reply::json(
            200,
            body.replacen("\"host_id\":\"h250\"", "\"host_id\":250", 1),
        )
    })
    .await;
    let hss = client(&server);
    let typed = hss
        .collect_hosts(HostQuery::new("task"), options)
        .await
        .unwrap_err();
    let raw = received(&hss, options).await.unwrap_err();
    assert!(matches!(raw, Error::Decode { .. }), "{raw:?}");
    // The same words; only the request id (one per request) differs.
    let words = |e: &Error| {
        e.to_string()
            .split(" (request id")
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(words(&raw), words(&typed));
}
