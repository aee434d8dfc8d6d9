//! How requests prove who sends them, shared by a client and its clones:
//! the credentials (none, an IAM token, or AK/SK), and the clock that dates
//! signatures, corrected by the offset learnt from the gateway when it
//! refused a signature as expired.

use std::sync::Arc;

use hss_auth::skew::{ClockOffset, CorrectedClock, describe_offset};
use hss_auth::{Clock, Credentials, ExposeSecret, SecretString, Signer};
use reqwest::header::{CONTENT_LENGTH, DATE, HeaderMap, HeaderValue};
use time::OffsetDateTime;

use crate::error::Error;
use crate::metadata::MetadataSource;

/// The credentials requests carry.
#[derive(Clone)]
pub(crate) enum Mode {
    None,
    Token(HeaderValue),
    Sign(Signer),
    /// Temporary credentials from the instance metadata service;
    /// `not_found` says what the other sources lacked when it is the
    /// chain's last resort.
    Metadata {
        source: Arc<MetadataSource>,
        not_found: Option<String>,
    },
}

/// Credentials and the corrected signing clock.
pub(crate) struct AuthState {
    mode: Mode,
    clock: CorrectedClock,
}

impl std::fmt::Debug for AuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = match &self.mode {
            Mode::None => "none".to_owned(),
            Mode::Token(_) => "IAM token [REDACTED]".to_owned(),
            Mode::Sign(signer) => format!("AK/SK {:?}", signer.access_key_id()),
            Mode::Metadata { source, .. } => format!("instance metadata {source:?}"),
        };
        f.debug_struct("AuthState")
            .field("mode", &mode)
            .field("clock_offset", self.clock.offset())
            .finish()
    }
}

