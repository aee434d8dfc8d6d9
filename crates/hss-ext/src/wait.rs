//! Waiting for a scan task or an export task to end: polling with
//! backoff up to a deadline, as aws-sdk-rust's waiters do, so that a
//! program (or the CLI's `--wait`) never writes its own loop.
//!
//! A waiter polls once, then after 2 s, and each wait 1.5 times the one
//! before, up to 30 s; each wait is jittered by ±10 % so that many
//! waiters started together drift apart. A `Retry-After` is honoured (the
//! wait is at least as long). Each poll is one request: a poll that fails
//! in a way worth retrying is not retried at once but waits for the next
//! poll of the schedule, and takes its retry tokens from the client's
//! shared retry quota like any retry (so a failing service sees a waiter
//! stop rather than multiply its load); any other failure ends the wait.
//! When the deadline ([`WaitOptions::timeout`], 1 hour by default)
//! passes, the waiter ends with [`Error::WaitTimeout`], naming the task
//! and the last state it saw.
//!
//! **Load**: the default schedule makes 7 requests in its first minute
//! (at 0, 2, 5, 9.5, 16.3, 26.4 and 41.6 s), then 2 per minute (one every
//! 30 s; at most 3 in any minute with the jitter): 125 requests for a task
//! that takes an hour.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hss_api::types::{ListQueryExportTaskResponse, VulScanTaskInfo};
use hss_operations as operations;
use tokio::time::Instant;

use crate::call::Op;
use crate::client::HssClient;
use crate::enums::{ExportStatus, ScanTaskStatus};
use crate::error::{Error, TaskKind};
use crate::lists::ListQuery;
use crate::retry::{self, RetryPolicy};
use crate::scan_tasks::ScanTaskQuery;
use crate::scope::Scope;

/// Host counts of a scan task as one poll reported them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanCounts {
    /// Hosts still being scanned (`scanning_host_num`).
    pub scanning: u64,
    /// Hosts scanned successfully (`success_host_num`).
    pub success: u64,
    /// Hosts whose scan failed (`failed_host_num`).
    pub failed: u64,
}

impl ScanCounts {
    /// The counts of a task, missing or negative ones as 0.
    pub fn of(task: &VulScanTaskInfo) -> Self {
        let n = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0);
        ScanCounts {
            scanning: n(task.scanning_host_num),
            success: n(task.success_host_num),
            failed: n(task.failed_host_num),
        }
    }
}

/// What a waiter tells its progress callback after each poll.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitProgress {
    /// What kind of task.
    pub kind: TaskKind,
    /// The task's id.
    pub task_id: String,
    /// The state as the service wrote it (`running`, `finished`,
    /// `success`, ...); `None` when the poll failed or the task is not
    /// listed yet.
    pub state: Option<String>,
    /// For a scan task, its host counts.
    pub counts: Option<ScanCounts>,
    /// Time since the waiter started.
    pub elapsed: Duration,
    /// Requests made so far.
    pub polls: u32,
    /// The wait before the next poll, `None` after the last.
    pub next_poll_in: Option<Duration>,
}

type Progress = Arc<dyn Fn(&WaitProgress) + Send + Sync>;

/// How a waiter polls: schedule, deadline, progress callback.
///
/// ```
/// use std::time::Duration;
/// use hss_ext::WaitOptions;
/// let options = WaitOptions::default()
///     .timeout(Duration::from_secs(600))
///     .on_progress(|p| eprintln!("{:?} after {:?}", p.state, p.elapsed));
/// ```
#[derive(Clone)]
pub struct WaitOptions {
    pub(crate) scope: Scope,
    initial_interval: Duration,
    multiplier: f64,
    max_interval: Duration,
    jitter: f64,
    timeout: Duration,
    not_found_grace: Duration,
    progress: Option<Progress>,
}

