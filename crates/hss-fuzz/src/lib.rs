//! The checks behind each fuzz target, as plain functions of bytes.
//!
//! `fuzz/fuzz_targets/<name>.rs` calls [`<name>`](TARGETS) under libFuzzer
//! (`fuzz/run.sh`), and `tests/replay.rs` feeds every committed corpus and
//! regression file through the same function in the normal test suite, so
//! what the fuzzer found stays fixed without libFuzzer or a special
//! toolchain. Each function panics when a property fails; that is what
//! libFuzzer reports as a crash.
//!
//! Inputs are text-like so that seeds can be written by hand and read in a
//! review:
//!
//! | target | input |
//! | --- | --- |
//! | [`decode_response`] | `STATUS\n` header lines `name: value\n`, an empty line, the body |
//! | [`error_body`] | `STATUS\n` then a `Retry-After` value line (may be empty), then the body |
//! | [`signer`] | NUL-separated fields: project id, task id, security token, then query key/value pairs |
//! | [`enums`] | the text |
//! | [`cli_args`] | the arguments after `hss`, NUL-separated, any bytes (not only UTF-8) |

#![warn(missing_docs)]

use std::ffi::OsString;
use std::time::Duration;

use hss_api::types::ErrorBody;
use hss_ext::{AssetValue, BODY_SNIPPET_LIMIT, Error, HostQuery, ScanStatus, VulType};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

/// A target's check: panics when a property fails for the input.
pub type Target = fn(&[u8]);

/// Every target by name, as `fuzz/fuzz_targets/` and `fuzz/corpus/` name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("decode_response", decode_response),
    ("error_body", error_body),
    ("signer", signer),
    ("enums", enums),
    ("cli_args", cli_args),
];

/// The statuses whose bodies the generated client decodes as `ErrorBody`.
const DOCUMENTED_ERRORS: [u16; 9] = [400, 401, 403, 404, 429, 500, 502, 503, 504];

/// An answer in the `decode_response` format: status, headers, body.
pub fn parse_response(data: &[u8]) -> (StatusCode, HeaderMap, &[u8]) {
    let (status_line, mut rest) = split_line(data);
    let status = parse_status(status_line).unwrap_or(StatusCode::OK);
    let mut headers = HeaderMap::new();
    loop {
        if rest.is_empty() {
            break;
        }
        let (line, after) = split_line(rest);
        rest = after;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = HeaderName::from_bytes(line[..colon].trim_ascii());
        let value = HeaderValue::from_bytes(line[colon + 1..].trim_ascii());
        if let (Ok(name), Ok(value)) = (name, value) {
            headers.append(name, value);
        }
    }
    (status, headers, rest)
}

fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

fn parse_status(line: &[u8]) -> Option<StatusCode> {
    let code: u16 = std::str::from_utf8(line).ok()?.trim().parse().ok()?;
    StatusCode::from_u16(code).ok()
}

/// The statuses a request is sent again for, as the README promises them
/// (not 501 or 505: the same request would fail the same way).
fn retryable_status(status: StatusCode) -> bool {
    [408, 429, 500, 502, 503, 504].contains(&status.as_u16())
}

/// What must hold for every error the client returns from an answer: one
/// line of printable text (server-sent text must not be able to forge log
/// lines or move a terminal's cursor), bounded snippets, a `Debug` that
/// works, and the CLI's report of it as one `error:` line with exit code 1.
fn check_error(error: Error, status: StatusCode) {
    assert_eq!(error.status(), Some(status), "{error:?}");
    let text = error.to_string();
    assert!(
        !text.chars().any(char::is_control),
        "the message has a control character: {text:?}"
    );
    let _ = format!("{error:?}");
    let snippet_bound = BODY_SNIPPET_LIMIT + '…'.len_utf8();
    match &error {
        Error::Service(service) => {
            assert_eq!(error.is_retryable(), retryable_status(status), "{error:?}");
            if let Some(snippet) = &service.body_snippet {
                assert!(snippet.len() <= snippet_bound, "{} bytes", snippet.len());
            }
        }
        Error::Decode { snippet, .. } => {
            assert!(!error.is_retryable());
            assert!(snippet.len() <= snippet_bound, "{} bytes", snippet.len());
        }
        other => panic!("an answer in memory gave {other:?}"),
    }
    let report = anyhow::Error::new(error).context("listing the hosts of scan task t");
    match hss_cli::exit::outcome(&report) {
        hss_cli::exit::Outcome::Fail { code, message } => {
            assert_eq!(code, hss_cli::exit::FAILURE, "{message}");
            assert!(!message.chars().any(char::is_control), "{message:?}");
        }
        other => panic!("{other:?}"),
    }
}

