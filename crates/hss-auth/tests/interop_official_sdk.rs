//! Interoperability with the official Huawei Cloud Python SDK's signer.
//!
//! Generates many `GET /v5/{project_id}/vulnerability/scan-task/{task_id}/hosts`
//! requests (plus a few raw paths and POST bodies) with awkward path and
//! query values, headers and temporary credentials, signs each with
//! [`hss_auth::Signer`] at a fixed date and with the SDK's own signer through
//! `tests/interop/sign_official.py`, and compares the `Authorization`
//! header, the path and query sent, and every header sent, byte for byte.
//!
//! Needs a Python with `huaweicloudsdkcore` (pinned in
//! `tests/interop/requirements.txt`; `tests/interop/setup.sh` makes a venv).
//! The interpreter is `$HSS_INTEROP_PYTHON`, default `python3`. Without the
//! package the test prints a note and passes, except when `CI` is set: then
//! it fails, so CI can never skip it silently.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use hss_auth::signer::{X_PROJECT_ID, canonical_query_string, encode_component, format_sdk_date};
use hss_auth::{AccessKey, Signer};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde_json::{Value, json};
use time::OffsetDateTime;
use url::Url;

const TEMPLATE: &str = "/v5/{project_id}/vulnerability/scan-task/{task_id}/hosts";
const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interop/sign_official.py"
);
const REQUIREMENTS: &str = include_str!("interop/requirements.txt");

#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    endpoint: &'static str,
    project_id: String,
    /// Whether the credentials carry the project id, as `BasicCredentials`
    /// does: then the SDK fills `{project_id}` from it and sends
    /// `X-Project-Id`; otherwise `project_id` is an ordinary path parameter.
    project_in_credentials: bool,
    task_id: String,
    /// A raw path used instead of the template.
    raw_path: Option<String>,
    query: Vec<(String, String)>,
    /// Header names as the SDK's callers spell them.
    headers: Vec<(String, String)>,
    ak: String,
    sk: String,
    security_token: Option<String>,
    date: OffsetDateTime,
    body: Option<String>,
}

impl Case {
    fn path(&self) -> String {
        self.raw_path.clone().unwrap_or_else(|| {
            TEMPLATE
                .replace("{project_id}", &encode_component(&self.project_id))
                .replace("{task_id}", &encode_component(&self.task_id))
        })
    }

    fn to_json(&self) -> Value {
        let path_params = match (&self.raw_path, self.project_in_credentials) {
            (Some(_), _) => json!({}),
            (None, true) => json!({ "task_id": self.task_id }),
            (None, false) => json!({ "project_id": self.project_id, "task_id": self.task_id }),
        };
        let headers: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        json!({
            "method": self.method,
            "endpoint": self.endpoint,
            "resource_path": self.raw_path.as_deref().unwrap_or(TEMPLATE),
            "path_params": path_params,
            "query_params": self.query.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            "headers": headers,
            "ak": self.ak,
            "sk": self.sk,
            "security_token": self.security_token,
            "project_id": self.project_in_credentials.then_some(&self.project_id),
            "sdk_date": format_sdk_date(self.date).unwrap(),
            "body": self.body,
        })
    }

