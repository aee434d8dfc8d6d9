//! One request of any operation, sent the way every request of this
//! client is: credentials ready, project known (asked from IAM once when
//! it is to be discovered), a send slot of the client's shared rate, the
//! retry policy's attempts, backoff and budget, the shared retry quota,
//! one more signature when the gateway refuses a signature as expired,
//! and the answer turned into this crate's [`Error`].
//!
//! Every operation goes through this one loop: most through [`HssClient::call`]
//! (the generated call's `ResponseValue`), every listing's pages through
//! [`HssClient::call_with`] with an attempt that reads and decodes the
//! page itself (`client.rs`, `call_page`).
//!
//! What is sent again differs by operation: one the spec calls retry-safe
//! (`hss_operations::Operation::retry_safe`: a `GET`, or an operation
//! marked `x-retry-safe`) is retried as [`Error::is_retryable`] says.
//! Another (a `POST` or `PUT`) may have taken effect even when its answer
//! was lost, so it is sent again only when the request surely did nothing:
//! the connection was never made, or the gateway answered `429` (throttled
//! before it reached HSS).

use std::future::Future;

use hss_api::ResponseValue;
use hss_api::types::ErrorBody;
use hss_operations::Operation;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tokio::time::Instant;
use tracing::Instrument;

use crate::client::HssClient;
use crate::decode::convert_error;
use crate::decode::{
    self, ERROR_BODY_LIMIT, PageAnswer, PageShape, decode_answer, joined, page_of_value,
    read_bounded,
};
use crate::error::{Error, TransportKind};
use crate::hooks::{self, capture_response};
use crate::rate::Outcome;
use crate::retry::{self, RetryPolicy};

/// What the retry loop must know about an operation: the spec's facts
/// (`hss_operations`: its id and method for tracing, whether a retry
/// is safe) and how this call sends it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Op {
    pub spec: &'static Operation,
    /// Send once, whatever the policy: the caller (a waiter) retries on
    /// its own schedule.
    pub once: bool,
}

impl Op {
    /// The operation, sent with the client's retries.
    pub(crate) const fn of(spec: &'static Operation) -> Op {
        Op { spec, once: false }
    }

    /// The same operation, sent once.
    pub(crate) const fn once(mut self) -> Op {
        self.once = true;
        self
    }
}

/// Whether a failed request surely had no effect: never connected, or
/// throttled by the gateway.
pub(crate) fn surely_not_done(error: &Error) -> bool {
    matches!(
        error,
        Error::Transport {
            kind: TransportKind::Connect,
            ..
        }
    ) || error.status().is_some_and(|s| s.as_u16() == 429)
}

/// What an error says about the rate: `429` and `503` ask for less.
fn outcome_of(error: &Error) -> Outcome {
    match error.status().map(|s| s.as_u16()) {
        Some(429 | 503) => Outcome::Throttled,
        _ => Outcome::Other,
    }
}

impl HssClient {
    /// Sends one operation with the client's retries. `project` is the
    /// query's project, `None` for the client's; `send` makes and sends
    /// the request for a project id (it is called again for each attempt).
    pub(crate) async fn call<T, F, Fut>(
        &self,
        op: Op,
        project: Option<&str>,
        send: F,
    ) -> Result<ResponseValue<T>, Error>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, hss_api::Error<ErrorBody>>>,
    {
        self.call_with(op, project, |project| send_converted(send(project)))
            .await
    }