impl Default for WaitOptions {
    /// 2 s, ×1.5, at most 30 s, ±10 % jitter, a deadline of 1 hour, and
    /// 60 s for a new task to be listed (see the [module docs](self)).
    fn default() -> Self {
        WaitOptions {
            scope: Scope::default(),
            initial_interval: Duration::from_secs(2),
            multiplier: 1.5,
            max_interval: Duration::from_secs(30),
            jitter: 0.1,
            timeout: Duration::from_secs(3600),
            not_found_grace: Duration::from_secs(60),
            progress: None,
        }
    }
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("scope", &self.scope)
            .field("initial_interval", &self.initial_interval)
            .field("multiplier", &self.multiplier)
            .field("max_interval", &self.max_interval)
            .field("jitter", &self.jitter)
            .field("timeout", &self.timeout)
            .field("not_found_grace", &self.not_found_grace)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl WaitOptions {
    /// The project and enterprise project of the task.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// The deadline, from the waiter's start (default 1 hour).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The wait after the first poll (default 2 s; at least 100 ms).
    pub fn initial_interval(mut self, interval: Duration) -> Self {
        self.initial_interval = interval.max(Duration::from_millis(100));
        self
    }

    /// How much longer each wait is than the one before (default 1.5;
    /// 1.0 to 10.0).
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.clamp(1.0, 10.0)
        } else {
            1.5
        };
        self
    }

    /// The longest wait between two polls (default 30 s; at least the
    /// initial interval).
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// The share by which each wait is varied at random, both ways
    /// (default 0.1; 0.0 to 0.5).
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 0.5)
        } else {
            0.1
        };
        self
    }

    /// How long a scan task may be missing from `ListVulScanTask` before
    /// the waiter gives up with [`Error::TaskNotFound`] (default 60 s: a
    /// task just created may take a moment to be listed).
    pub fn not_found_grace(mut self, grace: Duration) -> Self {
        self.not_found_grace = grace;
        self
    }

    /// Called after every poll with the state, counts and time elapsed.
    pub fn on_progress(mut self, progress: impl Fn(&WaitProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The wait after poll number `poll` (1 for the first), before jitter.
    pub fn interval_after(&self, poll: u32) -> Duration {
        let max = self.max_interval.max(self.initial_interval);
        let factor = self.multiplier.powi(
            i32::try_from(poll.saturating_sub(1))
                .unwrap_or(i32::MAX)
                .min(64),
        );
        Duration::try_from_secs_f64(self.initial_interval.as_secs_f64() * factor)
            .unwrap_or(max)
            .min(max)
    }

    fn jittered(&self, wait: Duration) -> Duration {
        if self.jitter == 0.0 {
            return wait;
        }
        let factor = 1.0 + rand::random_range(-self.jitter..=self.jitter);
        wait.mul_f64(factor)
    }
}

/// What one poll says about the task.
enum Verdict {
    Pending {
        state: Option<String>,
        counts: Option<ScanCounts>,
    },
    Done {
        state: Option<String>,
        counts: Option<ScanCounts>,
    },
    Failed {
        state: String,
        detail: String,
    },
}

impl HssClient {
    /// Waits until scan task `task_id` has finished and returns it as the
    /// last poll saw it (`status` `finished`, with its host counts).
    ///
    /// A task that finished with every host failed ends in
    /// [`Error::TaskFailed`]; one with some failed hosts is returned (list
    /// them with [`HostQuery`](crate::HostQuery) and
    /// [`ScanStatus::Failed`](crate::ScanStatus::Failed)). The deadline
    /// passing is [`Error::WaitTimeout`]; a task the service does not list
    /// for [`WaitOptions::not_found_grace`] is [`Error::TaskNotFound`].
    ///
    /// Default schedule: 2 s, ×1.5, at most 30 s, ±10 % jitter, 1 hour:
    /// 7 requests in the first minute, then 2 per minute.
    pub async fn wait_for_scan_task(
        &self,
        task_id: &str,
        options: WaitOptions,
    ) -> Result<VulScanTaskInfo, Error> {
        let mut query = ScanTaskQuery::new().task_id(task_id);
        query.common.project_id = options.scope.project_id.clone();
        query.common.enterprise_project_id = options.scope.enterprise_project_id.clone();
        query.check(self.project.known().or(self.discovery_placeholder()))?;
        let op = Op::of(ScanTaskQuery::OPERATION).once();
        self.wait_loop(
            TaskKind::ScanTask,
            task_id,
            &options,
            || {
                let query = query.clone();
                async move {
                    let page = query.fetch_with(self, 0, 10, op).await?.decode()?;
                    Ok(page
                        .items
                        .into_iter()
                        .find(|t| t.id.as_deref() == Some(task_id)))
                }
            },
            |task: &VulScanTaskInfo| {
                let counts = ScanCounts::of(task);
                let state = task.status.clone();
                match task.status() {
                    Some(ScanTaskStatus::Finished) if counts.failed > 0 && counts.success == 0 => {
                        Verdict::Failed {
                            state: "finished".into(),
                            detail: format!("the scan failed on every host ({})", counts.failed),
                        }
                    }
                    Some(ScanTaskStatus::Finished) => Verdict::Done {
                        state,
                        counts: Some(counts),
                    },
                    _ => Verdict::Pending {
                        state,
                        counts: Some(counts),
                    },
                }
            },
        )
        .await
    }

    /// Waits until export task `task_id` has succeeded and returns it
    /// (with the `file_id` for [`download_export`](Self::download_export)).
    /// An export in state `failure` (or a success without a `file_id`)
    /// ends in [`Error::TaskFailed`], the deadline passing in
    /// [`Error::WaitTimeout`]. Same schedule as
    /// [`wait_for_scan_task`](Self::wait_for_scan_task).
    pub async fn wait_for_export(
        &self,
        task_id: &str,
        options: WaitOptions,
    ) -> Result<ListQueryExportTaskResponse, Error> {
        options.scope.check(self)?;
        crate::query::check_id("task_id", task_id)?;
        let op = Op::of(operations::LIST_QUERY_EXPORT_TASK).once();
        let scope = options.scope.clone();
        self.wait_loop(
            TaskKind::Export,
            task_id,
            &options,
            || {
                let scope = scope.clone();
                async move { self.export_task_with(task_id, &scope, op).await.map(Some) }
            },
            |task: &ListQueryExportTaskResponse| {
                let state = task.task_status.clone();
                match task.task_status() {
                    Some(ExportStatus::Success)
                        if task.file_id.as_deref().is_some_and(|f| !f.is_empty()) =>
                    {
                        Verdict::Done {
                            state,
                            counts: None,
                        }
                    }
                    Some(ExportStatus::Success) => Verdict::Failed {
                        state: "success".into(),
                        detail: "the export succeeded but names no file_id".into(),
                    },
                    Some(ExportStatus::Failure) => Verdict::Failed {
                        state: "failure".into(),
                        detail: "the service could not make the file".into(),
                    },
                    _ => Verdict::Pending {
                        state,
                        counts: None,
                    },
                }
            },
        )
        .await
    }

    /// The one polling loop. `poll` makes one request: `Ok(None)` means
    /// the task is not listed (yet).
    async fn wait_loop<'a, T, P, Fut, J>(
        &'a self,
        kind: TaskKind,
        task_id: &str,
        options: &WaitOptions,
        poll: P,
        judge: J,
    ) -> Result<T, Error>
    where
        P: Fn() -> Fut,
        Fut: Future<Output = Result<Option<T>, Error>> + 'a,
        J: Fn(&T) -> Verdict,
    {
        let started = Instant::now();
        let mut polls = 0u32;
        let mut last_state: Option<String> = None;
        // Retry tokens the last failed poll took, given back on success.
        let mut held: Option<u32> = None;
        let timeout_error = |polls: u32, last_state: Option<String>| Error::WaitTimeout {
            kind,
            task_id: task_id.to_owned(),
            last_state,
            timeout: options.timeout,
            polls,
        };
        loop {
            let remaining = options.timeout.saturating_sub(started.elapsed());
            if remaining.is_zero() && polls > 0 {
                return Err(timeout_error(polls, last_state));
            }
            polls += 1;
            let answer =
                match tokio::time::timeout(remaining.max(Duration::from_millis(1)), poll()).await {
                    Ok(answer) => answer,
                    Err(_) => return Err(timeout_error(polls, last_state)),
                };
            let mut wait = options.jittered(options.interval_after(polls));
            let mut counts = None;
            let mut state = None;
            match answer {
                Ok(Some(task)) => {
                    if let Some(tokens) = held.take() {
                        self.refund_retry_tokens(tokens);
                    }
                    match judge(&task) {
                        Verdict::Done { state, counts } => {
                            report(options, kind, task_id, state, counts, started, polls, None);
                            return Ok(task);
                        }
                        Verdict::Failed { state, detail } => {
                            report(
                                options,
                                kind,
                                task_id,
                                Some(state.clone()),
                                None,
                                started,
                                polls,
                                None,
                            );
                            return Err(Error::TaskFailed {
                                kind,
                                task_id: task_id.to_owned(),
                                state,
                                detail,
                            });
                        }
                        Verdict::Pending {
                            state: s,
                            counts: c,
                        } => {
                            state = s;
                            counts = c;
                            last_state.clone_from(&state);
                        }
                    }
                }
                Ok(None) => {
                    if started.elapsed() >= options.not_found_grace {
                        return Err(Error::TaskNotFound {
                            kind,
                            task_id: task_id.to_owned(),
                            waited: started.elapsed(),
                        });
                    }
                }
                Err(error) => {
                    let Some(retryable) = retry::classify(&error) else {
                        return Err(error);
                    };
                    let cost = retryable.cost();
                    if !self.take_retry_tokens(cost) {
                        tracing::warn!(%error, "retry quota exhausted, the waiter gives up");
                        return Err(error);
                    }
                    held = Some(
                        held.unwrap_or(0)
                            .saturating_add(cost)
                            .min(RetryPolicy::DEFAULT_RETRY_QUOTA),
                    );
                    if let Some(after) = error.retry_after() {
                        wait = wait.max(after);
                    }
                    tracing::info!(%error, wait_ms = wait.as_millis() as u64, "poll failed, polling again later");
                }
            }
            let remaining = options.timeout.saturating_sub(started.elapsed());
            let wait = wait.min(remaining);
            report(
                options,
                kind,
                task_id,
                state,
                counts,
                started,
                polls,
                Some(wait),
            );
            tokio::time::sleep(wait).await;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    options: &WaitOptions,
    kind: TaskKind,
    task_id: &str,
    state: Option<String>,
    counts: Option<ScanCounts>,
    started: Instant,
    polls: u32,
    next_poll_in: Option<Duration>,
) {
    if let Some(progress) = &options.progress {
        progress(&WaitProgress {
            kind,
            task_id: task_id.to_owned(),
            state,
            counts,
            elapsed: started.elapsed(),
            polls,
            next_poll_in,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The count the module docs state: polls at 0, 2, 5, 9.5, 16.25,
    /// 26.375, 41.5625 s in the first minute, then one every 30 s.
    #[test]
    fn the_default_schedule_makes_7_requests_then_2_per_minute() {
        let options = WaitOptions::default();
        let mut at = Duration::ZERO;
        let mut times = vec![at];
        for poll in 1..200 {
            at += options.interval_after(poll);
            times.push(at);
        }
        let within = |from: u64, to: u64| {
            times
                .iter()
                .filter(|t| **t >= Duration::from_secs(from) && **t < Duration::from_secs(to))
                .count()
        };
        assert_eq!(within(0, 60), 7);
        for minute in 2..60 {
            assert_eq!(within(minute * 60, (minute + 1) * 60), 2, "minute {minute}");
        }
        assert_eq!(within(0, 3600), 125);
        assert_eq!(options.interval_after(1), Duration::from_secs(2));
        assert_eq!(options.interval_after(100), Duration::from_secs(30));
        // Jitter stays within ±10 %.
        for _ in 0..100 {
            let w = options.jittered(Duration::from_secs(30));
            assert!(
                w >= Duration::from_secs(27) && w <= Duration::from_secs(33),
                "{w:?}"
            );
        }
    }

    #[test]
    fn options_are_clamped_and_debug_hides_the_callback() {
        let options = WaitOptions::default()
            .multiplier(f64::NAN)
            .jitter(3.0)
            .initial_interval(Duration::ZERO)
            .on_progress(|_| {});
        assert_eq!(options.multiplier, 1.5);
        assert_eq!(options.jitter, 0.5);
        assert_eq!(options.initial_interval, Duration::from_millis(100));
        assert!(format!("{options:?}").contains("progress: true"));
    }

    /// In virtual time, so the count is exact on any machine: a poll every
    /// 100 ms (each answered after 20 ms, "running"), the deadline at
    /// 450 ms. The waiter is never busy and stops at its deadline, not
    /// after (the test against a server only bounds what a slow machine
    /// cannot break).
    #[tokio::test(start_paused = true)]
    async fn a_waiter_polls_on_its_schedule_and_stops_at_its_deadline() {
        let client = HssClient::builder()
            .endpoint_url("http://127.0.0.1:9")
            .without_credentials()
            .project_id("project")
            .build()
            .unwrap();
        let options = WaitOptions::default()
            .initial_interval(Duration::from_millis(100))
            .max_interval(Duration::from_millis(100))
            .jitter(0.0)
            .timeout(Duration::from_millis(450));
        let started = Instant::now();
        let polled = std::sync::Mutex::new(Vec::new());
        let poll = || async {
            polled.lock().unwrap().push(started.elapsed());
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(Some("running".to_owned()))
        };
        let judge = |state: &String| Verdict::Pending {
            state: Some(state.clone()),
            counts: None,
        };
        let error = client
            .wait_loop(TaskKind::ScanTask, "t-1", &options, poll, judge)
            .await
            .unwrap_err();
        let Error::WaitTimeout {
            polls, last_state, ..
        } = &error
        else {
            panic!("{error:?}")
        };
        assert_eq!(last_state.as_deref(), Some("running"));
        let ms = |ms: u64| Duration::from_millis(ms);
        // The interval counts from the answer: 0, 120, 240, 360 ms, and
        // nothing after the deadline.
        assert_eq!(*polled.lock().unwrap(), [ms(0), ms(120), ms(240), ms(360)]);
        assert_eq!(*polls, 4);
        assert_eq!(started.elapsed(), ms(450));
    }
}
