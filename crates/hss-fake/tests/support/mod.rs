//! What the test binaries of hss-fake share.

/// A plain reqwest client, for talking to the fake over loopback http.
///
/// The workspace builds reqwest with rustls and no crypto provider
/// (hss-api's `rustls-ring`), so building a client needs one installed:
/// ring, the libraries' own, which keeps AWS-LC's C build out of the tests.
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
