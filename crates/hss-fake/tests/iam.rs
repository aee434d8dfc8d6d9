//! The fake's IAM (`GET /v3/projects?name=<region>`) and its skewed clock,
//! over real HTTP on 127.0.0.1.

mod support;

use hss_fake::testing::sign;
use hss_fake::{Caller, DEFAULT_REGION, FakeHss, RunningFake};
use http::{HeaderMap, Method};
use reqwest::StatusCode;
use serde_json::Value;
use time::OffsetDateTime;

fn projects_url(fake: &RunningFake, name: Option<&str>) -> String {
    match name {
        Some(name) => format!(
            "{}/v3/projects?name={}",
            fake.iam_url(),
            hss_auth::signer::encode_component(name)
        ),
        None => format!("{}/v3/projects", fake.iam_url()),
    }
}

async fn get(url: &str, headers: HeaderMap) -> (StatusCode, HeaderMap, Value) {
    let response = support::http_client()
        .get(url)
        .headers(headers)
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.expect("JSON body");
    (status, headers, body)
}

fn ids(body: &Value) -> Vec<String> {
    body["projects"]
        .as_array()
        .expect("projects is an array")
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn iam_lists_the_served_project_under_its_region_to_a_signed_request() {
    let fake = FakeHss::builder().seed(3).hosts(10).start().await.unwrap();
    assert_eq!(fake.region(), DEFAULT_REGION);
    let url = projects_url(&fake, Some(DEFAULT_REGION));
    let headers = sign(
        fake.access_key(),
        &Method::GET,
        &url,
        HeaderMap::new(),
        b"",
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    let (status, headers, body) = get(&url, headers).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), [fake.project_id()]);
    let project = &body["projects"][0];
    assert_eq!(project["name"], DEFAULT_REGION);
    assert_eq!(project["domain_id"], fake.domain_id());
    assert_eq!(project["enabled"], true);
    assert!(headers.contains_key("x-iam-trace-id"));
    let last = fake.requests().pop().unwrap();
    assert!(
        matches!(last.caller, Some(Caller::AccessKey { ref ak, .. }) if *ak == fake.access_key().ak)
    );
}

#[tokio::test]
async fn iam_checks_the_signature() {
    let fake = FakeHss::builder().seed(3).hosts(10).start().await.unwrap();
    let url = projects_url(&fake, Some(DEFAULT_REGION));
    let (status, _, body) = get(&url, HeaderMap::new()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error_code"], "APIGW.0301");
    let mut wrong = fake.access_key().clone();
    wrong.sk = "not-the-secret-key-at-all".into();
    let headers = sign(
        &wrong,
        &Method::GET,
        &url,
        HeaderMap::new(),
        b"",
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    let (status, _, body) = get(&url, headers).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["error_msg"]
            .as_str()
            .unwrap()
            .contains("verify aksk signature fail"),
        "{body}"
    );
    // A signature over another query does not list anything.
    let other = projects_url(&fake, Some("ap-southeast-1"));
    let headers = sign(
        fake.access_key(),
        &Method::GET,
        &other,
        HeaderMap::new(),
        b"",
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    let (status, _, _) = get(&url, headers).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_region_has_no_one_or_several_projects_as_configured() {
    let fake = FakeHss::builder()
        .seed(3)
        .hosts(10)
        .region("ap-southeast-1")
        .iam_projects("cn-north-4", ["p-a", "p-b"])
        .iam_projects("la-south-2", Vec::<String>::new())
        .start()
        .await
        .unwrap();
    let list = |name: Option<&'static str>| {
        let url = projects_url(&fake, name);
        let headers = sign(
            fake.access_key(),
            &Method::GET,
            &url,
            HeaderMap::new(),
            b"",
            OffsetDateTime::now_utc(),
        )
        .unwrap();
        async move {
            let (status, _, body) = get(&url, headers).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            ids(&body)
        }
    };
    assert_eq!(list(Some("ap-southeast-1")).await, [fake.project_id()]);
    assert_eq!(list(Some("cn-north-4")).await, ["p-a", "p-b"]);
    assert!(list(Some("la-south-2")).await.is_empty());
    assert!(list(Some("eu-west-101")).await.is_empty());
    assert_eq!(list(None).await.len(), 3);
    fake.set_iam_projects("ap-southeast-1", ["p-x", "p-y", "p-z"]);
    assert_eq!(list(Some("ap-southeast-1")).await, ["p-x", "p-y", "p-z"]);
}

#[tokio::test]
async fn a_skewed_fake_refuses_the_system_clock_as_the_gateway_does() {
    for minutes in [20, -20] {
        let fake = FakeHss::builder()
            .seed(3)
            .hosts(10)
            .clock_offset(time::Duration::minutes(minutes))
            .lockout(None)
            .start()
            .await
            .unwrap();
        let url = projects_url(&fake, Some(DEFAULT_REGION));
        let now = OffsetDateTime::now_utc();
        let headers = sign(
            fake.access_key(),
            &Method::GET,
            &url,
            HeaderMap::new(),
            b"",
            now,
        )
        .unwrap();
        let (status, headers, body) = get(&url, headers).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error_code"], "APIGW.0301");
        let message = body["error_msg"].as_str().unwrap();
        let found = hss_auth::skew::expired_signature(401, Some("APIGW.0301"), Some(message))
            .unwrap_or_else(|| panic!("not the gateway's expired signature: {message}"));
        let server = found.server_time.unwrap();
        let skew = (server - now).whole_minutes();
        assert!(
            (minutes - 1..=minutes + 1).contains(&skew),
            "{skew} for {minutes}"
        );
        assert_eq!(
            found.signature_time.unwrap().unix_timestamp(),
            now.unix_timestamp()
        );
        // `Date` carries the same skewed clock.
        let date = httpdate::parse_http_date(headers["date"].to_str().unwrap()).unwrap();
        let date = OffsetDateTime::from(date);
        assert!(
            ((server - date).whole_seconds()).abs() <= 2,
            "{date} vs {server}"
        );

        // Signed with the fake's time, the same request goes through.
        let headers = sign(
            fake.access_key(),
            &Method::GET,
            &url,
            HeaderMap::new(),
            b"",
            now + time::Duration::minutes(minutes),
        )
        .unwrap();
        assert_eq!(get(&url, headers).await.0, StatusCode::OK);
    }
}
