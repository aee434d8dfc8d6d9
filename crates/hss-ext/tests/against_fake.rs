//! hss-ext against the project's fake HSS: real signing, real verification,
//! real paging and filters, real faults.

mod support;

use std::time::Duration;

use hss_ext::prelude::*;
use hss_ext::{Credentials, SecretString};
use hss_fake::{Caller, FakeHss, Fault, FaultRule, RunningFake};
use support::ak_sk;

async fn fake(hosts: usize) -> RunningFake {
    FakeHss::builder()
        .seed(11)
        .hosts(hosts)
        .start()
        .await
        .unwrap()
}

fn builder(fake: &RunningFake) -> hss_ext::HssClientBuilder {
    HssClient::builder()
        .endpoint_url(fake.base_url())
        .project_id(fake.project_id())
        .retry(RetryPolicy::default().with_initial_backoff(Duration::from_millis(5)))
}

#[tokio::test]
async fn every_credential_kind_is_accepted() {
    let fake = fake(30).await;
    let temporary = fake.temporary_access_key();
    let kinds = [
        Credentials::token(SecretString::from(fake.token().to_owned())),
        ak_sk(&fake),
        Credentials::temporary(
            temporary.ak.clone(),
            SecretString::from(temporary.sk.clone()),
            SecretString::from(temporary.security_token.clone().unwrap()),
        ),
    ];
    for credentials in kinds {
        let client = builder(&fake)
            .credentials(credentials.clone())
            .build()
            .unwrap();
        let hosts = client
            .collect_hosts(
                HostQuery::new(fake.task_id()).all_enterprise_projects(),
                ListOptions::default().page_size(10).concurrency(3),
            )
            .await
            .unwrap_or_else(|e| panic!("{credentials}: {e}"));
        assert_eq!(hosts.len(), 30, "{credentials}");
    }
    let log = fake.requests();
    assert!(log.iter().any(|r| r.header("x-security-token").is_some()));
    assert!(log.iter().any(|r| r.header("x-auth-token").is_some()));
    // Everything this client sends is signed, so nothing can change on the way.
    let signed: Vec<_> = log
        .iter()
        .filter_map(|r| match &r.caller {
            Some(Caller::AccessKey {
                unsigned_headers, ..
            }) => Some(unsigned_headers),
            _ => None,
        })
        .collect();
    assert!(!signed.is_empty());
    assert!(signed.iter().all(|u| u.is_empty()), "{signed:?}");
}

#[tokio::test]
async fn a_wrong_sk_gets_the_gateway_error_with_code_message_and_request_id() {
    let fake = fake(10).await;
    let client = builder(&fake)
        .credentials(Credentials::ak_sk(
            fake.access_key().ak.clone(),
            SecretString::from("not-the-secret".to_owned()),
        ))
        .build()
        .unwrap();
    let err = client
        .list_hosts_page(&HostQuery::new(fake.task_id()))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.error_code(), Some("APIGW.0301"));
    assert!(err.error_msg().is_some_and(|m| !m.is_empty()));
    assert!(err.request_id().is_some_and(|id| !id.is_empty()));
    assert_eq!(fake.requests().len(), 1, "a 401 is not retried");
    assert!(!err.to_string().contains("not-the-secret"));
}

#[tokio::test]
async fn filters_and_paging_match_the_fake_at_concurrency_1_and_8() {
    let fake = fake(1_234).await;
    let client = builder(&fake).credentials(ak_sk(&fake)).build().unwrap();
    let everything = client
        .collect_hosts(
            HostQuery::new(fake.task_id()).all_enterprise_projects(),
            ListOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(everything.len(), 1_234);
    let failed_expected = everything
        .iter()
        .filter(|h| h.scan_status() == Some(ScanStatus::Failed))
        .count();
    assert!(failed_expected > 0);
    for concurrency in [1, 8] {
        let failed = client
            .collect_hosts(
                HostQuery::new(fake.task_id())
                    .all_enterprise_projects()
                    .scan_status(ScanStatus::Failed),
                ListOptions::default().concurrency(concurrency),
            )
            .await
            .unwrap();
        assert_eq!(failed.len(), failed_expected, "concurrency {concurrency}");
        assert!(
            failed
                .iter()
                .all(|h| h.scan_status() == Some(ScanStatus::Failed))
        );
    }
}

#[tokio::test]
async fn faults_are_survived_or_reported() {
    let fake = fake(450).await;
    let client = builder(&fake).credentials(ak_sk(&fake)).build().unwrap();
    let query = || HostQuery::new(fake.task_id()).all_enterprise_projects();

    fake.set_faults([FaultRule::first(2, Fault::server_error(503))]);
    let hosts = client
        .collect_hosts(query(), ListOptions::default())
        .await
        .unwrap();
    assert_eq!(hosts.len(), 450);

    fake.set_faults([FaultRule::first(1, Fault::throttle(0))]);
    let hosts = client
        .collect_hosts(query(), ListOptions::default())
        .await
        .unwrap();
    assert_eq!(hosts.len(), 450);

    fake.set_faults([FaultRule::always(Fault::server_error(500))]);
    let err = client
        .collect_hosts(query(), ListOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(err.request_id().is_some());
}
