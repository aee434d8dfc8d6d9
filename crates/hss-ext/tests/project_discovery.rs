//! Project id discovery from IAM, against hss-fake's IAM on 127.0.0.1:
//! the same AK/SK signs `GET /v3/projects?name=<region>`, the answer is
//! asked once per client (clones included), and no project or several are
//! typed errors that say what to do.

mod support;

use std::time::Duration;

use hss_auth::EndpointError;
use hss_auth::iam::ProjectError;
use hss_ext::prelude::*;
use hss_ext::{Credentials, ProjectOrigin, SecretString};
use hss_fake::{Caller, DEFAULT_REGION, FakeHss, Fault, FaultRule, RunningFake};
use support::ak_sk;

async fn fake() -> RunningFake {
    FakeHss::builder()
        .seed(21)
        .hosts(450)
        .start()
        .await
        .unwrap()
}

/// A client for the fake without a project id: region and IAM given.
fn discovering(fake: &RunningFake) -> HssClient {
    HssClient::builder()
        .endpoint_url(fake.base_url())
        .region(DEFAULT_REGION)
        .iam_endpoint(fake.iam_url())
        .credentials(ak_sk(fake))
        .retry(RetryPolicy::default().with_initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap()
}

fn iam_requests(fake: &RunningFake) -> Vec<hss_fake::RecordedRequest> {
    fake.requests()
        .into_iter()
        .filter(|r| r.raw_path == "/v3/projects")
        .collect()
}

fn hss_requests(fake: &RunningFake) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.raw_path.starts_with("/v5/"))
        .count()
}

