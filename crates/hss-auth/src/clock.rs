//! An injectable clock.
//!
//! Signing stamps `X-Sdk-Date` and verification checks its freshness; both
//! read the time through [`Clock`] so tests can pin it with [`FixedClock`].

use std::fmt::Debug;
use std::sync::Arc;

use time::OffsetDateTime;

/// A source of the current UTC time; injectable so signing can be tested
/// with a fixed date.
pub trait Clock: Send + Sync + Debug {
    /// The current time.
    fn now(&self) -> OffsetDateTime;
}

/// The system clock, for production use.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock stuck at one instant, for tests and for reproducing signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub OffsetDateTime);

impl FixedClock {
    /// A clock that always says `at`.
    pub fn new(at: OffsetDateTime) -> Self {
        Self(at)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// Lets a shared `Arc<dyn Clock>` be passed wherever a clock is expected.
impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}

/// Lets a borrowed clock be passed wherever a clock is expected.
impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_is_fixed_and_shareable() {
        let at = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(at));
        assert_eq!(clock.now(), at);
        let borrowed: &dyn Clock = &clock;
        assert_eq!(borrowed.now(), at);
    }

    #[test]
    fn system_clock_is_utc_and_recent() {
        let now = SystemClock.now();
        assert!(now.offset().is_utc());
        assert!(now.year() >= 2024);
    }
}
