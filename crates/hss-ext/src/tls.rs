//! TLS settings of the official SDKs' `HttpConfig`: a CA bundle
//! (`ssl_ca_cert`, for Huawei Cloud Stack and other private clouds with a
//! CA of their own) and `ignore_ssl_verification`, which is never silent.

#[cfg(any(feature = "rustls-ring", feature = "rustls-aws-lc-rs"))]
use std::path::Path;
use std::path::PathBuf;

use crate::error::{CaBundleError, Error};

/// The certificates of the PEM bundle at `path`.
#[cfg(any(feature = "rustls-ring", feature = "rustls-aws-lc-rs"))]
pub(crate) fn read_bundle(path: &Path) -> Result<Vec<reqwest::Certificate>, Error> {
    let fail = |source| Error::CaBundle {
        path: path.to_owned(),
        source,
    };
    let bytes = std::fs::read(path).map_err(|e| fail(CaBundleError::Read(e)))?;
    let certificates =
        reqwest::Certificate::from_pem_bundle(&bytes).map_err(|e| fail(CaBundleError::Parse(e)))?;
    if certificates.is_empty() {
        return Err(fail(CaBundleError::Empty));
    }
    Ok(certificates)
}

/// The TLS settings a builder was given.
#[derive(Clone, Debug, Default)]
pub(crate) struct TlsSettings {
    pub(crate) ca_bundle: Option<PathBuf>,
    pub(crate) ignore_verification: bool,
}

impl TlsSettings {
    /// `builder` with these settings: only the bundle's CAs are trusted
    /// (as the SDK's `ssl_ca_cert`, which replaces the system's), and with
    /// `ignore_verification` no certificate is checked, with a warning
    /// logged every time a client is built.
    #[cfg(any(feature = "rustls-ring", feature = "rustls-aws-lc-rs"))]
    pub(crate) fn apply(
        &self,
        mut builder: reqwest::ClientBuilder,
        endpoint: &hss_auth::Endpoint,
    ) -> Result<reqwest::ClientBuilder, Error> {
        if let Some(path) = &self.ca_bundle {
            builder = builder.tls_certs_only(read_bundle(path)?);
        }
        if self.ignore_verification {
            tracing::warn!(
                endpoint = %endpoint,
                "ignore_ssl_verification is on: TLS certificates are NOT checked, so anyone on the way to the endpoint can read and change requests and answers; use a CA bundle instead"
            );
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        Ok(builder)
    }

    /// Without TLS support only the defaults are possible.
    #[cfg(not(any(feature = "rustls-ring", feature = "rustls-aws-lc-rs")))]
    pub(crate) fn apply(
        &self,
        builder: reqwest::ClientBuilder,
        _endpoint: &hss_auth::Endpoint,
    ) -> Result<reqwest::ClientBuilder, Error> {
        if self.ca_bundle.is_some() || self.ignore_verification {
            return Err(Error::Config {
                message: "this hss-ext is built without TLS (no rustls feature), so it has no CA bundle or certificate checks to set".into(),
            });
        }
        Ok(builder)
    }
}
