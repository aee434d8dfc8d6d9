//! One request of any operation, sent the way every request of this
//! client is: credentials ready, project known (asked from IAM once when
//! it is to be discovered), a send slot of the client's shared rate, the
//! retry policy's attempts, backoff and budget, the shared retry quota,
//! one more signature when the gateway refuses a signature as expired,
//! and the answer turned into this crate's [`Error`].
//!
//! The host listing has its own copy of this loop in `client.rs`
//! (`fetch_page`), written before the other operations existed; this is
//! the generic form every other operation uses.
//!
//! What is sent again differs by method: a `GET` is retried as
//! [`Error::is_retryable`] says. A `POST` or `PUT` may have taken effect
//! even when its answer was lost, so it is sent again only when the
//! request surely did nothing: the connection was never made, or the
//! gateway answered `429` (throttled before it reached HSS).

use std::future::Future;

use hss_api::ResponseValue;
use hss_api::types::ErrorBody;
use reqwest::header::HeaderMap;
use tokio::time::Instant;
use tracing::Instrument;

use crate::client::{HssClient, convert_error, rate_outcome};
use crate::error::{Error, TransportKind};
use crate::hooks::capture_response;
use crate::rate::Outcome;
use crate::retry::{self, RetryPolicy};

/// What the retry loop must know about an operation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Op {
    /// The operation id, for tracing.
    pub name: &'static str,
    /// The HTTP method, for tracing and the retry rule.
    pub method: &'static str,
    /// Send once, whatever the policy: the caller (a waiter) retries on
    /// its own schedule.
    pub once: bool,
}

impl Op {
    pub(crate) const fn get(name: &'static str) -> Op {
        Op {
            name,
            method: "GET",
            once: false,
        }
    }

    pub(crate) const fn post(name: &'static str) -> Op {
        Op {
            name,
            method: "POST",
            once: false,
        }
    }

    pub(crate) const fn put(name: &'static str) -> Op {
        Op {
            name,
            method: "PUT",
            once: false,
        }
    }

    /// The same operation, sent once.
    pub(crate) const fn once(mut self) -> Op {
        self.once = true;
        self
    }

    fn idempotent(&self) -> bool {
        matches!(self.method.as_bytes(), b"GET")
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
        let mut sent_at = self.rate.acquire().await;
        let started = Instant::now();
        let budget = self.retry.budget();
        let mut attempt = 1u32;
        let mut held = None;
        let mut last_error: Option<Error> = None;
        loop {
            let span = tracing::info_span!(
                "hss.request",
                otel.name = op.name,
                http.method = op.method,
                url.path = tracing::field::Empty,
                http.status = tracing::field::Empty,
                request_id = tracing::field::Empty,
                attempt,
                latency_ms = tracing::field::Empty,
            );
            if attempt > 1 {
                let remaining = budget.saturating_sub(started.elapsed());
                match tokio::time::timeout(remaining, self.rate.acquire()).await {
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
                self.call_once(project, &send).instrument(span.clone()),
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
                    self.rate.report(sent_at, rate_outcome(&error));
                    error
                }
                Err(_) => {
                    let error = Error::Timeout {
                        budget,
                        attempts: attempt,
                        last_error: last_error.map(Box::new),
                    };
                    span.in_scope(|| tracing::warn!(%error, "budget spent, attempt abandoned"));
                    return Err(error);
                }
            };
            if op.once {
                return Err(error);
            }
            let Some(retryable) = retry::classify(&error) else {
                return Err(error);
            };
            if !op.idempotent() && !surely_not_done(&error) {
                span.in_scope(
                    || tracing::warn!(%error, "not retried: the request may have taken effect"),
                );
                return Err(error);
            }
            let Some(delay) =
                self.retry
                    .delay_before(attempt, started.elapsed(), error.retry_after())
            else {
                span.in_scope(|| tracing::warn!(%error, attempts = attempt, "giving up"));
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

    /// One attempt: credentials, project, the request, and once more if
    /// the gateway refused the signature as expired.
    async fn call_once<T, F, Fut>(
        &self,
        project: Option<&str>,
        send: &F,
    ) -> Result<ResponseValue<T>, Error>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, hss_api::Error<ErrorBody>>>,
    {
        self.shared.auth.prepare().await?;
        let project = match project {
            Some(project) => project.to_owned(),
            None => self.resolve_project_id().await?,
        };
        let (result, headers) = send_converted(send(project.clone())).await;
        let result = match result {
            Err(error) if self.shared.auth.correct_skew(&error, headers.as_ref()) => {
                send_converted(send(project)).await.0
            }
            other => other,
        };
        result.map_err(|e| crate::proxy::refusal(e, self.shared.proxy.as_ref()))
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

/// The `X-Request-Id` of an answer.
pub(crate) fn request_id<T>(response: &ResponseValue<T>) -> Option<String> {
    crate::hooks::request_id(response.headers()).map(str::to_owned)
}
