//! Every fault hss-fake can inject, against a listing of a few thousand
//! hosts: on every request, on the first three, and on one request in the
//! middle of the listing; with retries on and off; one page at a time and
//! eight at once.
//!
//! Whatever happens, the outcome is either the complete, correct list (the
//! fake's own dataset, in order, no host twice) or a typed error after a
//! correct prefix of it; never a short or duplicated list, never a panic,
//! and never more requests than the retry policy allows. Faults that stop
//! every request must end in the error after exactly the policy's
//! attempts; a fault on the first requests or on one request must be
//! survived when retries are on. (That the budget bounds the time is shown
//! in virtual time, in `src/rate/sim.rs`; here nothing is timed but the
//! faults.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use hss_ext::prelude::*;
use hss_ext::{Credentials, SecretString, TransportKind};
use hss_fake::{ALL_GRANTED_EPS, FakeHss, Fault, FaultRule, RunningFake};

/// Hosts in the task: 15 pages of 200.
const HOSTS: usize = 3_000;
/// Pages in the task.
const PAGES: u64 = HOSTS.div_ceil(200) as u64;
/// The time one attempt may take where a fault must time out; the slow
/// faults below exceed it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);
/// The time one attempt may take elsewhere: far beyond what a page takes
/// on any machine, so a busy machine cannot turn a fault that is not
/// about time into a timeout.
const PATIENT: Duration = Duration::from_secs(60);
/// Only a guard against a case that hangs: seconds on a quiet machine,
/// so minutes are a hang, never a slow machine.
const CASE_LIMIT: Duration = Duration::from_secs(600);

fn retries_on() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(50))
        .with_budget(Duration::from_secs(10))
}

/// What a fault does to the requests it hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect {
    /// The answer is slower but whole: the listing must complete.
    Harmless,
    /// The request fails with this kind of error.
    Fails(Expected),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expected {
    Status(u16),
    Transport(TransportKind),
    /// An answer cut off after its head: a broken body, or, when the close
    /// reaches hyper together with the head (a loaded machine), hyper's
    /// "closed before the message completed", which cannot be told from a
    /// close before any answer. Both are retried the same way.
    BrokenOff,
}

fn faults() -> Vec<(&'static str, Fault, Effect)> {
    use Effect::*;
    use Expected::*;
    vec![
        ("latency 5 ms", Fault::latency_ms(5), Harmless),
        (
            "latency 2 s (over the timeout)",
            Fault::latency_ms(2_000),
            Fails(Transport(TransportKind::Timeout)),
        ),
        (
            "429",
            Fault::Throttle {
                retry_after_secs: None,
            },
            Fails(Status(429)),
        ),
        (
            "429 with Retry-After: 1",
            Fault::throttle(1),
            Fails(Status(429)),
        ),
        ("500", Fault::server_error(500), Fails(Status(500))),
        ("503", Fault::server_error(503), Fails(Status(503))),
        ("502 with HTML", Fault::BadGatewayHtml, Fails(Status(502))),
        ("truncated body", Fault::TruncatedBody, Fails(BrokenOff)),
        (
            "reset connection",
            Fault::ResetConnection,
            Fails(Transport(TransportKind::Other)),
        ),
        ("slow body 8 KiB/ms", Fault::slow_body(8192, 1), Harmless),
        (
            "slow body 512 B/20 ms (over the timeout)",
            Fault::slow_body(512, 20),
            Fails(Transport(TransportKind::Timeout)),
        ),
    ]
}

#[derive(Clone, Copy, Debug)]
enum Schedule {
    Always,
    FirstThree,
    /// Request 5: with one page at a time the fourth page, with eight at
    /// once a page fetched alongside others.
    Fifth,
}

impl Schedule {
    fn rule(self, fault: Fault) -> FaultRule {
        match self {
            Schedule::Always => FaultRule::always(fault),
            Schedule::FirstThree => FaultRule::first(3, fault),
            Schedule::Fifth => FaultRule::nth(5, fault),
        }
    }
}

/// Counts the requests the client sends (the fake does not log a request
/// whose client gave up before the answer).
#[derive(Default)]
struct Attempts(AtomicU64);

impl hss_ext::hss_api::RequestHook for Attempts {
    fn name(&self) -> &'static str {
        "attempts"
    }

    fn before_send(
        &self,
        _: &mut reqwest::Request,
        _: &hss_ext::hss_api::OperationInfo,
    ) -> Result<(), String> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

struct Outcome {
    listed: Vec<(String, Option<String>, Option<String>)>,
    error: Option<Error>,
    elapsed: Duration,
    requests: u64,
}

