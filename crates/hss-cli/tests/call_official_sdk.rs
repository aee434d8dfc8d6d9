//! `hss call` against the official Python SDK, for every operation of the
//! spec: for the same inputs, the `hss` binary sends the request the SDK
//! sends.
//!
//! `hss-api/tests/every_operation/sdk_cases.py` has the SDK send a sample
//! of every field of each operation's request model to its own capture
//! server on 127.0.0.1 and writes down what arrived and the same inputs in
//! wire terms. This test gives those inputs to `hss call OP` on the command
//! line, against a scripted server on 127.0.0.1 answering the SDK's sample
//! response: each parameter as `--param=NAME=VALUE` (a list repeats it, one
//! per item; numbers and booleans as their JSON text), a JSON body as
//! `--body=JSON`, a form body's fields as `--NAME=VALUE`, a file as
//! `--NAME=@PATH` (a file named as the SDK named it). What hss sent is then
//! compared with the SDK's request as `sdk_cases.rs` says (method, path,
//! query multiset, header parameters, body; a form part by part), and hss
//! must write the answer as served.
//!
//! The SDK is prepared by `crates/hss-auth/tests/interop/official_sdk.rs`;
//! without it the test fails, `HSS_SKIP_OFFICIAL_SDK=1` skips it on purpose.

mod support;

#[path = "../../hss-auth/tests/interop/official_sdk.rs"]
mod pinned_sdk;

#[path = "../../hss-api/tests/every_operation/sdk_cases.rs"]
mod sdk_cases;

use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hss_fake::scripted::Reply;
use hss_operations::operations;
use sdk_cases::{Case, differences};
use serde_json::Value;

/// `hss` processes run at once (each against a server of its own).
const AT_ONCE: usize = 4;

#[test]
fn hss_call_sends_what_the_official_sdk_sends_for_every_operation() {
    let Some(python) =
        pinned_sdk::python("hss_call_sends_what_the_official_sdk_sends_for_every_operation")
    else {
        return;
    };
    let started = std::time::Instant::now();
    let ids: Vec<&str> = operations().iter().map(|op| op.id).collect();
    let mut sdk = sdk_cases::sdk_cases(&python, &ids, "call_official_sdk");
    let python_seconds = started.elapsed().as_secs_f64();
    sdk.assert_same_operations();
    let cases = std::mem::take(&mut sdk.cases);
    let project = cases
        .iter()
        .flat_map(|case| &case.inputs.params)
        .find(|p| p.name == "project_id" && p.place == "path")
        .and_then(|p| p.value.as_str())
        .expect("the cases name a project")
        .to_owned();
    let files = tempfile::tempdir().unwrap();

    let next = AtomicUsize::new(0);
    let compared = AtomicUsize::new(0);
    let differing = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..AT_ONCE {
            scope.spawn(|| {
                let reply = Arc::new(Mutex::new(Reply::json(200, "{}")));
                let server = {
                    let reply = Arc::clone(&reply);
                    support::Scripted::start(move |_, _| reply.lock().unwrap().clone())
                };
                let home = tempfile::tempdir().unwrap();
                while let Some(case) = cases.get(next.fetch_add(1, Ordering::Relaxed)) {
                    *reply.lock().unwrap() = Reply::raw(
                        200,
                        &case.response.content_type,
                        case.response.text.clone().into_bytes(),
                    );
                    let found = compare(case, &server, home.path(), &project, files.path());
                    compared.fetch_add(1, Ordering::Relaxed);
                    if !found.is_empty() {
                        differing.lock().unwrap().push(format!(
                            "{}: {}",
                            case.operation,
                            found.join("; ")
                        ));
                    }
                }
            });
        }
    });
    let mut differing = differing.into_inner().unwrap();
    differing.sort();
    let compared = compared.into_inner();
    let _ = writeln!(
        std::io::stderr(),
        "hss call: {compared} operations compared with the official SDK, {} differ \
         (Python {python_seconds:.1} s, all {:.1} s)",
        differing.len(),
        started.elapsed().as_secs_f64(),
    );
    assert_eq!(compared, operations().len(), "a case for every operation");
    assert!(
        differing.is_empty(),
        "hss call and the official SDK differ:\n{}",
        differing.join("\n")
    );
}

/// Runs `hss call` with `case`'s inputs against `server`; each way what it
/// sent or wrote differs from the SDK's.
fn compare(
    case: &Case,
    server: &support::Scripted,
    home: &Path,
    project: &str,
    files: &Path,
) -> Vec<String> {
    let mut found: Vec<String> = case
        .problems
        .iter()
        .map(|p| format!("in the SDK: {p}"))
        .collect();
    let Some(sdk_request) = &case.request else {
        found.push("the SDK sent nothing to compare with".into());
        return found;
    };
    let args = match arguments(case, files) {
        Ok(args) => args,
        Err(why) => {
            found.push(why);
            return found;
        }
    };
    let before = server.server.requests().len();
    let output = support::hss(home)
        .env("HUAWEICLOUD_SDK_AK", "call-official-sdk-ak")
        .env("HUAWEICLOUD_SDK_SK", "call-official-sdk-sk")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", project)
        .args(["call", &case.operation, "--yes", "--endpoint"])
        .arg(server.server.base_url())
        .args(&args)
        .write_stdin("")
        .output()
        .expect("hss runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        found.push(format!(
            "hss exited with {:?}: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    } else if stdout.trim_end_matches('\n') != case.response.text.trim_end_matches('\n') {
        found.push(format!(
            "hss wrote {stdout:?}, served {:?}",
            case.response.text
        ));
    }
    let seen = server.server.requests();
    match &seen[before..] {
        [ours] => found.extend(differences(sdk_request, ours)),
        more => found.push(format!("hss sent {} requests, not 1", more.len())),
    }
    found
}

/// `case`'s inputs as arguments of `hss call`; a file of a form is written
/// under `files`.
fn arguments(case: &Case, files: &Path) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    for param in &case.inputs.params {
        let items = match &param.value {
            Value::Array(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            one => vec![one],
        };
        for item in items {
            args.push(format!("--param={}={}", param.name, text(item)));
        }
    }
    if let Some(body) = &case.inputs.body {
        args.push(format!("--body={body}"));
    }
    for (name, field) in case.inputs.multipart.iter().flatten() {
        match &field.file_name {
            Some(file_name) => {
                let dir = files.join(&case.operation);
                std::fs::create_dir_all(&dir).unwrap();
                let path = dir.join(file_name);
                std::fs::write(&path, &field.text).unwrap();
                args.push(format!("--{name}=@{}", path.display()));
            }
            None if field.text.starts_with('@') => {
                return Err(format!(
                    "the form field `{name}` is text beginning with @, which hss reads as a file"
                ));
            }
            None => args.push(format!("--{name}={}", field.text)),
        }
    }
    Ok(args)
}

/// A parameter's value as given on the command line: a string as itself,
/// anything else as its JSON text.
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
