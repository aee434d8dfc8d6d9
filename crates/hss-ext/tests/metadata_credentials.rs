//! Temporary credentials from the instance metadata service, against
//! hss-fake's on 127.0.0.1 (never 169.254.169.254): fetched before the
//! first request, refreshed 40 minutes before they expire, one refresh for
//! many requests, and typed errors when the service is unreachable or the
//! server has no agency.

use std::sync::Arc;
use std::time::Duration;

use hss_ext::hss_auth::EndpointError;
use hss_ext::prelude::*;
use hss_ext::{CredentialKind, CredentialOrigin, MetadataError};
use hss_fake::testing::ManualClock;
use hss_fake::{Caller, DEFAULT_REGION, FakeHss, MetadataOptions, RunningFake};

async fn fake(clock: &ManualClock, options: MetadataOptions) -> RunningFake {
    FakeHss::builder()
        .seed(51)
        .hosts(450)
        .clock(clock.clone())
        .metadata(options)
        .start()
        .await
        .unwrap()
}

fn hour() -> MetadataOptions {
    MetadataOptions {
        ttl: Duration::from_secs(3600),
        ..MetadataOptions::default()
    }
}

fn client(fake: &RunningFake, clock: &ManualClock) -> HssClient {
    HssClient::builder()
        .endpoint_url(fake.base_url())
        .credentials_from_metadata()
        .metadata_endpoint(fake.metadata_url())
        .project_id(fake.project_id())
        .clock(Arc::new(clock.clone()))
        .retry(RetryPolicy::default().with_initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap()
}

fn metadata_requests(fake: &RunningFake) -> Vec<String> {
    fake.requests()
        .iter()
        .filter(|r| !r.raw_path.starts_with("/v5/") && r.raw_path != "/v3/projects")
        .map(|r| format!("{} {}", r.method, r.raw_path))
        .collect()
}

/// The access keys HSS requests were signed with, in order; all accepted.
fn hss_keys(fake: &RunningFake) -> Vec<String> {
    fake.requests()
        .iter()
        .filter(|r| r.raw_path.starts_with("/v5/"))
        .map(|r| match &r.caller {
            Some(Caller::AccessKey {
                ak,
                temporary: true,
                unsigned_headers,
            }) => {
                assert!(unsigned_headers.is_empty(), "{unsigned_headers:?}");
                ak.clone()
            }
            other => panic!("not a temporary key: {other:?} ({:?})", r.status),
        })
        .collect()
}

#[tokio::test]
async fn credentials_are_fetched_once_and_sign_every_request() {
    let clock = ManualClock::default();
    let fake = fake(&clock, hour()).await;
    let client = client(&fake, &clock);
    assert!(matches!(
        client.credential_origin(),
        CredentialOrigin::InstanceMetadata {
            fallback: false,
            ..
        }
    ));
    assert!(fake.requests().is_empty(), "build sends nothing");
    let hosts = client
        .collect_hosts(
            HostQuery::new(fake.task_id()),
            ListOptions::default().page_size(50).concurrency(4),
        )
        .await
        .unwrap();
    assert_eq!(hosts.len(), 450);
    assert_eq!(
        metadata_requests(&fake),
        [
            "PUT /meta-data/latest/api/token",
            "GET /openstack/latest/securitykey"
        ],
        "one fetch for 9 pages, 4 at a time"
    );
    let issued = fake.issued_credentials();
    assert_eq!(issued.len(), 1);
    let keys = hss_keys(&fake);
    assert_eq!(keys.len(), 9);
    assert!(keys.iter().all(|k| *k == issued[0].key.ak));
    assert_eq!(
        client.credential_kind(),
        CredentialKind::TemporaryAccessKey {
            ak: issued[0].key.ak.clone()
        }
    );
    assert_eq!(client.credentials_expire_at(), Some(issued[0].expires_at));
    // No secret of them in the client's or the origin's Debug.
    let debug = format!("{client:?}");
    assert!(!debug.contains(&issued[0].key.sk), "{debug}");
    assert!(!debug.contains(issued[0].key.security_token.as_deref().unwrap()));
}

#[tokio::test]
async fn credentials_are_refreshed_40_minutes_before_they_expire() {
    let clock = ManualClock::default();
    let fake = fake(&clock, hour()).await;
    let client = client(&fake, &clock);
    let query = HostQuery::new(fake.task_id());
    client.list_hosts_page(&query).await.unwrap();
    // 19 minutes later 41 are left: the same credentials.
    clock.advance(Duration::from_secs(19 * 60));
    client.list_hosts_page(&query).await.unwrap();
    assert_eq!(fake.issued_credentials().len(), 1);
    // 2 minutes more, 39 are left: fetched again before the request.
    clock.advance(Duration::from_secs(2 * 60));
    client.list_hosts_page(&query).await.unwrap();
    let issued = fake.issued_credentials();
    assert_eq!(issued.len(), 2);
    // Past the first credentials' expiry, the second ones still have 20 minutes:
    // refreshed again; never a request with expired credentials.
    clock.advance(Duration::from_secs(40 * 60));
    client.list_hosts_page(&query).await.unwrap();
    let issued = fake.issued_credentials();
    assert_eq!(issued.len(), 3);
    let keys = hss_keys(&fake);
    assert_eq!(
        keys,
        [
            issued[0].key.ak.clone(),
            issued[0].key.ak.clone(),
            issued[1].key.ak.clone(),
            issued[2].key.ak.clone()
        ]
    );
    assert!(fake.requests().iter().all(|r| r.status == Some(200)));
    // The session token was asked for once.
    assert_eq!(
        metadata_requests(&fake)
            .iter()
            .filter(|r| r.starts_with("PUT"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_failed_refresh_keeps_credentials_that_still_work() {
    let clock = ManualClock::default();
    let fake = fake(&clock, hour()).await;
    let client = client(&fake, &clock);
    let query = HostQuery::new(fake.task_id());
    client.list_hosts_page(&query).await.unwrap();
    fake.set_metadata(MetadataOptions {
        agency: false,
        ..hour()
    });
    clock.advance(Duration::from_secs(30 * 60));
    client.list_hosts_page(&query).await.unwrap();
    assert_eq!(fake.issued_credentials().len(), 1, "still the first ones");
    // Once they expired, the refusal is the error.
    clock.advance(Duration::from_secs(31 * 60));
    let err = client.list_hosts_page(&query).await.unwrap_err();
    assert!(
        matches!(&err, Error::Metadata(e) if matches!(**e, MetadataError::NoAgency { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("attach an agency"), "{err}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_session_token_is_used_when_the_service_requires_one() {
    let clock = ManualClock::default();
    let fake = fake(
        &clock,
        MetadataOptions {
            require_token: true,
            ..hour()
        },
    )
    .await;
    let client = client(&fake, &clock);
    client
        .list_hosts_page(&HostQuery::new(fake.task_id()))
        .await
        .unwrap();
    let sent: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.raw_path == "/openstack/latest/securitykey")
        .collect();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].header("x-metadata-token").is_some());
    assert_eq!(sent[0].status, Some(200));
}

#[tokio::test]
async fn an_unreachable_service_is_a_typed_error_and_nothing_is_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let clock = ManualClock::default();
    let fake = fake(&clock, hour()).await;
    let client = HssClient::builder()
        .endpoint_url(fake.base_url())
        .credentials_from_metadata()
        .metadata_endpoint(&closed)
        .project_id(fake.project_id())
        .build()
        .unwrap();
    let err = client
        .list_hosts_page(&HostQuery::new(fake.task_id()))
        .await
        .unwrap_err();
    match &err {
        Error::Metadata(e) => match &**e {
            MetadataError::Unreachable { endpoint, .. } => assert_eq!(endpoint, &closed),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("unreachable"), "{text}");
    assert!(text.contains("HUAWEICLOUD_SDK_METADATA_ENDPOINT"), "{text}");
    assert!(
        std::error::Error::source(&err).is_some(),
        "the cause is kept"
    );
    assert!(fake.requests().is_empty());
    assert!(client.ensure_credentials().await.is_err());
}

#[tokio::test]
async fn metadata_credentials_discover_the_project_too() {
    let clock = ManualClock::default();
    let fake = fake(&clock, hour()).await;
    let client = HssClient::builder()
        .endpoint_url(fake.base_url())
        .region(DEFAULT_REGION)
        .iam_endpoint(fake.iam_url())
        .credentials_from_metadata()
        .metadata_endpoint(fake.metadata_url())
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    assert_eq!(
        client.resolve_project_id().await.unwrap(),
        fake.project_id()
    );
    let iam = fake
        .requests()
        .into_iter()
        .find(|r| r.raw_path == "/v3/projects")
        .unwrap();
    assert!(matches!(
        iam.caller,
        Some(Caller::AccessKey {
            temporary: true,
            ..
        })
    ));
}

#[test]
fn an_endpoint_in_clear_to_another_host_is_refused() {
    let err = HssClient::builder()
        .endpoint_url("http://127.0.0.1:1")
        .credentials_from_metadata()
        .metadata_endpoint("http://metadata.example.com")
        .build()
        .unwrap_err();
    assert!(
        matches!(err, Error::Endpoint(EndpointError::InsecureHttp { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("the metadata endpoint"), "{err}");
}