impl AuthState {
    pub(crate) fn new(
        credentials: Option<&Credentials>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, String> {
        let mode = match credentials {
            None => Mode::None,
            Some(Credentials::Token(token)) => Mode::Token(token_header(token)?),
            Some(credentials @ Credentials::AkSk { .. }) => Mode::Sign(
                credentials
                    .signer()
                    .ok_or("AK/SK credentials without a signer")?,
            ),
        };
        Ok(AuthState {
            mode,
            clock: CorrectedClock::new(clock, Arc::new(ClockOffset::new())),
        })
    }

    /// Temporary credentials from the instance metadata service at `source`.
    pub(crate) fn from_metadata(
        source: Arc<MetadataSource>,
        not_found: Option<String>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        AuthState {
            mode: Mode::Metadata { source, not_found },
            clock: CorrectedClock::new(clock, Arc::new(ClockOffset::new())),
        }
    }

    /// Whether requests are signed with AK/SK (and so can be refused as
    /// expired, and can ask IAM for the project).
    pub(crate) fn signs(&self) -> bool {
        matches!(self.mode, Mode::Sign(_) | Mode::Metadata { .. })
    }

    /// The metadata source, when the credentials come from one.
    pub(crate) fn metadata(&self) -> Option<&Arc<MetadataSource>> {
        match &self.mode {
            Mode::Metadata { source, .. } => Some(source),
            _ => None,
        }
    }

    /// Makes sure the credentials are ready before a request: fetches or
    /// refreshes temporary credentials from the metadata service; nothing
    /// for the others.
    pub(crate) async fn prepare(&self) -> Result<(), Error> {
        let Mode::Metadata { source, not_found } = &self.mode else {
            return Ok(());
        };
        source
            .ensure_fresh(self.clock.now())
            .await
            .map_err(|error| match not_found {
                Some(not_found) => Error::NoCredentials {
                    not_found: not_found.clone(),
                    source: Box::new(error),
                },
                None => Error::Metadata(Box::new(error)),
            })
    }

    /// This machine's clock (the one given to the client), uncorrected.
    pub(crate) fn base_now(&self) -> OffsetDateTime {
        self.clock.base().now()
    }

    /// The offset added to the local clock, zero until the gateway said
    /// the local clock is off.
    pub(crate) fn clock_offset(&self) -> time::Duration {
        self.clock.offset().get()
    }

    /// Adds the credentials to a complete request: `X-Auth-Token`, or the
    /// signature over everything it carries (so this runs last). The error
    /// names what could not be signed, never a secret.
    pub(crate) fn apply(&self, request: &mut reqwest::Request) -> Result<(), String> {
        match &self.mode {
            Mode::None => Ok(()),
            Mode::Token(token) => {
                request
                    .headers_mut()
                    .insert(hss_auth::signer::X_AUTH_TOKEN, token.clone());
                Ok(())
            }
            Mode::Metadata { source, .. } => {
                let signer = source.signer().ok_or(
                    "the temporary credentials of the instance metadata service are not fetched yet",
                )?;
                self.sign_with(&signer, request)
            }
            Mode::Sign(signer) => self.sign_with(signer, request),
        }
    }

    fn sign_with(&self, signer: &Signer, request: &mut reqwest::Request) -> Result<(), String> {
        let (method, url) = (request.method().clone(), request.url().clone());
        // The bytes signed must be the bytes sent. A streamed body (a
        // multipart form) has none to read here; the SDK does not hash such
        // bodies, and `sign_streamed` refuses those it would hash.
        let body = match request.body() {
            None => Some(Vec::new()),
            Some(body) => body.as_bytes().map(<[u8]>::to_vec),
        };
        let now = self.clock.now();
        // `Content-Length` (which reqwest sets for a multipart form) is
        // framing: the SDK's HTTP stack adds it after signing, so it is
        // not signed, as in the SDK.
        let length = request.headers_mut().remove(CONTENT_LENGTH);
        let headers = request.headers_mut();
        let signed = match &body {
            Some(bytes) => signer.sign(&method, &url, headers, bytes, now),
            None => signer.sign_streamed(&method, &url, headers, now),
        };
        if let Some(length) = length {
            headers.insert(CONTENT_LENGTH, length);
        }
        signed.map_err(|e| e.to_string())
    }

    /// When `error` is the gateway refusing a signature as expired and the
    /// server's time is known (from its message, else from `Date` in
    /// `headers`), learns the offset, warns with it, and returns true: the
    /// caller may sign and send once more. False otherwise, and always for
    /// requests that are not signed.
    pub(crate) fn correct_skew(&self, error: &Error, headers: Option<&HeaderMap>) -> bool {
        if !self.signs() {
            return false;
        }
        let Some(server_time) = expired_signature_server_time(error, headers) else {
            return false;
        };
        let before = self.clock.offset().get();
        let offset = self.clock.learn(server_time);
        tracing::warn!(
            skew_seconds = offset.whole_seconds(),
            previous_offset_seconds = before.whole_seconds(),
            server_time = %server_time,
            "the gateway refused the signature as expired: the local clock is {} off the gateway's; signing with the gateway's time from now on",
            describe_offset(offset),
        );
        true
    }
}

/// The server's time of an "expired signature" answer: from its message,
/// else from its `Date` header. `None` for every other error.
pub(crate) fn expired_signature_server_time(
    error: &Error,
    headers: Option<&HeaderMap>,
) -> Option<OffsetDateTime> {
    let Error::Service(service) = error else {
        return None;
    };
    let expired = hss_auth::skew::expired_signature(
        service.status.as_u16(),
        service.error_code.as_deref(),
        service.error_msg.as_deref(),
    )?;
    expired.server_time.or_else(|| {
        let date = headers?.get(DATE)?.to_str().ok()?;
        httpdate::parse_http_date(date.trim())
            .ok()
            .map(OffsetDateTime::from)
    })
}

fn token_header(token: &SecretString) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(token.expose_secret()).map_err(|_| {
        "the token contains a character that cannot go into the X-Auth-Token header (CR, LF or another control character)".to_string()
    })?;
    value.set_sensitive(true);
    Ok(value)
}
