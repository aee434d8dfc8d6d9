//! Every operation of the official Python SDK (`huaweicloudsdkhss`
//! 3.1.219, pinned in `crates/hss-auth/tests/interop/requirements.txt`)
//! against hss-fake: `interop/every_operation.py` sends each once with a
//! sample request (every field filled, fitted to our spec's limits, its
//! examples and known values where it has them), signed and serialised by
//! the SDK, and lets the SDK parse each answer with its own models. This
//! test asserts that the answers are ones the SDK can use:
//!
//! - the SDK has exactly the operations of our spec, and called them all;
//! - no 2xx it could not parse (an exception, a warning about a value's
//!   type or enumeration, a JSON answer that is not JSON), and every call
//!   got an answer;
//! - no 5xx (the fake injects no faults here);
//! - every answer of 400 or more in the service's error shape: an
//!   `error_code` the SDK reads, `HSS.` for the service or `APIGW.` for the
//!   gateway, and an `error_msg`;
//! - no operation the gateway does not know (`404 APIGW.0101`), and at
//!   least [`FLOOR_2XX`] answered 2xx.
//!
//! The SDK is prepared by `crates/hss-auth/tests/interop/official_sdk.rs`;
//! without it the test fails, `HSS_SKIP_OFFICIAL_SDK=1` skips it on
//! purpose.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;

use hss_fake::{DEFAULT_REGION, FakeHss, RunningFake};
use serde::Deserialize;

// The fake serves every operation of the spec. The five that do not answer
// 2xx are workflow operations asked about a sample id that names no task,
// host or file (`400 HSS.0011`), as the service would answer. Raise the
// floor as the fake or the samples improve.

/// Fewest operations that must answer 2xx to the sample request.
const FLOOR_2XX: usize = 577;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interop/every_operation.py"
);
/// The spec the samples are fitted to.
const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/hss.yaml");

/// The gateway's code for a path it does not route.
const NOT_SERVED: &str = "APIGW.0101";

#[path = "../../hss-auth/tests/interop/official_sdk.rs"]
mod pinned_sdk;

/// What the script prints.
#[derive(Deserialize)]
struct Report {
    operations: BTreeMap<String, Outcome>,
}

/// One operation's answer, as the SDK saw it.
#[derive(Debug, Deserialize)]
struct Outcome {
    status: Option<u16>,
    error_code: Option<String>,
    error_msg: Option<String>,
    problem: Option<String>,
}

/// Runs the script against `fake`; what it printed.
async fn official_sdk(python: &Path, fake: &RunningFake) -> Report {
    let key = fake.access_key();
    let mut command = pinned_sdk::loopback_script(python, SCRIPT);
    command
        .args([
            fake.base_url(),
            DEFAULT_REGION.to_owned(),
            fake.project_id(),
        ])
        .arg(SPEC)
        .env("HSS_INTEROP_AK", &key.ak)
        .env("HSS_INTEROP_SK", &key.sk);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("the script runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "every_operation.py failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "the script printed no report ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_sdk_calls_every_operation_and_can_use_every_answer() {
    let Some(python) =
        pinned_sdk::python("the_official_sdk_calls_every_operation_and_can_use_every_answer")
    else {
        return;
    };
    // No rate limit (the default) and no lockout: each operation's answer
    // is its own, not the consequence of an earlier one.
    let fake = FakeHss::builder()
        .seed(26)
        .hosts(20)
        .lockout(None)
        .start()
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let report = official_sdk(&python, &fake).await;
    let seconds = started.elapsed().as_secs_f64();
    let outcomes = &report.operations;

    let ours: BTreeSet<&str> = hss_operations::operations()
        .iter()
        .map(|op| op.id)
        .collect();
    let called: BTreeSet<&str> = outcomes.keys().map(String::as_str).collect();
    assert_eq!(
        called, ours,
        "the SDK's operations (left) are not our spec's (right)"
    );

    let ok: Vec<&str> = names(outcomes, |o| {
        o.status.is_some_and(|s| (200..300).contains(&s))
    });
    let not_served = names(outcomes, |o| {
        o.status == Some(404) && o.error_code.as_deref() == Some(NOT_SERVED)
    });
    let unusable: Vec<String> = outcomes
        .iter()
        .filter_map(|(op, o)| Some(format!("{op} ({:?}): {}", o.status, o.problem.as_ref()?)))
        .collect();
    let server_errors = names(outcomes, |o| o.status.is_some_and(|s| s >= 500));
    // The SDK signs every request itself: a 401 is our verifier disagreeing
    // with the official signer.
    let unauthenticated: Vec<String> = outcomes
        .iter()
        .filter(|(_, o)| o.status == Some(401))
        .map(|(op, o)| format!("{op}: {}", o.error_msg.as_deref().unwrap_or_default()))
        .collect();
    let misshapen: Vec<String> = outcomes
        .iter()
        .filter(|(_, o)| o.status.is_some_and(|s| s >= 400))
        .filter(|(_, o)| {
            let code_ok = o
                .error_code
                .as_deref()
                .is_some_and(|c| c.starts_with("HSS.") || c.starts_with("APIGW."));
            !code_ok || o.error_msg.as_deref().is_none_or(str::is_empty)
        })
        .map(|(op, o)| format!("{op}: {o:?}"))
        .collect();
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    for o in outcomes.values() {
        let key = match (o.status, &o.error_code) {
            (Some(s), Some(code)) => format!("{s} {code}"),
            (Some(s), None) => s.to_string(),
            (None, _) => "no answer".to_owned(),
        };
        *codes.entry(key).or_default() += 1;
    }

    // Straight to stderr: libtest captures `eprintln!` of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "official SDK, every operation against hss-fake: {} called, {} answered 2xx \
         (floor {FLOOR_2XX}), {} not served ({NOT_SERVED}), \
         {} unusable; by answer: {codes:?} ({seconds:.1} s)",
        outcomes.len(),
        ok.len(),
        not_served.len(),
        unusable.len(),
    );

    assert!(
        unusable.is_empty(),
        "answers the SDK could not use:\n{}",
        unusable.join("\n")
    );
    assert!(
        unauthenticated.is_empty(),
        "the fake refused the official SDK's signature: {unauthenticated:?}"
    );
    assert!(
        server_errors.is_empty(),
        "5xx without a fault: {server_errors:?}"
    );
    assert!(
        misshapen.is_empty(),
        "errors not in the service's shape:\n{}",
        misshapen.join("\n")
    );
    assert!(
        not_served.is_empty(),
        "operations not served ({NOT_SERVED}): {not_served:?}"
    );
    assert!(
        ok.len() >= FLOOR_2XX,
        "{} operations answered 2xx, fewer than {FLOOR_2XX}: {ok:?}",
        ok.len()
    );
}

/// The operations whose outcome `keep` accepts.
fn names(outcomes: &BTreeMap<String, Outcome>, keep: impl Fn(&Outcome) -> bool) -> Vec<&str> {
    outcomes
        .iter()
        .filter(|(_, o)| keep(o))
        .map(|(op, _)| op.as_str())
        .collect()
}