    /// Signs with this crate; returns the path and query to send and the
    /// headers.
    fn sign(&self) -> (String, HeaderMap) {
        let mut url = Url::parse(self.endpoint).unwrap();
        let path = self.path();
        url.set_path(&path);
        assert_eq!(url.path(), path, "the URL must carry the path unchanged");
        if !self.query.is_empty() {
            url.set_query(Some(&canonical_query_string(&self.query)));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        if self.project_in_credentials {
            headers.insert(
                X_PROJECT_ID,
                HeaderValue::from_str(&self.project_id).unwrap(),
            );
        }
        let mut signer = Signer::new(AccessKey::new(self.ak.clone(), self.sk.clone()));
        if let Some(token) = &self.security_token {
            signer = signer.with_security_token(token.clone());
        }
        let body = self.body.as_deref().unwrap_or("").as_bytes();
        signer
            .sign(
                &Method::from_bytes(self.method.as_bytes()).unwrap(),
                &url,
                &mut headers,
                body,
                self.date,
            )
            .unwrap_or_else(|e| panic!("signing {self:?}: {e}"));
        let path_and_query = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        (path_and_query, headers)
    }
}

/// Odd values for path parameters (never `.` or `..`, which URL parsers
/// resolve away, so no client can send them).
const PATH_VALUES: &[&str] = &[
    "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "task 1",
    "100%",
    "a%2Fb",
    "a/b",
    "/leading",
    "trailing/",
    "中文任务",
    "é",
    "a+b",
    "a*b",
    "~tilde~",
    "a?b#c",
    "a&b=c",
    "semi;colon,comma",
    "quote'\"`",
    "tab\tx",
    "🙂",
    "%FF",
    "%%25",
    "x..y",
    "...",
    "-_.~",
    "a:b@c",
    "[x]{y}",
    "back\\slash",
    " spaced ",
    "%E4%B8%80",
];

/// Odd values for query keys and values.
const QUERY_VALUES: &[&str] = &[
    "all_granted_eps",
    "10",
    "0",
    "scanning",
    "a&b",
    "k=v",
    "what?",
    "#frag",
    "two words",
    "中文",
    "plus+sign",
    "star*",
    "tilde~",
    "",
    "%",
    "%20",
    "é",
    "🙂",
    "/path/x",
    "=",
    "&",
    " leading",
    "trailing ",
    "A",
    "[",
    "a\u{0}b",
    "line\nbreak",
];

const QUERY_KEYS: &[&str] = &[
    "enterprise_project_id",
    "limit",
    "offset",
    "scan_status",
    "task_id",
    "key with space",
    "k&y",
    "中",
    "Z",
    "a",
    "_",
];

/// Project ids that are also valid header values (for `X-Project-Id`).
const PROJECT_IDS: &[&str] = &[
    "0123456789abcdef0123456789abcdef",
    "proj with space",
    "proj/slash",
    "项目",
    " padded ",
    "p%2Fq",
    "p+q*r~",
];

const ENDPOINTS: &[&str] = &[
    "https://hss.cn-north-4.myhuaweicloud.com",
    "https://hss.eu-west-101.myhuaweicloud.eu",
    "http://127.0.0.1:8080",
    "https://[::1]:8443",
    "https://hss.partner.example:9443",
];

const SECURITY_TOKENS: &[&str] = &[
    "gQpjbi1ub3J0aC00iL4Dvs+/=ZXhhbXBsZQ==",
    "short",
    "with space inside",
];

const EXTRA_HEADERS: &[(&str, &str)] = &[
    ("Content-Type", "application/json"),
    ("Content-Type", "application/json;charset=UTF-8"),
    ("User-Agent", "huaweicloud-usdk-python/3.0"),
    ("X-Custom-Header", "  value with  inner spaces  "),
    ("X-Note", "café\u{a0}"),
    ("X_Trace_Id", "  underscore is not signed "),
    ("X-Request-Id", "req-1"),
    ("Accept", "application/json"),
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic, so failures reproduce.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn date(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

fn base_case() -> Case {
    Case {
        method: "GET",
        endpoint: ENDPOINTS[0],
        project_id: PROJECT_IDS[0].to_owned(),
        project_in_credentials: true,
        task_id: PATH_VALUES[0].to_owned(),
        raw_path: None,
        query: vec![("limit".into(), "10".into()), ("offset".into(), "0".into())],
        headers: vec![("Content-Type".into(), "application/json".into())],
        ak: "QTWAOYTTINDUT2QVKYUC".into(),
        sk: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc".into(),
        security_token: None,
        date: date(1_704_067_200),
        body: None,
    }
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();

    // Each odd value on its own, so a failure points at it.
    for value in PATH_VALUES {
        cases.push(Case {
            task_id: (*value).to_owned(),
            ..base_case()
        });
        cases.push(Case {
            project_id: (*value).to_owned(),
            project_in_credentials: false,
            ..base_case()
        });
    }
    for value in QUERY_VALUES {
        cases.push(Case {
            query: vec![("enterprise_project_id".into(), (*value).to_owned())],
            ..base_case()
        });
        cases.push(Case {
            query: vec![
                ((*value).to_owned(), "v".into()),
                ("limit".into(), "10".into()),
            ],
            ..base_case()
        });
    }
    for project in PROJECT_IDS {
        cases.push(Case {
            project_id: (*project).to_owned(),
            ..base_case()
        });
    }
    for endpoint in ENDPOINTS {
        cases.push(Case {
            endpoint,
            ..base_case()
        });
    }
    for token in SECURITY_TOKENS {
        cases.push(Case {
            security_token: Some((*token).to_owned()),
            ..base_case()
        });
    }
    for (name, value) in EXTRA_HEADERS {
        cases.push(Case {
            headers: vec![((*name).to_owned(), (*value).to_owned())],
            ..base_case()
        });
    }

    // Repeated keys, sort order decided on decoded text, empty query.
    cases.push(Case {
        query: vec![
            ("scan_status".into(), "success".into()),
            ("scan_status".into(), "failed".into()),
            ("scan_status".into(), "scanning".into()),
            ("limit".into(), "200".into()),
        ],
        ..base_case()
    });
    cases.push(Case {
        query: vec![
            ("[".into(), "1".into()),
            ("A".into(), "2".into()),
            ("a".into(), "3".into()),
        ],
        ..base_case()
    });
    cases.push(Case {
        query: vec![
            ("k".into(), "b".into()),
            ("k".into(), "B".into()),
            ("k".into(), "".into()),
        ],
        ..base_case()
    });
    cases.push(Case {
        query: vec![],
        headers: vec![],
        ..base_case()
    });

    // Raw paths that no path parameter produces.
    for raw in [
        "/v5/p/%FF/x",
        "/a/%zz/b",
        "//double",
        "/a%2",
        "/trailing/",
        "/",
        "/%C3%A9/%e4%b8%80",
    ] {
        cases.push(Case {
            raw_path: Some(raw.to_owned()),
            ..base_case()
        });
    }

    // Content types and bodies (the payload rules of the SDK).
    for (content_type, body) in [
        ("text/plain", None),
        ("Application/JSON", None),
        ("application/bson", None),
        ("text/plain", Some("plain body")),
        ("application/json", Some("{\"task_id\":\"中\"}")),
        ("application/octet-stream", Some("bytes")),
    ] {
        cases.push(Case {
            method: "POST",
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.map(str::to_owned),
            ..base_case()
        });
    }

    // Key material and dates.
    cases.push(Case {
        ak: "AccessKey".into(),
        sk: "SecretKey".into(),
        date: date(1_136_214_245),
        ..base_case()
    });
    cases.push(Case {
        sk: "sk with spaces and ü".into(),
        date: date(951_868_799),
        ..base_case()
    });

    // Random combinations of everything above.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..400 {
        let mut case = base_case();
        case.endpoint = rng.pick(ENDPOINTS);
        case.task_id = rng.pick(PATH_VALUES).to_owned();
        case.project_in_credentials = rng.chance(60);
        case.project_id = if case.project_in_credentials {
            rng.pick(PROJECT_IDS).to_owned()
        } else {
            rng.pick(PATH_VALUES).to_owned()
        };
        case.query = (0..rng.below(6))
            .map(|_| {
                let key = if rng.chance(70) {
                    rng.pick(QUERY_KEYS)
                } else {
                    rng.pick(QUERY_VALUES)
                };
                (key.to_owned(), rng.pick(QUERY_VALUES).to_owned())
            })
            .collect();
        case.headers = EXTRA_HEADERS
            .iter()
            .filter(|_| rng.chance(30))
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        case.headers.dedup_by(|a, b| a.0 == b.0);
        if rng.chance(40) {
            case.security_token = Some(rng.pick(SECURITY_TOKENS).to_owned());
        }
        case.date = date(rng.below(4_000_000_000) as i64);
        cases.push(case);
    }
    cases
}

fn pinned_version() -> &'static str {
    REQUIREMENTS
        .lines()
        .find_map(|l| l.trim().strip_prefix("huaweicloudsdkcore=="))
        .expect("requirements.txt pins huaweicloudsdkcore")
}

/// The interpreter to use, or `None` (after a note) when the SDK is not
/// installed and we are not on CI.
fn python_with_sdk() -> Option<String> {
    let python = std::env::var("HSS_INTEROP_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let on_ci = std::env::var_os("CI").is_some();
    let probe = Command::new(&python)
        .args([
            "-c",
            "from importlib.metadata import version; import huaweicloudsdkcore.signer.signer; print(version('huaweicloudsdkcore'))",
        ])
        .output();
    let problem = match probe {
        Ok(out) if out.status.success() => {
            let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            if version != pinned_version() {
                let msg = format!(
                    "{python} has huaweicloudsdkcore {version}, but requirements.txt pins {}",
                    pinned_version()
                );
                assert!(!on_ci, "{msg}; run crates/hss-auth/tests/interop/setup.sh");
                eprintln!("note: {msg}; comparing anyway");
            }
            return Some(python);
        }
        Ok(out) => format!(
            "{python} cannot import huaweicloudsdkcore ({})",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("no error output")
        ),
        Err(e) => format!("cannot run {python}: {e}"),
    };
    let help = "run crates/hss-auth/tests/interop/setup.sh and set HSS_INTEROP_PYTHON=target/interop-venv/bin/python";
    assert!(
        !on_ci,
        "interop test needs the official SDK on CI: {problem}; {help}"
    );
    eprintln!("note: skipping the official-SDK interop test: {problem}; {help}");
    None
}

fn sign_with_official_sdk(python: &str, cases: &[Case]) -> Vec<Value> {
    let input = Value::Array(cases.iter().map(Case::to_json).collect()).to_string();
    let mut child = Command::new(python)
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the Python signer");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .expect("wait for the Python signer");
    writer
        .join()
        .unwrap()
        .expect("write cases to the Python signer");
    assert!(
        out.status.success(),
        "sign_official.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> =
        serde_json::from_slice(&out.stdout).expect("JSON from sign_official.py");
    assert_eq!(results.len(), cases.len());
    results
}

/// Header values as the SDK stores them: UTF-8 bytes as ISO-8859-1 text.
fn latin1_bytes(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("ISO-8859-1 text"))
        .collect()
}

#[test]
fn signatures_match_the_official_python_sdk() {
    let Some(python) = python_with_sdk() else {
        return;
    };
    let cases = cases();
    let results = sign_with_official_sdk(&python, &cases);

    let mut failures = Vec::new();
    for (i, (case, official)) in cases.iter().zip(&results).enumerate() {
        let (path_and_query, headers) = case.sign();
        let ours_auth = headers.get("authorization").unwrap().to_str().unwrap();
        let theirs_auth = official["authorization"].as_str().unwrap();
        let ours_headers: BTreeMap<String, Vec<u8>> = headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec()))
            .collect();
        let theirs_headers: BTreeMap<String, Vec<u8>> = official["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.to_lowercase(), latin1_bytes(v.as_str().unwrap())))
            .collect();
        let theirs_uri = official["uri"].as_str().unwrap();
        if ours_auth != theirs_auth
            || path_and_query != theirs_uri
            || ours_headers != theirs_headers
        {
            failures.push(format!(
                "case {i}: {case:?}\n  ours:     {ours_auth}\n  official: {theirs_auth}\n  ours uri:     {path_and_query}\n  official uri: {theirs_uri}\n  ours headers:     {ours_headers:?}\n  official headers: {theirs_headers:?}"
            ));
        }
    }
    let version = results[0]["sdk_version"].as_str().unwrap_or("?");
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from huaweicloudsdkcore {version}:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} requests signed identically by hss-auth and huaweicloudsdkcore {version}",
        cases.len()
    );
}
