//! Server-side check of `SDK-HMAC-SHA256` signatures, for fake servers.

use std::fmt;

use http::HeaderMap;
use http::header::{AUTHORIZATION, CONTENT_LENGTH, TRANSFER_ENCODING};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use super::canonical::{
    canonical_header_value, canonical_request, hex_sha256, payload_hash, signature, string_to_sign,
};
use super::{ALGORITHM, Redacted, X_SDK_DATE, X_SECURITY_TOKEN, parse_sdk_date};

/// Who sent a request whose signature checked out.
#[derive(Clone)]
#[non_exhaustive]
pub struct VerifiedCaller {
    /// The access key id from `Authorization`.
    pub access_key: String,
    /// The signed `X-Security-Token`, present for temporary credentials; a
    /// fake server can compare it with the token it issued.
    pub security_token: Option<SecretString>,
    /// The signed header names, in the order the caller listed them.
    pub signed_headers: Vec<String>,
    /// The signing time from `X-Sdk-Date`.
    pub sdk_date: OffsetDateTime,
    /// Headers that were sent but not signed (framing headers and `_`
    /// names aside). The gateway ignores them, and so does [`verify`]: the
    /// official Python SDK sends `Accept`, `Accept-Encoding` and
    /// `Connection` unsigned. A test of a client that must sign everything
    /// it sends checks that this is empty.
    pub unsigned_headers: Vec<String>,
    /// Whether the signature covers the body: true when the canonical
    /// request's last line is the SHA-256 of the body received (always for
    /// an empty body), false when a signed `X-Sdk-Content-Sha256` (the SDK's
    /// `UNSIGNED-PAYLOAD` for non-JSON content types) stood in for it, so
    /// the body could have been changed on the way. A fake server that
    /// expects JSON can refuse a request whose body is not signed.
    pub body_signed: bool,
}

impl fmt::Debug for VerifiedCaller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedCaller")
            .field("access_key", &self.access_key)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| Redacted),
            )
            .field("signed_headers", &self.signed_headers)
            .field("sdk_date", &self.sdk_date)
            .field("unsigned_headers", &self.unsigned_headers)
            .field("body_signed", &self.body_signed)
            .finish()
    }
}

/// Why a signature was rejected. Messages never contain secrets or
/// signatures; a fake server can map every variant to `APIGW.0301`, or
/// [`VerifyError::StaleDate`] to the gateway's clock-skew answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// No `Authorization` header.
    #[error("the request has no Authorization header")]
    MissingAuthorization,
    /// `Authorization` is not `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`.
    #[error("the Authorization header is malformed: {reason}")]
    MalformedAuthorization {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The access key id is not known to the server.
    #[error("unknown access key `{access_key}`")]
    UnknownAccessKey {
        /// The access key id from `Authorization`.
        access_key: String,
    },
    /// No `X-Sdk-Date` header.
    #[error("the request has no X-Sdk-Date header")]
    MissingDate,
    /// `X-Sdk-Date` is not `YYYYMMDDTHHMMSSZ`.
    #[error("the X-Sdk-Date header is not a UTC time in the form YYYYMMDDTHHMMSSZ")]
    MalformedDate,
    /// `X-Sdk-Date` is too far from the server's clock.
    #[error(
        "X-Sdk-Date is {skew_seconds} s away from the server clock; at most {max_skew_seconds} s is allowed"
    )]
    StaleDate {
        /// How far the date is from the server's clock, in seconds.
        skew_seconds: i64,
        /// The allowed distance, in seconds.
        max_skew_seconds: u64,
    },
    /// A header listed in `SignedHeaders` is not in the request.
    #[error("signed header `{name}` is not in the request")]
    MissingSignedHeader {
        /// The header's name.
        name: String,
    },
    /// A signed header appears more than once.
    #[error("signed header `{name}` appears more than once")]
    RepeatedHeader {
        /// The header's name.
        name: String,
    },
    /// A signed header's value is not UTF-8 text.
    #[error("the value of signed header `{name}` is not UTF-8 text")]
    InvalidHeaderValue {
        /// The header's name.
        name: String,
    },
    /// The recomputed signature differs from the one sent.
    #[error(
        "the signature does not match (wrong secret key, or the request changed after signing)"
    )]
    SignatureMismatch,
}

struct ParsedAuthorization<'a> {
    access: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn malformed(reason: &'static str) -> VerifyError {
    VerifyError::MalformedAuthorization { reason }
}

fn parse_authorization(value: &str) -> Result<ParsedAuthorization<'_>, VerifyError> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or(malformed("it does not start with `SDK-HMAC-SHA256 `"))?;
    let (mut access, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let (key, val) = part
            .trim()
            .split_once('=')
            .ok_or(malformed("a part has no `=`"))?;
        let slot = match key {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut sig,
            _ => {
                return Err(malformed(
                    "it has a part other than Access, SignedHeaders and Signature",
                ));
            }
        };
        if slot.replace(val).is_some() {
            return Err(malformed("a part is repeated"));
        }
    }
    let access = access
        .filter(|a| !a.is_empty())
        .ok_or(malformed("Access is missing or empty"))?;
    let signed = signed.ok_or(malformed("SignedHeaders is missing"))?;
    let signature = sig.ok_or(malformed("Signature is missing"))?;
    if signature.len() != 64
        || !signature
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(malformed("Signature is not 64 lower-case hex digits"));
    }
    let signed_headers: Vec<&str> = signed.split(';').collect();
    for (i, name) in signed_headers.iter().enumerate() {
        if name.is_empty()
            || name.bytes().any(|b| b.is_ascii_uppercase())
            || signed_headers[..i].contains(name)
        {
            return Err(malformed(
                "SignedHeaders has an empty, upper-case or repeated name",
            ));
        }
    }
    if signed_headers.contains(&"authorization") {
        return Err(malformed("SignedHeaders lists authorization"));
    }
    if !signed_headers.contains(&X_SDK_DATE.as_str()) {
        return Err(malformed("SignedHeaders does not list x-sdk-date"));
    }
    Ok(ParsedAuthorization {
        access,
        signed_headers,
        signature,
    })
}