#[tokio::test]
async fn the_project_is_discovered_once_for_a_client_and_its_clones() {
    let fake = fake().await;
    let client = discovering(&fake);
    assert!(client.discovers_project());
    assert_eq!(client.project_id(), None, "nothing asked yet");
    assert!(fake.requests().is_empty(), "build sends nothing");

    let all = client
        .collect_hosts(
            HostQuery::new(fake.task_id()),
            ListOptions::default().page_size(50).concurrency(4),
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 450);
    let clone = client.clone();
    let page = clone
        .list_hosts_page(&HostQuery::new(fake.task_id()).limit(10))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 10);
    assert_eq!(
        client.resolve_project_id().await.unwrap(),
        fake.project_id()
    );

    let iam = iam_requests(&fake);
    assert_eq!(iam.len(), 1, "asked once for 10 pages and a clone");
    let ask = &iam[0];
    assert_eq!(ask.raw_query.as_deref(), Some("name=cn-north-4"));
    // Signed with the client's AK, every header it sent signed.
    match &ask.caller {
        Some(Caller::AccessKey {
            ak,
            unsigned_headers,
            ..
        }) => {
            assert_eq!(ak, &fake.access_key().ak);
            assert!(unsigned_headers.is_empty(), "{unsigned_headers:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(client.project_id(), Some(fake.project_id().as_str()));
    assert_eq!(
        client.project_origin(),
        Some(ProjectOrigin::Discovered {
            region: DEFAULT_REGION.into(),
            iam_endpoint: fake.iam_url(),
        })
    );
    assert!(!client.discovers_project());
    // Every page went to the discovered project.
    assert!(
        fake.requests()
            .iter()
            .filter(|r| r.raw_path.starts_with("/v5/"))
            .all(|r| r
                .raw_path
                .starts_with(&format!("/v5/{}/", fake.project_id())))
    );
}

#[tokio::test]
async fn a_given_project_asks_nobody() {
    let fake = fake().await;
    let client = HssClient::builder()
        .endpoint_url(fake.base_url())
        .region(DEFAULT_REGION)
        .iam_endpoint(fake.iam_url())
        .credentials(ak_sk(&fake))
        .project_id(fake.project_id())
        .build()
        .unwrap();
    assert!(!client.discovers_project());
    assert_eq!(client.project_origin(), Some(ProjectOrigin::Given));
    client
        .list_hosts_page(&HostQuery::new(fake.task_id()))
        .await
        .unwrap();
    assert!(iam_requests(&fake).is_empty());
    // A project on the query needs no discovery either.
    let discovering = discovering(&fake);
    discovering
        .list_hosts_page(&HostQuery::new(fake.task_id()).project_id(fake.project_id()))
        .await
        .unwrap();
    assert!(iam_requests(&fake).is_empty());
}

#[tokio::test]
async fn no_project_for_the_region_says_what_to_do() {
    let fake = FakeHss::builder()
        .seed(21)
        .hosts(10)
        .iam_projects(DEFAULT_REGION, Vec::<String>::new())
        .start()
        .await
        .unwrap();
    let client = discovering(&fake);
    let err = client
        .list_hosts_page(&HostQuery::new(fake.task_id()))
        .await
        .unwrap_err();
    match &err {
        Error::Project(ProjectError::NotFound {
            region, trace_id, ..
        }) => {
            assert_eq!(region, DEFAULT_REGION);
            assert!(trace_id.is_some(), "IAM's trace id is kept");
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("no project named `cn-north-4`"), "{text}");
    assert!(text.contains("HUAWEICLOUD_SDK_PROJECT_ID"), "{text}");
    assert!(!err.is_retryable());
    assert_eq!(iam_requests(&fake).len(), 1, "not retried");
    assert_eq!(hss_requests(&fake), 0, "nothing sent to HSS");
    assert_eq!(client.project_id(), None);
}

#[tokio::test]
async fn several_projects_are_named() {
    let fake = FakeHss::builder()
        .seed(21)
        .hosts(10)
        .iam_projects(DEFAULT_REGION, ["0aa1", "0bb2", "0cc3"])
        .start()
        .await
        .unwrap();
    let client = discovering(&fake);
    let err = client.resolve_project_id().await.unwrap_err();
    match &err {
        Error::Project(ProjectError::Ambiguous { candidates, .. }) => {
            assert_eq!(candidates, &["0aa1", "0bb2", "0cc3"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .contains("3 projects named `cn-north-4`: 0aa1, 0bb2, 0cc3"),
        "{err}"
    );
    // Choosing one is the way out.
    fake.set_iam_projects(DEFAULT_REGION, [fake.project_id()]);
    assert_eq!(
        client.resolve_project_id().await.unwrap(),
        fake.project_id()
    );
}

#[tokio::test]
async fn a_failing_iam_is_retried_as_the_request_is() {
    let fake = fake().await;
    fake.set_faults([FaultRule::first(2, Fault::server_error(503))]);
    let client = discovering(&fake);
    let page = client
        .list_hosts_page(&HostQuery::new(fake.task_id()))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 10);
    assert_eq!(iam_requests(&fake).len(), 3, "two 503s, then the answer");
    assert_eq!(hss_requests(&fake), 1);
}

#[tokio::test]
async fn refused_credentials_name_iam_and_are_not_retried() {
    let fake = fake().await;
    let key = fake.access_key();
    let client = HssClient::builder()
        .endpoint_url(fake.base_url())
        .region(DEFAULT_REGION)
        .iam_endpoint(fake.iam_url())
        .credentials(Credentials::ak_sk(
            key.ak.clone(),
            SecretString::from("not-the-secret-key-0123456789".to_owned()),
        ))
        .build()
        .unwrap();
    let err = client
        .list_hosts_page(&HostQuery::new(fake.task_id()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ProjectDiscovery { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.error_code(), Some("APIGW.0301"));
    let text = err.to_string();
    assert!(
        text.starts_with("no project id is set, and asking IAM ("),
        "{text}"
    );
    assert!(!text.contains("not-the-secret"), "{text}");
    assert!(!format!("{err:?}").contains("not-the-secret"));
    assert_eq!(iam_requests(&fake).len(), 1);
    assert_eq!(hss_requests(&fake), 0);
}

#[tokio::test]
async fn without_a_way_to_discover_the_project_nothing_is_sent() {
    let fake = fake().await;
    // A token cannot sign IAM's question; no region names no project.
    let token = HssClient::builder()
        .endpoint_url(fake.base_url())
        .region(DEFAULT_REGION)
        .iam_endpoint(fake.iam_url())
        .credentials(Credentials::token(SecretString::from(
            fake.token().to_owned(),
        )))
        .build()
        .unwrap();
    let no_region = HssClient::builder()
        .endpoint_url(fake.base_url())
        .credentials(ak_sk(&fake))
        .build()
        .unwrap();
    for client in [token, no_region] {
        assert!(!client.discovers_project());
        let err = client
            .list_hosts_page(&HostQuery::new(fake.task_id()))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    parameter: "project_id",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(client.resolve_project_id().await.is_err());
    }
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn an_iam_endpoint_that_is_not_one_fails_the_build() {
    let fake = fake().await;
    let err = HssClient::builder()
        .endpoint_url(fake.base_url())
        .region(DEFAULT_REGION)
        .iam_endpoint("http://iam.example.com")
        .credentials(ak_sk(&fake))
        .build()
        .unwrap_err();
    assert!(
        matches!(err, Error::Endpoint(EndpointError::InsecureHttp { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("the IAM endpoint"), "{err}");
}
