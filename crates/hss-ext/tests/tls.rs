//! HTTPS with the default features: `HssClient::builder().build()` needs no
//! crypto provider from the caller, and requests go over TLS with the
//! certificate checked.
//!
//! One test on purpose: it starts in a process with no provider installed,
//! which only the first client of the process sees.

use hss_ext::{Credentials, Error, HostQuery, HssClient, RetryPolicy, TransportKind};
use rustls::crypto::CryptoProvider;

#[path = "../../hss-api/tests/tls/server.rs"]
mod server;

/// Whether hss-ext has to install a provider itself (with aws-lc-rs,
/// reqwest has one of its own).
const RING_ONLY: bool = cfg!(all(
    feature = "rustls-ring",
    not(feature = "rustls-aws-lc-rs")
));

#[tokio::test]
async fn an_https_client_builds_and_checks_the_certificate() {
    let (base_url, _requests) = server::https_server(1);
    assert!(CryptoProvider::get_default().is_none(), "a fresh process");

    let client = HssClient::builder()
        .endpoint_url(&base_url)
        .credentials(Credentials::ak_sk("AK", "SK"))
        .project_id("p")
        .retry(RetryPolicy::disabled())
        .build()
        .expect("an https client builds");
    if RING_ONLY {
        assert!(
            CryptoProvider::get_default().is_some(),
            "build() installs a provider before building its reqwest client"
        );
    }

    // The system's roots do not include the test CA: the handshake runs up
    // to the certificate check, and the error says so.
    let error = client
        .list_hosts_page(&HostQuery::new("t"))
        .await
        .expect_err("the test CA is not a system root");
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{error:?}"
    );
    let text = server::error_chain(&error);
    assert!(text.contains("UnknownIssuer"), "{text}");
}