/// Checks an `SDK-HMAC-SHA256` signature the way the API gateway does.
///
/// Parses `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=...,
/// Signature=...`, looks up the secret key with `lookup_sk`, checks that
/// `X-Sdk-Date` is signed and within `max_skew` of `now` (the gateway allows
/// 15 minutes), recomputes the signature over the listed headers and
/// compares in constant time.
///
/// It is stricter than the gateway on one point, to catch client bugs:
/// every header in the request must be signed, except `Authorization`,
/// names with `_` (the signer cannot sign them) and `Content-Length` /
/// `Transfer-Encoding` (framing an HTTP stack may add after signing; the
/// body is covered by the payload hash).
///
/// `raw_path` and `raw_query` are as received (no `?`), not decoded.
/// `body` is every byte of the body as received (after transfer decoding
/// such as chunked, before any parsing); an empty slice when there is none.
/// The signature covers it through its SHA-256, so a changed byte is a
/// [`VerifyError::SignatureMismatch`], except when a signed
/// `X-Sdk-Content-Sha256` replaces the hash (see
/// [`VerifiedCaller::body_signed`]).
#[allow(clippy::too_many_arguments)]
pub fn verify(
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    lookup_sk: impl Fn(&str) -> Option<SecretString>,
    now: OffsetDateTime,
    max_skew: std::time::Duration,
) -> Result<VerifiedCaller, VerifyError> {
    let mut authorizations = headers.get_all(AUTHORIZATION).iter();
    let authorization = authorizations
        .next()
        .ok_or(VerifyError::MissingAuthorization)?;
    if authorizations.next().is_some() {
        return Err(malformed("there is more than one Authorization header"));
    }
    let authorization = authorization
        .to_str()
        .map_err(|_| malformed("it is not visible ASCII"))?;
    let parsed = parse_authorization(authorization)?;

    let sk = lookup_sk(parsed.access).ok_or_else(|| VerifyError::UnknownAccessKey {
        access_key: parsed.access.to_owned(),
    })?;

    for name in &parsed.signed_headers {
        let mut values = headers.get_all(*name).iter();
        let value = values
            .next()
            .ok_or_else(|| VerifyError::MissingSignedHeader {
                name: (*name).to_owned(),
            })?;
        if values.next().is_some() {
            return Err(VerifyError::RepeatedHeader {
                name: (*name).to_owned(),
            });
        }
        if std::str::from_utf8(value.as_bytes()).is_err() {
            return Err(VerifyError::InvalidHeaderValue {
                name: (*name).to_owned(),
            });
        }
    }
    let unsigned_headers = headers
        .keys()
        .filter(|name| {
            let n = name.as_str();
            !parsed.signed_headers.contains(&n)
                && **name != AUTHORIZATION
                && **name != CONTENT_LENGTH
                && **name != TRANSFER_ENCODING
                && !n.contains('_')
        })
        .map(|name| name.as_str().to_owned())
        .collect();

    let date_value = headers.get(X_SDK_DATE).ok_or(VerifyError::MissingDate)?;
    let date_text = canonical_header_value(date_value);
    let sdk_date = parse_sdk_date(&date_text).ok_or(VerifyError::MalformedDate)?;
    let skew = (now - sdk_date).abs();
    let within = time::Duration::try_from(max_skew).map_or(true, |max| skew <= max);
    if !within {
        return Err(VerifyError::StaleDate {
            skew_seconds: skew.whole_seconds(),
            max_skew_seconds: max_skew.as_secs(),
        });
    }

    let signed_headers: Vec<String> = parsed
        .signed_headers
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let canonical = canonical_request(method, raw_path, raw_query, headers, &signed_headers, body);
    let expected = signature(
        sk.expose_secret().as_bytes(),
        &string_to_sign(&date_text, &canonical),
    );
    if !bool::from(expected.as_bytes().ct_eq(parsed.signature.as_bytes())) {
        return Err(VerifyError::SignatureMismatch);
    }

    // Only a signed token counts: an unsigned one could have been added by
    // anyone on the way.
    let security_token = headers
        .get(X_SECURITY_TOKEN)
        .filter(|_| {
            signed_headers
                .iter()
                .any(|h| h == X_SECURITY_TOKEN.as_str())
        })
        .map(|v| SecretString::from(canonical_header_value(v).into_owned()));
    Ok(VerifiedCaller {
        access_key: parsed.access.to_owned(),
        security_token,
        signed_headers,
        sdk_date,
        unsigned_headers,
        body_signed: payload_hash(headers, body) == hex_sha256(body),
    })
}
