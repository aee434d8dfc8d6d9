//! A listing is complete or fails loudly while the task moves under it:
//! every row of the table in the listing-integrity issue, against scripted
//! servers on 127.0.0.1, at concurrency 1 and 8.

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use hss_ext::hss_api::types::VulScanTaskHostInfo;
use hss_ext::prelude::*;
use support::{Reply, ScriptedServer, host_ids, host_json, page_of, window};

fn client(server: &ScriptedServer) -> HssClient {
    HssClient::builder()
        .endpoint_url(server.base_url())
        .without_credentials()
        .project_id("proj")
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap()
}

/// A task whose hosts, when the `n`-th request (from 0) is answered, are
/// `hosts_at(n, offset)`.
async fn moving_task(
    hosts_at: impl Fn(usize, u64) -> Vec<String> + Send + Sync + 'static,
) -> ScriptedServer {
    ScriptedServer::start(move |seen, n| {
        let (offset, limit) = window(seen);
        Reply::json(200, page_of(&hosts_at(n, offset), offset, limit))
    })
    .await
}

async fn list(
    server: &ScriptedServer,
    concurrency: usize,
) -> Result<Vec<VulScanTaskHostInfo>, Error> {
    client(server)
        .collect_hosts(
            HostQuery::new("task"),
            ListOptions::default().concurrency(concurrency),
        )
        .await
}

/// How often each host id came back.
fn counts(hosts: &[VulScanTaskHostInfo]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for host in hosts {
        *counts.entry(host.host_id.clone().unwrap()).or_default() += 1;
    }
    counts
}

/// Every host of `stayed` appears exactly once, nothing appears twice, and
/// nothing appears that was never in the task (`ever`).
fn assert_complete(hosts: &[VulScanTaskHostInfo], stayed: &[String], ever: &[String], what: &str) {
    let counts = counts(hosts);
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "{what}: repeated {twice:?}");
    let missing: Vec<_> = stayed
        .iter()
        .filter(|id| !counts.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "{what}: missing {} e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    let ever: HashSet<_> = ever.iter().collect();
    let strangers: Vec<_> = counts.keys().filter(|id| !ever.contains(id)).collect();
    assert!(
        strangers.is_empty(),
        "{what}: never in the task {strangers:?}"
    );
}

fn drift(err: &Error) -> &ListingDrift {
    match err {
        Error::IncompleteListing(drift) => drift,
        other => panic!("expected IncompleteListing, got {other:?}"),
    }
}

#[tokio::test]
async fn a_first_page_longer_than_asked_is_used_and_the_rest_follows() {
    for concurrency in [1, 8] {
        let server = ScriptedServer::start(|seen, _| {
            let (offset, limit) = window(seen);
            let limit = if offset == 0 { 250 } else { limit };
            Reply::json(200, page_of(&host_ids(0..1000), offset, limit))
        })
        .await;
        let hosts = list(&server, concurrency).await.unwrap();
        let ids: Vec<_> = hosts.iter().map(|h| h.host_id.clone().unwrap()).collect();
        assert_eq!(
            ids,
            host_ids(0..1000),
            "in order, once each, concurrency {concurrency}"
        );
        let offsets: HashSet<_> = server.requests().iter().map(|r| window(r).0).collect();
        assert!(
            offsets.contains(&250),
            "the next page starts where the long one ended: {offsets:?}"
        );
    }
}

#[tokio::test]
async fn hosts_leaving_from_the_front_after_the_first_page_leave_no_gap() {
    for concurrency in [1, 8] {
        let server = moving_task(|n, _| host_ids(if n == 0 { 0 } else { 10 }..1000)).await;
        let hosts = list(&server, concurrency).await.unwrap();
        assert_complete(
            &hosts,
            &host_ids(10..1000),
            &host_ids(0..1000),
            &format!("concurrency {concurrency}"),
        );
    }
}

#[tokio::test]
async fn hosts_leaving_from_the_middle_leave_no_gap() {
    for concurrency in [1, 8] {
        // h500..h510 leave once two pages have been answered.
        let server = moving_task(|n, _| {
            let mut ids = host_ids(0..1000);
            if n >= 2 {
                ids.drain(500..510);
            }
            ids
        })
        .await;
        let hosts = list(&server, concurrency).await.unwrap();
        let stayed: Vec<_> = host_ids(0..1000)
            .into_iter()
            .filter(|id| !(500..510).any(|i| *id == format!("h{i}")))
            .collect();
        assert_complete(
            &hosts,
            &stayed,
            &host_ids(0..1000),
            &format!("concurrency {concurrency}"),
        );
    }
}