/// Any status, headers and body through [`hss_ext::decode_page`], the
/// decoding the client applies to every answer.
pub fn decode_response(data: &[u8]) {
    let (status, headers, body) = parse_response(data);
    match hss_ext::decode_page(status, &headers, body) {
        Ok(page) => {
            assert_eq!(status, StatusCode::OK);
            let header_id = headers.get("x-request-id").and_then(|v| v.to_str().ok());
            assert_eq!(page.request_id.as_deref(), header_id);
            let _ = format!("{page:?}");
        }
        Err(error) => check_error(error, status),
    }
}

/// Any body (and `Retry-After`) with an error status: what the error says
/// is what the body said, in either of the gateway's shapes.
pub fn error_body(data: &[u8]) {
    let (status_line, rest) = split_line(data);
    let (retry_after, body) = split_line(rest);
    let code = parse_status(status_line).map_or(500, |s| s.as_u16());
    let code = if (400..=599).contains(&code) {
        code
    } else {
        400 + code % 200
    };
    let status = StatusCode::from_u16(code).expect("400..=599 are statuses");
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(retry_after.trim_ascii())
        && !value.is_empty()
    {
        headers.insert(http::header::RETRY_AFTER, value);
    }
    let error = hss_ext::decode_page(status, &headers, body).expect_err("an error status");
    let Error::Service(service) = &error else {
        panic!("an error status gave {error:?}")
    };
    if let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) {
        if DOCUMENTED_ERRORS.contains(&code) || parsed != ErrorBody::default() {
            let nested = parsed.error.clone().unwrap_or_default();
            let code = parsed.error_code.or(nested.error_code).or(nested.code);
            let msg = parsed.error_msg.or(nested.error_msg).or(nested.message);
            assert_eq!(service.error_code, code);
            assert_eq!(service.error_msg, msg);
            assert_eq!(service.body_snippet, None);
        }
    } else if !body.is_empty() {
        assert!(service.body_snippet.is_some(), "{error:?}");
    }
    // Only what a header can carry arrives (`\x0b` cannot, for example).
    let seconds = headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(seconds) = seconds {
        assert_eq!(error.retry_after(), Some(Duration::from_secs(seconds)));
    }
    check_error(error, status);
}

const AK: &str = "QTWAOYTTINDUT2QVKYUC";
const SK: &str = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";

/// Ids and query pairs as the client sends them: the URL the generated code
/// builds, the query the client's hook rewrites, signed; then what a
/// server receives must verify, and must name exactly the ids and pairs
/// that were sent. Also: the canonical forms are fixed points.
pub fn signer(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    let query = hss_auth::signer::canonical_query(&raw);
    assert_eq!(hss_auth::signer::canonical_query(&query), query);
    let uri = hss_auth::signer::canonical_uri(&raw);
    assert_eq!(hss_auth::signer::canonical_uri(&uri), uri);

    let mut fields = data.split(|&b| b == 0).map(String::from_utf8_lossy);
    let project_id = fields.next().unwrap_or_default().into_owned();
    let task_id = fields.next().unwrap_or_default().into_owned();
    let token = fields.next().unwrap_or_default().into_owned();
    let mut pairs = Vec::new();
    while let Some(key) = fields.next() {
        let value = fields.next().unwrap_or_default();
        pairs.push((key.into_owned(), value.into_owned()));
    }

    // What the generated code does (`encode_path` into `format!`, then
    // reqwest parses the URL and form-encodes `.query()` pairs), then what
    // the client's hook does.
    let url = format!(
        "https://hss.example.com:8443/v5/{}/vulnerability/scan-task/{}/hosts",
        progenitor_client::encode_path(&project_id),
        progenitor_client::encode_path(&task_id)
    );
    let Ok(mut url) = reqwest::Url::parse(&url) else {
        return;
    };
    if !pairs.is_empty() {
        let mut serializer = url.query_pairs_mut();
        for (k, v) in &pairs {
            serializer.append_pair(k, v);
        }
    }
    hss_auth::signer::canonicalize_query(&mut url);

    let mut signer = hss_auth::Signer::new(hss_auth::AccessKey::new(AK, SK));
    if !token.is_empty() {
        signer = signer.with_security_token(token.clone());
    }
    let now = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("a valid time");
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::ACCEPT,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("api-version", HeaderValue::from_static("v5"));
    if let Err(error) = signer.sign(&Method::GET, &url, &mut headers, b"", now) {
        // The messages name the header, never its value (a token can be
        // a piece of the header's name, hence the replace).
        let text = format!("{error} {error:?}").replace("x-security-token", "");
        assert!(!text.contains(SK), "{text}");
        if token.trim().len() >= 6 {
            assert!(!text.contains(token.trim()), "{text}");
        }
        return;
    }
    // The request line as hyper writes and a server parses it.
    let Ok(wire) = url.as_str().parse::<http::Uri>() else {
        return;
    };
    let (path, raw_query) = (wire.path(), wire.query().unwrap_or(""));
    assert_eq!(path, url.path(), "the path changed on the way to the wire");
    assert_eq!(Some(raw_query), url.query().or(Some("")));
    let lookup = |ak: &str| (ak == AK).then(|| hss_auth::SecretString::from(SK.to_owned()));
    if let Err(error) = hss_auth::verify(
        "GET",
        path,
        raw_query,
        &headers,
        b"",
        lookup,
        now,
        Duration::from_secs(900),
    ) {
        panic!("signed {url} but verification failed: {error}");
    }

    // The pairs arrive as sent, whatever they contain.
    let mut sent = pairs.clone();
    sent.sort();
    let mut received: Vec<(String, String)> = form_urlencoded::parse(raw_query.as_bytes())
        .into_owned()
        .collect();
    received.sort();
    assert_eq!(received, sent, "query {raw_query:?}");

    // Ids the client accepts reach exactly the operation's path, each in one
    // segment that decodes back to the id.
    let accepted = HostQuery::new(task_id.as_str())
        .project_id(project_id.as_str())
        .check(None)
        .is_ok();
    if accepted {
        let segments: Vec<&str> = path.split('/').collect();
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        assert!(
            segments.len() == 7
                && segments[..2] == ["", "v5"]
                && segments[3..5] == ["vulnerability", "scan-task"]
                && segments[6] == "hosts"
                && decode(segments[2]) == project_id
                && decode(segments[5]) == task_id,
            "ids {project_id:?} and {task_id:?} were accepted but the server sees the path {path:?}"
        );
    }
}

