//! What this crate does to every request through `hss_api::Hooks`: the
//! canonical query, `User-Agent`, credentials (token or AK/SK signature,
//! applied last so everything sent is signed), tracing fields, and keeping
//! the status and headers of the answer for error reports.

use std::cell::RefCell;
use std::sync::Arc;

use hss_api::{OperationInfo, RequestHook};
use hss_auth::ExposeSecret;
use hss_auth::{Clock, Credentials, SecretString, Signer};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue, USER_AGENT};

/// The `User-Agent` this crate sends.
pub const DEFAULT_USER_AGENT: &str = concat!("hss-rs/", env!("CARGO_PKG_VERSION"));

/// Status and headers of the last answer within one [`capture_response`]
/// scope. progenitor drops both when a body does not decode (an HTML 502
/// from a proxy), so the hook keeps them here for the error.
#[derive(Clone, Debug)]
pub(crate) struct ResponseMeta {
    pub status: StatusCode,
    pub headers: HeaderMap,
}

tokio::task_local! {
    static LAST_RESPONSE: RefCell<Option<ResponseMeta>>;
}

/// Runs `future` (one generated-client call) and returns its output with the
/// status and headers of the answer it got, if any.
pub(crate) async fn capture_response<F: Future>(future: F) -> (F::Output, Option<ResponseMeta>) {
    LAST_RESPONSE
        .scope(RefCell::new(None), async {
            let output = future.await;
            let meta = LAST_RESPONSE.with(|slot| slot.borrow_mut().take());
            (output, meta)
        })
        .await
}

/// How requests prove who sends them.
#[derive(Clone)]
pub(crate) enum Auth {
    None,
    Token(HeaderValue),
    Sign {
        signer: Signer,
        clock: Arc<dyn Clock>,
    },
}

impl Auth {
    pub(crate) fn new(
        credentials: Option<&Credentials>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, String> {
        Ok(match credentials {
            None => Auth::None,
            Some(Credentials::Token(token)) => Auth::Token(token_header(token)?),
            Some(credentials @ Credentials::AkSk { .. }) => Auth::Sign {
                signer: credentials
                    .signer()
                    .ok_or("AK/SK credentials without a signer")?,
                clock,
            },
        })
    }
}

fn token_header(token: &SecretString) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(token.expose_secret()).map_err(|_| {
        "the token contains a character that cannot go into the X-Auth-Token header (CR, LF or another control character)".to_string()
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The one hook this crate installs.
pub(crate) struct HssHook {
    pub user_agent: HeaderValue,
    pub auth: Auth,
    pub max_response_body: u64,
}

impl RequestHook for HssHook {
    fn name(&self) -> &'static str {
        "hss-ext"
    }

    fn before_send(&self, request: &mut reqwest::Request, _: &OperationInfo) -> Result<(), String> {
        // Sorted, `%20` for space: what the official SDKs send and sign.
        hss_auth::signer::canonicalize_query(request.url_mut());
        request
            .headers_mut()
            .insert(USER_AGENT, self.user_agent.clone());
        let span = tracing::Span::current();
        span.record("url.path", request.url().path());
        match &self.auth {
            Auth::None => {}
            Auth::Token(token) => {
                request
                    .headers_mut()
                    .insert(hss_auth::signer::X_AUTH_TOKEN, token.clone());
            }
            Auth::Sign { signer, clock } => {
                let (method, url) = (request.method().clone(), request.url().clone());
                signer
                    .sign(&method, &url, request.headers_mut(), &[], clock.now())
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }

    fn wrap_response(&self, response: reqwest::Response, _: &OperationInfo) -> reqwest::Response {
        crate::limit::limit_body(response, self.max_response_body)
    }

    fn after_send(&self, result: &reqwest::Result<reqwest::Response>, _: &OperationInfo) {
        let Ok(response) = result else { return };
        let span = tracing::Span::current();
        span.record("http.status", response.status().as_u16());
        if let Some(id) = request_id(response.headers()) {
            span.record("request_id", id);
        }
        let _ = LAST_RESPONSE.try_with(|slot| {
            *slot.borrow_mut() = Some(ResponseMeta {
                status: response.status(),
                headers: response.headers().clone(),
            });
        });
    }
}

/// The `X-Request-Id` header, when it is text.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-request-id").and_then(|v| v.to_str().ok())
}
