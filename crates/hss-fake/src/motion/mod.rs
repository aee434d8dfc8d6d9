//! Tasks that change while they are listed: a running scan whose hosts
//! finish ([`ScanProgress`]) and hosts joining and leaving ([`HostChurn`]).
//!
//! Nothing runs in the background: each task remembers when it started and
//! how many steps it has taken, and whoever looks at the task first applies
//! the steps that came due since (see [`Motion::catch_up`]). So a fake
//! nobody asks costs nothing, and a test that controls the clock controls
//! the task.

mod churn;
mod scan;

use std::sync::Arc;
use std::time::Duration;

use hss_auth::Clock;
use time::OffsetDateTime;

use crate::data::{Host, HostSource};

pub use churn::{DEFAULT_CHURN_MAX_HOSTS, HostChurn};
pub use scan::ScanProgress;

/// Where a task is in its life: when it started and what has happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Timeline {
    origin: OffsetDateTime,
    scan_steps: u64,
    churn_steps: u64,
    /// Hosts finished so far, also by hand; numbers their RNGs.
    finished: u64,
    /// Churn catch-ups so far; numbers their RNGs.
    churned: u64,
}

impl Timeline {
    pub(crate) fn starting_at(origin: OffsetDateTime) -> Timeline {
        Timeline {
            origin,
            scan_steps: 0,
            churn_steps: 0,
            finished: 0,
            churned: 0,
        }
    }
}

/// How the tasks of a fake move, and the clock that moves them.
#[derive(Debug)]
pub(crate) struct Motion {
    scan: Option<ScanProgress>,
    churn: Option<HostChurn>,
    clock: Arc<dyn Clock>,
}

impl Motion {
    pub(crate) fn new(
        scan: Option<ScanProgress>,
        churn: Option<HostChurn>,
        clock: Arc<dyn Clock>,
    ) -> Motion {
        Motion { scan, churn, clock }
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Whether catching up at `now` would take a step.
    pub(crate) fn due(&self, timeline: &Timeline, now: OffsetDateTime) -> bool {
        let elapsed = elapsed(timeline.origin, now);
        self.scan
            .is_some_and(|s| steps(elapsed, s.every) > timeline.scan_steps)
            || self
                .churn
                .is_some_and(|c| steps(elapsed, c.every) > timeline.churn_steps)
    }

    /// Takes every step due at `now`: first the scan's (so hosts that join
    /// now start scanning now), then the churn's.
    pub(crate) fn catch_up(
        &self,
        hosts: &mut Vec<Host>,
        source: &mut HostSource<'_>,
        timeline: &mut Timeline,
        now: OffsetDateTime,
    ) {
        let elapsed = elapsed(timeline.origin, now);
        if let Some(scan) = &self.scan {
            let due = steps(elapsed, scan.every);
            if due > timeline.scan_steps {
                let new = due - timeline.scan_steps;
                timeline.scan_steps = due;
                let count = usize::try_from(new)
                    .unwrap_or(usize::MAX)
                    .saturating_mul(scan.hosts);
                let finished = &mut timeline.finished;
                scan::finish_scans(hosts, source, finished, count, scan.failed_percent);
            }
        }
        if let Some(rule) = &self.churn {
            let due = steps(elapsed, rule.every);
            if due > timeline.churn_steps {
                let new = due - timeline.churn_steps;
                timeline.churn_steps = due;
                churn::churn(rule, hosts, source, &mut timeline.churned, new);
            }
        }
    }

    /// Finishes up to `count` scanning hosts now, whatever the clock says;
    /// returns how many finished.
    pub(crate) fn finish_now(
        &self,
        hosts: &mut [Host],
        source: &HostSource<'_>,
        timeline: &mut Timeline,
        count: usize,
    ) -> usize {
        let percent = self.scan.unwrap_or_default().failed_percent;
        scan::finish_scans(hosts, source, &mut timeline.finished, count, percent)
    }
}

/// Time from `origin` to `now`; zero when the clock went back.
fn elapsed(origin: OffsetDateTime, now: OffsetDateTime) -> Duration {
    Duration::try_from(now - origin).unwrap_or(Duration::ZERO)
}

/// Whole steps of length `every` in `elapsed`; none when `every` is zero.
fn steps(elapsed: Duration, every: Duration) -> u64 {
    if every.is_zero() {
        return 0;
    }
    u64::try_from(elapsed.as_nanos() / every.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_count_whole_intervals_only() {
        let ms = Duration::from_millis;
        assert_eq!(steps(ms(999), ms(1000)), 0);
        assert_eq!(steps(ms(1000), ms(1000)), 1);
        assert_eq!(steps(ms(3500), ms(1000)), 3);
        assert_eq!(steps(ms(3500), Duration::ZERO), 0);
        let t = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(elapsed(t, t - time::Duration::seconds(5)), Duration::ZERO);
        assert_eq!(elapsed(t, t + time::Duration::seconds(5)), ms(5000));
    }
}
