//! What is retried, when, and how much retrying a client may do.
//!
//! `ListVulScanTaskHost` is an idempotent GET. [`classify`] is the one rule
//! for which failures are sent again; [`RetryPolicy`] bounds one call
//! (attempts, backoff with full jitter, `Retry-After`, a time budget that
//! also cuts the attempt in flight); [`RetryQuota`] bounds the retries of
//! all calls of a client together, as the AWS SDKs' standard retry mode
//! does with its token bucket, so that many concurrent pages meeting a
//! struggling service do not multiply the load on it.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;

use crate::error::{Error, TransportKind};

/// How a client retries. [`RetryPolicy::default`] suits interactive and
/// batch use; [`RetryPolicy::disabled`] sends each request once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    budget: Duration,
    quota: Option<u32>,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 200 ms doubling up to 10 s, at most 60 s
    /// spent on one request including waits and the attempt in flight, and
    /// a retry quota of [`RetryPolicy::DEFAULT_RETRY_QUOTA`] tokens per client.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            budget: Duration::from_secs(60),
            quota: Some(Self::DEFAULT_RETRY_QUOTA),
        }
    }
}

impl RetryPolicy {
    /// Tokens in a client's retry quota unless set: the AWS SDKs' standard mode.
    pub const DEFAULT_RETRY_QUOTA: u32 = 500;
    /// Tokens one retry takes from the quota.
    pub const RETRY_COST: u32 = 5;
    /// Tokens a retry after a timeout takes: a timeout may mean the service
    /// is overloaded, and the attempt held a connection all that time.
    pub const TIMEOUT_RETRY_COST: u32 = 10;
    /// Tokens a request that succeeds at its first attempt gives back; one
    /// that succeeds after retries gives back what its last retry took.
    pub const SUCCESS_REFUND: u32 = 1;

    /// Every request is sent once.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        }
    }

    /// Attempts per request, the first included (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry; it doubles each retry.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff between two attempts (not counting
    /// `Retry-After`, which is honoured as long as the budget allows).
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The most time one request may take, all attempts and waits included:
    /// an attempt still running when it is spent is abandoned with
    /// [`Error::Timeout`](crate::Error::Timeout).
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// The retry quota shared by every request of a client and its clones
    /// (all pages of all listings): each retry takes
    /// [`RETRY_COST`](Self::RETRY_COST) tokens
    /// ([`TIMEOUT_RETRY_COST`](Self::TIMEOUT_RETRY_COST) after a timeout),
    /// successes give tokens back (see [`SUCCESS_REFUND`](Self::SUCCESS_REFUND)),
    /// never above `tokens`. A failure that finds fewer tokens than its
    /// retry costs is returned as it is.
    pub fn with_retry_quota(mut self, tokens: u32) -> Self {
        self.quota = Some(tokens);
        self
    }

    /// No shared quota: each request retries within its own attempts and
    /// budget, however many others are failing at the same time.
    pub fn without_retry_quota(mut self) -> Self {
        self.quota = None;
        self
    }

    /// Attempts per request.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The time budget of one request.
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// The size of the retry quota, `None` without one.
    pub fn retry_quota(&self) -> Option<u32> {
        self.quota
    }

    /// The wait before retry number `retry` (1 for the first retry), or
    /// `None` when the policy says stop. `elapsed` is the time spent so far.
    pub(crate) fn delay_before(
        &self,
        retry: u32,
        elapsed: Duration,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if retry >= self.max_attempts {
            return None;
        }
        let exponential = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_backoff);
        // Full jitter spreads clients that failed together.
        let jittered = if exponential.is_zero() {
            exponential
        } else {
            rand::random_range(Duration::ZERO..=exponential)
        };
        let delay = jittered.max(retry_after.unwrap_or_default());
        (elapsed.saturating_add(delay) < self.budget).then_some(delay)
    }
}

/// Why a failure may be sent again; it decides what the retry costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retryable {
    /// The attempt timed out.
    Timeout,
    /// Any other failure that is safe to send again.
    Transient,
}

impl Retryable {
    /// Tokens a retry of this failure takes from the quota.
    pub(crate) fn cost(self) -> u32 {
        match self {
            Retryable::Timeout => RetryPolicy::TIMEOUT_RETRY_COST,
            Retryable::Transient => RetryPolicy::RETRY_COST,
        }
    }
}

/// The statuses worth sending the same request again for: the service
/// may answer otherwise a moment later. 501 (not implemented), 505 (HTTP
/// version not supported) and the other 5xx say something that will not
/// change, so they are not retried.
const RETRYABLE_STATUSES: [StatusCode; 6] = [
    StatusCode::REQUEST_TIMEOUT,
    StatusCode::TOO_MANY_REQUESTS,
    StatusCode::INTERNAL_SERVER_ERROR,
    StatusCode::BAD_GATEWAY,
    StatusCode::SERVICE_UNAVAILABLE,
    StatusCode::GATEWAY_TIMEOUT,
];