#[tokio::test]
async fn hosts_joining_at_the_front_after_the_first_page_are_not_repeated() {
    for concurrency in [1, 8] {
        let server = moving_task(|n, _| {
            let mut ids = if n == 0 {
                Vec::new()
            } else {
                (0..10).map(|i| format!("new{i}")).collect()
            };
            ids.extend(host_ids(0..1000));
            ids
        })
        .await;
        let hosts = list(&server, concurrency).await.unwrap();
        let mut ever = host_ids(0..1000);
        ever.extend((0..10).map(|i| format!("new{i}")));
        assert_complete(
            &hosts,
            &host_ids(0..1000),
            &ever,
            &format!("concurrency {concurrency}"),
        );
    }
}

#[tokio::test]
async fn a_page_repeated_once_by_the_service_is_recovered() {
    for concurrency in [1, 8] {
        let repeated = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&repeated);
        let server = ScriptedServer::start(move |seen, _| {
            let (offset, limit) = window(seen);
            // The first answer for offset 400 carries offset 200's hosts.
            let shown = if offset == 400 && count.fetch_add(1, Ordering::SeqCst) == 0 {
                200
            } else {
                offset
            };
            Reply::json(200, page_of(&host_ids(0..1000), shown, limit))
        })
        .await;
        let hosts = list(&server, concurrency).await.unwrap();
        assert_complete(
            &hosts,
            &host_ids(0..1000),
            &host_ids(0..1000),
            &format!("concurrency {concurrency}"),
        );
        assert_eq!(hosts.len(), 1000);
    }
}

#[tokio::test]
async fn a_page_the_service_always_repeats_fails_naming_the_repeats() {
    for concurrency in [1, 8] {
        let server = ScriptedServer::start({
            let ids = host_ids(0..1000);
            move |seen, _| {
                let (offset, limit) = window(seen);
                let shown = if offset == 400 { 200 } else { offset };
                Reply::json(200, page_of(&ids, shown, limit))
            }
        })
        .await;
        let items: Vec<_> = client(&server)
            .list_hosts(
                HostQuery::new("task"),
                ListOptions::default().concurrency(concurrency),
            )
            .collect()
            .await;
        let (ok, err): (Vec<_>, Vec<_>) = items.into_iter().partition(Result::is_ok);
        assert_eq!(err.len(), 1, "one error, at the end");
        let err = err.into_iter().next().unwrap().unwrap_err();
        let drift = drift(&err);
        assert_eq!(drift.passes, 3);
        assert_eq!(drift.seen_twice, 200);
        assert_eq!(drift.moved_at, Some(400));
        assert_eq!(drift.seen_twice_ids.len(), ListingDrift::SAMPLE);
        assert!(
            drift
                .seen_twice_ids
                .iter()
                .all(|id| host_ids(200..400).contains(id))
        );
        let text = err.to_string();
        assert!(
            text.contains("200 hosts seen twice") && text.contains("offset 400"),
            "{text}"
        );
        // What came before the error was yielded once each.
        let ok: Vec<_> = ok.into_iter().map(Result::unwrap).collect();
        assert_eq!(counts(&ok).len(), ok.len());
    }
}

#[tokio::test]
async fn a_page_whose_hosts_repeat_inside_it_fails_rather_than_guess() {
    let server = ScriptedServer::start(|seen, _| {
        let (offset, limit) = window(seen);
        let mut ids = host_ids(0..300);
        ids.insert(5, "h5".into()); // 301 rows, h5 twice on the first page
        Reply::json(200, page_of(&ids, offset, limit))
    })
    .await;
    for concurrency in [1, 8] {
        let err = list(&server, concurrency).await.unwrap_err();
        let drift = drift(&err);
        assert_eq!(drift.seen_twice_ids, vec!["h5".to_owned()]);
        assert_eq!(drift.moved_at, Some(0));
    }
}

#[tokio::test]
async fn a_task_that_keeps_moving_fails_after_the_allowed_passes() {
    for concurrency in [1, 8] {
        // One host leaves the front with every answer.
        let server = moving_task(|n, _| host_ids(n as u64..2000)).await;
        let err = list(&server, concurrency).await.unwrap_err();
        let drift = drift(&err);
        assert_eq!(drift.passes, 3, "{err}");
        let (before, after) = (drift.total_before.unwrap(), drift.total_after.unwrap());
        assert!(after < before, "{err}");
        let text = err.to_string();
        assert!(
            text.contains(&format!("total_num {before} -> {after}")),
            "{text}"
        );
        assert!(!text.contains('\n'));
    }
}

#[tokio::test]
async fn one_pass_only_fails_at_the_first_sign_of_movement() {
    let server = moving_task(|n, _| host_ids(if n == 0 { 0 } else { 10 }..1000)).await;
    let err = client(&server)
        .collect_hosts(HostQuery::new("task"), ListOptions::default().max_passes(1))
        .await
        .unwrap_err();
    assert_eq!(drift(&err).passes, 1);
    assert_eq!(server.requests().len(), 5, "one pass: 1000 then 990 hosts");
    let err = client(&server)
        .collect_hosts(HostQuery::new("task"), ListOptions::default().max_passes(0))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid max_passes: must be between 1 and 8, got 0"
    );
}

