//! What this crate does to every request through `hss_api::Hooks`: the
//! canonical query, `User-Agent`, credentials (token or AK/SK signature,
//! applied last so everything sent is signed), tracing fields, and keeping
//! the status and headers of the answer for error reports.

use std::cell::RefCell;
use std::sync::Arc;

use crate::auth::AuthState;

use hss_api::{OperationInfo, RequestHook};
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

tokio::task_local! {
    static TAKEN_BODY: RefCell<Option<reqwest::Body>>;
}

/// Runs `future` (one generated-client call) with the body of its answer
/// taken from the generated code, which reads `{}` in its place: the
/// caller reads and decodes the real one itself (the host listing, whose
/// pages `decode::decode_page` decodes faster than progenitor's
/// `serde_json::from_slice`). The body comes back only when an answer
/// arrived.
pub(crate) async fn take_body<F: Future>(future: F) -> (F::Output, Option<reqwest::Body>) {
    TAKEN_BODY
        .scope(RefCell::new(None), async {
            let output = future.await;
            let body = TAKEN_BODY.with(|slot| slot.borrow_mut().take());
            (output, body)
        })
        .await
}

/// The hook installed last: within a [`take_body`] scope it swaps the
/// body of the answer (bounded by then, see [`HssHook`]) for `{}`, which
/// every generated response type decodes, and keeps the real one for
/// the scope. Outside one it does nothing.
pub(crate) struct TakeBody;

impl RequestHook for TakeBody {
    fn name(&self) -> &'static str {
        "hss-ext-take-body"
    }

    fn before_send(&self, _: &mut reqwest::Request, _: &OperationInfo) -> Result<(), String> {
        Ok(())
    }

    fn wrap_response(&self, response: reqwest::Response, _: &OperationInfo) -> reqwest::Response {
        if TAKEN_BODY.try_with(|_| ()).is_err() {
            return response;
        }
        crate::limit::map_body(response, |body| {
            let _ = TAKEN_BODY.try_with(|slot| *slot.borrow_mut() = Some(body));
            reqwest::Body::from("{}")
        })
    }
}

/// The one hook this crate installs.
pub(crate) struct HssHook {
    pub user_agent: HeaderValue,
    pub auth: Arc<AuthState>,
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
        self.auth.apply(request)?;
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
/// The generated operation id of the export download, whose body the
/// download bounds itself (`DownloadOptions::max_bytes`).
const DOWNLOAD_OPERATION: &str = "list_download_exported_file";

/// This crate's hook, except that the download's body is not cut at the
/// client's response limit (the download applies its own).
pub(crate) struct BoundedExceptDownloads(pub HssHook);

impl RequestHook for BoundedExceptDownloads {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn before_send(
        &self,
        request: &mut reqwest::Request,
        operation: &OperationInfo,
    ) -> Result<(), String> {
        self.0.before_send(request, operation)
    }

    fn wrap_response(
        &self,
        response: reqwest::Response,
        operation: &OperationInfo,
    ) -> reqwest::Response {
        if operation.operation_id == DOWNLOAD_OPERATION && response.status().is_success() {
            response
        } else {
            self.0.wrap_response(response, operation)
        }
    }

    fn after_send(&self, result: &reqwest::Result<reqwest::Response>, operation: &OperationInfo) {
        self.0.after_send(result, operation)
    }
}