/// The one rule for what is retried; [`Error::is_retryable`] and the
/// client's retry loop both ask it. `None` means "do not send again".
///
/// - Could not connect ([`TransportKind::Connect`]) and timeouts
///   ([`TransportKind::Timeout`], and [`Error::Timeout`] for a caller
///   retrying later): nothing, or nothing usable, came back.
/// - [`TransportKind::Other`] only when the connection was reset or closed
///   before an answer started. Never an error in building the request
///   (nothing was sent, and the same request would fail the same way), nor
///   an answer that is not HTTP at all.
/// - [`TransportKind::Body`], a body broken off (reset, truncated, bad
///   chunking) after the answer had started: retried. This goes beyond
///   "reset before an answer" on purpose, and only because every request
///   this crate retries is an idempotent GET that reads one page: sending
///   it again changes nothing on the service and reads the page whole.
///   A method with side effects must not inherit this rule.
/// - Answers 408, 429, 500, 502, 503 and 504 (`RETRYABLE_STATUSES`).
/// - Nothing else: invalid input, configuration, a hook's refusal, an
///   answer that cannot be decoded or is too large, listing errors.
pub(crate) fn classify(error: &Error) -> Option<Retryable> {
    match error {
        Error::Transport { kind, source, .. } => match kind {
            TransportKind::Timeout => Some(Retryable::Timeout),
            TransportKind::Connect | TransportKind::Body => Some(Retryable::Transient),
            TransportKind::Other => (!source.is_builder() && closed_before_an_answer(source))
                .then_some(Retryable::Transient),
        },
        Error::Timeout { .. } => Some(Retryable::Timeout),
        // Asking IAM for the project is part of the attempt: it is retried
        // as its own failure would be.
        Error::ProjectDiscovery { source, .. } => classify(source),
        Error::Service(e) => RETRYABLE_STATUSES
            .contains(&e.status)
            .then_some(Retryable::Transient),
        _ => None,
    }
}

/// True when the connection went away before any answer arrived: reset,
/// aborted, a broken pipe while sending, or closed cleanly (which is how
/// a server drops an idle keep-alive connection just as it is reused).
fn closed_before_an_answer(error: &reqwest::Error) -> bool {
    use std::io::ErrorKind;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(current) = cause {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::BrokenPipe
                    | ErrorKind::UnexpectedEof
            );
        }
        // hyper's `IncompleteMessage`. hyper is not a dependency of this
        // crate, so its error is known by its text; the test
        // `a_connection_closed_before_an_answer_is_retried` pins it.
        if current.source().is_none() && current.to_string() == HYPER_INCOMPLETE_MESSAGE {
            return true;
        }
        cause = current.source();
    }
    false
}

/// What hyper 1.x says when the connection closed before a whole answer.
const HYPER_INCOMPLETE_MESSAGE: &str = "connection closed before message completed";

/// The retry quota of one client, shared by its clones: a token bucket
/// as in the AWS SDKs' standard retry mode. Retries take tokens,
/// successes give some back, and an empty bucket means no retries until
/// the service answers again.
#[derive(Debug)]
pub(crate) struct RetryQuota {
    capacity: u32,
    available: AtomicU32,
}

impl RetryQuota {
    /// A full bucket of `capacity` tokens.
    pub(crate) fn new(capacity: u32) -> Self {
        RetryQuota {
            capacity,
            available: AtomicU32::new(capacity),
        }
    }

    /// Takes `cost` tokens for one retry; false, taking nothing, when fewer are left.
    pub(crate) fn try_acquire(&self, cost: u32) -> bool {
        self.available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(cost)
            })
            .is_ok()
    }

    /// Gives back `tokens` after a success, never above the capacity.
    pub(crate) fn refund(&self, tokens: u32) {
        let _ = self
            .available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                Some(left.saturating_add(tokens).min(self.capacity))
            });
    }

    /// Tokens left.
    pub(crate) fn available(&self) -> u32 {
        self.available.load(Ordering::Acquire)
    }
}

/// Reads `Retry-After`: delay-seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

// Here rather than in `error.rs`, so that the rule and its one use by
// `Error` share a module and `error` depends on nothing of `retry`.
impl Error {
    /// True when the same request is safe to send again and may then
    /// succeed: connect failures, timeouts, connections reset or closed
    /// before an answer, bodies broken off (the request is an idempotent
    /// GET), and 408, 429, 500, 502, 503, 504. Never 501, 505, an error
    /// building the request, or what the caller must fix. The client
    /// retries exactly these; the rule lives in this module's `classify`.
    pub fn is_retryable(&self) -> bool {
        classify(self).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_stops_after_the_last_attempt() {
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(300))
            .with_max_attempts(4);
        for _ in 0..200 {
            assert!(
                policy.delay_before(1, Duration::ZERO, None).unwrap() <= Duration::from_millis(100)
            );
            assert!(
                policy.delay_before(2, Duration::ZERO, None).unwrap() <= Duration::from_millis(200)
            );
            assert!(
                policy.delay_before(3, Duration::ZERO, None).unwrap() <= Duration::from_millis(300)
            );
        }
        assert_eq!(policy.delay_before(4, Duration::ZERO, None), None);
        assert_eq!(
            RetryPolicy::disabled().delay_before(1, Duration::ZERO, None),
            None
        );
    }