#[tokio::test]
async fn a_stable_task_costs_one_pass() {
    for concurrency in [1, 8] {
        let server = moving_task(|_, _| host_ids(0..1000)).await;
        let hosts = list(&server, concurrency).await.unwrap();
        assert_eq!(hosts.len(), 1000);
        assert_eq!(server.requests().len(), 5, "concurrency {concurrency}");
    }
}

#[tokio::test]
async fn hosts_without_host_id_are_listed_when_the_task_holds_still() {
    let body = |offset: u64, limit: u64| {
        let rows: Vec<String> = (0..30u64)
            .map(|i| host_json((i % 3 != 0).then_some(format!("h{i}")).as_deref()))
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        format!(r#"{{"total_num":30,"data_list":[{}]}}"#, rows.join(","))
    };
    let server = ScriptedServer::start(move |seen, _| {
        let (offset, limit) = window(seen);
        Reply::json(200, body(offset, limit))
    })
    .await;
    let hosts = client(&server)
        .collect_hosts(HostQuery::new("task"), ListOptions::default().page_size(10))
        .await
        .unwrap();
    assert_eq!(hosts.len(), 30);
    assert_eq!(hosts.iter().filter(|h| h.host_id.is_none()).count(), 10);
}

#[tokio::test]
async fn hosts_without_host_id_in_a_moving_task_fail_instead_of_verifying() {
    let server = ScriptedServer::start(|seen, n| {
        let (offset, limit) = window(seen);
        let total = if n == 0 { 30 } else { 29 };
        let rows: Vec<String> = (0..total)
            .map(|i| host_json((i != 3).then_some(format!("h{i}")).as_deref()))
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Reply::json(
            200,
            format!(
                r#"{{"total_num":{total},"data_list":[{}]}}"#,
                rows.join(",")
            ),
        )
    })
    .await;
    let err = client(&server)
        .collect_hosts(HostQuery::new("task"), ListOptions::default().page_size(10))
        .await
        .unwrap_err();
    let drift = drift(&err);
    assert_eq!(drift.without_id, 1);
    assert_eq!(drift.passes, 1, "no verifying pass: nothing to match by");
    assert!(err.to_string().contains("1 hosts without host_id"), "{err}");
}

/// Pages go on arriving while the consumer is busy with one: the rest
/// are asked for without it, every host comes once, no page is sent
/// twice. (That no page in flight waits for the consumer, so none can time
/// out for it, is shown in virtual time, in `src/rate/sim.rs`: here it
/// would be a race between two timers.)
#[tokio::test]
async fn a_slow_consumer_gets_every_page_once() {
    let server = ScriptedServer::start(|seen, _| {
        let (offset, limit) = window(seen);
        Reply::json(200, page_of(&host_ids(0..1000), offset, limit))
            .delayed(Duration::from_millis(50))
    })
    .await;
    let mut pages = std::pin::pin!(client(&server).list_pages(
        HostQuery::new("task"),
        ListOptions::default().concurrency(4)
    ));
    let mut hosts = 0;
    let mut consumed = 0;
    while let Some(page) = pages.next().await {
        hosts += page.unwrap().items.len();
        consumed += 1;
        // Asking for the second page starts the other four; busy with it
        // until they were all asked for (the guard only stops a hang).
        let guard = std::time::Instant::now() + Duration::from_secs(300);
        while consumed == 2 && server.requests().len() < 5 {
            assert!(std::time::Instant::now() < guard, "{:?}", server.requests());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    assert_eq!(hosts, 1000);
    assert_eq!(server.requests().len(), 5);
}

/// Pages in flight at once are answered in any order: a change that shows
/// only on a middle page is still named, though the first and last page of
/// the pass agree.
#[tokio::test]
async fn a_change_seen_only_in_the_middle_of_a_pass_is_named() {
    let server = ScriptedServer::start(|seen, _| {
        let (offset, limit) = window(seen);
        // The page at 200 always sees one more host, at the front.
        let mut ids = host_ids(0..600);
        if offset == 200 {
            ids.insert(0, "new".into());
        }
        Reply::json(200, page_of(&ids, offset, limit))
    })
    .await;
    let err = list(&server, 8).await.unwrap_err();
    let drift = drift(&err);
    assert_eq!(
        (drift.total_before, drift.total_after),
        (Some(600), Some(600))
    );
    assert_eq!(drift.total_range, Some((600, 601)));
    assert!(
        err.to_string().contains("total_num between 600 and 601"),
        "{err}"
    );
}
