//! Token and AK/SK authentication over real HTTP on 127.0.0.1.

mod support;

use std::time::Duration;

use hss_fake::testing::sign;
use hss_fake::{
    AcceptedCredentials, AkSk, Caller, FakeHss, FixedClock, Lockout, PageQuery, RunningFake,
};
use http::{HeaderMap, HeaderValue, Method};
use reqwest::StatusCode;
use serde_json::Value;
use time::OffsetDateTime;

async fn start() -> RunningFake {
    FakeHss::builder()
        .seed(31)
        .hosts(30)
        .start()
        .await
        .expect("fake starts")
}

fn url_with(fake: &RunningFake, task: &str, query: &PageQuery) -> String {
    let q = query.to_query_string();
    if q.is_empty() {
        fake.hosts_url(task)
    } else {
        format!("{}?{q}", fake.hosts_url(task))
    }
}

fn url(fake: &RunningFake) -> String {
    let query = PageQuery {
        enterprise_project_id: Some("all_granted_eps".into()),
        ..PageQuery::page(0, 20)
    };
    url_with(fake, &fake.task_id(), &query)
}

async fn send(url: &str, headers: HeaderMap) -> (StatusCode, Value) {
    let response = support::http_client()
        .get(url)
        .headers(headers)
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.expect("JSON body");
    if status == StatusCode::UNAUTHORIZED {
        assert_eq!(body["error_code"], "APIGW.0301", "{body}");
        assert_eq!(body["request_id"], id.as_str());
        assert!(
            body["error_msg"]
                .as_str()
                .unwrap()
                .starts_with("Incorrect IAM authentication information")
        );
    }
    (status, body)
}

fn signed(key: &AkSk, url: &str, now: OffsetDateTime) -> HeaderMap {
    sign(key, &Method::GET, url, HeaderMap::new(), b"", now).expect("signs")
}

fn no_secret_in(body: &Value, fake: &RunningFake) {
    let text = body.to_string();
    for key in &fake.credentials().keys {
        assert!(!text.contains(&key.sk));
        if let Some(token) = &key.security_token {
            assert!(!text.contains(token.as_str()));
        }
    }
    for token in &fake.credentials().tokens {
        assert!(!text.contains(token.as_str()));
    }
}

