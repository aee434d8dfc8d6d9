//! Every operation of `openapi/hss.yaml` against the official Python SDK
//! (`huaweicloudsdkhss` 3.1.219, pinned in
//! `crates/hss-auth/tests/interop/requirements.txt`): what we send equals
//! what it sends, and what it answers we decode.
//!
//! `every_operation/sdk_cases.py` fills every attribute of each
//! operation's SDK request model with a sample value (bodies recursively),
//! sends it through the SDK's real client to its own capture server on
//! 127.0.0.1, and writes down what arrived, the same inputs in wire terms,
//! and a sample of every field of the SDK's response model, which the SDK
//! must have parsed back. This test then sends those inputs through
//! `hss_api::Client` (the generated `every_operation/dispatch.rs` sets each
//! parameter through its builder setter) to a scripted server on 127.0.0.1
//! that answers the same response, and compares what was sent as
//! `every_operation/sdk_cases.rs` says (method, path, query, header
//! parameters, body). Our client must also decode the SDK's sample
//! response; a download (`application/octet-stream`, e.g.
//! `ListDownloadExportedFile`) must yield the served bytes unchanged.
//!
//! Every operation of our spec must exist in the SDK, and every operation
//! of the SDK in our spec. The SDK is prepared by
//! `crates/hss-auth/tests/interop/official_sdk.rs`; without it the test
//! fails, `HSS_SKIP_OFFICIAL_SDK=1` skips it on purpose.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::sync::{Arc, Mutex};

use hss_api::{ByteStream, Client, Error, Hooks, ResponseValue};
use hss_fake::scripted::{Reply, ScriptedServer};
use sdk_cases::{FormField, Param, WireInputs, differences};
use serde::de::DeserializeOwned;
use serde_json::Value;

#[path = "../../hss-auth/tests/interop/official_sdk.rs"]
mod pinned_sdk;

#[path = "every_operation/sdk_cases.rs"]
mod sdk_cases;

#[path = "every_operation/dispatch.rs"]
#[rustfmt::skip]
mod dispatch;

/// Operations hss-fake must answer with success for the SDK's sample
/// inputs (the others must refuse in the service's error shape): the
/// workflow's operations refuse the SDK's made-up enterprise project, as
/// the service would. Raise it as the fake or the samples improve.
const FAKE_SUCCEEDS_AT_LEAST: usize = 560;

/// One case's inputs, as the dispatch asks for them; it remembers which
/// were used so that one our spec has no parameter for is named.
pub struct Inputs {
    params: Vec<Param>,
    body: Option<Value>,
    form: BTreeMap<String, FormField>,
    used: BTreeSet<usize>,
    body_used: bool,
}

impl Inputs {
    fn new(wire: WireInputs) -> Result<Inputs, String> {
        Ok(Inputs {
            params: wire.params,
            body: wire.body,
            form: wire.multipart.unwrap_or_default(),
            used: BTreeSet::new(),
            body_used: false,
        })
    }

    /// The `place` (`path`, `query`, `header`) parameter `name`, as the
    /// setter's type.
    pub fn param<T: DeserializeOwned>(
        &mut self,
        place: &str,
        name: &str,
    ) -> Result<Option<T>, String> {
        let Some(i) = self
            .params
            .iter()
            .position(|p| p.place == place && p.name == name)
        else {
            return Ok(None);
        };
        self.used.insert(i);
        serde_json::from_value(self.params[i].value.clone())
            .map(Some)
            .map_err(|e| {
                format!(
                    "our client refuses the {place} parameter {name} = {}: {e}",
                    self.params[i].value
                )
            })
    }

    /// The JSON body, as the body setter's type.
    pub fn body<T: DeserializeOwned>(&mut self) -> Result<Option<T>, String> {
        let Some(body) = &self.body else {
            return Ok(None);
        };
        self.body_used = true;
        serde_json::from_value(body.clone())
            .map(Some)
            .map_err(|e| format!("our client refuses the body {body}: {e}"))
    }

    /// The file of the form field `name`: its file name and bytes.
    pub fn form_file(&mut self, name: &str) -> Result<Option<(String, Vec<u8>)>, String> {
        let Some(field) = self.form.remove(name) else {
            return Ok(None);
        };
        match field.file_name {
            Some(file_name) => Ok(Some((file_name, field.text.into_bytes()))),
            None => Err(format!(
                "the SDK sends the form field `{name}` as text, our spec as a file"
            )),
        }
    }

    /// The text of the form field `name`.
    pub fn form_text(&mut self, name: &str) -> Result<Option<String>, String> {
        let Some(field) = self.form.remove(name) else {
            return Ok(None);
        };
        match field.file_name {
            None => Ok(Some(field.text)),
            Some(_) => Err(format!(
                "the SDK sends the form field `{name}` as a file, our spec as text"
            )),
        }
    }

