//! `SDK-HMAC-SHA256` request signing, byte-exact with the official SDKs.
//!
//! The API gateway answers a request signed differently by a single byte
//! with `APIGW.0301`, and five failures in a row lock the access key for five
//! minutes, so this module follows the official signer exactly (see the
//! crate docs for where it differs from the written description).
//!
//! [`Signer::sign`] signs a request in place; `verify` (feature `verify`)
//! is the server-side check for fake servers. The canonical-form functions are public so tests
//! and fakes can show their work.

mod canonical;
#[cfg(feature = "verify")]
mod verify;

use std::fmt;

use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

pub use canonical::{
    EMPTY_BODY_SHA256, canonical_query, canonical_query_string, canonical_request, canonical_uri,
    canonicalize_query, encode_component, format_sdk_date, parse_sdk_date, payload_hash,
    string_to_sign,
};
#[cfg(feature = "verify")]
pub use verify::{VerifiedCaller, VerifyError, verify};

/// The clock `sign` and `verify` callers read `now` from; re-exported here
/// because signing is where it matters.
pub use crate::clock::{Clock, FixedClock, SystemClock};

/// The algorithm name that starts the string to sign and the
/// `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// `X-Sdk-Date`: the signing time, UTC `YYYYMMDDTHHMMSSZ`.
pub const X_SDK_DATE: HeaderName = HeaderName::from_static("x-sdk-date");
/// `X-Security-Token`: the session token of temporary credentials.
pub const X_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-security-token");
/// `X-Project-Id`: the project the official SDK names on every regional
/// request; sign it by adding it before [`Signer::sign`].
pub const X_PROJECT_ID: HeaderName = HeaderName::from_static("x-project-id");
/// `X-Auth-Token`: an IAM token, the alternative to AK/SK signing.
pub const X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");
/// `X-Sdk-Content-Sha256`: the payload hash override the SDK sets to
/// `UNSIGNED-PAYLOAD` for non-JSON bodies.
pub const X_SDK_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-sdk-content-sha256");
/// The value the SDK puts in [`X_SDK_CONTENT_SHA256`] for non-JSON bodies.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// A permanent or temporary access key pair.
///
/// The access key id (`ak`) travels in clear in every `Authorization`
/// header, so it is shown by `Debug`; the secret key (`sk`) never is.
#[derive(Clone)]
pub struct AccessKey {
    /// Access key id (AK).
    pub ak: String,
    /// Secret access key (SK), the HMAC key.
    pub sk: SecretString,
}

impl AccessKey {
    /// An access key from its id and secret.
    pub fn new(ak: impl Into<String>, sk: impl Into<SecretString>) -> Self {
        Self {
            ak: ak.into(),
            sk: sk.into(),
        }
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("ak", &self.ak)
            .field("sk", &Redacted)
            .finish()
    }
}

/// Prints `[REDACTED]` in place of a secret.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Why a request could not be signed. Messages name headers and settings,
/// never secret values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The access key id is empty.
    #[error("the access key (AK) is empty")]
    EmptyAccessKey,
    /// The secret key is empty.
    #[error("the secret key (SK) is empty")]
    EmptySecretKey,
    /// The access key id holds a character that cannot go into the
    /// `Authorization` header.
    #[error(
        "the access key (AK) contains a character that cannot go into the Authorization header (CR, LF or another control character)"
    )]
    AccessKeyNotHeaderSafe,
    /// A header value contains CR or LF, which would split the header.
    #[error("the value of header `{name}` contains CR or LF; refusing to sign it")]
    HeaderValueHasLineBreak {
        /// The header's name.
        name: String,
    },
    /// A header value holds another byte not allowed in HTTP headers.
    #[error("the value of header `{name}` contains a control character; refusing to sign it")]
    InvalidHeaderValue {
        /// The header's name.
        name: String,
    },
    /// A header value is not UTF-8 text; the official signer only signs text.
    #[error("the value of header `{name}` is not UTF-8 text; the official signer cannot sign it")]
    NonUtf8HeaderValue {
        /// The header's name.
        name: String,
    },
    /// A header that would be signed appears more than once.
    #[error(
        "header `{name}` appears more than once; the official signer signs one value per header, so combine them first"
    )]
    RepeatedHeader {
        /// The header's name.
        name: String,
    },
    /// A preset `X-Sdk-Date` is not `YYYYMMDDTHHMMSSZ`.
    #[error("the preset X-Sdk-Date header is not a UTC time in the form YYYYMMDDTHHMMSSZ")]
    InvalidSdkDate,
    /// The signing time cannot be written as `YYYYMMDDTHHMMSSZ`.
    #[error("the signing time is outside the years 0000..=9999 that X-Sdk-Date can express")]
    DateOutOfRange,
    /// The URL has no host to sign.
    #[error("the URL has no host, so there is no Host header to sign")]
    MissingHost,
    /// A preset `X-Sdk-Content-Sha256` holds non-ASCII text while there is
    /// a body, which the official signer would hash in a garbled form.
    #[error(
        "the preset X-Sdk-Content-Sha256 header is not ASCII; the official signer garbles such a payload hash, so refusing to sign it"
    )]
    NonAsciiContentSha256,
    /// The URL's query is not in canonical form, so the gateway would
    /// compute a different canonical query from what it receives.
    #[error(
        "the URL query is not in canonical form (sorted by key then value, every byte but A-Z a-z 0-9 - _ . ~ percent-encoded, %20 for space); build it with canonical_query_string or fix it with canonicalize_query"
    )]
    NonCanonicalQuery,
    /// [`Signer::sign_streamed`] was given a request whose `Content-Type`
    /// makes the signature cover the body's bytes, which are not at hand.
    #[error(
        "a streamed body cannot be signed with a JSON, BSON or no Content-Type, whose signature covers its bytes; send it buffered"
    )]
    StreamedBodyIsHashed,
}