#[tokio::test]
async fn token_is_accepted_and_a_wrong_or_missing_one_is_not() {
    let fake = start().await;
    let mut headers = HeaderMap::new();
    headers.insert("x-auth-token", fake.token().parse().unwrap());
    let (status, body) = send(&url(&fake), headers).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data_list"].as_array().unwrap().len(), 20);
    assert_eq!(fake.take_requests()[0].caller, Some(Caller::Token(0)));

    let mut headers = HeaderMap::new();
    headers.insert("x-auth-token", "MIIwrong".parse().unwrap());
    let (status, body) = send(&url(&fake), headers).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    no_secret_in(&body, &fake);

    let (status, body) = send(&url(&fake), HeaderMap::new()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error_msg"].as_str().unwrap().contains("not found"));
    assert!(fake.requests().iter().all(|r| r.caller.is_none()));
}

#[tokio::test]
async fn permanent_access_key_signature_is_accepted() {
    let fake = start().await;
    let now = OffsetDateTime::now_utc();
    for query in [
        PageQuery::default(),
        PageQuery::page(10, 10),
        PageQuery {
            offset: Some(0),
            limit: Some(200),
            scan_status: Some("success".into()),
            enterprise_project_id: Some("all_granted_eps".into()),
        },
    ] {
        let url = url_with(&fake, &fake.task_id(), &query);
        let (status, body) = send(&url, signed(fake.access_key(), &url, now)).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
    }
    let logged = fake.requests();
    let authorization = logged[0].header("authorization").unwrap();
    assert!(authorization.starts_with(&format!(
        "SDK-HMAC-SHA256 Access={}, SignedHeaders=",
        fake.access_key().ak
    )));
    assert!(logged[0].header("x-sdk-date").is_some());
    assert!(logged[0].header("x-security-token").is_none());
    assert_eq!(
        logged[0].caller,
        Some(Caller::AccessKey {
            ak: fake.access_key().ak.clone(),
            temporary: false,
            unsigned_headers: vec![],
        })
    );
}

#[tokio::test]
async fn odd_task_ids_sign_and_verify_alike() {
    let fake = FakeHss::builder()
        .seed(32)
        .hosts(12)
        .task_ids(["a/b c~d%é"])
        .start()
        .await
        .unwrap();
    let url = url_with(&fake, "a/b c~d%é", &PageQuery::page(0, 10));
    assert!(url.contains("a%2Fb%20c~d%25%C3%A9"), "{url}");
    let (status, body) = send(
        &url,
        signed(fake.access_key(), &url, OffsetDateTime::now_utc()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["total_num"],
        fake.matching_hosts("a/b c~d%é", None, None).unwrap().len()
    );
}

#[tokio::test]
async fn temporary_credentials_need_their_security_token() {
    let fake = start().await;
    let now = OffsetDateTime::now_utc();
    let url = url(&fake);
    let temporary = fake.temporary_access_key().clone();

    let (status, body) = send(&url, signed(&temporary, &url, now)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let logged = fake.take_requests();
    assert_eq!(
        logged[0].header("x-security-token"),
        temporary.security_token.as_deref()
    );
    assert_eq!(
        logged[0].caller,
        Some(Caller::AccessKey {
            ak: temporary.ak.clone(),
            temporary: true,
            unsigned_headers: vec![],
        })
    );

    // The temporary AK signed without its token.
    let without = AkSk {
        security_token: None,
        ..temporary.clone()
    };
    let (status, body) = send(&url, signed(&without, &url, now)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["error_msg"]
            .as_str()
            .unwrap()
            .contains("X-Security-Token")
    );

    // The temporary AK with someone else's token (correctly signed).
    let wrong = AkSk {
        security_token: Some("another-session-token".into()),
        ..temporary.clone()
    };
    let (status, body) = send(&url, signed(&wrong, &url, now)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    no_secret_in(&body, &fake);

    // A permanent AK that sends a security token.
    let permanent_with_token = AkSk {
        security_token: Some("stray".into()),
        ..fake.access_key().clone()
    };
    let (status, _) = send(&url, signed(&permanent_with_token, &url, now)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The token must be signed: adding it after signing is refused.
    let mut headers = signed(&without, &url, now);
    headers.insert(
        "x-security-token",
        HeaderValue::from_str(temporary.security_token.as_deref().unwrap()).unwrap(),
    );
    let (status, _) = send(&url, headers).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_signatures_are_refused() {
    let fake = FakeHss::builder()
        .seed(33)
        .hosts(20)
        .lockout(None)
        .start()
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc();
    let url = url(&fake);

    // Wrong secret key.
    let wrong_sk = AkSk {
        sk: "not-the-secret".into(),
        ..fake.access_key().clone()
    };
    let (status, body) = send(&url, signed(&wrong_sk, &url, now)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error_msg"].as_str().unwrap().contains("signature"));
    no_secret_in(&body, &fake);

    // Unknown access key.
    let unknown = AkSk {
        ak: "UNKNOWNAK00000000000".into(),
        ..fake.access_key().clone()
    };
    let (status, _) = send(&url, signed(&unknown, &url, now)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The query changed after signing.
    let headers = signed(fake.access_key(), &url, now);
    let other = url.replace("limit=20", "limit=30");
    assert_ne!(other, url);
    let (status, _) = send(&other, headers).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A header added after signing is ignored, as by the gateway (the
    // official Python SDK sends `Accept` unsigned), and logged as unsigned.
    let mut headers = signed(fake.access_key(), &url, now);
    headers.insert("x-project-id", HeaderValue::from_static("p"));
    let (status, _) = send(&url, headers).await;
    assert_eq!(status, StatusCode::OK);
    assert!(matches!(
        &fake.requests().last().unwrap().caller,
        Some(Caller::AccessKey { unsigned_headers, .. }) if unsigned_headers == &["x-project-id".to_owned()]
    ));

    // A flipped signature digit.
    let mut headers = signed(fake.access_key(), &url, now);
    let authorization = headers["authorization"].to_str().unwrap().to_owned();
    let last = authorization.chars().last().unwrap();
    let flipped = format!(
        "{}{}",
        &authorization[..authorization.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    headers.insert("authorization", flipped.parse().unwrap());
    let (status, _) = send(&url, headers).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Not an SDK-HMAC-SHA256 header at all.
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        HeaderValue::from_static("Basic dXNlcjpwYXNz"),
    );
    let (status, _) = send(&url, headers).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Still fine when signed properly.
    let (status, _) = send(&url, signed(fake.access_key(), &url, now)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn sdk_date_must_be_within_15_minutes() {
    let fake = FakeHss::builder()
        .seed(34)
        .hosts(20)
        .lockout(None)
        .start()
        .await
        .unwrap();
    let url = url(&fake);
    let now = OffsetDateTime::now_utc();
    for (offset_minutes, ok) in [
        (-14, true),
        (14, true),
        (-16, false),
        (16, false),
        (-600, false),
    ] {
        let at = now + time::Duration::minutes(offset_minutes);
        let (status, body) = send(&url, signed(fake.access_key(), &url, at)).await;
        if ok {
            assert_eq!(status, StatusCode::OK, "{offset_minutes} min: {body}");
        } else {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{offset_minutes} min");
            // The gateway's words, with both times, as clients parse them.
            let message = body["error_msg"].as_str().unwrap();
            assert!(
                message.contains("calc aksk signature fail:signature expired, signature time:"),
                "{body}"
            );
            let expired = hss_auth::skew::expired_signature(401, Some("APIGW.0301"), Some(message))
                .expect("recognised as an expired signature");
            assert_eq!(
                expired.signature_time.map(|t| t.unix_timestamp()),
                Some(at.unix_timestamp())
            );
            assert!(expired.server_time.is_some());
        }
    }
}

#[tokio::test]
async fn the_fakes_clock_can_be_fixed() {
    let at = OffsetDateTime::from_unix_timestamp(1_573_788_615).unwrap(); // 2019-11-15T03:30:15Z
    let fake = FakeHss::builder()
        .seed(35)
        .hosts(20)
        .clock(FixedClock::new(at))
        .max_clock_skew(Duration::from_secs(60))
        .lockout(None)
        .start()
        .await
        .unwrap();
    let url = url(&fake);
    let (status, _) = send(
        &url,
        signed(fake.access_key(), &url, at + time::Duration::seconds(59)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(
        &url,
        signed(fake.access_key(), &url, at + time::Duration::seconds(61)),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(
        &url,
        signed(fake.access_key(), &url, OffsetDateTime::now_utc()),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn five_failures_in_a_row_lock_the_access_key() {
    let fake = start().await;
    let url = url(&fake);
    let now = OffsetDateTime::now_utc();
    let wrong = AkSk {
        sk: "wrong".into(),
        ..fake.access_key().clone()
    };
    // A success resets the count.
    for _ in 0..4 {
        assert_eq!(
            send(&url, signed(&wrong, &url, now)).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        send(&url, signed(fake.access_key(), &url, now)).await.0,
        StatusCode::OK
    );
    for _ in 0..5 {
        assert_eq!(
            send(&url, signed(&wrong, &url, now)).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, body) = send(&url, signed(fake.access_key(), &url, now)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "locked even with a good signature"
    );
    assert!(body["error_msg"].as_str().unwrap().contains("locked"));
    // Other credentials are not affected.
    let (status, _) = send(&url, signed(fake.temporary_access_key(), &url, now)).await;
    assert_eq!(status, StatusCode::OK);
    fake.reset_lockouts();
    assert_eq!(
        send(&url, signed(fake.access_key(), &url, now)).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_lock_expires_with_the_fakes_clock() {
    // A clock moved by hand (at the present, so signatures dated by the
    // system clock pass): the lock ends when it is moved past it, not
    // when a slow machine gets round to the next request.
    let clock = hss_fake::testing::ManualClock::default();
    let fake = FakeHss::builder()
        .seed(36)
        .hosts(10)
        .clock(clock.clone())
        .lockout(Some(Lockout {
            failures: 2,
            duration: Duration::from_millis(300),
        }))
        .start()
        .await
        .unwrap();
    let url = url(&fake);
    let wrong = AkSk {
        sk: "wrong".into(),
        ..fake.access_key().clone()
    };
    let now = OffsetDateTime::now_utc();
    for _ in 0..2 {
        send(&url, signed(&wrong, &url, now)).await;
    }
    assert_eq!(
        send(&url, signed(fake.access_key(), &url, now)).await.0,
        StatusCode::UNAUTHORIZED
    );
    clock.advance(Duration::from_millis(299));
    assert_eq!(
        send(&url, signed(fake.access_key(), &url, now)).await.0,
        StatusCode::UNAUTHORIZED,
        "locked for 300 ms"
    );
    clock.advance(Duration::from_millis(1));
    assert_eq!(
        send(&url, signed(fake.access_key(), &url, now)).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn configured_credentials_replace_the_generated_ones() {
    let credentials = AcceptedCredentials {
        tokens: vec!["tok-1".into(), "tok-2".into()],
        keys: vec![AkSk {
            ak: "QTWAOYTTINDUT2QVKYUC".into(),
            sk: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc".into(),
            security_token: None,
        }],
    };
    let fake = FakeHss::builder()
        .hosts(10)
        .credentials(credentials.clone())
        .start()
        .await
        .unwrap();
    assert_eq!(fake.credentials(), &credentials);
    let url = url(&fake);
    for token in ["tok-1", "tok-2"] {
        let mut headers = HeaderMap::new();
        headers.insert("x-auth-token", token.parse().unwrap());
        assert_eq!(send(&url, headers).await.0, StatusCode::OK);
    }
    let (status, _) = send(
        &url,
        signed(&credentials.keys[0], &url, OffsetDateTime::now_utc()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn auth_can_be_turned_off() {
    let fake = FakeHss::builder()
        .hosts(10)
        .auth(false)
        .start()
        .await
        .unwrap();
    let (status, _) = send(&url(&fake), HeaderMap::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fake.requests()[0].caller, Some(Caller::Anonymous));
    let mut headers = HeaderMap::new();
    headers.insert("x-auth-token", "anything".parse().unwrap());
    let (status, _) = send(&url(&fake), headers).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn authentication_comes_before_parameter_checks() {
    let fake = start().await;
    let bad = format!("{}?limit=5", fake.hosts_url("missing-task"));
    let (status, _) = send(&bad, HeaderMap::new()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let mut headers = HeaderMap::new();
    headers.insert("x-auth-token", fake.token().parse().unwrap());
    let (status, body) = send(&bad, headers).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], "HSS.0001");
}
