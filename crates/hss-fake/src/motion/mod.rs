//! Tasks that change while they are listed: a running scan whose hosts
//! finish ([`ScanProgress`]) and hosts joining and leaving ([`HostChurn`]).
//!
//! Nothing runs in the background: each task remembers when it started and
//! how many steps it has taken, and whoever looks at the task first applies
//! the steps that came due since (see [`Motion::catch_up`]). So a fake
//! nobody asks costs nothing, and a test that controls the clock controls
//! the task.

mod churn;
mod planned;
mod scan;

use std::sync::Arc;
use std::time::Duration;

use hss_auth::Clock;
use time::OffsetDateTime;

use crate::data::{Host, HostSource};

pub use churn::{DEFAULT_CHURN_MAX_HOSTS, HostChurn};
pub(crate) use planned::PlannedScan;
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
    /// The scan of a task created through the API (which does not churn).
    planned: Option<PlannedScan>,
    /// When the last host stopped scanning, if none scans now.
    ended_at: Option<OffsetDateTime>,
}

impl Timeline {
    pub(crate) fn starting_at(origin: OffsetDateTime) -> Timeline {
        Timeline {
            origin,
            scan_steps: 0,
            churn_steps: 0,
            finished: 0,
            churned: 0,
            planned: None,
            ended_at: None,
        }
    }

    /// The timeline of a task created at `origin` that scans as `planned`.
    pub(crate) fn planned(origin: OffsetDateTime, planned: PlannedScan) -> Timeline {
        Timeline {
            planned: Some(planned),
            ..Timeline::starting_at(origin)
        }
    }

    /// When the task started (was created, or the fake started).
    pub(crate) fn origin(&self) -> OffsetDateTime {
        self.origin
    }

    /// When its last scanning host finished; `None` while one scans (or
    /// when it never had one since the fake watched it).
    pub(crate) fn ended_at(&self) -> Option<OffsetDateTime> {
        self.ended_at
    }

    /// Seconds until a created task's scan is planned to end at `now`;
    /// `None` for other tasks.
    pub(crate) fn remaining_secs(&self, now: OffsetDateTime) -> Option<u64> {
        let planned = self.planned.as_ref()?;
        Some(planned.remaining_secs(elapsed(self.origin, now)))
    }

    /// Records whether hosts still scan after a change at `now`: the first
    /// change that leaves none scanning ends the task (at the planned end
    /// when the clock finished it, since that is when its last host did).
    pub(crate) fn note_scanning(&mut self, scanning: bool, now: OffsetDateTime) {
        if scanning {
            self.ended_at = None;
        } else if self.ended_at.is_none() {
            let planned_end = self.planned.as_ref().and_then(|p| {
                let duration = time::Duration::try_from(p.duration).unwrap_or(time::Duration::MAX);
                let end = self.origin.saturating_add(duration);
                (p.done >= p.hosts && end <= now).then_some(end)
            });
            self.ended_at = Some(planned_end.unwrap_or(now));
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
        let churns = timeline.planned.is_none()
            && self
                .churn
                .is_some_and(|c| steps(elapsed, c.every) > timeline.churn_steps);
        self.scan
            .is_some_and(|s| steps(elapsed, s.every) > timeline.scan_steps)
            || churns
            || timeline
                .planned
                .as_ref()
                .is_some_and(|p| p.target(elapsed) > p.done)
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
        if let Some(planned) = &mut timeline.planned {
            let target = planned.target(elapsed);
            if target > planned.done {
                let count = target - planned.done;
                planned.done = target;
                let percent = planned.failed_percent;
                scan::finish_scans(hosts, source, &mut timeline.finished, count, percent);
            }
        }
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
        if let Some(rule) = self.churn.as_ref().filter(|_| timeline.planned.is_none()) {
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
        let percent = match &timeline.planned {
            Some(planned) => planned.failed_percent,
            None => self.scan.unwrap_or_default().failed_percent,
        };
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
