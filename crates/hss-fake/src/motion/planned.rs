//! The scan of a task created through `CreateVulnerabilityScanTask`: all
//! its hosts start `scanning` and finish evenly over the task's duration,
//! so that the last one ends exactly when the duration is over.

use std::time::Duration;

/// How a created task scans: `hosts` hosts over `duration`, `failed_percent`
/// of them ending `failed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PlannedScan {
    pub(crate) hosts: usize,
    pub(crate) duration: Duration,
    pub(crate) failed_percent: u8,
    /// Hosts the clock has finished so far.
    pub(crate) done: usize,
}

impl PlannedScan {
    pub(crate) fn new(hosts: usize, duration: Duration, failed_percent: u8) -> PlannedScan {
        PlannedScan {
            hosts,
            duration,
            failed_percent,
            done: 0,
        }
    }

    /// Hosts that should have finished `elapsed` after the start: host `k`
    /// (from 1) finishes at `k * duration / hosts`; all of them at once for
    /// a zero duration.
    pub(crate) fn target(&self, elapsed: Duration) -> usize {
        if elapsed >= self.duration {
            return self.hosts;
        }
        let done = self.hosts as u128 * elapsed.as_nanos() / self.duration.as_nanos().max(1);
        usize::try_from(done).unwrap_or(self.hosts).min(self.hosts)
    }

    /// Time left until every host is done, in whole seconds rounded up.
    pub(crate) fn remaining_secs(&self, elapsed: Duration) -> u64 {
        let left = self.duration.saturating_sub(elapsed);
        left.as_secs() + u64::from(left.subsec_nanos() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_finish_evenly_and_all_at_the_end() {
        let s = PlannedScan::new(10, Duration::from_secs(10), 20);
        assert_eq!(s.target(Duration::ZERO), 0);
        assert_eq!(s.target(Duration::from_millis(999)), 0);
        assert_eq!(s.target(Duration::from_secs(1)), 1);
        assert_eq!(s.target(Duration::from_millis(5500)), 5);
        assert_eq!(s.target(Duration::from_secs(10)), 10);
        assert_eq!(s.target(Duration::from_secs(1000)), 10);
        assert_eq!(s.remaining_secs(Duration::from_millis(5500)), 5);
        assert_eq!(s.remaining_secs(Duration::from_secs(11)), 0);
        let now = PlannedScan::new(3, Duration::ZERO, 0);
        assert_eq!(now.target(Duration::ZERO), 3);
    }
}