    /// The retry loop itself. `send` makes one attempt for a project id
    /// and returns its outcome with the answer's headers, which the
    /// expired-signature check reads.
    ///
    /// Bounded three ways: at most `max_attempts` attempts; the budget,
    /// which cuts the attempt in flight too (ending in [`Error::Timeout`]);
    /// and the client's retry quota, which every retry draws on. Every
    /// attempt waits for a send slot of the client's rate; the first wait
    /// comes before the budget starts (requests queued behind a slow rate
    /// are not late), a retry's counts. The slots probe for the rate when
    /// this handle belongs to an adaptive listing (any listing's pages).
    pub(crate) async fn call_with<T, F, Fut>(
        &self,
        op: Op,
        project: Option<&str>,
        send: F,
    ) -> Result<T, Error>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = (Result<T, Error>, Option<HeaderMap>)>,
    {
        let mut sent_at = self.rate.acquire_as(self.probe).await;
        let started = Instant::now();
        let budget = self.retry.budget();
        let mut attempt = 1u32;
        let mut held = None;
        let mut last_error: Option<Error> = None;
        loop {
            let span = tracing::info_span!(
                "hss.request",
                otel.name = op.spec.id,
                http.method = op.spec.method.as_str(),
                url.path = tracing::field::Empty,
                http.status = tracing::field::Empty,
                request_id = tracing::field::Empty,
                attempt,
                latency_ms = tracing::field::Empty,
            );
            if attempt > 1 {
                let remaining = budget.saturating_sub(started.elapsed());
                match tokio::time::timeout(remaining, self.rate.acquire_as(self.probe)).await {
                    Ok(at) => sent_at = at,
                    Err(_) => {
                        return Err(Error::Timeout {
                            budget,
                            attempts: attempt - 1,
                            last_error: last_error.map(Box::new),
                        });
                    }
                }
            }
            let remaining = budget.saturating_sub(started.elapsed());
            let sent = Instant::now();
            let outcome = tokio::time::timeout(
                remaining,
                async { self.call_once(project, &send).await.0 }.instrument(span.clone()),
            )
            .await;
            span.record("latency_ms", sent.elapsed().as_millis() as u64);
            let error = match outcome {
                Ok(Ok(value)) => {
                    self.rate.report(sent_at, Outcome::Answered(sent.elapsed()));
                    if let Some(quota) = &self.quota {
                        quota.refund(held.unwrap_or(RetryPolicy::SUCCESS_REFUND));
                    }
                    return Ok(value);
                }
                Ok(Err(error)) => {
                    self.rate.report(sent_at, outcome_of(&error));
                    error
                }
                Err(_) => {
                    let error = Error::Timeout {
                        budget,
                        attempts: attempt,
                        last_error: last_error.map(Box::new),
                    };
                    // The error says it; a warning would say it twice.
                    span.in_scope(|| tracing::info!(%error, "budget spent, attempt abandoned"));
                    return Err(error);
                }
            };
            if op.once {
                return Err(error);
            }
            let Some(retryable) = retry::classify(&error) else {
                return Err(error);
            };
            if !op.spec.retry_safe && !surely_not_done(&error) {
                span.in_scope(
                    || tracing::warn!(%error, "not retried: the request may have taken effect"),
                );
                return Err(error);
            }
            let Some(delay) =
                self.retry
                    .delay_before(attempt, started.elapsed(), error.retry_after())
            else {
                // The error says it; a warning would say it twice.
                span.in_scope(|| tracing::info!(%error, attempts = attempt, "giving up"));
                return Err(error);
            };
            if !self.take_retry_tokens(retryable.cost()) {
                span.in_scope(|| {
                    tracing::warn!(%error, attempts = attempt, "retry quota exhausted, giving up")
                });
                return Err(error);
            }
            if self.quota.is_some() {
                held = Some(retryable.cost());
            }
            span.in_scope(
                || tracing::info!(%error, delay_ms = delay.as_millis() as u64, "retrying"),
            );
            tokio::time::sleep(delay).await;
            last_error = Some(error);
            attempt += 1;
        }
    }

    /// Takes `cost` tokens from the shared retry quota; true without one.
    pub(crate) fn take_retry_tokens(&self, cost: u32) -> bool {
        self.quota
            .as_ref()
            .is_none_or(|quota| quota.try_acquire(cost))
    }

    /// Gives tokens back to the shared retry quota after a success.
    pub(crate) fn refund_retry_tokens(&self, tokens: u32) {
        if let Some(quota) = &self.quota {
            quota.refund(tokens);
        }
    }

    /// One attempt: credentials, project (asked from IAM the first time
    /// when it is to be discovered), the request, and once more if the
    /// gateway refused the signature as expired (the clock offset is
    /// kept). Returns the last answer's headers too.
    pub(crate) async fn call_once<T, F, Fut>(
        &self,
        project: Option<&str>,
        send: &F,
    ) -> (Result<T, Error>, Option<HeaderMap>)
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = (Result<T, Error>, Option<HeaderMap>)>,
    {
        if let Err(error) = self.shared.auth.prepare().await {
            return (Err(error), None);
        }
        let project = match project {
            Some(project) => project.to_owned(),
            None => match self.resolve_project_id().await {
                Ok(project) => project,
                Err(error) => return (Err(error), None),
            },
        };
        let (result, headers) = send(project.clone()).await;
        let (result, headers) = match result {
            Err(error) if self.shared.auth.correct_skew(&error, headers.as_ref()) => {
                send(project).await
            }
            other => (other, headers),
        };
        (
            result.map_err(|e| crate::proxy::refusal(e, self.shared.proxy.as_ref())),
            headers,
        )
    }

