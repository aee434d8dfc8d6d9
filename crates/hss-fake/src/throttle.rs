//! The gateway's request throttling: a token bucket per credential.
//!
//! The API gateway in front of HSS limits how often one credential may
//! call: each caller (one IAM token, one access key; everyone alike when
//! authentication is off) has a bucket of [`RateLimit::burst`] tokens
//! that refills at [`RateLimit::per_second`]. A request takes a token; a
//! request that finds none is answered `429` `APIGW.0308` (the flat
//! gateway shape, as [`Fault::Throttle`](crate::Fault::Throttle)) with
//! `Retry-After` set to the whole seconds until the bucket holds a token
//! again (at least 1: the header has no fractions), and takes nothing.
//!
//! The check runs after authentication (the gateway must know who calls)
//! and before the operation, for every HSS operation; IAM and the
//! metadata service are not limited. Time is the fake's clock, so a test
//! with a [`ManualClock`](crate::testing::ManualClock) steps it exactly.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use hss_fake::{FakeHss, RateLimit};
//! use hss_fake::testing::ManualClock;
//!
//! let clock = ManualClock::default();
//! let fake = FakeHss::builder()
//!     .clock(clock.clone())
//!     .rate_limit(RateLimit { per_second: 10.0, burst: 2 })
//!     .start()
//!     .await?;
//! let url = format!("{}?limit=10", fake.hosts_url(&fake.task_id()));
//! # rustls::crypto::ring::default_provider().install_default().ok();
//! let get = || reqwest::Client::new().get(&url).header("X-Auth-Token", fake.token()).send();
//! assert_eq!(get().await?.status(), 200);
//! assert_eq!(get().await?.status(), 200);
//! let throttled = get().await?;
//! assert_eq!(throttled.status(), 429);
//! assert_eq!(throttled.headers()["retry-after"], "1");
//! clock.advance(std::time::Duration::from_millis(100)); // one token
//! assert_eq!(get().await?.status(), 200);
//! assert_eq!(fake.throttled_count(), 1);
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::Mutex;

use time::OffsetDateTime;

use crate::auth::Caller;

/// A request rate limit per credential: a token bucket.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Tokens added per second (the sustained rate). Values that are not
    /// positive and finite refuse everything after the burst.
    pub per_second: f64,
    /// Tokens the bucket holds at most, and holds at the start: how many
    /// requests may come at once after a quiet spell (at least 1 counts).
    pub burst: u32,
}

impl RateLimit {
    /// `per_second` requests per second with a burst of `burst`.
    pub fn new(per_second: f64, burst: u32) -> RateLimit {
        RateLimit { per_second, burst }
    }

    fn capacity(&self) -> f64 {
        f64::from(self.burst.max(1))
    }

    fn rate(&self) -> f64 {
        if self.per_second.is_finite() && self.per_second > 0.0 {
            self.per_second
        } else {
            0.0
        }
    }
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    /// `RPS` or `RPS:BURST` (the burst defaults to one second's worth,
    /// at least 1), e.g. `50` or `50:10`.
    fn from_str(text: &str) -> Result<RateLimit, String> {
        let (rate, burst) = text.split_once(':').unwrap_or((text, ""));
        let per_second: f64 = rate
            .parse()
            .ok()
            .filter(|r: &f64| r.is_finite() && *r > 0.0)
            .ok_or_else(|| format!("{rate:?} is not a positive number of requests per second"))?;
        let burst = if burst.is_empty() {
            per_second.ceil().clamp(1.0, f64::from(u32::MAX)) as u32
        } else {
            burst
                .parse::<u32>()
                .ok()
                .filter(|b| *b >= 1)
                .ok_or_else(|| format!("{burst:?} is not a burst of at least 1"))?
        };
        Ok(RateLimit { per_second, burst })
    }
}

/// What the limiter decided for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Go on: a token was taken.
    Allowed,
    /// Refused: `Retry-After` in whole seconds.
    Throttled { retry_after_secs: u64 },
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: OffsetDateTime,
}

#[derive(Debug, Default)]
struct State {
    limit: Option<RateLimit>,
    buckets: HashMap<String, Bucket>,
    throttled: u64,
    allowed: u64,
}

/// The limits of one fake, shared by its requests.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    state: Mutex<State>,
}

/// Callers are limited one by one, as the gateway limits per credential.
fn key(caller: &Caller) -> String {
    match caller {
        Caller::Anonymous => "anonymous".to_owned(),
        Caller::Token(index) => format!("token:{index}"),
        Caller::AccessKey { ak, .. } => format!("ak:{ak}"),
    }
}

