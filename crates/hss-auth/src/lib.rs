//! Huawei Cloud authentication and endpoints for the HSS client.
//!
//! This crate has one job: turn "who am I and where do I talk to" into
//! bytes on a request. It has no HTTP client of its own; it works on
//! [`http::HeaderMap`], [`http::Method`] and [`url::Url`], the types that
//! `reqwest` 0.13 and `axum` 0.8 share.
//!
//! - [`signer`]: the `SDK-HMAC-SHA256` request signer, byte-exact with the
//!   official SDKs (checked against the official Python SDK by
//!   `tests/interop_official_sdk.rs`), and, with the `verify` feature,
//!   `signer::verify`, the matching server-side check for fake servers
//!   (clients do not need it, so it is off by default).
//! - [`credentials`]: AK/SK, temporary AK/SK and IAM tokens, loaded from
//!   explicit values, the environment or the profile file, with the official
//!   variable and key names.
//! - [`endpoint`]: the HSS region table, the per-region override variable
//!   and custom endpoints.
//! - [`clock`]: an injectable clock, so signing is testable with a fixed date.
//!
//! # Quick start
//!
//! ```
//! use hss_auth::signer::{X_PROJECT_ID, canonical_query_string, encode_component};
//! use hss_auth::{Clock, Endpoint, FixedClock, Signer, credentials};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let env = |k: &str| match k {
//! #     "HUAWEICLOUD_SDK_AK" => Some("QTWAOYTTINDUT2QVKYUC".to_owned()),
//! #     "HUAWEICLOUD_SDK_SK" => Some("MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc".to_owned()),
//! #     "HUAWEICLOUD_SDK_PROJECT_ID" => Some("0123456789abcdef".to_owned()),
//! #     _ => None,
//! # };
//! // `credentials::resolve_from_process` reads the real environment.
//! let resolved = credentials::resolve(&Default::default(), env, None)?;
//! let project = resolved.project_id.as_deref().unwrap_or_default();
//! let signer: Signer = resolved.credentials.signer().expect("AK/SK credentials");
//!
//! let mut url = Endpoint::for_region("cn-north-4", |_| None)?.into_url();
//! url.set_path(&format!(
//!     "/v5/{}/vulnerability/scan-task/{}/hosts",
//!     encode_component(project),
//!     encode_component("task id"),
//! ));
//! url.set_query(Some(&canonical_query_string(&[("limit", "10"), ("offset", "0")])));
//!
//! let mut headers = http::HeaderMap::new();
//! headers.insert(X_PROJECT_ID, project.parse()?);
//! let clock = FixedClock::new(time::OffsetDateTime::UNIX_EPOCH);
//! signer.sign(&http::Method::GET, &url, &mut headers, b"", clock.now())?;
//! assert!(headers["authorization"].to_str()?.starts_with("SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, "));
//! # Ok(())
//! # }
//! ```
//!
//! Secrets are held in [`secrecy::SecretString`]; `Debug` and `Display` of
//! every type and error in this crate print `[REDACTED]` instead of a secret.
//!
//! # Where the official SDK decides
//!
//! The signing rules are in `signing.md` of the project reference. Where the
//! official signer (`huaweicloudsdkcore` 3.1.219, `signer/signer.py`, and the
//! client code that feeds it) does something that text does not say, this
//! crate follows the SDK, because the gateway accepts what the SDK sends:
//!
//! 1. **Non-JSON bodies.** When `Content-Type` is present, not empty, and
//!    starts with neither `application/json` nor `application/bson`
//!    (case-sensitive), the SDK adds `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`
//!    before signing (so it is a signed header), and for a non-empty body the
//!    last line of the canonical request is that header's value instead of
//!    the body hash. An empty body is always the hash of nothing
//!    (`e3b0c442...b855`), whatever the headers say.
//! 2. **Header values are trimmed and sent trimmed.** The canonical value is
//!    the value with leading and trailing whitespace removed (Python
//!    `str.strip()`, which for the bytes an HTTP header may hold is the same
//!    set as Rust's [`str::trim`]), and the SDK replaces the header with the
//!    trimmed value before sending; [`signer::Signer::sign`] does the same.
//! 3. **An existing `Host` header is kept**, like an existing `X-Sdk-Date`.
//! 4. **`Host` is the endpoint's authority as written** in the SDK
//!    (`urlparse(endpoint).netloc`), so `https://h:443` signs `h:443` there.
//!    [`url::Url`] drops a default port and lower-cases the host, so this
//!    crate signs `h`; that is still valid, because the `Host` header it sets
//!    and signs is the one sent.
//! 5. **The canonical URI decodes with replacement.** Python's `unquote`
//!    turns percent-encoded bytes that are not UTF-8 into U+FFFD, which is
//!    then encoded as `%EF%BF%BD`; [`signer::canonical_uri`] does the same.
//! 6. **No signed headers** give an empty line *plus* the separator (the SDK
//!    joins header lines with `\n` and appends one `\n`). This cannot happen
//!    through [`signer::Signer::sign`], which always signs `host` and
//!    `x-sdk-date`.
//! 7. **The wire query is the canonical query.** The SDK rebuilds the URL's
//!    query from the canonical query string after signing, so the query it
//!    sends is sorted and uses `%20`. [`signer::Signer::sign`] therefore
//!    refuses a URL whose query is not already canonical; build it with
//!    [`signer::canonical_query_string`] or fix it with
//!    [`signer::canonicalize_query`].
//! 8. **Re-signing.** The SDK leaves a request that already has
//!    `Authorization` unsigned; [`signer::Signer::sign`] replaces it.
//! 9. **The body is bytes.** The SDK signs `request.body` after turning a
//!    `str` into UTF-8 bytes, and sends the same bytes; its JSON serialiser
//!    (`Client._parse_body`: `simplejson.dumps`, `ensure_ascii`, `", "` and
//!    `": "`) is not part of the signature. [`signer::Signer::sign`] takes
//!    the bytes you send; see "The body" there for what a caller must do.
//!
//! Everything else in `signing.md` (both public vectors and the canonical
//! query example) matches the SDK and is covered by unit tests.

#![warn(missing_docs)]
#![warn(missing_debug_implementations)]

pub mod clock;
pub mod credentials;
pub mod endpoint;
pub mod iam;
pub mod metadata;
pub mod signer;
pub mod skew;

pub use clock::{Clock, FixedClock, SystemClock};
pub use credentials::{
    CredentialSource, Credentials, CredentialsError, ExplicitCredentials, Profile,
    ResolvedCredentials,
};
pub use endpoint::{Endpoint, EndpointError};
pub use signer::{AccessKey, SignError, Signer};
#[cfg(feature = "verify")]
pub use signer::{VerifiedCaller, VerifyError, verify};

/// Re-exported so callers can build and read secrets without naming the
/// `secrecy` version this crate was built against.
pub use secrecy::{ExposeSecret, SecretString};

#[cfg(test)]
pub(crate) mod test_util {
    use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

    /// A UTC instant from its parts, for readable tests.
    pub(crate) fn utc(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> OffsetDateTime {
        PrimitiveDateTime::new(
            Date::from_calendar_date(y, Month::try_from(mo).unwrap(), d).unwrap(),
            Time::from_hms(h, mi, s).unwrap(),
        )
        .assume_utc()
    }
}
