//! Clock-skew correction: when the gateway refuses a signature as expired
//! (401 `APIGW.0301` "signature expired", the server's time in the message
//! or in `Date`), the client signs once more with the server's time, warns
//! with the measured skew, and keeps the offset; it never loops. Against
//! hss-fake with its clock 20 minutes ahead and behind, and scripted
//! servers for the answers the fake does not give. The warning is checked
//! in `clock_skew_warning.rs`.

mod support;

use std::sync::Arc;
use std::time::Duration;

use hss_ext::prelude::*;
use hss_ext::{Credentials, FixedClock, SecretString};
use hss_fake::{DEFAULT_REGION, FakeHss, RunningFake};
use support::{Reply, ScriptedServer, ak_sk, page, window};

const EXPIRED: &str = r#"{"error_msg":"Incorrect IAM authentication information: calc aksk signature fail:signature expired, signature time:20240101T000000Z,server time:20240101T002000Z","error_code":"APIGW.0301","request_id":"r-1"}"#;

async fn skewed(minutes: i64) -> RunningFake {
    FakeHss::builder()
        .seed(41)
        .hosts(450)
        .clock_offset(time::Duration::minutes(minutes))
        .start()
        .await
        .unwrap()
}

fn client(fake: &RunningFake) -> HssClient {
    HssClient::builder()
        .endpoint_url(fake.base_url())
        .credentials(ak_sk(fake))
        .project_id(fake.project_id())
        .build()
        .unwrap()
}

fn statuses(fake: &RunningFake) -> Vec<u16> {
    fake.requests().iter().filter_map(|r| r.status).collect()
}

#[tokio::test]
async fn a_fake_20_minutes_ahead_or_behind_is_corrected_once_and_for_all() {
    for minutes in [20i64, -20] {
        let fake = skewed(minutes).await;
        let client = client(&fake);
        assert_eq!(client.clock_offset(), time::Duration::ZERO);
        let page = client
            .list_hosts_page(&HostQuery::new(fake.task_id()))
            .await
            .unwrap();
        assert_eq!(page.items.len(), 10);
        assert_eq!(
            statuses(&fake),
            [401, 200],
            "refused once, then signed anew"
        );

        let offset = client.clock_offset().whole_minutes();
        assert!(
            (minutes - 1..=minutes + 1).contains(&offset),
            "{offset} for {minutes}"
        );

        // The offset is kept: a whole listing, from a clone, at
        // concurrency 4, needs no further correction.
        fake.take_requests();
        let hosts = client
            .clone()
            .collect_hosts(
                HostQuery::new(fake.task_id()),
                ListOptions::default().page_size(50).concurrency(4),
            )
            .await
            .unwrap();
        assert_eq!(hosts.len(), 450);
        let after = statuses(&fake);
        assert_eq!(after.len(), 9);
        assert!(after.iter().all(|s| *s == 200), "{after:?}");
    }
}

#[tokio::test]
async fn a_clock_an_hour_behind_is_corrected_too() {
    let fake = skewed(0).await;
    let an_hour_ago = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let client = HssClient::builder()
        .endpoint_url(fake.base_url())
        .credentials(ak_sk(&fake))
        .project_id(fake.project_id())
        .clock(Arc::new(FixedClock::new(an_hour_ago)))
        .build()
        .unwrap();
    client
        .list_hosts_page(&HostQuery::new(fake.task_id()))
        .await
        .unwrap();
    assert_eq!(statuses(&fake), [401, 200]);
    // The server's time has whole seconds only.
    let offset = client.clock_offset().whole_seconds();
    assert!((3598..=3601).contains(&offset), "{offset}");
}