    #[test]
    fn jitter_actually_varies() {
        let policy = RetryPolicy::default().with_initial_backoff(Duration::from_secs(1));
        let delays: std::collections::HashSet<_> = (0..50)
            .map(|_| policy.delay_before(1, Duration::ZERO, None).unwrap())
            .collect();
        assert!(delays.len() > 10, "{delays:?}");
    }

    #[test]
    fn retry_after_is_a_floor_and_the_budget_a_ceiling() {
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(10))
            .with_budget(Duration::from_secs(5));
        assert_eq!(
            policy.delay_before(1, Duration::ZERO, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        // Waiting 2 s after 4 s spent would break the 5 s budget: give up now.
        assert_eq!(
            policy.delay_before(1, Duration::from_secs(4), Some(Duration::from_secs(2))),
            None
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        let soon = SystemTime::now() + Duration::from_secs(30);
        let parsed = parse_retry_after(&httpdate::fmt_http_date(soon)).unwrap();
        assert!(
            parsed <= Duration::from_secs(30) && parsed >= Duration::from_secs(28),
            "{parsed:?}"
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    fn service(status: u16) -> Error {
        Error::Service(Box::new(crate::error::ServiceError {
            status: StatusCode::from_u16(status).unwrap(),
            error_code: None,
            error_msg: None,
            request_id: None,
            encoded_authorization_message: None,
            retry_after: None,
            body_snippet: None,
        }))
    }

    #[test]
    fn exactly_the_transient_statuses_are_retried() {
        for status in 100..=599 {
            let retried = classify(&service(status)).is_some();
            let expected = matches!(status, 408 | 429 | 500 | 502 | 503 | 504);
            assert_eq!(retried, expected, "{status}");
        }
        assert_eq!(classify(&service(503)), Some(Retryable::Transient));
    }

    #[test]
    fn what_the_caller_must_fix_is_never_retried() {
        hss_api::ensure_crypto_provider();
        let builder_error = reqwest::Client::new()
            .get("http://[::1")
            .build()
            .unwrap_err();
        assert!(builder_error.is_builder());
        for error in [
            Error::invalid("limit", "must be between 10 and 200, got 5"),
            Error::Config {
                message: "no endpoint".into(),
            },
            Error::Refused {
                message: "header value with a line break".into(),
            },
            Error::Decode {
                status: StatusCode::OK,
                request_id: None,
                reason: "expected value".into(),
                snippet: "<html>".into(),
            },
            Error::ResponseTooLarge {
                status: StatusCode::OK,
                request_id: None,
                limit: 10,
                declared: Some(20),
            },
            Error::Transport {
                kind: TransportKind::Other,
                status: None,
                request_id: None,
                source: builder_error,
            },
        ] {
            assert_eq!(classify(&error), None, "{error:?}");
            assert!(!error.is_retryable(), "{error:?}");
        }
    }

    #[test]
    fn timeouts_cost_twice_as_much_as_other_retries() {
        assert_eq!(Retryable::Timeout.cost(), 10);
        assert_eq!(Retryable::Transient.cost(), 5);
        let budget = Error::Timeout {
            budget: Duration::from_secs(60),
            attempts: 2,
            last_error: None,
        };
        assert_eq!(classify(&budget), Some(Retryable::Timeout));
    }

    #[test]
    fn the_quota_empties_refills_and_never_overflows() {
        let quota = RetryQuota::new(12);
        assert!(quota.try_acquire(5));
        assert!(quota.try_acquire(5));
        assert_eq!(quota.available(), 2);
        assert!(!quota.try_acquire(5), "2 tokens do not pay for a retry");
        assert_eq!(quota.available(), 2, "a refused retry takes nothing");
        quota.refund(3);
        assert!(quota.try_acquire(5));
        assert_eq!(quota.available(), 0);
        quota.refund(100);
        assert_eq!(quota.available(), 12, "capped at the capacity");
        assert!(!RetryQuota::new(0).try_acquire(1));
    }

    #[test]
    fn the_default_policy_has_the_standard_quota() {
        assert_eq!(RetryPolicy::default().retry_quota(), Some(500));
        assert_eq!(
            RetryPolicy::default().with_retry_quota(20).retry_quota(),
            Some(20)
        );
        assert_eq!(
            RetryPolicy::default().without_retry_quota().retry_quota(),
            None
        );
    }
}
