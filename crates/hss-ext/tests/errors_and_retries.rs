//! Errors and retries against a scripted server on 127.0.0.1.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hss_ext::prelude::*;
use hss_ext::{ServiceError, TransportKind};
use reqwest::StatusCode;
use support::{Reply, ScriptedServer, page, window};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn client_with(server: &ScriptedServer, retry: RetryPolicy) -> HssClient {
    HssClient::builder()
        .endpoint_url(server.base_url())
        .without_credentials()
        .project_id("proj")
        .retry(retry)
        .build()
        .unwrap()
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

fn ok_page(seen: &support::ScriptedRequest) -> Reply {
    let (offset, limit) = window(seen);
    Reply::json(200, page(offset, limit, 30))
}

fn service(err: &Error) -> &ServiceError {
    match err {
        Error::Service(e) => e,
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_is_retried_after_retry_after() {
    let server = ScriptedServer::start(|seen, n| {
        if n == 0 {
            Reply::json(
                429,
                r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#,
            )
            .header("Retry-After", "1")
        } else {
            ok_page(seen)
        }
    })
    .await;
    let started = Instant::now();
    let page = client_with(&server, fast_retries())
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 10);
    assert_eq!(server.requests().len(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured ({:?})",
        started.elapsed()
    );
}

#[tokio::test]
async fn three_503s_then_success() {
    let server = ScriptedServer::start(|seen, n| {
        if n < 3 {
            Reply::json(
                503,
                r#"{"error_code":"APIGW.0500","error_msg":"unavailable"}"#,
            )
        } else {
            ok_page(seen)
        }
    })
    .await;
    let page = client_with(&server, fast_retries())
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap();
    assert_eq!(page.total_num, Some(30));
    assert_eq!(page.request_id.as_deref(), Some("req-3"));
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn persistent_500s_end_in_an_error_with_the_request_id() {
    let server = ScriptedServer::start(|_, _| {
        Reply::json(
            500,
            r#"{"error_code":"HSS.9999","error_msg":"internal error"}"#,
        )
    })
    .await;
    let err = client_with(&server, fast_retries().with_max_attempts(3))
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 3);
    assert_eq!(err.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    assert_eq!(err.error_code(), Some("HSS.9999"));
    assert_eq!(err.error_msg(), Some("internal error"));
    assert_eq!(err.request_id(), Some("req-2"), "the last attempt's id");
    assert!(err.is_retryable());
    assert_eq!(
        err.to_string(),
        "HSS answered 500 Internal Server Error: HSS.9999: internal error (request id req-2)"
    );
}

#[tokio::test]
async fn the_time_budget_stops_retries() {
    let server =
        ScriptedServer::start(|_, _| Reply::json(503, "{}").header("Retry-After", "30")).await;
    let started = Instant::now();
    let err = client_with(&server, fast_retries().with_budget(Duration::from_secs(5)))
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert_eq!(
        server.requests().len(),
        1,
        "waiting 30 s would break the 5 s budget"
    );
    // Not the 30 s Retry-After either: the only wait there could be.
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn other_4xx_are_never_retried() {
    for (status, body) in [
        (
            400,
            r#"{"error_code":"HSS.0001","error_msg":"Invalid parameter: task_id"}"#,
        ),
        (
            401,
            r#"{"error":{"code":"APIGW.0301","message":"Incorrect IAM authentication information","request_id":"gw-1"}}"#,
        ),
        (
            403,
            r#"{"error_code":"HSS.0013","error_msg":"insufficient permission","encoded_authorization_message":"enc-abc"}"#,
        ),
        (
            404,
            r#"{"error_code":"APIGW.0101","error_msg":"API not found"}"#,
        ),
        (
            405,
            r#"{"error_code":"APIGW.0102","error_msg":"method not allowed"}"#,
        ),
    ] {
        let server = ScriptedServer::start(move |_, _| Reply::json(status, body)).await;
        let err = client_with(&server, fast_retries())
            .list_hosts_page(&HostQuery::new("task"))
            .await
            .unwrap_err();
        assert_eq!(server.requests().len(), 1, "status {status}");
        assert_eq!(err.status().unwrap().as_u16(), status);
        assert!(!err.is_retryable());
        assert!(err.error_code().is_some(), "status {status}: {err:?}");
        assert_eq!(
            err.request_id(),
            Some("req-0"),
            "the header wins over the body"
        );
    }
}

#[tokio::test]
async fn the_nested_gateway_shape_and_authorization_details_are_read() {
    let server = ScriptedServer::start(|_, _| {
        Reply::json(401, r#"{"error":{"code":"APIGW.0301","message":"Incorrect IAM authentication information","request_id":"gw-1"}}"#)
    })
    .await;
    let err = client_with(&server, RetryPolicy::disabled())
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some("APIGW.0301"));
    assert_eq!(
        err.error_msg(),
        Some("Incorrect IAM authentication information")
    );

    let server = ScriptedServer::start(|_, _| {
        Reply::json(403, r#"{"error_code":"HSS.0013","error_msg":"no","encoded_authorization_message":"enc-abc"}"#)
    })
    .await;
    let err = client_with(&server, RetryPolicy::disabled())
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert_eq!(
        service(&err).encoded_authorization_message.as_deref(),
        Some("enc-abc")
    );
}

#[tokio::test]
async fn a_502_with_an_html_body_keeps_its_status() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>";
    let server = ScriptedServer::start(move |_, _| Reply::raw(502, "text/html", html)).await;
    let err = client_with(&server, fast_retries().with_max_attempts(2))
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 2, "502 is retried");
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    assert_eq!(err.request_id(), Some("req-1"));
    let snippet = service(&err).body_snippet.as_deref().unwrap();
    assert!(snippet.starts_with("<html>"), "{snippet}");
    assert!(
        err.to_string()
            .starts_with("HSS answered 502 Bad Gateway with a non-JSON body: \"<html>"),
        "{err}"
    );
}

#[tokio::test]
async fn a_plain_text_error_keeps_status_and_text() {
    let server =
        ScriptedServer::start(|_, _| Reply::raw(418, "text/plain", "short and stout")).await;
    let err = client_with(&server, fast_retries())
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::IM_A_TEAPOT));
    assert_eq!(
        service(&err).body_snippet.as_deref(),
        Some("short and stout")
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_a_snippet() {
    let server = ScriptedServer::start(|_, _| {
        Reply::json(200, r#"{"total_num": 3, "data_list": [{"host_id": 12"#)
    })
    .await;
    let err = client_with(&server, fast_retries())
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    let Error::Decode {
        status,
        request_id,
        snippet,
        reason,
    } = &err
    else {
        panic!("expected a decode error, got {err:?}");
    };
    assert_eq!(*status, StatusCode::OK);
    assert_eq!(request_id.as_deref(), Some("req-0"));
    assert!(snippet.starts_with(r#"{"total_num": 3"#), "{snippet}");
    assert!(!reason.is_empty());
    assert!(!err.is_retryable());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_huge_error_body_is_cut_to_a_bounded_snippet() {
    let body = "x".repeat(100_000);
    let server =
        ScriptedServer::start(move |_, _| Reply::raw(500, "text/plain", body.as_bytes())).await;
    let err = client_with(&server, RetryPolicy::disabled())
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    let snippet = service(&err).body_snippet.as_deref().unwrap();
    assert!(
        snippet.len() <= hss_ext::BODY_SNIPPET_LIMIT + 3,
        "{}",
        snippet.len()
    );
}

#[tokio::test]
async fn retries_can_be_switched_off() {
    let server = ScriptedServer::start(|_, _| Reply::json(503, "{}")).await;
    let err = client_with(&server, RetryPolicy::disabled())
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
}

#[tokio::test]
async fn a_refused_connection_is_a_retried_transport_error() {
    // Bind then drop: nothing listens on this loopback port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = HssClient::builder()
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .without_credentials()
        .project_id("proj")
        .retry(fast_retries().with_max_attempts(2))
        .build()
        .unwrap();
    let err = client
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let server =
        ScriptedServer::start(|seen, _| ok_page(seen).delayed(Duration::from_secs(3))).await;
    let client = HssClient::builder()
        .endpoint_url(server.base_url())
        .without_credentials()
        .project_id("proj")
        .request_timeout(Duration::from_millis(200))
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = client
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert!(support::is_timeout(&err), "{err:?}");
}

#[tokio::test]
async fn typed_input_and_the_canonical_query_reach_the_wire() {
    let server = ScriptedServer::start(|seen, _| ok_page(seen)).await;
    client_with(&server, RetryPolicy::disabled())
        .list_hosts_page(
            &HostQuery::new("task 1")
                .project_id("proj")
                .scan_status(ScanStatus::Failed)
                .enterprise_project_id("a b+c")
                .limit(50)
                .offset(100),
        )
        .await
        .unwrap();
    let seen = &server.requests()[0];
    // Sorted keys, `%20` for space, `+` encoded: what the official SDK signs.
    assert_eq!(
        seen.target,
        "/v5/proj/vulnerability/scan-task/task%201/hosts?enterprise_project_id=a%20b%2Bc&limit=50&offset=100&scan_status=failed"
    );
    assert_eq!(seen.header("user-agent"), Some(hss_ext::DEFAULT_USER_AGENT));
    assert_eq!(seen.header("x-auth-token"), None);
    assert_eq!(seen.header("authorization"), None);

    // A status this version does not know is sent as is.
    client_with(&server, RetryPolicy::disabled())
        .list_hosts_page(&HostQuery::new("task").scan_status(ScanStatus::parse("paused")))
        .await
        .unwrap();
    assert_eq!(server.requests()[1].query("scan_status"), Some("paused"));
}

#[test]
fn configuration_errors_say_what_to_set() {
    let err = HssClient::builder()
        .without_credentials()
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration: no endpoint: set a region (e.g. ap-southeast-1) or an endpoint URL"
    );
    let err = HssClient::builder()
        .endpoint_url("http://hss.example.com")
        .without_credentials()
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("use https"), "{err}");
    let err = HssClient::builder()
        .region("ap-southeast-9")
        .without_credentials()
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("ap-southeast-1"), "{err}");
}

#[tokio::test]
async fn only_transient_statuses_are_retried() {
    for (status, retried) in [
        (408, true),
        (429, true),
        (500, true),
        (502, true),
        (503, true),
        (504, true),
        // The same request would get the same answer.
        (501, false),
        (505, false),
    ] {
        let server = ScriptedServer::always(Reply::json(status, "{}")).await;
        let err = client_with(&server, fast_retries().with_max_attempts(2))
            .list_hosts_page(&HostQuery::new("task"))
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.is_retryable(), retried, "{status}");
        assert_eq!(
            server.requests().len(),
            if retried { 2 } else { 1 },
            "{status}"
        );
    }
}

#[tokio::test]
async fn the_budget_cuts_the_attempt_in_flight() {
    // The answer would come long after the budget, within the request timeout.
    let server =
        ScriptedServer::always(Reply::json(200, "{}").delayed(Duration::from_secs(30))).await;
    let started = Instant::now();
    let err = client_with(&server, fast_retries().with_budget(Duration::from_secs(1)))
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    let Error::Timeout {
        budget,
        attempts,
        last_error,
    } = &err
    else {
        panic!("expected the budget to end the call, got {err:?}");
    };
    assert_eq!(*budget, Duration::from_secs(1));
    assert_eq!(*attempts, 1);
    assert!(last_error.is_none());
    assert_eq!(server.requests().len(), 1);
    // Cut at the budget, before the 30 s the answer needs (and the 60 s
    // request timeout): the only bounds a slow machine cannot break.
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    assert!(err.is_retryable(), "a later call may be answered");
}

#[tokio::test]
async fn a_cut_attempt_keeps_the_failure_before_it() {
    let server = ScriptedServer::start(|seen, n| {
        if n == 0 {
            Reply::json(503, r#"{"error_code":"APIGW.0500","error_msg":"busy"}"#)
        } else {
            ok_page(seen).delayed(Duration::from_secs(30))
        }
    })
    .await;
    let err = client_with(&server, fast_retries().with_budget(Duration::from_secs(1)))
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    let Error::Timeout {
        attempts,
        last_error: Some(last),
        ..
    } = &err
    else {
        panic!("expected the budget to end the call, got {err:?}");
    };
    assert_eq!(*attempts, 2);
    assert_eq!(last.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(last.request_id(), Some("req-0"));
    assert_eq!(server.requests().len(), 2);
    assert_eq!(
        err.to_string(),
        "no answer within the time budget of 1s: attempt 2 was cut short; attempt 1 failed: HSS answered 503 Service Unavailable: APIGW.0500: busy (request id req-0)"
    );
}

/// Counts the requests the client tries to send, and refuses them all.
#[derive(Default)]
struct RefuseAll(AtomicUsize);

impl hss_ext::hss_api::RequestHook for RefuseAll {
    fn name(&self) -> &'static str {
        "refuse-all"
    }

    fn before_send(
        &self,
        _: &mut reqwest::Request,
        _: &hss_ext::hss_api::OperationInfo,
    ) -> Result<(), String> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err("not today".into())
    }
}

#[tokio::test]
async fn what_the_caller_must_fix_is_never_sent_again() {
    let server = ScriptedServer::start(|seen, _| ok_page(seen)).await;

    // Refused before anything is built.
    let err = client_with(&server, fast_retries())
        .list_hosts_page(&HostQuery::new("task").limit(5))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert!(!err.is_retryable());

    // Refused by a hook: asked once, never again.
    let refuse = Arc::new(RefuseAll::default());
    let client = HssClient::builder()
        .endpoint_url(server.base_url())
        .without_credentials()
        .project_id("proj")
        .hook(refuse.clone())
        .retry(fast_retries())
        .build()
        .unwrap();
    let err = client
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(refuse.0.load(Ordering::SeqCst), 1);
    assert_eq!(server.requests().len(), 0);

    // An answer that cannot be decoded would be the same again.
    let garbled = ScriptedServer::always(Reply::json(200, r#"{"total_num": "many"#)).await;
    let err = client_with(&garbled, fast_retries())
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(garbled.requests().len(), 1);
}

/// A raw loopback server: each connection's request head is read and
/// counted, then `script` decides what happens to the connection.
async fn raw_server(
    script: impl Fn(tokio::net::TcpStream, usize) -> futures::future::BoxFuture<'static, ()>
    + Send
    + Sync
    + 'static,
) -> (String, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    // At most a handful of connections: the clients here make at most 3.
    let task = tokio::spawn(async move {
        for _ in 0..8 {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let n = counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(script(stream, n));
        }
    });
    (url, requests, task)
}

fn raw_client(url: &str) -> HssClient {
    HssClient::builder()
        .endpoint_url(url)
        .without_credentials()
        .project_id("proj")
        .retry(fast_retries().with_max_attempts(3))
        .build()
        .unwrap()
}

/// A whole answer: an empty page.
const OK_PAGE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{\"total_num\":0}";

#[tokio::test]
async fn a_connection_reset_or_closed_before_an_answer_is_retried() {
    // First connection: reset (RST). Second: closed without a word (what a
    // server does to an idle keep-alive connection). Third: a page.
    let (url, requests, _server) = raw_server(|mut stream, n| {
        Box::pin(async move {
            match n {
                0 => {
                    let _ = stream.set_zero_linger();
                    drop(stream);
                }
                1 => drop(stream),
                _ => {
                    let _ = stream.write_all(OK_PAGE).await;
                    let _ = stream.shutdown().await;
                }
            }
        })
    })
    .await;
    let page = raw_client(&url)
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap();
    assert_eq!(page.total_num, Some(0));
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_answer_that_is_not_http_is_not_sent_again() {
    let (url, requests, _server) = raw_server(|mut stream, _| {
        Box::pin(async move {
            let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.6\r\n").await;
            let _ = stream.shutdown().await;
        })
    })
    .await;
    let err = raw_client(&url)
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Other,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}