/// Any text round-trips through each typed enum, as text and as JSON.
pub fn enums(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    macro_rules! check {
        ($ty:ty) => {{
            let value = <$ty>::parse(&text);
            assert_eq!(value.as_str(), text);
            assert_eq!(value.to_string(), text);
            assert_eq!(text.parse::<$ty>().unwrap(), value);
            assert_eq!(<$ty>::from(text.clone()), value);
            assert_eq!(
                value.is_known(),
                <$ty>::KNOWN.iter().any(|k| k.as_str() == text)
            );
            let json = serde_json::to_string(&value).expect("a string serializes");
            assert_eq!(json, serde_json::to_string(&text).unwrap());
            let back: $ty = serde_json::from_str(&json).expect("a JSON string deserializes");
            assert_eq!(back, value);
            // Whatever else the JSON holds: an error, never a panic.
            let _ = serde_json::from_slice::<$ty>(data);
        }};
    }
    check!(ScanStatus);
    check!(AssetValue);
    check!(VulType);
}

/// Any argument list for `hss`: parsed or refused with a usage error, and
/// what parses is within the API's limits and turns into a query or a
/// clear error, without a panic.
pub fn cli_args(data: &[u8]) {
    use hss_cli::args::{Cli, Command, ScanTaskCommand};
    use std::os::unix::ffi::OsStringExt;

    let mut argv = vec![OsString::from("hss")];
    if !data.is_empty() {
        argv.extend(
            data.split(|&b| b == 0)
                .map(|arg| OsString::from_vec(arg.to_vec())),
        );
    }
    let cli = match <Cli as clap::Parser>::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(error) => {
            let code = error.exit_code();
            assert!(code == 0 || code == 2, "exit code {code} for {argv:?}");
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    match cli.command {
        Command::ScanTask(ScanTaskCommand::Hosts(args)) => {
            if let Some(limit) = args.list.limit {
                assert!(hss_ext::LIMIT_RANGE.contains(&limit));
            }
            if let Some(offset) = args.list.offset {
                assert!(offset <= hss_ext::MAX_OFFSET);
            }
            assert!(
                args.list
                    .pages
                    .concurrency
                    .is_none_or(|c| (1..=hss_cli::args::ALL_CONCURRENCY).contains(&c))
            );
            let _ = hss_cli::connect::target(&args.connection, |_| None);
            let query = hss_cli::hosts::query(&args);
            if let Err(error) = query.check(Some("project")) {
                let text = error.to_string();
                assert!(text.starts_with("invalid "), "{text}");
                let report = anyhow::Error::new(error);
                assert!(matches!(
                    hss_cli::exit::outcome(&report),
                    hss_cli::exit::Outcome::Fail {
                        code: hss_cli::exit::USAGE,
                        ..
                    }
                ));
            }
        }
        Command::Auth(hss_cli::args::AuthCommand::Check(args)) => {
            let _ = hss_cli::connect::target(&args.connection, |_| None);
            let _ = hss_cli::connect::region(&args.connection, |_| None);
        }
        Command::Demo(args) => assert!((1..=200_000).contains(&args.hosts)),
        // The workflow commands: parsing them without a panic is the check.
        _ => {}
    }
}
