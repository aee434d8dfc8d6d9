//! When and how long to wait before sending a failed request again.
//!
//! `ListVulScanTaskHost` is an idempotent GET, so transport failures, 408,
//! 429 and 5xx are retried: exponential backoff with full jitter, never
//! sooner than `Retry-After` asks, within a number of attempts and a total
//! time budget. Other 4xx answers are never retried.

use std::time::{Duration, SystemTime};

/// How a client retries. [`RetryPolicy::default`] suits interactive and
/// batch use; [`RetryPolicy::disabled`] sends each request once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    budget: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 200 ms doubling up to 10 s, and at most 60 s
    /// spent on one request including waits.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            budget: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
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

    /// The most time one request may take, all attempts and waits included.
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
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

/// Reads `Retry-After`: delay-seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
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
}
