//! Connections as the official SDKs' `HttpConfig` sets them up: an explicit
//! proxy with credentials, a proxy that refuses (typed, not retried), a CA
//! bundle, `ignore_ssl_verification`, and the read timeout. Every server is
//! on 127.0.0.1: scripted ones stand in for proxies, and a loopback HTTPS
//! server with a test CA (shared with hss-api's TLS tests) for a private
//! cloud.

mod support;

use std::time::Duration;

use hss_ext::prelude::*;
use hss_ext::{CaBundleError, Credentials, ProxyConfig, ProxyOrigin, SecretString, TransportKind};
use support::{Reply, ScriptedServer, page};

#[path = "../../hss-api/tests/tls/server.rs"]
mod server;

const CA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../hss-api/tests/tls/ca.pem");

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn ak_sk() -> Credentials {
    Credentials::ak_sk("AK", SecretString::from("SK".to_owned()))
}

fn through(proxy: ProxyConfig, endpoint: &str) -> HssClient {
    HssClient::builder()
        .endpoint_url(endpoint)
        .credentials(ak_sk())
        .project_id("p")
        .proxy(proxy)
        .retry(RetryPolicy::default().with_initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_explicit_proxy_gets_every_request_with_its_credentials() {
    // The "proxy" answers as the service would behind it.
    let proxy = ScriptedServer::always(Reply::json(200, page(0, 10, 3))).await;
    let config = ProxyConfig::new(proxy.base_url())
        .unwrap()
        .with_credentials("alice", SecretString::from("proxy-pass-word".to_owned()));
    let client = through(config, "http://127.0.0.1:9");
    let in_use = client.proxy().unwrap();
    assert_eq!(in_use.origin, ProxyOrigin::Explicit);
    assert_eq!(in_use.user.as_deref(), Some("alice"));
    assert!(!format!("{client:?}").contains("proxy-pass-word"));
    let page = client.list_hosts_page(&HostQuery::new("t")).await.unwrap();
    assert_eq!(page.items.len(), 3);
    let seen = &proxy.requests()[0];
    assert!(
        seen.target
            .starts_with("http://127.0.0.1:9/v5/p/vulnerability/scan-task/t/hosts"),
        "absolute-form to the proxy: {}",
        seen.target
    );
    // Basic alice:proxy-pass-word
    assert_eq!(
        seen.header("proxy-authorization"),
        Some("Basic YWxpY2U6cHJveHktcGFzcy13b3Jk")
    );
    assert!(
        seen.header("authorization")
            .unwrap()
            .starts_with("SDK-HMAC-SHA256 Access=AK")
    );
}

#[tokio::test]
async fn a_proxy_that_wants_credentials_is_a_typed_refusal_not_retried() {
    let proxy = ScriptedServer::always(
        Reply::raw(407, "text/html", "<html>auth</html>")
            .header("Proxy-Authenticate", "Basic realm=\"corp\""),
    )
    .await;
    let client = through(
        ProxyConfig::new(proxy.base_url()).unwrap(),
        "http://127.0.0.1:9",
    );
    let err = client
        .list_hosts_page(&HostQuery::new("t"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ProxyRefused { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(407));
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "the proxy {} refused the request: it answered 407",
            proxy.base_url()
        )),
        "{text}"
    );
    assert!(text.contains("--proxy-user"), "says what to check: {text}");
    assert!(!err.is_retryable());
    assert_eq!(proxy.requests().len(), 1);

    // To an https endpoint the proxy refuses the tunnel.
    let client = through(
        ProxyConfig::new(proxy.base_url()).unwrap(),
        "https://127.0.0.1:9",
    );
    let err = client
        .list_hosts_page(&HostQuery::new("t"))
        .await
        .unwrap_err();
    match &err {
        Error::ProxyRefused { reason, source, .. } => {
            assert!(reason.contains("CONNECT was answered 407"), "{reason}");
            assert!(source.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(proxy.requests()[1].method, "CONNECT");
    assert_eq!(proxy.requests().len(), 2, "not retried");
}

#[tokio::test]
async fn a_proxy_that_is_not_there_is_a_typed_refusal() {
    let port = closed_port();
    let client = through(
        ProxyConfig::new(&format!("http://127.0.0.1:{port}")).unwrap(),
        "http://127.0.0.1:9",
    );
    let err = client
        .list_hosts_page(&HostQuery::new("t"))
        .await
        .unwrap_err();
    match &err {
        Error::ProxyRefused { proxy, reason, .. } => {
            assert_eq!(proxy, &format!("http://127.0.0.1:{port}"));
            assert!(reason.starts_with("it cannot be connected to"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // Discovery through it names IAM and the proxy.
    let discovering = HssClient::builder()
        .endpoint_url("http://127.0.0.1:9")
        .region("cn-north-4")
        .iam_endpoint("http://127.0.0.1:8")
        .credentials(ak_sk())
        .proxy(ProxyConfig::new(&format!("http://127.0.0.1:{port}")).unwrap())
        .build()
        .unwrap();
    let err = discovering.resolve_project_id().await.unwrap_err();
    match &err {
        Error::ProjectDiscovery { source, .. } => {
            assert!(matches!(**source, Error::ProxyRefused { .. }), "{source:?}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_ca_bundle_lets_a_private_cloud_in() {
    let (base_url, requests) = server::https_server(3);
    let client = |builder: hss_ext::HssClientBuilder| {
        builder
            .endpoint_url(&base_url)
            .credentials(ak_sk())
            .project_id("p")
            .retry(RetryPolicy::disabled())
            .build()
            .unwrap()
    };
    // The system's roots do not know the test CA.
    let err = client(HssClient::builder())
        .list_hosts_page(&HostQuery::new("t"))
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
    // With it as the bundle, the certificate checks out.
    let page = client(HssClient::builder().ca_bundle(CA_FILE))
        .list_hosts_page(&HostQuery::new("t"))
        .await
        .unwrap();
    assert_eq!(page.total_num, Some(0));
    // Without any check (loudly), too.
    let page = client(HssClient::builder().ignore_ssl_verification(true))
        .list_hosts_page(&HostQuery::new("t"))
        .await
        .unwrap();
    assert_eq!(page.total_num, Some(0));
    let seen: Vec<String> = requests.try_iter().collect();
    assert_eq!(seen.len(), 2, "{seen:?}");
}

#[test]
fn a_ca_bundle_that_cannot_be_used_is_a_typed_error() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("proxy_and_tls");
    std::fs::create_dir_all(&dir).unwrap();
    let not_pem = dir.join("not-pem.txt");
    std::fs::write(&not_pem, "just some text\n").unwrap();
    let missing = dir.join("missing.pem");
    for (path, check) in [
        (
            &missing,
            (|e: &CaBundleError| matches!(e, CaBundleError::Read(_))) as fn(&CaBundleError) -> bool,
        ),
        (&not_pem, |e| {
            matches!(e, CaBundleError::Empty | CaBundleError::Parse(_))
        }),
    ] {
        let err = HssClient::builder()
            .endpoint_url("https://127.0.0.1:9")
            .credentials(ak_sk())
            .ca_bundle(path)
            .build()
            .unwrap_err();
        match &err {
            Error::CaBundle { path: p, source } => {
                assert_eq!(p, path);
                assert!(check(source), "{source:?}");
            }
            other => panic!("{other:?}"),
        }
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("cannot use the CA bundle {}: ", path.display())),
            "{text}"
        );
        assert!(text.contains("give a readable PEM file"), "{text}");
        assert!(std::error::Error::source(&err).is_some());
    }
}

#[tokio::test]
async fn the_read_timeout_bounds_a_silent_answer() {
    let server =
        ScriptedServer::always(Reply::json(200, page(0, 10, 1)).delayed(Duration::from_secs(3)))
            .await;
    let client = HssClient::builder()
        .endpoint_url(server.base_url())
        .credentials(ak_sk())
        .project_id("p")
        .read_timeout(Duration::from_millis(200))
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client
        .list_hosts_page(&HostQuery::new("t"))
        .await
        .unwrap_err();
    assert!(support::is_timeout(&err), "{err:?}");
    // A timeout, not the answer 3 s later (that is what the kind says);
    // how soon after 200 ms it fires depends on the machine.
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn proxy_urls_with_credentials_or_paths_are_refused() {
    for bad in [
        "http://u:p@127.0.0.1:3128",
        "http://127.0.0.1:3128/x",
        "ftp://127.0.0.1",
    ] {
        let err = ProxyConfig::new(bad).unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    parameter: "proxy",
                    ..
                }
            ),
            "{bad}"
        );
    }
}
