//! The fake's instance metadata service over real HTTP on 127.0.0.1:
//! session tokens, temporary credentials that its gateway accepts until
//! they expire, a server without an agency.

mod support;

use std::time::Duration;

use hss_fake::testing::{ManualClock, sign};
use hss_fake::{AkSk, Clock, FakeHss, MetadataOptions, PageQuery, RunningFake};
use http::{HeaderMap, Method};
use reqwest::StatusCode;
use serde_json::Value;

async fn security_key(fake: &RunningFake, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = support::http_client().get(format!(
        "{}/openstack/latest/securitykey",
        fake.metadata_url()
    ));
    if let Some(token) = token {
        request = request.header("X-Metadata-Token", token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn session_token(fake: &RunningFake) -> String {
    let response = support::http_client()
        .put(format!(
            "{}/meta-data/latest/api/token",
            fake.metadata_url()
        ))
        .header("X-Metadata-Token-Ttl-Seconds", "21600")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

/// A signed page request with `key` at `now`; its status.
async fn list_with(fake: &RunningFake, key: &AkSk, now: time::OffsetDateTime) -> StatusCode {
    let url = format!(
        "{}?{}",
        fake.hosts_url(&fake.task_id()),
        PageQuery::page(0, 10).to_query_string()
    );
    let headers = sign(key, &Method::GET, &url, HeaderMap::new(), b"", now).unwrap();
    support::http_client()
        .get(&url)
        .headers(headers)
        .send()
        .await
        .unwrap()
        .status()
}

fn key_of(body: &Value) -> AkSk {
    let credential = &body["credential"];
    AkSk {
        ak: credential["access"].as_str().unwrap().to_owned(),
        sk: credential["secret"].as_str().unwrap().to_owned(),
        security_token: Some(credential["securitytoken"].as_str().unwrap().to_owned()),
    }
}

#[tokio::test]
async fn issued_credentials_work_until_they_expire() {
    let clock = ManualClock::default();
    let fake = FakeHss::builder()
        .seed(5)
        .hosts(20)
        .clock(clock.clone())
        .metadata(MetadataOptions {
            ttl: Duration::from_secs(3600),
            ..MetadataOptions::default()
        })
        .lockout(None)
        .start()
        .await
        .unwrap();
    let (status, body) = security_key(&fake, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let expires = body["credential"]["expires_at"].as_str().unwrap();
    let expires = hss_auth::metadata::parse_expires_at(expires).unwrap();
    // Written in microseconds.
    let left = (expires - clock.now()).whole_milliseconds();
    assert!((3_599_999..=3_600_000).contains(&left), "{left}");
    let key = key_of(&body);
    assert_eq!(fake.issued_credentials()[0].key, key);

    assert_eq!(list_with(&fake, &key, clock.now()).await, StatusCode::OK);
    // Without its security token the key is refused.
    let bare = AkSk {
        security_token: None,
        ..key.clone()
    };
    assert_eq!(
        list_with(&fake, &bare, clock.now()).await,
        StatusCode::UNAUTHORIZED
    );
    // An hour later it has expired.
    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        list_with(&fake, &key, clock.now()).await,
        StatusCode::UNAUTHORIZED
    );
    let last = fake.requests().pop().unwrap();
    assert_eq!(last.status, Some(401));
    // A new one works again, and is another key.
    let (_, body) = security_key(&fake, None).await;
    let fresh = key_of(&body);
    assert_ne!(fresh.ak, key.ak);
    assert_eq!(list_with(&fake, &fresh, clock.now()).await, StatusCode::OK);
}

#[tokio::test]
async fn session_tokens_and_servers_without_an_agency() {
    let fake = FakeHss::builder()
        .seed(5)
        .hosts(10)
        .metadata(MetadataOptions {
            require_token: true,
            ..MetadataOptions::default()
        })
        .start()
        .await
        .unwrap();
    assert_eq!(security_key(&fake, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        security_key(&fake, Some("forged")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let token = session_token(&fake).await;
    assert_eq!(security_key(&fake, Some(&token)).await.0, StatusCode::OK);

    fake.set_metadata(MetadataOptions {
        agency: false,
        ..MetadataOptions::default()
    });
    let (status, body) = security_key(&fake, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body.to_string()
            .contains("Please configure Cloud Service Agency first")
    );
    assert_eq!(fake.issued_credentials().len(), 1);
}
