//! A `multipart/form-data` upload (`UploadReportLogo`) through the whole
//! pipeline, AK/SK signing included, against a server on 127.0.0.1 that
//! records the request as it arrived.

use std::sync::{Arc, Mutex};

use hss_ext::prelude::*;
use hss_ext::{Credentials, SecretString};
use http::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const AK: &str = "UPLOADAK";
const SK: &str = "upload-secret";

/// A request as it arrived.
#[derive(Debug, Default)]
struct Arrived {
    method: String,
    target: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Answers every request with `200 {}` and records it.
async fn recording_server() -> (String, Arc<Mutex<Vec<Arrived>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut data = Vec::new();
            let mut buf = [0u8; 8192];
            let arrived = loop {
                let n = socket.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break None;
                }
                data.extend_from_slice(&buf[..n]);
                if let Some(arrived) = parse(&data) {
                    break Some(arrived);
                }
            };
            let Some(arrived) = arrived else { continue };
            seen.lock().unwrap().push(arrived);
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                .await;
            let _ = socket.shutdown().await;
        }
    });
    (url, log)
}

/// The request in `data` once its head and `Content-Length` bytes of body
/// are there.
fn parse(data: &[u8]) -> Option<Arrived> {
    let end = data.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&data[..end]).unwrap();
    let mut lines = head.split("\r\n");
    let mut start = lines.next().unwrap().split(' ');
    let mut arrived = Arrived {
        method: start.next().unwrap().to_owned(),
        target: start.next().unwrap().to_owned(),
        ..Arrived::default()
    };
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        arrived.headers.append(
            HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
            HeaderValue::from_str(value.trim()).unwrap(),
        );
    }
    let length: usize = arrived
        .headers
        .get("content-length")
        .map_or(0, |v| v.to_str().unwrap().parse().unwrap());
    let body = &data[end + 4..];
    (body.len() >= length).then(|| {
        arrived.body = body[..length].to_vec();
        arrived
    })
}

#[tokio::test]
async fn a_logo_upload_arrives_as_a_signed_multipart_form_with_the_file_part() {
    let (url, log) = recording_server().await;
    let client = HssClient::builder()
        .endpoint_url(&url)
        .project_id("proj-1")
        .credentials(Credentials::ak_sk(AK, SecretString::from(SK)))
        .build()
        .unwrap();
    // Not UTF-8, with a CR LF and what looks like a boundary inside.
    let logo: Vec<u8> = [&b"\x89PNG\r\n\x1a\n\x00\xff"[..], b"\r\n--x--\r\n"].concat();
    client
        .api()
        .upload_report_logo()
        .project_id("proj-1")
        .file("logo.png", logo.clone())
        .send()
        .await
        .unwrap();

    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1);
    let arrived = &log[0];
    assert_eq!(arrived.method, "POST");
    assert_eq!(arrived.target, "/v5/proj-1/report/logo/upload");
    let content_type = arrived.headers["content-type"].to_str().unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not a multipart form: {content_type}"));
    let expected = [
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logo.png\"\r\n\r\n").as_bytes(),
        &logo,
        format!("\r\n--{boundary}--\r\n").as_bytes(),
    ]
    .concat();
    assert_eq!(
        String::from_utf8_lossy(&arrived.body),
        String::from_utf8_lossy(&expected)
    );
    assert_eq!(arrived.body, expected);
    assert_eq!(
        arrived.headers["content-length"],
        expected.len().to_string().as_str()
    );

    // Signed as the official SDK signs a form: the body not hashed, the
    // framing header Content-Length not signed, and the signature good.
    assert_eq!(arrived.headers["x-sdk-content-sha256"], "UNSIGNED-PAYLOAD");
    let (path, query) = arrived
        .target
        .split_once('?')
        .unwrap_or((&arrived.target, ""));
    let caller = hss_auth::signer::verify(
        &arrived.method,
        path,
        query,
        &arrived.headers,
        &arrived.body,
        |ak| (ak == AK).then(|| SecretString::from(SK)),
        time::OffsetDateTime::now_utc(),
        std::time::Duration::from_secs(15 * 60),
    )
    .unwrap();
    assert!(
        caller.signed_headers.iter().any(|h| h == "content-type"),
        "{:?}",
        caller.signed_headers
    );
    assert!(
        !caller.signed_headers.iter().any(|h| h == "content-length"),
        "{:?}",
        caller.signed_headers
    );
}