#[tokio::test]
async fn discovery_on_a_skewed_cloud_corrects_the_clock_at_iam() {
    let fake = skewed(-20).await;
    let client = HssClient::builder()
        .endpoint_url(fake.base_url())
        .region(DEFAULT_REGION)
        .iam_endpoint(fake.iam_url())
        .credentials(ak_sk(&fake))
        .build()
        .unwrap();
    client
        .list_hosts_page(&HostQuery::new(fake.task_id()))
        .await
        .unwrap();
    let seen: Vec<(String, Option<u16>)> = fake
        .requests()
        .iter()
        .map(|r| (r.raw_path.clone(), r.status))
        .collect();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[0], ("/v3/projects".to_owned(), Some(401)));
    assert_eq!(seen[1], ("/v3/projects".to_owned(), Some(200)));
    assert!(
        seen[2].0.starts_with("/v5/") && seen[2].1 == Some(200),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_gateway_that_keeps_refusing_is_asked_twice_never_more() {
    let server = ScriptedServer::always(Reply::json(401, EXPIRED)).await;
    let client = HssClient::builder()
        .endpoint_url(server.base_url())
        .credentials(Credentials::ak_sk(
            "AK",
            SecretString::from("SK".to_owned()),
        ))
        .project_id("p")
        .build()
        .unwrap();
    let err = client
        .list_hosts_page(&HostQuery::new("t"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(err.to_string().contains("signature expired"), "{err}");
    assert_eq!(server.requests().len(), 2, "one correction, no loop");
    // The second signature was dated with the server's time.
    let dates: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("x-sdk-date").unwrap().to_owned())
        .collect();
    assert_ne!(dates[0], dates[1]);
    assert!(dates[1].starts_with("20240101T00"), "{dates:?}");
    // A later call corrects once more at most.
    let _ = client.list_hosts_page(&HostQuery::new("t")).await;
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn without_a_time_in_the_message_the_date_header_is_used() {
    let server = ScriptedServer::start(|request, n| {
        if n == 0 {
            Reply::json(
                401,
                r#"{"error_msg":"Incorrect IAM authentication information: signature expired","error_code":"APIGW.0301"}"#,
            )
            .header("Date", "Mon, 01 Jan 2024 00:20:00 GMT")
        } else {
            let (offset, limit) = window(request);
            Reply::json(200, page(offset, limit, 5))
        }
    })
    .await;
    let client = HssClient::builder()
        .endpoint_url(server.base_url())
        .credentials(Credentials::ak_sk(
            "AK",
            SecretString::from("SK".to_owned()),
        ))
        .project_id("p")
        .build()
        .unwrap();
    client.list_hosts_page(&HostQuery::new("t")).await.unwrap();
    let second = &server.requests()[1];
    assert!(
        second
            .header("x-sdk-date")
            .unwrap()
            .starts_with("20240101T0020"),
        "{second:?}"
    );
}

#[tokio::test]
async fn other_refusals_and_tokens_are_not_signed_again() {
    // No time anywhere: nothing to correct with.
    let bare = ScriptedServer::always(Reply::json(
        401,
        r#"{"error_msg":"signature expired","error_code":"APIGW.0301"}"#,
    ))
    .await;
    // A wrong key is not a clock problem.
    let wrong = ScriptedServer::always(Reply::json(
        401,
        r#"{"error_msg":"Incorrect IAM authentication information: verify aksk signature fail","error_code":"APIGW.0301"}"#,
    ))
    .await;
    for server in [&bare, &wrong] {
        let client = HssClient::builder()
            .endpoint_url(server.base_url())
            .credentials(Credentials::ak_sk(
                "AK",
                SecretString::from("SK".to_owned()),
            ))
            .project_id("p")
            .build()
            .unwrap();
        assert!(client.list_hosts_page(&HostQuery::new("t")).await.is_err());
        assert_eq!(server.requests().len(), 1);
        assert_eq!(client.clock_offset(), time::Duration::ZERO);
    }
    // A token carries no date to correct.
    let token_server = ScriptedServer::always(Reply::json(401, EXPIRED)).await;
    let client = HssClient::builder()
        .endpoint_url(token_server.base_url())
        .credentials(Credentials::token(SecretString::from(
            "MIItoken".to_owned(),
        )))
        .project_id("p")
        .retry(RetryPolicy::default().with_initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    assert!(client.list_hosts_page(&HostQuery::new("t")).await.is_err());
    assert_eq!(token_server.requests().len(), 1);
}