    /// The bytes of the SDK's body, for a raw (octet-stream) body.
    pub fn raw_body(&mut self) -> Result<Option<Vec<u8>>, String> {
        self.body_used = true;
        match &self.body {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone().into_bytes())),
            Some(json) => Err(format!(
                "the SDK sends a JSON body ({json}), our spec a raw one"
            )),
        }
    }

    /// Names every input the operation had no setter for.
    fn unused(&self) -> Result<(), String> {
        let mut unused: Vec<String> = self
            .params
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.used.contains(i))
            .map(|(_, p)| format!("{} parameter `{}`", p.place, p.name))
            .collect();
        if !self.body_used && self.body.is_some() {
            unused.push("a body".to_owned());
        }
        unused.extend(self.form.keys().map(|name| format!("form field `{name}`")));
        if unused.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the SDK sends {}, which our spec's operation lacks",
                unused.join(", ")
            ))
        }
    }
}

/// What our client made of the answer.
#[derive(Debug)]
pub enum Outcome {
    Decoded,
    Downloaded(Vec<u8>),
    /// An error answer of the spec's shape, decoded.
    Refused {
        status: u16,
        body: String,
    },
}

impl Outcome {
    fn refused<E: std::fmt::Debug>(answer: &ResponseValue<E>) -> Outcome {
        Outcome::Refused {
            status: answer.status().as_u16(),
            body: format!("{:?}", answer.as_ref()),
        }
    }

    pub fn decoded<T, E>(sent: Result<ResponseValue<T>, Error<E>>) -> Result<Outcome, String>
    where
        Error<E>: std::fmt::Display,
        E: std::fmt::Debug,
    {
        if let Err(Error::ErrorResponse(refused)) = &sent {
            return Ok(Outcome::refused(refused));
        }
        sent.map(|_| Outcome::Decoded).map_err(|e| match e {
            // Its Display shows the bytes, which the report has already.
            Error::InvalidResponsePayload(_, why) => format!("cannot decode the answer: {why}"),
            other => other.to_string(),
        })
    }

    pub async fn downloaded<E>(
        sent: Result<ResponseValue<ByteStream>, Error<E>>,
    ) -> Result<Outcome, String>
    where
        Error<E>: std::fmt::Display,
        E: std::fmt::Debug,
    {
        use futures::TryStreamExt as _;
        if let Err(Error::ErrorResponse(refused)) = &sent {
            return Ok(Outcome::refused(refused));
        }
        let stream = sent.map_err(|e| e.to_string())?.into_inner();
        let chunks: Vec<_> = stream
            .into_inner()
            .try_collect()
            .await
            .map_err(|e| format!("reading the download: {e}"))?;
        Ok(Outcome::Downloaded(chunks.concat()))
    }
}

