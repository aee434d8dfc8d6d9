//! Servers that misbehave below the level hss-fake works at: each is a
//! small raw-TCP server on 127.0.0.1 that writes exactly the bytes the test
//! asks for. Every one must end in a typed error, within a bounded time,
//! having read a bounded amount (measured by what the server managed to
//! write before the client hung up).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hss_ext::prelude::*;
use hss_ext::{DEFAULT_MAX_RESPONSE_BODY, TransportKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MIB: u64 = 1024 * 1024;
/// The request timeout of the clients that must time out.
const TIMEOUT: Duration = Duration::from_secs(2);
/// The request timeout of every other client: far beyond what a request
/// to loopback takes on any machine, so their errors say what the server
/// did, never that the machine was slow (no test here bounds how long a
/// failure takes from above).
const PATIENT: Duration = Duration::from_secs(60);
/// The most connections a server accepts; the clients here never retry.
const MAX_CONNECTIONS: usize = 4;
/// How long a server script may run at most.
const SCRIPT_LIMIT: Duration = Duration::from_secs(15);

/// What a server wrote and how many connections it took.
#[derive(Clone, Default)]
struct Counters {
    written: Arc<AtomicU64>,
    connections: Arc<AtomicU64>,
}

impl Counters {
    fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }

    fn connections(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }
}

struct RawServer {
    url: String,
    counters: Counters,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A connection of a raw server: reads the request, writes what it is told.
struct Conn {
    stream: TcpStream,
    written: Arc<AtomicU64>,
}

impl Conn {
    /// Reads up to the end of the request head (the client sends no body).
    async fn read_request(&mut self) {
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
            match self.stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
    }

    /// Writes `bytes`; false once the client has gone.
    async fn write(&mut self, bytes: &[u8]) -> bool {
        match self.stream.write_all(bytes).await {
            Ok(()) => {
                self.written.fetch_add(bytes.len() as u64, Ordering::SeqCst);
                true
            }
            Err(_) => false,
        }
    }

    /// Writes `total` bytes of `fill` in 64 KiB pieces, as chunked encoding
    /// when `chunked`; stops when the client goes.
    async fn stream_body(&mut self, total: u64, fill: u8, chunked: bool) {
        let piece = vec![fill; 64 * 1024];
        let mut sent = 0u64;
        while sent < total {
            let n = piece.len().min((total - sent) as usize);
            let ok = if chunked {
                self.write(format!("{n:x}\r\n").as_bytes()).await
                    && self.write(&piece[..n]).await
                    && self.write(b"\r\n").await
            } else {
                self.write(&piece[..n]).await
            };
            if !ok {
                return;
            }
            sent += n as u64;
        }
        if chunked {
            self.write(b"0\r\n\r\n").await;
        }
    }
}

/// Starts a server on 127.0.0.1 that runs `script` on each connection.
async fn serve<F, Fut>(script: F) -> RawServer
where
    F: Fn(Conn) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let counters = Counters::default();
    let (written, connections) = (counters.written.clone(), counters.connections.clone());
    let script = Arc::new(script);
    let task = tokio::spawn(async move {
        for _ in 0..MAX_CONNECTIONS {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            connections.fetch_add(1, Ordering::SeqCst);
            let conn = Conn {
                stream,
                written: written.clone(),
            };
            let run = script(conn);
            tokio::spawn(async move {
                let _ = tokio::time::timeout(SCRIPT_LIMIT, run).await;
            });
        }
    });
    RawServer {
        url,
        counters,
        task,
    }
}

/// A server that reads the request and answers with `bytes`, then closes.
async fn answer(bytes: Vec<u8>) -> RawServer {
    let bytes = Arc::new(bytes);
    serve(move |mut conn| {
        let bytes = bytes.clone();
        async move {
            conn.read_request().await;
            conn.write(&bytes).await;
            let _ = conn.stream.shutdown().await;
        }
    })
    .await
}

fn client(server: &RawServer) -> HssClient {
    client_with_limit(server, None)
}

/// A client that gives up after [`TIMEOUT`].
fn impatient_client(server: &RawServer) -> HssClient {
    client_with(server, None, TIMEOUT)
}

fn client_with_limit(server: &RawServer, limit: Option<u64>) -> HssClient {
    client_with(server, limit, PATIENT)
}