impl Throttle {
    pub(crate) fn new(limit: Option<RateLimit>) -> Throttle {
        Throttle {
            state: Mutex::new(State {
                limit,
                ..State::default()
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the limit; every bucket starts full again.
    pub(crate) fn set(&self, limit: Option<RateLimit>) {
        let mut state = self.state();
        state.limit = limit;
        state.buckets.clear();
    }

    pub(crate) fn limit(&self) -> Option<RateLimit> {
        self.state().limit
    }

    /// Requests refused so far.
    pub(crate) fn throttled(&self) -> u64 {
        self.state().throttled
    }

    /// Requests that took a token so far (0 without a limit).
    pub(crate) fn allowed(&self) -> u64 {
        self.state().allowed
    }

    /// Takes a token for `caller` at `now`, or says how long to wait.
    pub(crate) fn check(&self, caller: &Caller, now: OffsetDateTime) -> Verdict {
        let mut state = self.state();
        let Some(limit) = state.limit else {
            return Verdict::Allowed;
        };
        let (capacity, rate) = (limit.capacity(), limit.rate());
        let bucket = state.buckets.entry(key(caller)).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        // A clock that went back adds nothing (and takes nothing).
        let elapsed = (now - bucket.updated).as_seconds_f64().max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.updated = bucket.updated.max(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            state.allowed += 1;
            return Verdict::Allowed;
        }
        let wait = if rate > 0.0 {
            ((1.0 - bucket.tokens) / rate).ceil()
        } else {
            // Never refilled: as far as a header can say.
            f64::from(u32::MAX)
        };
        state.throttled += 1;
        Verdict::Throttled {
            retry_after_secs: (wait as u64).max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    fn at(ms: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::milliseconds(ms)
    }

    #[test]
    fn the_burst_goes_first_then_the_rate() {
        let throttle = Throttle::new(Some(RateLimit::new(10.0, 3)));
        let caller = Caller::Token(0);
        for _ in 0..3 {
            assert_eq!(throttle.check(&caller, at(0)), Verdict::Allowed);
        }
        assert_eq!(
            throttle.check(&caller, at(0)),
            Verdict::Throttled {
                retry_after_secs: 1
            }
        );
        // 99 ms is not yet a whole token at 10 per second.
        assert!(matches!(
            throttle.check(&caller, at(99)),
            Verdict::Throttled { .. }
        ));
        assert_eq!(throttle.check(&caller, at(100)), Verdict::Allowed);
        // A quiet second refills the burst, never more.
        for _ in 0..3 {
            assert_eq!(throttle.check(&caller, at(5_000)), Verdict::Allowed);
        }
        assert!(matches!(
            throttle.check(&caller, at(5_000)),
            Verdict::Throttled { .. }
        ));
        assert_eq!(throttle.throttled(), 3);
        assert_eq!(throttle.allowed(), 7);
    }

    #[test]
    fn over_a_long_run_the_rate_is_exact() {
        let throttle = Throttle::new(Some(RateLimit::new(50.0, 10)));
        let caller = Caller::Token(0);
        // A request every millisecond for 10 s: 10 burst + 50/s × 10 s.
        let allowed = (0..10_000)
            .filter(|ms| throttle.check(&caller, at(*ms)) == Verdict::Allowed)
            .count();
        assert!((509..=511).contains(&allowed), "{allowed}");
    }

    #[test]
    fn callers_have_buckets_of_their_own() {
        let throttle = Throttle::new(Some(RateLimit::new(1.0, 1)));
        let ak = |ak: &str| Caller::AccessKey {
            ak: ak.into(),
            temporary: false,
            unsigned_headers: vec![],
        };
        assert_eq!(throttle.check(&ak("A"), at(0)), Verdict::Allowed);
        assert_eq!(throttle.check(&ak("B"), at(0)), Verdict::Allowed);
        assert_eq!(throttle.check(&Caller::Token(0), at(0)), Verdict::Allowed);
        assert_eq!(throttle.check(&Caller::Token(1), at(0)), Verdict::Allowed);
        assert!(matches!(
            throttle.check(&ak("A"), at(10)),
            Verdict::Throttled { .. }
        ));
    }

    #[test]
    fn retry_after_is_the_wait_rounded_up_to_seconds() {
        let throttle = Throttle::new(Some(RateLimit::new(0.25, 1)));
        let caller = Caller::Anonymous;
        assert_eq!(throttle.check(&caller, at(0)), Verdict::Allowed);
        assert_eq!(
            throttle.check(&caller, at(500)),
            Verdict::Throttled {
                retry_after_secs: 4
            }
        );
        // No limit, or a clock that goes back, never panics or refills.
        let off = Throttle::new(None);
        assert_eq!(off.check(&caller, at(0)), Verdict::Allowed);
        assert!(matches!(
            throttle.check(&caller, at(-1_000_000)),
            Verdict::Throttled { .. }
        ));
        let never = Throttle::new(Some(RateLimit::new(f64::NAN, 1)));
        assert_eq!(never.check(&caller, at(0)), Verdict::Allowed);
        assert!(matches!(
            never.check(&caller, at(1_000_000)),
            Verdict::Throttled { .. }
        ));
    }

    #[test]
    fn parses_the_command_line_form() {
        assert_eq!("50".parse(), Ok(RateLimit::new(50.0, 50)));
        assert_eq!("50:10".parse(), Ok(RateLimit::new(50.0, 10)));
        assert_eq!("0.5".parse(), Ok(RateLimit::new(0.5, 1)));
        for bad in ["", "0", "-1", "x", "50:0", "50:x", "inf"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }
}
