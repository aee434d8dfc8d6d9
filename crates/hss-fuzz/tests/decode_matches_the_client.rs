//! `hss_ext::decode_page`, which the `decode_response` and `error_body`
//! fuzz targets drive, decodes exactly as the client does over HTTP: every
//! answer in those corpora is also served on 127.0.0.1 and fetched with
//! `HssClient`, and the two outcomes must agree (same page, or an error
//! with the same variant, status, code, request id and message).

use std::path::{Path, PathBuf};
use std::time::Duration;

use hss_ext::ItemPage;
use hss_ext::hss_api::types::VulScanTaskHostInfo;
use hss_ext::prelude::*;
use hss_fake::scripted::{Reply, ScriptedServer};
use http::{HeaderMap, HeaderValue, StatusCode};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) {
            files.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
        }
    }
    files.sort();
    files
}

/// The answer of an input as a server can send it: headers it can write
/// as text, without the framing ones the server sets itself, and always an
/// `X-Request-Id` (the server would add its own otherwise).
fn servable(data: &[u8]) -> Option<(StatusCode, HeaderMap, Vec<u8>)> {
    let (status, parsed, body) = hss_fuzz::parse_response(data);
    // No body at all in HTTP for these.
    if status.is_informational() || [204, 205, 304].contains(&status.as_u16()) {
        return None;
    }
    let mut headers = HeaderMap::new();
    for (name, value) in &parsed {
        let framing = ["content-length", "transfer-encoding", "connection"];
        if framing.contains(&name.as_str()) || value.to_str().is_err() {
            continue;
        }
        headers.append(name.clone(), value.clone());
    }
    if !headers.contains_key("x-request-id") {
        headers.insert("x-request-id", HeaderValue::from_static("fixed-request-id"));
    }
    Some((status, headers, body.to_vec()))
}

fn describe(result: &Result<ItemPage<VulScanTaskHostInfo>, Error>) -> String {
    match result {
        Ok(page) => format!("page {page:?}"),
        Err(error) => format!(
            "{} | status {:?} | code {:?} | msg {:?} | request id {:?} | retry after {:?}",
            error,
            error.status(),
            error.error_code(),
            error.error_msg(),
            error.request_id(),
            error.retry_after().map(|d| d.as_secs()),
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decode_page_gives_what_the_client_gives() {
    let mut compared = 0;
    for target in ["decode_response", "error_body"] {
        for path in inputs(target) {
            let data = std::fs::read(&path).unwrap();
            let data = if target == "error_body" {
                // `STATUS\nRETRY-AFTER\nBODY` as `STATUS\nretry-after: ...\n\nBODY`.
                let text = data.splitn(3, |&b| b == b'\n').collect::<Vec<_>>();
                let mut out = text[0].to_vec();
                out.extend_from_slice(b"\nretry-after: ");
                out.extend_from_slice(text.get(1).copied().unwrap_or_default());
                out.extend_from_slice(b"\n\n");
                out.extend_from_slice(text.get(2).copied().unwrap_or_default());
                out
            } else {
                data
            };
            let Some((status, headers, body)) = servable(&data) else {
                continue;
            };
            let in_memory = hss_ext::decode_page(status, &headers, &body);

            let content_type = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/octet-stream")
                .to_owned();
            let mut reply = Reply::raw(status.as_u16(), &content_type, body.clone());
            for (name, value) in &headers {
                if name != "content-type" {
                    reply = reply.header(name.as_str(), value.to_str().unwrap());
                }
            }
            let server = ScriptedServer::always(reply).await;
            let client = HssClient::builder()
                .endpoint_url(server.base_url())
                .without_credentials()
                .project_id("proj")
                .retry(RetryPolicy::disabled())
                .request_timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            let over_http = client.list_hosts_page(&HostQuery::new("task")).await;
            assert_eq!(
                describe(&in_memory),
                describe(&over_http),
                "{}: decode_page and the client disagree",
                path.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 40, "only {compared} inputs compared");
}
