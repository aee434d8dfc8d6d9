//! A loopback HTTP/1.1 server whose every answer a closure decides, for the
//! situations a realistic fake cannot stage: a page that contradicts the
//! one before, a total that moves between two requests, an answer in a
//! shape the service never sends. It records each request exactly as it
//! arrived on the wire, body included (read by `Content-Length`).
//!
//! ```no_run
//! # async fn demo() {
//! use hss_fake::scripted::{Reply, ScriptedServer};
//! let server = ScriptedServer::start(|_request, n| {
//!     if n == 0 { Reply::json(503, "{}") } else { Reply::json(200, r#"{"total_num":0}"#) }
//! })
//! .await;
//! // point a client at server.base_url() ...
//! assert!(server.requests().iter().all(|r| r.target.starts_with("/v5/")));
//! # }
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Largest request head read; a longer one is dropped unanswered.
const MAX_HEAD: usize = 64 * 1024;

/// Largest request body read; a request announcing more is dropped
/// unanswered.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// A request as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptedRequest {
    /// `GET`, ...
    pub method: String,
    /// The request target exactly as sent: path and query, still encoded.
    pub target: String,
    /// Header names lower-cased, values as sent.
    pub headers: Vec<(String, String)>,
    /// The body, `Content-Length` bytes (empty without one).
    pub body: Vec<u8>,
}

impl ScriptedRequest {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path, still encoded.
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    /// The raw (still encoded) value of the first query parameter `key`.
    pub fn query(&self, key: &str) -> Option<&str> {
        let (_, query) = self.target.split_once('?')?;
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }
}

/// An answer: status, headers and body, sent after an optional delay. The
/// server adds `Content-Length`, `Connection: close` and
/// `X-Request-Id: req-<n>` (unless the reply sets its own).
#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply::raw(status, "application/json", body.into().into_bytes())
    }

    /// An answer with any content type and bytes.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Waits this long before answering.
    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

type Handler = dyn Fn(&ScriptedRequest, usize) -> Reply + Send + Sync;

/// The running server; dropping it stops it.
#[derive(Debug)]
pub struct ScriptedServer {
    base_url: String,
    seen: Arc<Mutex<Vec<ScriptedRequest>>>,
    peak: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    /// Starts on a free 127.0.0.1 port; `handler(request, n)` answers the
    /// `n`th request (from 0).
    pub async fn start(
        handler: impl Fn(&ScriptedRequest, usize) -> Reply + Send + Sync + 'static,
    ) -> ScriptedServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding a loopback port");
        let base_url = format!(
            "http://{}",
            listener
                .local_addr()
                .expect("a bound socket has an address")
        );
        let seen = Arc::new(Mutex::new(Vec::new()));
        let peak = Arc::new(AtomicUsize::new(0));
        let shared = Shared {
            handler: Arc::new(handler),
            seen: Arc::clone(&seen),
            active: Arc::new(AtomicUsize::new(0)),
            peak: Arc::clone(&peak),
        };
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(shared.clone().answer(socket));
            }
        });
        ScriptedServer {
            base_url,
            seen,
            peak,
            task,
        }
    }

    /// A server that answers every request with `reply`.
    pub async fn always(reply: Reply) -> ScriptedServer {
        ScriptedServer::start(move |_, _| reply.clone()).await
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<ScriptedRequest> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The most requests that were being answered at once.
    pub fn peak_concurrency(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct Shared {
    handler: Arc<Handler>,
    seen: Arc<Mutex<Vec<ScriptedRequest>>>,
    active: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl Shared {
    async fn answer(self, mut socket: TcpStream) {
        let Some(request) = read_request(&mut socket).await else {
            return;
        };
        let now = self.active.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        let n = {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            seen.push(request.clone());
            seen.len() - 1
        };
        let reply = (self.handler)(&request, n);
        tokio::time::sleep(reply.delay).await;
        let mut head = format!("HTTP/1.1 {} Scripted\r\n", reply.status);
        if !reply
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("x-request-id"))
        {
            head.push_str(&format!("X-Request-Id: req-{n}\r\n"));
        }
        for (name, value) in &reply.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            reply.body.len()
        ));
        let _ = socket.write_all(head.as_bytes()).await;
        let _ = socket.write_all(&reply.body).await;
        let _ = socket.shutdown().await;
        self.active.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn read_request(socket: &mut TcpStream) -> Option<ScriptedRequest> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > MAX_HEAD {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let mut body = buf.split_off(end);
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let target = request_line.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .map_or(Some(0), |(_, value)| value.parse::<usize>().ok())?;
    if length > MAX_BODY {
        return None;
    }
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some(ScriptedRequest {
        method,
        target,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_in_order_and_records_the_raw_target() {
        let server = ScriptedServer::start(|request, n| {
            Reply::json(200 + n as u16, request.query("x").unwrap_or("-").to_owned())
        })
        .await;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::new();
        for _ in 0..2 {
            client
                .get(format!("{}/a%2Fb?x=1+2", server.base_url()))
                .send()
                .await
                .unwrap();
        }
        let response = client
            .post(format!("{}/c", server.base_url()))
            .header("X-Test", "yes")
            .body("{\"a\":1}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        assert_eq!(response.headers()["x-request-id"], "req-2");
        assert_eq!(response.text().await.unwrap(), "-");
        let seen = server.requests();
        assert_eq!(seen[0].target, "/a%2Fb?x=1+2");
        assert_eq!(seen[0].path(), "/a%2Fb");
        assert_eq!(seen[0].query("x"), Some("1+2"));
        assert_eq!(seen[2].header("x-test"), Some("yes"));
        assert_eq!(seen[2].method, "POST");
        assert_eq!(seen[2].body, b"{\"a\":1}");
        assert!(seen[0].body.is_empty());
    }
}
