//! Helpers for tests that talk to a [`RunningFake`](crate::RunningFake),
//! including raw TCP exchanges for the faults an HTTP client hides, and a
//! clock a test moves by hand.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{HeaderMap, HeaderValue, Method};
use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use hss_auth::Clock;

use crate::credentials::AkSk;

/// A clock that moves only when told, shared by its clones: give one to
/// [`FakeHssBuilder::clock`](crate::FakeHssBuilder::clock) and keep one to
/// step a [`ScanProgress`](crate::ScanProgress) or
/// [`HostChurn`](crate::HostChurn) exactly (sign requests with its
/// [`now`](Clock::now), since the fake checks `X-Sdk-Date` against it too).
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<Mutex<OffsetDateTime>>,
}

impl ManualClock {
    /// A clock at `start`.
    pub fn new(start: OffsetDateTime) -> ManualClock {
        ManualClock {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock on by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now = now.saturating_add(time::Duration::try_from(by).unwrap_or(time::Duration::MAX));
    }
}

impl Default for ManualClock {
    /// A clock at the present moment.
    fn default() -> Self {
        ManualClock::new(OffsetDateTime::now_utc())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Signs a request as the official SDK does, with `key` (adding its
/// `X-Security-Token` when it is temporary), and returns the headers to send:
/// `headers` plus `Host`, `X-Sdk-Date`, `Authorization` and so on.
///
/// Every header the HTTP client will send must be in `headers` already, and
/// the query of `url` must be canonical (see
/// [`PageQuery::to_query_string`](crate::PageQuery::to_query_string)).
/// reqwest adds `Accept: */*` when a request has no `Accept`, so this adds
/// `Accept: application/json` when `headers` has none.
pub fn sign(
    key: &AkSk,
    method: &Method,
    url: &str,
    mut headers: HeaderMap,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<HeaderMap, Box<dyn std::error::Error + Send + Sync>> {
    let url = url::Url::parse(url)?;
    headers
        .entry(http::header::ACCEPT)
        .or_insert(HeaderValue::from_static("application/json"));
    let mut signer =
        hss_auth::Signer::new(hss_auth::AccessKey::new(key.ak.clone(), key.sk.clone()));
    if let Some(token) = &key.security_token {
        signer = signer.with_security_token(token.clone());
    }
    signer.sign(method, &url, &mut headers, body, now)?;
    Ok(headers)
}

/// What came back on a raw TCP connection.
#[derive(Debug)]
pub struct RawExchange {
    /// Every byte received.
    pub received: Vec<u8>,
    /// The error that ended reading, if any (`ConnectionReset` for an RST).
    pub error: Option<std::io::ErrorKind>,
    /// Whether reading stopped because `timeout` ran out.
    pub timed_out: bool,
}

impl RawExchange {
    /// The parsed head and body; `None` when no complete head arrived.
    pub fn response(&self) -> Option<RawResponse> {
        let end = self.received.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = std::str::from_utf8(&self.received[..end]).ok()?;
        let mut lines = head.split("\r\n");
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Some(RawResponse {
            status,
            headers,
            body: self.received[end + 4..].to_vec(),
        })
    }
}

/// A response parsed from raw bytes (the body as received, not de-chunked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// The bytes after the head.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `Content-Length`, when present and numeric.
    pub fn content_length(&self) -> Option<usize> {
        self.header("content-length")?.parse().ok()
    }
}

/// Writes `request` to `addr` as is and reads until the server closes the
/// connection, an error, or `timeout`.
pub async fn raw_exchange(addr: SocketAddr, request: &[u8], timeout: Duration) -> RawExchange {
    let mut exchange = RawExchange {
        received: Vec::new(),
        error: None,
        timed_out: false,
    };
    let work = async {
        let mut stream = TcpStream::connect(addr).await?;
        stream.write_all(request).await?;
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Ok::<(), std::io::Error>(());
            }
            exchange.received.extend_from_slice(&buf[..n]);
        }
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => exchange.error = Some(e.kind()),
        Err(_) => exchange.timed_out = true,
    }
    exchange
}

/// A `GET` request for `path_and_query` with `Connection: close` and the
/// given extra headers, as bytes for [`raw_exchange`].
pub fn raw_get(addr: SocketAddr, path_and_query: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut text =
        format!("GET {path_and_query} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.into_bytes()
}
