//! The log of received requests, for tests that assert what went on the wire.

use std::collections::VecDeque;
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::auth::Caller;

/// One request as the fake received it.
///
/// `Debug` prints header names only, so that a failing assertion does not
/// print credentials; read `headers` for the values.
#[derive(Clone)]
pub struct RecordedRequest {
    /// The method.
    pub method: Method,
    /// The path exactly as in the request line (percent-encoding kept).
    pub raw_path: String,
    /// The query exactly as in the request line, without `?`; `None` when
    /// the request line had no `?`.
    pub raw_query: Option<String>,
    /// Every header as received (names lower-cased by HTTP/1 parsing).
    pub headers: HeaderMap,
    /// The request body (the JSON of a `POST` or `PUT`; empty for a `GET`).
    pub body: Bytes,
    /// The `X-Request-Id` the fake answered with.
    pub request_id: String,
    /// The status answered, `None` when the connection was reset.
    pub status: Option<u16>,
    /// Who the request authenticated as; `None` when it did not get that
    /// far or failed authentication.
    pub caller: Option<Caller>,
    /// When the request was received.
    pub received_at: SystemTime,
}

impl RecordedRequest {
    /// The first value of header `name` as a string, if it is one.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The decoded query pairs in wire order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.raw_query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .collect()
    }
}

impl std::fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("raw_path", &self.raw_path)
            .field("raw_query", &self.raw_query)
            .field(
                "header_names",
                &self.headers.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.len())
            .field("request_id", &self.request_id)
            .field("status", &self.status)
            .field("caller", &self.caller)
            .finish()
    }
}

/// A bounded log: the oldest entries go when it is full.
#[derive(Debug)]
pub(crate) struct RequestLog {
    entries: VecDeque<RecordedRequest>,
    capacity: usize,
    total: u64,
}

impl RequestLog {
    pub(crate) fn new(capacity: usize) -> RequestLog {
        RequestLog {
            entries: VecDeque::new(),
            capacity,
            total: 0,
        }
    }

    pub(crate) fn push(&mut self, entry: RecordedRequest) {
        self.total += 1;
        if self.capacity == 0 {
            return;
        }
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries.iter().cloned().collect()
    }

    pub(crate) fn take(&mut self) -> Vec<RecordedRequest> {
        self.entries.drain(..).collect()
    }

    pub(crate) fn total(&self) -> u64 {
        self.total
    }
}