fn client_with(server: &RawServer, limit: Option<u64>, timeout: Duration) -> HssClient {
    let mut builder = HssClient::builder()
        .endpoint_url(&server.url)
        .without_credentials()
        .project_id("proj")
        .retry(RetryPolicy::disabled())
        .request_timeout(timeout);
    if let Some(limit) = limit {
        builder = builder.max_response_body(limit);
    }
    builder.build().unwrap()
}

/// One page request, which must fail; it cannot hang (the request
/// timeout ends it, this guard only stops a broken one).
async fn fails(client: &HssClient) -> (Error, Duration) {
    let started = Instant::now();
    let result = tokio::time::timeout(PATIENT * 2, client.list_hosts_page(&HostQuery::new("task")))
        .await
        .expect("the client gave up in bounded time");
    let error = result.expect_err("a bad server cannot give a page");
    let text = error.to_string();
    assert!(!text.contains('\n'), "{text}");
    (error, started.elapsed())
}

fn http(status_line: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status_line}\r\n");
    for header in headers {
        out.push_str(header);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

fn transport_kind(error: &Error) -> TransportKind {
    match error {
        Error::Transport { kind, .. } => *kind,
        other => panic!("expected a transport error, got {other:?}"),
    }
}

// ------------------------------------------------------- not HTTP at all

#[tokio::test]
async fn a_non_http_reply_is_a_transport_error() {
    for reply in [
        b"SSH-2.0-OpenSSH_9.6\r\n".to_vec(),
        b"\x00\xff\xfe garbage \x1b[2J\r\n\r\n".to_vec(),
        b"HTTP/1.1 abc Broken\r\n\r\n".to_vec(),
        b"220 smtp.example.com ESMTP\r\n".to_vec(),
        Vec::new(),
    ] {
        let server = answer(reply.clone()).await;
        let (error, _) = fails(&client(&server)).await;
        assert_eq!(
            transport_kind(&error),
            TransportKind::Other,
            "{reply:?}: {error:?}"
        );
        assert_eq!(error.status(), None);
    }
}

#[tokio::test]
async fn silence_and_a_dribbled_head_time_out() {
    let silent = serve(|mut conn| async move {
        conn.read_request().await;
        tokio::time::sleep(Duration::from_secs(10)).await;
    })
    .await;
    let (error, elapsed) = fails(&impatient_client(&silent)).await;
    assert_eq!(transport_kind(&error), TransportKind::Timeout, "{error:?}");
    assert!(elapsed >= TIMEOUT, "{elapsed:?}");

    let slowloris = serve(|mut conn| async move {
        conn.read_request().await;
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            .iter()
            .cycle()
        {
            if !conn.write(&[*byte]).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    // Only the timeout ends a head that never ends.
    let (error, elapsed) = fails(&impatient_client(&slowloris)).await;
    assert_eq!(transport_kind(&error), TransportKind::Timeout, "{error:?}");
    assert!(elapsed >= TIMEOUT, "{elapsed:?}");
}

#[tokio::test]
async fn endless_headers_are_cut_off() {
    let server = serve(|mut conn| async move {
        conn.read_request().await;
        conn.write(b"HTTP/1.1 200 OK\r\n").await;
        let line = format!("X-Pad: {}\r\n", "a".repeat(1000));
        while conn.write(line.as_bytes()).await {}
    })
    .await;
    let (error, _) = fails(&client(&server)).await;
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_ne!(
        transport_kind(&error),
        TransportKind::Timeout,
        "cut off, not timed out"
    );
    assert!(
        server.counters.written() < 8 * MIB,
        "{}",
        server.counters.written()
    );
}

// --------------------------------------------------------- broken bodies

#[tokio::test]
async fn empty_and_cut_bodies() {
    // 200 with an empty body: not a page.
    let server = answer(http(
        "200 OK",
        &["Content-Type: application/json", "Content-Length: 0"],
        b"",
    ))
    .await;
    let (error, _) = fails(&client(&server)).await;
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));

    // Framed by closing the connection, and nothing before it.
    let server = answer(http(
        "200 OK",
        &["Content-Type: application/json", "Connection: close"],
        b"",
    ))
    .await;
    let (error, _) = fails(&client(&server)).await;
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");

    // Fewer bytes than Content-Length announces.
    let server = answer(http(
        "200 OK",
        &["Content-Type: application/json", "Content-Length: 100"],
        br#"{"total_num":1,"#,
    ))
    .await;
    let (error, _) = fails(&client(&server)).await;
    assert_eq!(transport_kind(&error), TransportKind::Body, "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));

    // Broken chunked encoding.
    let server = answer(http(
        "200 OK",
        &[
            "Content-Type: application/json",
            "Transfer-Encoding: chunked",
        ],
        b"zz\r\n{}\r\n0\r\n\r\n",
    ))
    .await;
    let (error, _) = fails(&client(&server)).await;
    assert_eq!(transport_kind(&error), TransportKind::Body, "{error:?}");
}

#[tokio::test]
async fn the_content_type_is_not_trusted_either_way() {
    // JSON is read by its shape, as the official SDKs do: a page labelled
    // text/plain is still a page ...
    let page = br#"{"total_num":1,"data_list":[{"host_id":"h1"}]}"#;
    let server = answer(http(
        "200 OK",
        &[
            "Content-Type: text/plain",
            &format!("Content-Length: {}", page.len()),
        ],
        page,
    ))
    .await;
    let got = client(&server)
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap();
    assert_eq!(got.items.len(), 1);

    // ... and an HTML login page labelled application/json is not.
    let html = b"<html><body>Please log in</body></html>";
    let server = answer(http(
        "200 OK",
        &[
            "Content-Type: application/json",
            &format!("Content-Length: {}", html.len()),
        ],
        html,
    ))
    .await;
    let (error, _) = fails(&client(&server)).await;
    match &error {
        Error::Decode { snippet, .. } => assert!(snippet.contains("Please log in"), "{snippet}"),
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------------------ huge bodies

/// A `200` that declares (and starts to send) 100 MiB.
#[tokio::test]
async fn a_huge_declared_body_is_refused_without_reading_it() {
    let total = 100 * MIB;
    let server = serve(move |mut conn| async move {
        conn.read_request().await;
        let head = http(
            "200 OK",
            &[
                "Content-Type: application/json",
                &format!("Content-Length: {total}"),
            ],
            b"",
        );
        if conn.write(&head).await {
            conn.stream_body(total, b' ', false).await;
        }
    })
    .await;
    let (error, _) = fails(&client(&server)).await;
    match &error {
        Error::ResponseTooLarge {
            status,
            limit,
            declared,
            ..
        } => {
            assert_eq!(status.as_u16(), 200);
            assert_eq!(*limit, DEFAULT_MAX_RESPONSE_BODY);
            assert_eq!(*declared, Some(total));
        }
        other => panic!("{other:?}"),
    }
    assert!(!error.is_retryable());
    assert!(
        error.to_string().contains("declares 104857600 bytes"),
        "{error}"
    );
    // The client hung up: the server got no further than socket buffers.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        server.counters.written() < DEFAULT_MAX_RESPONSE_BODY,
        "the server wrote {} bytes",
        server.counters.written()
    );
}

/// 100 MiB without a length, chunked or framed by closing: read up to the
/// limit, then refused.
#[tokio::test]
async fn a_huge_streamed_body_stops_at_the_limit() {
    for chunked in [true, false] {
        let total = 100 * MIB;
        let server = serve(move |mut conn| async move {
            conn.read_request().await;
            let framing = if chunked {
                "Transfer-Encoding: chunked"
            } else {
                "Connection: close"
            };
            let head = http("200 OK", &["Content-Type: application/json", framing], b"");
            if conn.write(&head).await {
                conn.stream_body(total, b' ', chunked).await;
            }
        })
        .await;
        let limit = 4 * MIB;
        let (error, _) = fails(&client_with_limit(&server, Some(limit))).await;
        match &error {
            Error::ResponseTooLarge {
                status,
                limit: got,
                declared,
                ..
            } => {
                assert_eq!(status.as_u16(), 200);
                assert_eq!(*got, limit);
                assert_eq!(*declared, None);
            }
            other => panic!("chunked {chunked}: {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let written = server.counters.written();
        assert!(
            written < limit + 8 * MIB,
            "chunked {chunked}: the server wrote {written} bytes"
        );
    }
}

/// The same cap with the default limit, on an error status the generated
/// code reads whole.
#[tokio::test]
async fn a_huge_error_body_stops_at_the_default_limit() {
    let server = serve(|mut conn| async move {
        conn.read_request().await;
        let head = http(
            "503 Service Unavailable",
            &["Transfer-Encoding: chunked"],
            b"",
        );
        if conn.write(&head).await {
            conn.stream_body(100 * MIB, b'x', true).await;
        }
    })
    .await;
    let (error, _) = fails(&client(&server)).await;
    assert!(
        matches!(&error, Error::ResponseTooLarge { status, declared: None, .. } if status.as_u16() == 503),
        "{error:?}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(server.counters.written() < DEFAULT_MAX_RESPONSE_BODY + 8 * MIB);
}

/// A real page bigger than a configured limit is refused, and accepted
/// once the limit allows it.
#[tokio::test]
async fn the_limit_is_configurable() {
    let hosts: Vec<String> = (0..200)
        .map(|i| format!(r#"{{"host_id":"h{i}","host_name":"{}"}}"#, "n".repeat(100)))
        .collect();
    let page = format!(r#"{{"total_num":200,"data_list":[{}]}}"#, hosts.join(","));
    let reply = http(
        "200 OK",
        &[
            "Content-Type: application/json",
            &format!("Content-Length: {}", page.len()),
        ],
        page.as_bytes(),
    );
    let server = answer(reply.clone()).await;
    let (error, _) = fails(&client_with_limit(&server, Some(1024))).await;
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 1024, .. }),
        "{error:?}"
    );
    let server = answer(reply).await;
    let got = client_with_limit(&server, Some(page.len() as u64))
        .list_hosts_page(&HostQuery::new("task"))
        .await
        .unwrap();
    assert_eq!(got.items.len(), 200);
}

// ------------------------------------------------------- gzip, redirects

/// reqwest is built without decompression and sends no `Accept-Encoding`,
/// so a body the server gzips anyway arrives as it was sent: 10 KB that
/// would inflate to 10 MiB stay 10 KB, and the error says why the page
/// could not be read.
#[tokio::test]
async fn a_gzip_bomb_is_never_inflated() {
    let bomb = include_bytes!("fixtures/zeros-10MiB.gz");
    assert!(bomb.len() < 16 * 1024);
    let seen_accept_encoding = Arc::new(std::sync::Mutex::new(None::<bool>));
    let seen = seen_accept_encoding.clone();
    let server = serve(move |mut conn| {
        let seen = seen.clone();
        async move {
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
            *seen.lock().unwrap() = Some(text.contains("accept-encoding"));
            let reply = http(
                "200 OK",
                &[
                    "Content-Type: application/json",
                    "Content-Encoding: gzip",
                    &format!("Content-Length: {}", bomb.len()),
                ],
                bomb,
            );
            conn.write(&reply).await;
        }
    })
    .await;
    let (error, _) = fails(&client(&server)).await;
    match &error {
        Error::Decode {
            reason, snippet, ..
        } => {
            assert!(reason.contains("Content-Encoding \"gzip\""), "{reason}");
            assert!(snippet.len() <= hss_ext::BODY_SNIPPET_LIMIT + 3);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        *seen_accept_encoding.lock().unwrap(),
        Some(false),
        "the client must not ask for compression"
    );
}

#[tokio::test]
async fn redirects_are_never_followed() {
    let server = serve(|mut conn| async move {
        loop {
            conn.read_request().await;
            let reply = http(
                "302 Found",
                &[
                    "Location: /v5/proj/vulnerability/scan-task/task/hosts",
                    "Content-Length: 0",
                ],
                b"",
            );
            if !conn.write(&reply).await {
                return;
            }
        }
    })
    .await;
    let (error, _) = fails(&client(&server)).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(302), "{error:?}");
    assert!(matches!(error, Error::Service(_)), "{error:?}");
    assert_eq!(server.counters.connections(), 1);

    // Elsewhere: not followed either (a redirect would carry signed headers
    // to another host).
    let elsewhere = answer(http(
        "301 Moved Permanently",
        &["Location: http://127.0.0.1:9/steal", "Content-Length: 0"],
        b"",
    ))
    .await;
    let (error, _) = fails(&client(&elsewhere)).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(301), "{error:?}");
}
