//! AK/SK signature verification, delegated to `hss-auth`: whether a request
//! was signed by a key the fake accepts. The gateway policy around it
//! (tokens, temporary keys, lockout) is `auth`'s.

use std::time::Duration;

use hss_auth::signer::VerifyError;
use hss_auth::{ExposeSecret, SecretString};
use http::HeaderMap;
use time::OffsetDateTime;

use crate::credentials::AkSk;

/// The parts of a request that authentication looks at.
pub(crate) struct AuthInput<'a> {
    pub(crate) method: &'a str,
    pub(crate) raw_path: &'a str,
    pub(crate) raw_query: &'a str,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
    pub(crate) now: OffsetDateTime,
}

/// What a good signature tells about the caller.
pub(crate) struct Verified {
    /// The signed `X-Security-Token`, if any.
    pub(crate) security_token: Option<String>,
    /// Headers sent but not signed (the gateway ignores them).
    pub(crate) unsigned_headers: Vec<String>,
}

/// Checks the `SDK-HMAC-SHA256` signature of a request; `Err` is the
/// `error_msg` of the 401 answer (never a secret).
pub(crate) fn verify(
    input: &AuthInput<'_>,
    key: &AkSk,
    max_skew: Duration,
) -> Result<Verified, String> {
    let caller = hss_auth::signer::verify(
        input.method,
        input.raw_path,
        input.raw_query,
        input.headers,
        input.body,
        |ak| (ak == key.ak).then(|| SecretString::from(key.sk.clone())),
        input.now,
        max_skew,
    )
    .map_err(|error: VerifyError| match error {
        // The gateway's own words, both times included (see
        // `hss_auth::skew`): what a client corrects its clock from.
        VerifyError::StaleDate { .. } => format!(
            "Incorrect IAM authentication information: calc aksk signature fail:signature expired, signature time:{},server time:{}",
            input
                .headers
                .get(hss_auth::signer::X_SDK_DATE)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .unwrap_or_default(),
            hss_auth::signer::format_sdk_date(input.now).unwrap_or_default(),
        ),
        error => format!(
            "Incorrect IAM authentication information: verify aksk signature fail: {error}"
        ),
    })?;
    Ok(Verified {
        security_token: caller.security_token.map(|t| t.expose_secret().to_owned()),
        unsigned_headers: caller.unsigned_headers,
    })
}