    /// One page of any typed listing with the client's retries: `send`
    /// makes and sends the generated request for a project id; its answer
    /// is decoded by [`decode_answer`] as `shape` says, a `200` answer
    /// when [`PageAnswer::decode`] is called (an error status is decoded
    /// at once, as the retries depend on it).
    pub(crate) async fn call_page<R, T, F, Fut>(
        &self,
        op: Op,
        project: Option<&str>,
        shape: PageShape<R, T>,
        send: F,
    ) -> Result<PageAnswer<T>, Error>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<ResponseValue<R>, hss_api::Error<ErrorBody>>>,
        R: serde::de::DeserializeOwned + 'static,
        T: serde::de::DeserializeOwned + serde::Serialize + hss_api::check::Checked + 'static,
    {
        self.call_with(op, project, |project| async {
            let (result, headers) = send_page(send(project), shape).await;
            if result.is_ok() {
                tracing::debug!("page received");
            }
            (result, headers)
        })
        .await
    }
}

/// Awaits one generated call, keeping the answer's headers for an error.
async fn send_converted<T, Fut>(future: Fut) -> (Result<ResponseValue<T>, Error>, Option<HeaderMap>)
where
    Fut: Future<Output = Result<ResponseValue<T>, hss_api::Error<ErrorBody>>>,
{
    let (result, meta) = capture_response(future).await;
    match result {
        Ok(value) => (Ok(value), None),
        Err(error) => {
            let headers = meta.as_ref().map(|m| m.headers.clone());
            (Err(convert_error(error, meta).await), headers)
        }
    }
}

/// Sends a page request once; the answer's headers come back with an
/// error for the skew check.
///
/// The generated builder makes and sends the request (through every
/// hook); the body of its answer is taken from the generated code
/// ([`hooks::take_body`]) and decoded here by [`decode_answer`], the
/// function [`decode_page`](crate::decode_page) (what the fuzzers and
/// tests call) is made of: each item parsed once, its text kept.
pub(crate) async fn send_page<R, T, Fut>(
    send: Fut,
    shape: PageShape<R, T>,
) -> (Result<PageAnswer<T>, Error>, Option<HeaderMap>)
where
    Fut: Future<Output = Result<ResponseValue<R>, hss_api::Error<ErrorBody>>>,
    R: serde::de::DeserializeOwned + 'static,
    T: serde::de::DeserializeOwned + serde::Serialize + hss_api::check::Checked + 'static,
{
    let ((result, meta), body) = hooks::take_body(capture_response(send)).await;
    match (meta, body) {
        // An answer arrived: whatever the generated code made of the
        // stand-in body it read is dropped.
        (Some(meta), Some(body)) => {
            let read = if meta.status == StatusCode::OK {
                // Joined where the page is decoded (`PageAnswer`).
                read_chunks(body).await
            } else if decode::reads_whole_body(meta.status, shape.errors) {
                read_chunks(body)
                    .await
                    .map(|chunks| vec![joined(chunks).into()])
            } else {
                Ok(vec![
                    read_bounded(
                        reqwest::Response::from(http::Response::new(body)),
                        ERROR_BODY_LIMIT,
                    )
                    .await
                    .into(),
                ])
            };
            let result = match read {
                Ok(chunks) if meta.status == StatusCode::OK => Ok(PageAnswer::deferred(
                    meta.status,
                    meta.headers.clone(),
                    chunks,
                    shape,
                )),
                Ok(chunks) => decode_answer(meta.status, &meta.headers, joined(chunks), shape)
                    .map(PageAnswer::ready),
                Err(error) => {
                    let headers = meta.headers.clone();
                    return (
                        Err(
                            convert_error(hss_api::Error::ResponseBodyError(error), Some(meta))
                                .await,
                        ),
                        Some(headers),
                    );
                }
            };
            (result, Some(meta.headers))
        }
        // No answer (a bad parameter, a preview, a connection that
        // failed), or, should the hook not be installed, the generated
        // code's own decoding.
        (meta, _) => match result {
            Ok(response) => {
                let (status, headers) = (response.status(), response.headers().clone());
                let page = page_of_value(status, &headers, response.into_inner(), shape.parts);
                (page.map(PageAnswer::ready), Some(headers))
            }
            Err(error) => {
                let headers = meta.as_ref().map(|m| m.headers.clone());
                (Err(convert_error(error, meta).await), headers)
            }
        },
    }
}

/// A whole body as it arrived, in chunks (bounded by the client's
/// `max_response_body`, which the hook put on it), as the generated code
/// would read it.
async fn read_chunks(body: reqwest::Body) -> Result<Vec<bytes::Bytes>, reqwest::Error> {
    let mut response = reqwest::Response::from(http::Response::new(body));
    let mut chunks = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        chunks.push(chunk);
    }
    Ok(chunks)
}

/// The `X-Request-Id` of an answer.
pub(crate) fn request_id<T>(response: &ResponseValue<T>) -> Option<String> {
    crate::hooks::request_id(response.headers()).map(str::to_owned)
}
