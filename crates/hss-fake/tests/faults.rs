//! Every fault, over real HTTP (and raw TCP where a client would hide the
//! details) on 127.0.0.1.

mod support;

use std::time::{Duration, Instant};

use hss_fake::testing::{raw_exchange, raw_get};
use hss_fake::{FakeHss, Fault, FaultRule, RunningFake};
use reqwest::StatusCode;
use serde_json::Value;

async fn start() -> RunningFake {
    FakeHss::builder()
        .seed(21)
        .hosts(60)
        .auth(false)
        .start()
        .await
        .expect("fake starts")
}

fn url(fake: &RunningFake) -> String {
    format!(
        "{}?limit=50&enterprise_project_id=all_granted_eps",
        fake.hosts_url(&fake.task_id())
    )
}

async fn send(fake: &RunningFake) -> reqwest::Result<reqwest::Response> {
    support::http_client().get(url(fake)).send().await
}

fn request_id(response: &reqwest::Response) -> String {
    let id = response
        .headers()
        .get("x-request-id")
        .expect("X-Request-Id")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 32);
    id
}

#[tokio::test]
async fn first_n_requests_fail_then_the_service_recovers() {
    let fake = start().await;
    assert_eq!(send(&fake).await.unwrap().status(), StatusCode::OK);
    fake.set_faults([FaultRule::first(3, Fault::server_error(503))]);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let response = send(&fake).await.unwrap();
        let status = response.status();
        let id = request_id(&response);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error_code"], "APIGW.0202");
            assert_eq!(body["error_msg"], "Backend unavailable.");
            assert_eq!(body["request_id"], id.as_str());
        }
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses, [503, 503, 503, 200, 200]);
    assert_eq!(
        fake.faults(),
        [FaultRule::first(3, Fault::server_error(503))]
    );
    // Setting a plan again restarts the numbering.
    fake.set_faults([FaultRule::first(1, Fault::server_error(500))]);
    assert_eq!(
        send(&fake).await.unwrap().status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(send(&fake).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn every_nth_request_fails() {
    let fake = start().await;
    fake.set_faults([FaultRule::every_nth(3, Fault::server_error(500))]);
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(send(&fake).await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 500, 200, 200, 500, 200]);
    fake.clear_faults();
    assert!(fake.faults().is_empty());
    assert_eq!(send(&fake).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn any_5xx_with_any_code() {
    let fake = start().await;
    for status in [500u16, 502, 503, 504, 599] {
        fake.set_faults([FaultRule::always(Fault::server_error(status))]);
        let response = send(&fake).await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        request_id(&response);
        let body: Value = response.json().await.unwrap();
        assert!(body["error_code"].as_str().unwrap().contains('.'));
    }
    fake.set_faults([FaultRule::always(Fault::ServerError {
        status: 500,
        error_code: "HSS.9999".into(),
        error_msg: "custom".into(),
    })]);
    let body: Value = send(&fake).await.unwrap().json().await.unwrap();
    assert_eq!(body["error_code"], "HSS.9999");
    assert_eq!(body["error_msg"], "custom");
}

#[tokio::test]
async fn throttling_sends_429_with_retry_after() {
    let fake = start().await;
    fake.set_faults([FaultRule::first(1, Fault::throttle(7))]);
    let response = send(&fake).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "7");
    let id = request_id(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_code"], "APIGW.0308");
    assert_eq!(body["request_id"], id.as_str());
    assert_eq!(send(&fake).await.unwrap().status(), StatusCode::OK);

    fake.set_faults([FaultRule::always(Fault::Throttle {
        retry_after_secs: None,
    })]);
    let response = send(&fake).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(!response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn bad_gateway_with_an_html_body() {
    let fake = start().await;
    fake.set_faults([FaultRule::always(Fault::BadGatewayHtml)]);
    let response = send(&fake).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(response.headers()["content-type"], "text/html");
    request_id(&response);
    let text = response.text().await.unwrap();
    assert!(text.starts_with("<html>") && text.contains("502 Bad Gateway"));
    assert!(serde_json::from_str::<Value>(&text).is_err());
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let fake = FakeHss::builder()
        .hosts(10)
        .auth(false)
        .latency(Duration::from_millis(150))
        .start()
        .await
        .unwrap();
    for _ in 0..2 {
        let started = Instant::now();
        let response = send(&fake).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(started.elapsed() >= Duration::from_millis(150));
    }
    // Latency adds up with another fault.
    fake.set_faults([
        FaultRule::always(Fault::latency_ms(100)),
        FaultRule::always(Fault::latency_ms(100)),
        FaultRule::always(Fault::server_error(503)),
    ]);
    let started = Instant::now();
    assert_eq!(
        send(&fake).await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert!(started.elapsed() >= Duration::from_millis(200));
}

/// How long a raw exchange may wait for the fake to close: only a guard
/// against a fake that never does, far beyond what any exchange here
/// takes on the slowest machine (a slower one only takes longer to fail).
const HANG_GUARD: Duration = Duration::from_secs(300);

#[tokio::test]
async fn truncated_body_announces_more_than_it_sends() {
    let fake = start().await;
    fake.set_faults([FaultRule::always(Fault::TruncatedBody)]);
    let path = format!(
        "{}?limit=50&enterprise_project_id=all_granted_eps",
        fake.hosts_path(&fake.task_id())
    );
    let exchange = raw_exchange(fake.addr(), &raw_get(fake.addr(), &path, &[]), HANG_GUARD).await;
    assert!(!exchange.timed_out, "the fake closes the connection");
    let response = exchange.response().expect("a head arrived");
    assert_eq!(response.status, 200);
    assert!(response.header("x-request-id").is_some());
    let announced = response.content_length().expect("Content-Length");
    assert!(announced > 1000);
    assert!(!response.body.is_empty());
    assert!(
        response.body.len() < announced,
        "{} of {announced}",
        response.body.len()
    );
    assert!(response.header("transfer-encoding").is_none());

    // What a client sees: the body cannot be read completely.
    let response = send(&fake).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.is_err());
}

#[tokio::test]
async fn reset_connection_sends_nothing() {
    let fake = start().await;
    fake.set_faults([FaultRule::nth(1, Fault::ResetConnection)]);
    let path = fake.hosts_path(&fake.task_id());
    let exchange = raw_exchange(fake.addr(), &raw_get(fake.addr(), &path, &[]), HANG_GUARD).await;
    assert!(!exchange.timed_out);
    assert!(exchange.received.is_empty(), "no byte of an answer");
    assert_eq!(exchange.error, Some(std::io::ErrorKind::ConnectionReset));
    let logged = fake.requests();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].status, None);
    assert_eq!(logged[0].raw_path, path);

    fake.set_faults([FaultRule::first(1, Fault::ResetConnection)]);
    let error = send(&fake).await.expect_err("no answer");
    assert!(!error.is_status());
    assert_eq!(send(&fake).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn slow_body_dribbles_but_arrives_whole() {
    let fake = start().await;
    let fast = send(&fake).await.unwrap().bytes().await.unwrap();
    let chunk = fast.len() / 5 + 1;
    fake.set_faults([FaultRule::always(Fault::slow_body(chunk, 60))]);
    let started = Instant::now();
    let response = send(&fake).await.unwrap();
    let head_after = started.elapsed();
    request_id(&response);
    assert_eq!(
        response.content_length(),
        Some(fast.len() as u64),
        "Content-Length is exact"
    );
    let slow = response.bytes().await.unwrap();
    let total = started.elapsed();
    assert_eq!(slow, fast);
    assert!(total >= Duration::from_millis(5 * 60), "took {total:?}");
    assert!(head_after < total, "the head comes before the body");

    // On the wire, the bytes arrive in pieces over time.
    fake.set_faults([FaultRule::always(Fault::slow_body(16, 30))]);
    let started = Instant::now();
    let exchange = raw_exchange(
        fake.addr(),
        &raw_get(fake.addr(), "/nowhere", &[]),
        HANG_GUARD,
    )
    .await;
    let response = exchange.response().unwrap();
    assert_eq!(response.status, 404);
    assert_eq!(response.body.len(), response.content_length().unwrap());
    let pieces = response.body.len().div_ceil(16) as u32;
    assert!(started.elapsed() >= Duration::from_millis(30) * pieces);
}

#[tokio::test]
async fn faults_apply_before_authentication_and_to_every_path() {
    let fake = FakeHss::builder().hosts(10).start().await.unwrap();
    fake.set_faults([FaultRule::first(2, Fault::throttle(1))]);
    let no_auth = support::http_client()
        .get(fake.hosts_url(&fake.task_id()))
        .send()
        .await
        .unwrap();
    assert_eq!(no_auth.status(), StatusCode::TOO_MANY_REQUESTS);
    let unknown = support::http_client()
        .get(format!("{}/other", fake.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::TOO_MANY_REQUESTS);
    let after = support::http_client()
        .get(fake.hosts_url(&fake.task_id()))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

/// The host IDs of a page of the task, asked with `offset` and `limit`.
async fn page_ids(fake: &RunningFake, offset: u32, limit: u32) -> (u64, Vec<String>) {
    let url = format!(
        "{}?offset={offset}&limit={limit}",
        fake.hosts_url(&fake.task_id())
    );
    let body: Value = support::http_client()
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids = body["data_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host_id"].as_str().unwrap().to_owned())
        .collect();
    (body["total_num"].as_u64().unwrap(), ids)
}

fn all_ids(fake: &RunningFake) -> Vec<String> {
    fake.matching_hosts(&fake.task_id(), None, None)
        .unwrap()
        .into_iter()
        .map(|h| h.info.host_id.unwrap())
        .collect()
}

#[tokio::test]
async fn an_overlong_page_has_more_hosts_than_limit_from_the_offset_on() {
    let fake = start().await;
    let all = all_ids(&fake);
    fake.set_faults(["overlong:7@first:1".parse::<FaultRule>().unwrap()]);
    assert_eq!(
        fake.faults(),
        [FaultRule::first(1, Fault::overlong_page(7))]
    );
    let (total, ids) = page_ids(&fake, 20, 10).await;
    assert_eq!(total, 60);
    assert_eq!(ids, all[20..37]);
    // Then pages are right again; near the end it stops at the last host.
    assert_eq!(page_ids(&fake, 20, 10).await.1, all[20..30]);
    fake.set_faults([FaultRule::always(Fault::overlong_page(30))]);
    let (total, ids) = page_ids(&fake, 40, 10).await;
    assert_eq!((total, ids), (60, all[40..60].to_vec()));
}

#[tokio::test]
async fn a_repeated_page_sends_the_previous_page_again() {
    let fake = start().await;
    let all = all_ids(&fake);
    fake.set_faults(["repeat@nth:2".parse::<FaultRule>().unwrap()]);
    let (_, first) = page_ids(&fake, 10, 10).await;
    assert_eq!(first, all[10..20]);
    let (total, second) = page_ids(&fake, 20, 10).await;
    assert_eq!(total, 60, "total_num stays right");
    assert_eq!(second, first, "offset 20 answered with offset 10's hosts");
    assert_eq!(page_ids(&fake, 20, 10).await.1, all[20..30]);
    // The first page has no previous one: it comes as it is.
    fake.set_faults([FaultRule::always(Fault::RepeatedPage)]);
    assert_eq!(page_ids(&fake, 0, 10).await.1, all[0..10]);
    assert_eq!(page_ids(&fake, 5, 10).await.1, all[0..10]);
}

#[tokio::test]
async fn page_faults_leave_errors_alone() {
    let fake = start().await;
    fake.set_faults([FaultRule::always(Fault::overlong_page(5))]);
    let url = format!("{}?limit=5", fake.hosts_url(&fake.task_id()));
    let response = support::http_client().get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_code"], "HSS.0001");
}