#[tokio::test]
async fn every_operation_sends_what_the_official_sdk_sends_and_decodes_its_answers() {
    let Some(python) = pinned_sdk::python(
        "every_operation_sends_what_the_official_sdk_sends_and_decodes_its_answers",
    ) else {
        return;
    };
    let started = std::time::Instant::now();
    let mut sdk = tokio::task::spawn_blocking(move || {
        sdk_cases::sdk_cases(&python, dispatch::OPERATIONS, "every_operation")
    })
    .await
    .unwrap();
    let python_seconds = started.elapsed().as_secs_f64();

    let reply = Arc::new(Mutex::new(Reply::json(200, "{}")));
    let server = {
        let reply = Arc::clone(&reply);
        ScriptedServer::start(move |_, _| reply.lock().unwrap().clone()).await
    };
    let client = Client::new(server.base_url(), Hooks::new());

    let fake_cases: Vec<(String, WireInputs)> = sdk
        .cases
        .iter()
        .map(|case| (case.operation.clone(), case.inputs.clone()))
        .collect();
    let mut differing = Vec::new();
    let mut not_decoded = Vec::new();
    let mut sdk_problems = Vec::new();
    let compared = sdk.cases.len();
    for case in std::mem::take(&mut sdk.cases) {
        let op = &case.operation;
        for problem in &case.problems {
            sdk_problems.push(format!("{op}: {problem}"));
        }
        let Some(sdk_request) = &case.request else {
            continue;
        };
        *reply.lock().unwrap() = Reply::raw(
            200,
            &case.response.content_type,
            case.response.text.clone().into_bytes(),
        );
        let before = server.requests().len();
        let mut unused = Ok(());
        let outcome = match Inputs::new(case.inputs) {
            Ok(mut inputs) => {
                let outcome = dispatch::call(&client, op, &mut inputs).await;
                unused = inputs.unused();
                outcome
            }
            Err(why) => Err(why),
        };
        let seen = server.requests();
        let ours = match &seen[before..] {
            [one] => one,
            [] => {
                differing.push(format!("{op}: our client sent nothing: {outcome:?}"));
                continue;
            }
            more => {
                differing.push(format!("{op}: our client sent {} requests", more.len()));
                continue;
            }
        };
        let mut found = differences(sdk_request, ours);
        found.extend(unused.err());
        if !found.is_empty() {
            differing.push(format!("{op}: {}", found.join("; ")));
        }
        match outcome {
            Ok(Outcome::Decoded) => {}
            Ok(Outcome::Refused { status, body }) => {
                not_decoded.push(format!("{op}: read as the error {status} {body}"));
            }
            Ok(Outcome::Downloaded(bytes)) => {
                if bytes != case.response.text.as_bytes() {
                    not_decoded.push(format!(
                        "{op}: the download read {:?}, served {:?}",
                        String::from_utf8_lossy(&bytes),
                        case.response.text
                    ));
                }
            }
            Err(e) => not_decoded.push(format!("{op}: {e} (served {})", case.response.text)),
        }
    }

    let fake = answered_by_the_fake(fake_cases).await;

    let _ = writeln!(
        std::io::stderr(),
        "every operation: {} compared with the official SDK, {} differ, {} not decoded, \
         {} failed in the SDK; SDK operations our spec lacks: {}; hss-fake: {} succeeded, \
         {} refused (Python {python_seconds:.1} s, all {:.1} s)",
        compared,
        differing.len(),
        not_decoded.len(),
        sdk_problems.len(),
        sdk.sdk_only.len(),
        fake.succeeded,
        fake.refused.len(),
        started.elapsed().as_secs_f64(),
    );
    sdk.assert_same_operations();
    assert_eq!(
        compared,
        dispatch::OPERATIONS.len(),
        "a case for every operation"
    );
    assert!(
        fake.unread.is_empty(),
        "hss-fake's answers our client cannot read, for the SDK's inputs:\n{}",
        fake.unread.join("\n")
    );
    assert!(
        fake.succeeded >= FAKE_SUCCEEDS_AT_LEAST,
        "hss-fake answered {} operations with success, fewer than {FAKE_SUCCEEDS_AT_LEAST}; \
         refused:\n{}",
        fake.succeeded,
        fake.refused.join("\n")
    );
    assert!(
        sdk_problems.is_empty() && differing.is_empty() && not_decoded.is_empty(),
        "SDK failures:\n{}\n\ndiffering:\n{}\n\nnot decoded:\n{}",
        sdk_problems.join("\n"),
        differing.join("\n"),
        not_decoded.join("\n")
    );
}

/// What hss-fake answered the SDK's inputs.
struct FakeAnswers {
    /// Operations answered with success.
    succeeded: usize,
    /// Refusals in the service's error shape (`HSS.` codes), each with why.
    refused: Vec<String>,
    /// Answers our client could not read, or no answer.
    unread: Vec<String>,
}

/// Sends every operation, with the inputs the SDK was given, to hss-fake
/// (which serves every operation of the spec).
async fn answered_by_the_fake(cases: Vec<(String, WireInputs)>) -> FakeAnswers {
    let project = cases
        .iter()
        .flat_map(|(_, inputs)| &inputs.params)
        .find(|p| p.name == "project_id" && p.place == "path")
        .and_then(|p| p.value.as_str())
        .expect("the cases name a project")
        .to_owned();
    let fake = hss_fake::FakeHss::builder()
        .auth(false)
        .project_id(project)
        .start()
        .await
        .expect("the fake starts");
    let client = Client::new(&fake.base_url(), Hooks::new());
    let mut answers = FakeAnswers {
        succeeded: 0,
        refused: Vec::new(),
        unread: Vec::new(),
    };
    for (op, inputs) in cases {
        let outcome = match Inputs::new(inputs) {
            Ok(mut inputs) => dispatch::call(&client, &op, &mut inputs).await,
            Err(why) => Err(why),
        };
        match outcome {
            Ok(Outcome::Decoded | Outcome::Downloaded(_)) => answers.succeeded += 1,
            Ok(Outcome::Refused { status, body })
                if (400..500).contains(&status) && body.contains("\"HSS.") =>
            {
                answers.refused.push(format!("{op}: {status} {body}"));
            }
            Ok(Outcome::Refused { status, body }) => answers.unread.push(format!(
                "{op}: not the service's error shape: {status} {body}"
            )),
            Err(why) => answers.unread.push(format!("{op}: {why}")),
        }
    }
    answers
}
