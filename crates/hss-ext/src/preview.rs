//! Dry runs: the request a call WOULD send, built and signed exactly as a
//! real send, then stopped before it leaves the process, with every
//! secret redacted.
//!
//! [`HssClient::preview`](crate::HssClient::preview) runs any call of this crate in preview mode (a
//! task-local flag). The call goes through everything a real one does:
//! parameter checks, the body through the generated types, the project
//! (asked from IAM first if it is to be discovered: that read-only
//! question is the one request a preview may make), the `User-Agent`,
//! the canonical query, the credentials and signature. Then the last
//! hook (`PreviewHook`, installed after the signing hook) records the
//! request and refuses to send it, so the HSS endpoint sees nothing. The
//! recorded request is redacted as it is taken: the `Authorization`
//! signature, the access key beyond its first characters, `X-Auth-Token`,
//! `X-Security-Token` and any header that looks like a credential never
//! reach [`RequestPreview`], so its `Debug` and `Display` cannot leak them.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;

use hss_api::{OperationInfo, RequestHook};

use crate::error::Error;
use crate::text::one_line;

/// What replaces a secret in a preview.
pub const REDACTED: &str = "[REDACTED]";

tokio::task_local! {
    static PREVIEW: RefCell<Option<RequestPreview>>;
}

/// The request a call would send: method, URL, headers (secrets
/// redacted), body.
///
/// `Display` prints it as an HTTP request would look (method and URL,
/// one header per line, a blank line, the body).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestPreview {
    /// The operation (`change_vul_status`, ...), as the generated client names it.
    pub operation: String,
    /// `GET`, `POST`, `PUT`.
    pub method: String,
    /// The full URL, query included.
    pub url: String,
    /// Header names (lower case) and values, secrets replaced by
    /// [`REDACTED`], in the order they would be sent.
    pub headers: Vec<(String, String)>,
    /// The body as text (JSON for every operation with one), `None`
    /// without a body.
    pub body: Option<String>,
}

impl RequestPreview {
    /// The value of a header, by name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for RequestPreview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, one_line(&self.url))?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {}", one_line(value))?;
        }
        if let Some(body) = &self.body {
            writeln!(f)?;
            writeln!(f, "{}", one_line(body))?;
        }
        Ok(())
    }
}

/// Runs `call` (one call of this crate) in preview mode: its first
/// request is recorded by [`PreviewHook`] instead of sent.
pub(crate) async fn capture<Fut, T>(call: Fut) -> Result<RequestPreview, Error>
where
    Fut: Future<Output = Result<T, Error>>,
{
    let (result, captured) = PREVIEW
        .scope(RefCell::new(None), async move {
            let result = call.await;
            let captured = PREVIEW.with(|slot| slot.borrow_mut().take());
            (result, captured)
        })
        .await;
    match (captured, result) {
        (Some(preview), _) => Ok(preview),
        (None, Err(error)) => Err(error),
        (None, Ok(_)) => Err(Error::Refused {
            message: "the call sent no request, so there is nothing to preview".into(),
        }),
    }
}

/// The last hook: in preview mode, records the signed request and
/// refuses to send it; otherwise does nothing.
pub(crate) struct PreviewHook;

/// The message of the refusal (never shown to the caller of `preview`).
const NOT_SENT: &str = "dry run: the request was previewed, not sent";

impl RequestHook for PreviewHook {
    fn name(&self) -> &'static str {
        "hss-ext-preview"
    }

    fn before_send(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), String> {
        let previewing = PREVIEW
            .try_with(|slot| {
                let mut slot = slot.borrow_mut();
                if slot.is_none() {
                    *slot = Some(redacted(request, info));
                }
            })
            .is_ok();
        if previewing {
            Err(NOT_SENT.to_owned())
        } else {
            Ok(())
        }
    }
}

/// Header names whose whole value is a secret.
const SECRET_HEADERS: &[&str] = &[
    "x-auth-token",
    "x-security-token",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Words that make a header name look like a credential.
const SECRET_WORDS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "credential",
    "signature",
    "session",
    "api-key",
    "apikey",
];

fn redacted(request: &reqwest::Request, info: &OperationInfo) -> RequestPreview {
    let mut url = request.url().clone();
    if url.password().is_some() {
        let _ = url.set_password(Some(REDACTED));
    }
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| {
            let name = name.as_str().to_ascii_lowercase();
            let value = String::from_utf8_lossy(value.as_bytes());
            let shown = if name == "authorization" {
                redact_authorization(&value)
            } else if value.is_empty() {
                String::new()
            } else if SECRET_HEADERS.contains(&name.as_str())
                || SECRET_WORDS.iter().any(|w| name.contains(w))
            {
                REDACTED.to_owned()
            } else {
                value.into_owned()
            };
            (name, shown)
        })
        .collect();
    let body = request.body().map(|body| match body.as_bytes() {
        Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        None => "<streaming body>".to_owned(),
    });
    RequestPreview {
        operation: info.operation_id.to_owned(),
        method: request.method().as_str().to_owned(),
        url: url.to_string(),
        headers,
        body,
    }
}

/// `SDK-HMAC-SHA256 Access=AK, SignedHeaders=..., Signature=...` with the
/// signature redacted and the access key cut to its first 4 characters;
/// anything else in the header redacted whole.
fn redact_authorization(value: &str) -> String {
    let Some((scheme, params)) = value.split_once(' ') else {
        return REDACTED.to_owned();
    };
    if !scheme.starts_with("SDK-HMAC-") {
        return format!("{scheme} {REDACTED}");
    }
    let parts: Vec<String> = params
        .split(',')
        .map(|part| {
            let part = part.trim();
            match part.split_once('=') {
                Some(("SignedHeaders", headers)) => format!("SignedHeaders={headers}"),
                Some(("Access", ak)) => {
                    let shown: String = ak.chars().take(4).collect();
                    format!("Access={shown}…{REDACTED}")
                }
                Some((key, _)) => format!("{key}={REDACTED}"),
                None => REDACTED.to_owned(),
            }
        })
        .collect();
    format!("{scheme} {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_keeps_only_what_is_not_secret() {
        let shown = redact_authorization(
            "SDK-HMAC-SHA256 Access=HPUAEXAMPLEKEY, SignedHeaders=content-type;host;x-sdk-date, Signature=0123abcd",
        );
        assert_eq!(
            shown,
            "SDK-HMAC-SHA256 Access=HPUA…[REDACTED], SignedHeaders=content-type;host;x-sdk-date, Signature=[REDACTED]"
        );
        assert_eq!(redact_authorization("Bearer abc"), "Bearer [REDACTED]");
        assert_eq!(redact_authorization("abc"), "[REDACTED]");
    }
}
