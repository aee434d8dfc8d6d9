//! What `sdk_cases.py` says the official SDK sends for every operation, and
//! the comparison of one request with the SDK's. Shared by the tests that
//! hold a client of ours against it (each includes this file with
//! `#[path]`): the typed client (`hss-api/tests/every_operation.rs`) and
//! `hss call` (`hss-cli/tests/call_official_sdk.rs`).
//!
//! Compared: method and path (as sent, percent-encoding included); the
//! query as a multiset of decoded name/value pairs (a list the SDK repeats,
//! `name=a&name=b`, must be repeated too; one it joins with commas must be
//! joined too); the values of the operation's header parameters; the body:
//! JSON as JSON values (field order aside), an empty body as empty, a
//! multipart form part by part (each part's name, file name and content).

// Not every includer uses every item.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use hss_fake::scripted::ScriptedRequest;
use serde::Deserialize;
use serde_json::Value;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../hss-api/tests/every_operation/sdk_cases.py"
);

/// The spec our clients come from; the script fits its samples to the
/// spec's limits.
const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/hss.yaml");

/// What `sdk_cases.py` writes.
#[derive(Deserialize)]
pub struct SdkCases {
    pub cases: Vec<Case>,
    /// Operations of our spec the SDK lacks.
    pub missing_in_sdk: Vec<String>,
    /// Operations of the SDK our spec lacks.
    pub sdk_only: Vec<String>,
}

#[derive(Deserialize)]
pub struct Case {
    pub operation: String,
    pub inputs: WireInputs,
    /// Absent when the SDK call itself failed (see `problems`).
    pub request: Option<SdkRequest>,
    pub response: SdkResponse,
    pub problems: Vec<String>,
}

/// The SDK's inputs in wire terms.
#[derive(Clone, Deserialize)]
pub struct WireInputs {
    pub params: Vec<Param>,
    #[serde(default)]
    pub body: Option<Value>,
    /// A multipart form's fields by name.
    #[serde(default)]
    pub multipart: Option<BTreeMap<String, FormField>>,
}

#[derive(Clone, Deserialize)]
pub struct Param {
    pub name: String,
    /// `path`, `query` or `header`.
    #[serde(rename = "in")]
    pub place: String,
    pub value: Value,
}

#[derive(Clone, Deserialize, Debug, PartialEq)]
pub struct FormField {
    pub text: String,
    /// Set for a file.
    #[serde(default)]
    pub file_name: Option<String>,
}

/// What reached the SDK's capture server.
#[derive(Deserialize)]
pub struct SdkRequest {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: BTreeMap<String, Option<String>>,
    pub body: SdkBody,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SdkBody {
    None,
    Json { json: Value },
    Multipart { parts: BTreeMap<String, FormField> },
    Text { text: String },
}

/// What the capture server answered (a sample of every response field).
#[derive(Deserialize)]
pub struct SdkResponse {
    pub content_type: String,
    pub text: String,
}

/// Runs the script for `operations` (ids of our spec) with `python`;
/// what it wrote. `name` keeps the files of concurrent tests apart.
pub fn sdk_cases(python: &Path, operations: &[&str], name: &str) -> SdkCases {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("cases.json");
    let _ = std::fs::remove_file(&out);
    let mut child = Command::new(python)
        .arg(SCRIPT)
        .arg(&out)
        .arg(SPEC)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the interop python runs");
    let operations = serde_json::to_vec(operations).unwrap();
    child.stdin.take().unwrap().write_all(&operations).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "sdk_cases.py failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&out).expect("sdk_cases.py wrote its cases");
    serde_json::from_str(&text).expect("the cases parse")
}

impl SdkCases {
    /// Asserts that the SDK and our spec have the same operations.
    pub fn assert_same_operations(&self) {
        assert!(
            self.missing_in_sdk.is_empty(),
            "operations of our spec the SDK lacks: {:?}",
            self.missing_in_sdk
        );
        assert!(
            self.sdk_only.is_empty(),
            "operations of the SDK our spec lacks (run `cargo xtask import`): {:?}",
            self.sdk_only
        );
    }
}

/// The SDK's request against ours; each difference in words.
pub fn differences(sdk: &SdkRequest, ours: &ScriptedRequest) -> Vec<String> {
    let mut found = Vec::new();
    if sdk.method != ours.method {
        found.push(format!("method: SDK {}, ours {}", sdk.method, ours.method));
    }
    if sdk.path != ours.path() {
        found.push(format!("path: SDK {}, ours {}", sdk.path, ours.path()));
    }
    let query = ours.target.split_once('?').map_or("", |(_, q)| q);
    let mut our_query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    our_query.sort();
    let mut sdk_query = sdk.query.clone();
    sdk_query.sort();
    if sdk_query != our_query {
        found.push(format!("query: SDK {sdk_query:?}, ours {our_query:?}"));
    }
    for (name, value) in &sdk.headers {
        if ours.header(name) != value.as_deref() {
            found.push(format!(
                "header {name}: SDK {value:?}, ours {:?}",
                ours.header(name)
            ));
        }
    }
    match &sdk.body {
        SdkBody::None if ours.body.is_empty() => {}
        SdkBody::None => found.push(format!(
            "body: SDK none, ours {}",
            String::from_utf8_lossy(&ours.body)
        )),
        SdkBody::Json { json } => match serde_json::from_slice::<Value>(&ours.body) {
            Ok(our_json) if &our_json == json => {}
            _ => found.push(format!(
                "body: SDK {json}, ours {}",
                String::from_utf8_lossy(&ours.body)
            )),
        },
        SdkBody::Multipart { parts } => {
            let ours_parts = ours
                .header("content-type")
                .and_then(|t| multipart_parts(t, &ours.body));
            if ours_parts.as_ref() != Some(parts) {
                found.push(format!(
                    "body: the SDK's form is {parts:?}, ours {ours_parts:?} ({:?})",
                    ours.header("content-type")
                ));
            }
        }
        SdkBody::Text { text } => {
            if text.as_bytes() != ours.body {
                found.push(format!(
                    "body: SDK {text:?}, ours {}",
                    String::from_utf8_lossy(&ours.body)
                ));
            }
        }
    }
    found
}

/// The parts of a `multipart/form-data` body by name (text as UTF-8, as
/// the SDK's side records them); `None` when it is not such a body.
fn multipart_parts(content_type: &str, body: &[u8]) -> Option<BTreeMap<String, FormField>> {
    let boundary = content_type
        .strip_prefix("multipart/form-data")?
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let text = std::str::from_utf8(body).ok()?;
    let delimiter = format!("--{boundary}");
    let mut parts = BTreeMap::new();
    let mut sections = text.split(delimiter.as_str());
    if !sections.next()?.is_empty() {
        return None;
    }
    for section in sections {
        if section.starts_with("--") {
            return Some(parts);
        }
        let section = section.strip_prefix("\r\n")?.strip_suffix("\r\n")?;
        let (headers, content) = section.split_once("\r\n\r\n")?;
        let disposition = headers
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        let quoted = |key: &str| {
            let start = disposition.find(&format!("{key}=\""))? + key.len() + 2;
            let len = disposition[start..].find('"')?;
            Some(disposition[start..start + len].to_string())
        };
        parts.insert(
            quoted(" name").or_else(|| quoted(";name"))?,
            FormField {
                text: content.to_string(),
                file_name: quoted("filename"),
            },
        );
    }
    None
}