async fn run_case(
    fault: &Fault,
    schedule: Schedule,
    retries: bool,
    concurrency: usize,
    timeout: Duration,
) -> Outcome {
    let fake: RunningFake = FakeHss::builder()
        .seed(5)
        .hosts(HOSTS)
        .faults([schedule.rule(fault.clone())])
        .start()
        .await
        .unwrap();
    let attempts = Arc::new(Attempts::default());
    let client = HssClient::builder()
        .hook(attempts.clone())
        .endpoint_url(fake.base_url())
        .credentials(Credentials::token(SecretString::from(
            fake.token().to_owned(),
        )))
        .project_id(fake.project_id())
        .request_timeout(timeout)
        .retry(if retries {
            retries_on()
        } else {
            RetryPolicy::disabled()
        })
        .build()
        .unwrap();
    let started = Instant::now();
    let mut listed = Vec::new();
    let mut error = None;
    let mut hosts = std::pin::pin!(client.list_hosts(
        HostQuery::new(fake.task_id()).all_enterprise_projects(),
        ListOptions::default().concurrency(concurrency),
    ));
    while let Some(host) = hosts.next().await {
        match host {
            Ok(host) => listed.push((
                host.host_id.clone().unwrap_or_default(),
                host.host_name.clone(),
                host.scan_status.clone(),
            )),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    assert!(
        hosts.next().await.is_none(),
        "the stream goes on after an error"
    );
    Outcome {
        listed,
        error,
        elapsed: started.elapsed(),
        requests: attempts.0.load(Ordering::SeqCst),
    }
}

fn dataset_of(fake: &RunningFake) -> Vec<(String, Option<String>, Option<String>)> {
    fake.matching_hosts(&fake.task_id(), Some(ALL_GRANTED_EPS), None)
        .unwrap()
        .into_iter()
        .map(|h| {
            (
                h.info.host_id.unwrap_or_default(),
                h.info.host_name,
                h.info.scan_status,
            )
        })
        .collect()
}

/// Runs every schedule, retry setting and concurrency for one fault and
/// returns one line per case for the report.
async fn matrix(name: &str, fault: Fault, effect: Effect) -> Vec<String> {
    // The same seed and size as each case's fake, so the same hosts.
    let reference = FakeHss::builder()
        .seed(5)
        .hosts(HOSTS)
        .start()
        .await
        .unwrap();
    let expected = dataset_of(&reference);
    assert_eq!(expected.len(), HOSTS);
    drop(reference);

    let timeout = match effect {
        Effect::Fails(Expected::Transport(TransportKind::Timeout)) => REQUEST_TIMEOUT,
        _ => PATIENT,
    };
    let mut lines = Vec::new();
    for schedule in [Schedule::Always, Schedule::FirstThree, Schedule::Fifth] {
        for retries in [true, false] {
            for concurrency in [1, 8] {
                let case = format!(
                    "{name} / {schedule:?} / retries {} / concurrency {concurrency}",
                    if retries { "on" } else { "off" }
                );
                let outcome = tokio::time::timeout(
                    CASE_LIMIT,
                    run_case(&fault, schedule, retries, concurrency, timeout),
                )
                .await
                .unwrap_or_else(|_| panic!("{case}: not finished within {CASE_LIMIT:?}"));
                check(&case, &outcome, &expected, effect, schedule, retries);
                lines.push(format!(
                    "{case}: {} after {} requests in {:?}",
                    match &outcome.error {
                        None => format!("complete ({} hosts)", outcome.listed.len()),
                        Some(e) => format!("error after {} hosts: {e}", outcome.listed.len()),
                    },
                    outcome.requests,
                    outcome.elapsed
                ));
            }
        }
    }
    for line in &lines {
        eprintln!("{line}");
    }
    lines
}

fn check(
    case: &str,
    outcome: &Outcome,
    expected: &[(String, Option<String>, Option<String>)],
    effect: Effect,
    schedule: Schedule,
    retries: bool,
) {
    // Never short, never duplicated: whatever was listed is the dataset's
    // start, and without an error it is all of it.
    assert!(
        outcome.listed.len() <= expected.len()
            && outcome.listed[..] == expected[..outcome.listed.len()],
        "{case}: the hosts listed are not the start of the task"
    );
    let must_complete = match (effect, schedule) {
        (Effect::Harmless, _) => true,
        (Effect::Fails(_), Schedule::Always) => false,
        (Effect::Fails(_), _) => retries,
    };
    match (&outcome.error, must_complete) {
        (None, _) => assert_eq!(
            outcome.listed.len(),
            expected.len(),
            "{case}: a listing without an error must be complete"
        ),
        (Some(error), true) => panic!("{case}: must complete but failed: {error}"),
        (Some(error), false) => {
            let Effect::Fails(kind) = effect else {
                unreachable!()
            };
            match (kind, error) {
                (Expected::Status(status), Error::Service(e)) => {
                    assert_eq!(e.status.as_u16(), status, "{case}: {error}")
                }
                (Expected::Transport(kind), Error::Transport { kind: got, .. }) => {
                    assert_eq!(*got, kind, "{case}: {error:?}")
                }
                (Expected::BrokenOff, Error::Transport { kind: got, .. }) => assert!(
                    matches!(got, TransportKind::Body | TransportKind::Other),
                    "{case}: {error:?}"
                ),
                _ => panic!("{case}: expected {kind:?}, got {error:?}"),
            }
            assert!(error.is_retryable(), "{case}: {error}");
            let attempts = if retries { 4 } else { 1 };
            if matches!(schedule, Schedule::Always) {
                // The first page fails every attempt; nothing else is asked.
                assert_eq!(outcome.requests, attempts, "{case}: {error}");
                assert!(outcome.listed.is_empty(), "{case}");
            }
        }
    }
    // Never more than every page's attempts, however the faults fell.
    let attempts = if retries {
        u64::from(retries_on().max_attempts())
    } else {
        1
    };
    assert!(
        outcome.requests <= PAGES * attempts,
        "{case}: {} requests for {PAGES} pages",
        outcome.requests
    );
}

macro_rules! fault_test {
    ($test:ident, $index:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            let (name, fault, effect) = faults().swap_remove($index);
            let lines = matrix(name, fault, effect).await;
            assert_eq!(lines.len(), 12);
        }
    };
}

fault_test!(latency, 0);
fault_test!(latency_over_the_timeout, 1);
fault_test!(throttled, 2);
fault_test!(throttled_with_retry_after, 3);
fault_test!(internal_server_error, 4);
fault_test!(service_unavailable, 5);
fault_test!(bad_gateway_html, 6);
fault_test!(truncated_body, 7);
fault_test!(reset_connection, 8);
fault_test!(slow_body, 9);
fault_test!(slow_body_over_the_timeout, 10);

#[test]
fn every_fault_is_in_the_matrix() {
    assert_eq!(faults().len(), 11);
}