/// Signs requests with an access key, adding `X-Security-Token` for
/// temporary credentials.
#[derive(Clone)]
pub struct Signer {
    access_key: AccessKey,
    security_token: Option<SecretString>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("access_key", &self.access_key)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| Redacted),
            )
            .finish()
    }
}

impl Signer {
    /// A signer for a permanent access key.
    pub fn new(access_key: AccessKey) -> Self {
        Self {
            access_key,
            security_token: None,
        }
    }

    /// Adds the session token of temporary credentials; every signed request
    /// then carries it, signed, in `X-Security-Token`.
    pub fn with_security_token(mut self, token: impl Into<SecretString>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// The access key id this signer puts in `Authorization`.
    pub fn access_key_id(&self) -> &str {
        &self.access_key.ak
    }

    /// Whether this signer holds temporary credentials (a security token).
    pub fn is_temporary(&self) -> bool {
        self.security_token.is_some()
    }

    /// Signs a request in place, as the official SDK does.
    ///
    /// Sets `X-Sdk-Date` from `now` unless the header is already there,
    /// `Host` from the URL (`host:port` when the URL names a non-default
    /// port) unless already there, `X-Security-Token` for temporary
    /// credentials, `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` when
    /// `Content-Type` is present, not empty and not JSON/BSON (see "The
    /// body" below), and finally `Authorization` (replacing any old one).
    /// Every header whose name has no `_` is signed, and, as in the SDK,
    /// every text value is replaced by its trimmed form, which is what gets
    /// signed and sent. So add every header you will send, `X-Project-Id`
    /// included, before calling this; a verifying server (feature `verify`)
    /// rejects headers added afterwards.
    ///
    /// The URL's query must already be canonical (see
    /// [`canonical_query_string`]), because the gateway signs what it
    /// receives. On error `headers` may have gained the headers listed above
    /// but never an `Authorization`.
    ///
    /// # The body
    ///
    /// `body` must be exactly the bytes that will be sent, because the last
    /// line of the canonical request is their hex SHA-256 (see
    /// [`payload_hash`]) and the gateway hashes the bytes it receives. One
    /// different byte (a second serialisation with other spacing or key
    /// order, `\u4e2d` instead of UTF-8 `中`, a trailing newline) is a
    /// different signature and an `APIGW.0301`. So serialise once, sign that
    /// buffer and send the same buffer:
    ///
    /// ```
    /// use hss_auth::signer::{X_PROJECT_ID, payload_hash};
    /// use hss_auth::{AccessKey, Signer};
    /// use http::header::CONTENT_TYPE;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let signer = Signer::new(AccessKey::new("AK", "SK"));
    /// let url = url::Url::parse("https://hss.cn-north-4.myhuaweicloud.com/v5/p/vulnerability/scan-task")?;
    /// // Serialised once; these bytes are signed and then sent as they are.
    /// let body: Vec<u8> = serde_json::to_vec(&serde_json::json!({
    ///     "manual_scan_type": ["linux_vul"],
    ///     "agent_id_list": ["a", "b"],
    /// }))?;
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert(CONTENT_TYPE, "application/json".parse()?);
    /// headers.insert(X_PROJECT_ID, "p".parse()?);
    /// signer.sign(&http::Method::POST, &url, &mut headers, &body, time::OffsetDateTime::UNIX_EPOCH)?;
    /// // What was signed for the body: the hash of exactly these bytes.
    /// use sha2::Digest;
    /// assert_eq!(payload_hash(&headers, &body), hex::encode(sha2::Sha256::digest(&body)));
    /// // Send `headers` and `body` (not a re-serialised value) to `url`.
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// What the official SDK does, and so what this does:
    ///
    /// - **No body is an empty body.** The SDK hashes no body, `""` and
    ///   `b""` alike ([`EMPTY_BODY_SHA256`]); pass `b""` for a `GET`, and for
    ///   a `POST` or `PUT` that sends nothing.
    /// - **Its bytes need not be the SDK's.** The SDK serialises models with
    ///   `simplejson.dumps` (`ensure_ascii`, `", "` and `": "`), so it sends
    ///   `{"remark": "\u4e2d"}` where `serde_json` writes `{"remark":"中"}`.
    ///   Either is signed correctly as long as the bytes signed are the bytes
    ///   sent; the signature never depends on how JSON was written, only on
    ///   the bytes.
    /// - **Non-JSON bodies are not hashed.** With a non-empty `Content-Type`
    ///   that starts with neither `application/json` nor `application/bson`
    ///   (case-sensitive, as in the SDK), `X-Sdk-Content-Sha256:
    ///   UNSIGNED-PAYLOAD` is added and signed, and for a non-empty body the
    ///   last line is `UNSIGNED-PAYLOAD`: the body is then not covered by the
    ///   signature. Pass the real bytes anyway; whether they are empty still
    ///   decides the line.
    /// - **A preset `X-Sdk-Content-Sha256`** (with a JSON content type, which
    ///   the SDK leaves alone) replaces the body hash with its value, unless
    ///   it is empty; a non-ASCII value is refused
    ///   ([`SignError::NonAsciiContentSha256`]), because the SDK would hash
    ///   a garbled form of it that no server computes.
    ///
    /// With `reqwest`: a body set with `RequestBuilder::json` (what
    /// progenitor-generated clients use) or from bytes is buffered, so in a
    /// hook that sees the built `reqwest::Request` just before it is sent,
    /// `request.body().and_then(reqwest::Body::as_bytes)` is exactly what
    /// goes on the wire: sign that. A streaming body (`Body::wrap_stream`)
    /// has no bytes to read there (`as_bytes` is `None`); signing it as
    /// `b""` would be a wrong signature: sign it with
    /// [`sign_streamed`](Self::sign_streamed) (a multipart form), or buffer
    /// it first. `Content-Length`, added by the HTTP stack after signing
    /// (by `RequestBuilder::multipart` before), is framing and is not
    /// signed by the SDK; take it out while signing to sign as the SDK does.
    pub fn sign(
        &self,
        method: &Method,
        url: &url::Url,
        headers: &mut HeaderMap,
        body: &[u8],
        now: OffsetDateTime,
    ) -> Result<(), SignError> {
        let ak = self.access_key.ak.as_str();
        if ak.is_empty() {
            return Err(SignError::EmptyAccessKey);
        }
        let sk = self.access_key.sk.expose_secret();
        if sk.is_empty() {
            return Err(SignError::EmptySecretKey);
        }
        let raw_query = url.query().unwrap_or("");
        if canonical_query(raw_query) != raw_query {
            return Err(SignError::NonCanonicalQuery);
        }
        headers.remove(AUTHORIZATION);

        if let Some(token) = &self.security_token {
            let mut value = header_value(&X_SECURITY_TOKEN, token.expose_secret())?;
            value.set_sensitive(true);
            headers.insert(X_SECURITY_TOKEN, value);
        }

        if !hashes_body(headers) {
            headers.insert(
                X_SDK_CONTENT_SHA256,
                HeaderValue::from_static(UNSIGNED_PAYLOAD),
            );
        }

        if !headers.contains_key(X_SDK_DATE) {
            let date = format_sdk_date(now)?;
            headers.insert(X_SDK_DATE, header_value(&X_SDK_DATE, &date)?);
        }

        if !headers.contains_key(HOST) {
            let host = url.host_str().ok_or(SignError::MissingHost)?;
            let host = match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            };
            headers.insert(HOST, header_value(&HOST, &host)?);
        }

        let signed_headers = prepare_signed_headers(headers)?;

        // The SDK reads this header back after re-encoding every value as
        // ISO-8859-1 text, so it would hash a garbled form of a non-ASCII
        // value; no server computes that.
        if !body.is_empty()
            && headers
                .get(X_SDK_CONTENT_SHA256)
                .is_some_and(|v| !v.as_bytes().is_ascii())
        {
            return Err(SignError::NonAsciiContentSha256);
        }

        // Checked by prepare_signed_headers: present, single, UTF-8.
        let sdk_date = headers
            .get(X_SDK_DATE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if parse_sdk_date(&sdk_date).is_none() {
            return Err(SignError::InvalidSdkDate);
        }

        let canonical = canonical_request(
            method.as_str(),
            url.path(),
            raw_query,
            headers,
            &signed_headers,
            body,
        );
        let to_sign = string_to_sign(&sdk_date, &canonical);
        let signature = canonical::signature(sk.as_bytes(), &to_sign);
        let authorization = format!(
            "{ALGORITHM} Access={ak}, SignedHeaders={}, Signature={signature}",
            signed_headers.join(";")
        );
        let mut value =
            HeaderValue::from_str(&authorization).map_err(|_| SignError::AccessKeyNotHeaderSafe)?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
        Ok(())
    }

    /// [`sign`](Self::sign) for a request whose body is not empty and not
    /// at hand because it is streamed, such as a `multipart/form-data`
    /// upload (`reqwest`'s `RequestBuilder::multipart` streams it).
    ///
    /// The SDK signs such bodies without hashing them: their `Content-Type`
    /// (multipart or any other but JSON and BSON) gets `X-Sdk-Content-Sha256:
    /// UNSIGNED-PAYLOAD`, which is also the payload line, so the bytes are
    /// not needed; nor are they under a preset non-empty
    /// `X-Sdk-Content-Sha256`, whose value is the payload line. Otherwise
    /// (a JSON, BSON or no `Content-Type`) the signature would cover the
    /// bytes: [`SignError::StreamedBodyIsHashed`].
    pub fn sign_streamed(
        &self,
        method: &Method,
        url: &url::Url,
        headers: &mut HeaderMap,
        now: OffsetDateTime,
    ) -> Result<(), SignError> {
        let preset = headers
            .get(X_SDK_CONTENT_SHA256)
            .is_some_and(|v| !canonical::canonical_header_value(v).is_empty());
        if hashes_body(headers) && !preset {
            return Err(SignError::StreamedBodyIsHashed);
        }
        // Any non-empty body gives the same payload line, UNSIGNED-PAYLOAD.
        self.sign(method, url, headers, b"streamed", now)
    }
}

/// Whether the signature covers the body's bytes: as in the SDK, unless a
/// `Content-Type` is present, not empty (tested as given, before trimming)
/// and starts with neither `application/json` nor `application/bson`
/// (case-sensitive).
fn hashes_body(headers: &HeaderMap) -> bool {
    headers.get(CONTENT_TYPE).is_none_or(|content_type| {
        let ct = content_type.as_bytes();
        ct.is_empty() || ct.starts_with(b"application/json") || ct.starts_with(b"application/bson")
    })
}

/// A header value built from text, refusing CR/LF and other control
/// characters with an error that names the header but not the value.
fn header_value(name: &HeaderName, value: &str) -> Result<HeaderValue, SignError> {
    if value.contains(['\r', '\n']) {
        return Err(SignError::HeaderValueHasLineBreak {
            name: name.as_str().to_owned(),
        });
    }
    HeaderValue::from_str(value).map_err(|_| SignError::InvalidHeaderValue {
        name: name.as_str().to_owned(),
    })
}

/// Checks the headers that will be signed and returns their sorted names:
/// every header whose name has no `_`, `authorization` excepted. Like the
/// SDK, replaces every text value (signed or not) by its trimmed form, which
/// is what gets signed and sent.
fn prepare_signed_headers(headers: &mut HeaderMap) -> Result<Vec<String>, SignError> {
    let mut names: Vec<HeaderName> = headers
        .keys()
        .filter(|name| *name != AUTHORIZATION)
        .cloned()
        .collect();
    names.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
    let mut signed = Vec::with_capacity(names.len());
    for name in &names {
        let is_signed = !name.as_str().contains('_');
        let values: Vec<HeaderValue> = headers.get_all(name).iter().cloned().collect();
        if is_signed && values.len() > 1 {
            return Err(SignError::RepeatedHeader {
                name: name.as_str().to_owned(),
            });
        }
        let mut trimmed_values = Vec::with_capacity(values.len());
        for value in &values {
            let bytes = value.as_bytes();
            if bytes.contains(&b'\r') || bytes.contains(&b'\n') {
                return Err(SignError::HeaderValueHasLineBreak {
                    name: name.as_str().to_owned(),
                });
            }
            match std::str::from_utf8(bytes) {
                Ok(text) if text.trim().len() != text.len() => {
                    let mut new_value = header_value(name, text.trim())?;
                    new_value.set_sensitive(value.is_sensitive());
                    trimmed_values.push(new_value);
                }
                Ok(_) => trimmed_values.push(value.clone()),
                Err(_) if is_signed => {
                    return Err(SignError::NonUtf8HeaderValue {
                        name: name.as_str().to_owned(),
                    });
                }
                Err(_) => trimmed_values.push(value.clone()),
            }
        }
        if trimmed_values != values {
            headers.remove(name);
            for value in trimmed_values {
                headers.append(name.clone(), value);
            }
        }
        if is_signed {
            signed.push(name.as_str().to_owned());
        }
    }
    Ok(signed)
}

#[cfg(test)]
mod tests;
