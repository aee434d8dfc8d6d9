//! HTTPS with the default features (rustls with ring): `Client::new` finds a
//! crypto provider without the caller installing one, checks certificates,
//! and completes a request over TLS with a server it trusts.
//!
//! One test on purpose: it starts in a process with no provider installed,
//! which only the first client of the process sees.
#![cfg(feature = "rustls-ring")]

use std::time::Duration;

use hss_api::{Client, Hooks};
use rustls::crypto::CryptoProvider;

#[path = "tls/server.rs"]
mod server;

#[tokio::test]
async fn https_works_with_the_default_features() {
    let (base_url, requests) = server::https_server(2);
    assert!(
        CryptoProvider::get_default().is_none(),
        "nothing in this process installed a provider yet"
    );

    // The generated constructor builds a reqwest client, whose rustls needs
    // a crypto provider; it would panic here without one.
    let client = Client::new(&base_url, Hooks::new());
    // With aws-lc-rs also enabled (feature unification), reqwest uses its
    // own provider and nothing is installed; with ring alone, Hooks::new did.
    if cfg!(not(feature = "rustls-aws-lc-rs")) {
        assert!(CryptoProvider::get_default().is_some());
    }

    // Default configuration: the system's roots, which do not include the
    // test CA, so the handshake runs up to the certificate check and fails.
    let refused = client
        .list_vul_scan_task_host()
        .project_id("p")
        .task_id("t")
        .send()
        .await
        .expect_err("the test CA is not a system root");
    let refused = server::error_chain(&refused);
    assert!(refused.contains("UnknownIssuer"), "{refused}");

    // Trusting the test CA, the request goes through over TLS.
    hss_api::ensure_crypto_provider();
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(server::CA).expect("ca.pem"))
        .build()
        .expect("client with the test CA");
    let client = Client::new_with_client(&base_url, http, Hooks::new());
    let page = client
        .list_vul_scan_task_host()
        .project_id("p")
        .task_id("t")
        .send()
        .await
        .expect("page over TLS");
    assert_eq!(page.total_num, Some(0));
    assert!(page.data_list.is_empty());
    let request_line = requests
        .recv_timeout(Duration::from_secs(10))
        .expect("the server saw the request");
    assert!(
        request_line.starts_with("GET /v5/p/vulnerability/scan-task/t/hosts"),
        "{request_line}"
    );
}
