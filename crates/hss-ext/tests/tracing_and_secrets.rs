//! Each request gets a span with what an operator needs, and no secret ever
//! shows up in traces, `Debug` or errors.

mod support;

use std::time::Duration;

use hss_ext::prelude::*;
use hss_ext::{Credentials, SecretString};
use support::{Captured, Reply, ScriptedServer, page, window};

const TOKEN: &str = "MIIT0k3n-very-secret-token-value";
const SK: &str = "sk-9f8e7d6c5b4a-very-secret";
const SECURITY_TOKEN: &str = "sts-session-very-secret";

/// Runs one failing-then-succeeding request at TRACE level and returns
/// everything that was logged plus the Debug/Display of client and error.
async fn run_traced(credentials: Credentials) -> String {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = ScriptedServer::start(|seen, n| {
        if n == 0 {
            Reply::json(503, r#"{"error_code":"APIGW.0500","error_msg":"busy"}"#)
        } else if n == 1 {
            let (offset, limit) = window(seen);
            Reply::json(200, page(offset, limit, 12))
        } else {
            Reply::json(
                401,
                r#"{"error_code":"APIGW.0301","error_msg":"bad signature"}"#,
            )
        }
    })
    .await;
    let client = HssClient::builder()
        .endpoint_url(server.base_url())
        .credentials(credentials.clone())
        .project_id("proj")
        .retry(RetryPolicy::default().with_initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    client
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap();
    let err = client
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap_err();

    let seen = server.requests();
    assert!(
        seen[0].header("x-auth-token").is_some() || seen[0].header("authorization").is_some(),
        "credentials were sent"
    );
    format!(
        "{}\n{client:?}\n{credentials:?}\n{credentials}\n{err}\n{err:?}",
        captured.text()
    )
}

#[tokio::test]
async fn a_span_per_request_with_status_request_id_and_attempt() {
    let out = run_traced(Credentials::token(SecretString::from(TOKEN))).await;
    assert!(out.contains("hss.request"), "{out}");
    assert!(out.contains("attempt=1"), "{out}");
    assert!(out.contains("attempt=2"), "{out}");
    assert!(out.contains("http.status=503"), "{out}");
    assert!(out.contains("http.status=200"), "{out}");
    assert!(
        out.contains("request_id=\"req-1\"") || out.contains("request_id=req-1"),
        "{out}"
    );
    assert!(
        out.contains("url.path=\"/v5/proj/vulnerability/scan-task/task/hosts\"")
            || out.contains("url.path=/v5/proj/vulnerability/scan-task/task/hosts"),
        "{out}"
    );
    assert!(out.contains("retrying"), "{out}");
}

#[tokio::test]
async fn no_secret_appears_anywhere_with_a_token() {
    let out = run_traced(Credentials::token(SecretString::from(TOKEN))).await;
    assert!(!out.contains(TOKEN), "token leaked:\n{out}");
    assert!(!out.contains("very-secret"), "{out}");
}

#[tokio::test]
async fn no_secret_appears_anywhere_with_ak_sk() {
    let out = run_traced(Credentials::temporary(
        "AKIDEXAMPLE",
        SecretString::from(SK),
        SecretString::from(SECURITY_TOKEN),
    ))
    .await;
    assert!(!out.contains(SK), "SK leaked:\n{out}");
    assert!(
        !out.contains(SECURITY_TOKEN),
        "security token leaked:\n{out}"
    );
    assert!(!out.contains("very-secret"), "{out}");
}
