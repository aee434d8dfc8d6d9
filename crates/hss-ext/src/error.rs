//! One error type for everything that can go wrong calling HSS.
//!
//! It separates what the caller can fix (bad input, configuration), what the
//! network did (transport), what the service said (service), and answers we
//! could not read (decode), and keeps the status and request id wherever
//! there was a response, because those are what support asks for.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::text::one_line;

/// The API's largest `offset`: hosts past it cannot be listed (the spec's,
/// the same for every listing).
pub const MAX_OFFSET: u32 = hss_operations::LIST_VUL_SCAN_TASK_HOST
    .expect_offset_limit()
    .max_offset();

/// At most this many bytes of a body are kept in an error.
pub const BODY_SNIPPET_LIMIT: usize = 512;

/// What went wrong talking to the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// Could not connect (refused, DNS, TLS handshake).
    Connect,
    /// The connect or request timeout passed.
    Timeout,
    /// The response body broke off (connection reset, truncated body).
    Body,
    /// Anything else from the HTTP stack.
    Other,
}

impl TransportKind {
    /// What the HTTP stack's error says went wrong: the one rule for every
    /// request of this crate (HSS, IAM, the metadata service).
    pub(crate) fn of(error: &reqwest::Error) -> TransportKind {
        if error.is_timeout() {
            TransportKind::Timeout
        } else if error.is_connect() {
            TransportKind::Connect
        } else if error.is_body() || error.is_decode() {
            TransportKind::Body
        } else {
            TransportKind::Other
        }
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connection failed",
            TransportKind::Timeout => "timed out",
            TransportKind::Body => "response body broken off",
            TransportKind::Other => "HTTP error",
        })
    }
}

/// An answer from HSS or its API gateway that says no.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// HTTP status, always known.
    pub status: StatusCode,
    /// `HSS.0001`, `APIGW.0301`, ... when the body carried one.
    pub error_code: Option<String>,
    /// The service's message, when the body carried one.
    pub error_msg: Option<String>,
    /// `X-Request-Id`, or the body's `request_id`.
    pub request_id: Option<String>,
    /// Encoded authorization details, for IAM support.
    pub encoded_authorization_message: Option<String>,
    /// What `Retry-After` asked for.
    pub retry_after: Option<Duration>,
    /// The start of a body that was not the JSON error shape (an HTML page
    /// from a proxy, plain text), at most [`BODY_SNIPPET_LIMIT`] bytes.
    pub body_snippet: Option<String>,
}

impl fmt::Display for ServiceError {
    /// One line of printable text: what the service sent is shown with its
    /// control characters (line breaks, escape sequences) as spaces, so it
    /// cannot forge a log line or drive a terminal. The fields keep the
    /// exact text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HSS answered {}", self.status)?;
        match (&self.error_code, &self.error_msg) {
            (Some(code), Some(msg)) => write!(f, ": {}: {}", one_line(code), one_line(msg))?,
            (Some(code), None) => write!(f, ": {}", one_line(code))?,
            (None, Some(msg)) => write!(f, ": {}", one_line(msg))?,
            (None, None) => {}
        }
        if let Some(snippet) = &self.body_snippet {
            write!(f, " with a non-JSON body: {:?}", one_line(snippet))?;
        }
        f.write_str(&fmt_request_id(&self.request_id))
    }
}

/// What the last pass of a listing saw that kept it from being complete:
/// the offsets, `total_num` values and repeated hosts that show the task
/// (or the service's paging) moved while it was listed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListingDrift {
    /// Passes over the task, the verifying ones included.
    pub passes: u32,
    /// `total_num` of the last pass's first page.
    pub total_before: Option<u64>,
    /// `total_num` of the last pass's last page.
    pub total_after: Option<u64>,
    /// The smallest and largest `total_num` the last pass saw: pages in
    /// flight at once are answered in any order, so the change may show
    /// between the first and last page only.
    pub total_range: Option<(u64, u64)>,
    /// Offset of the page where the last pass first saw a change.
    pub moved_at: Option<u64>,
    /// Offset of an empty page that came before `total_num` was reached.
    pub empty_page_at: Option<u64>,
    /// Distinct hosts the last pass listed.
    pub listed: u64,
    /// Hosts the last pass received more than once.
    pub seen_twice: u64,
    /// The first few `host_id`s of those, at most [`ListingDrift::SAMPLE`].
    pub seen_twice_ids: Vec<String>,
    /// Hosts without a `host_id`: nothing to match them by across passes,
    /// so a listing that needs a verifying pass cannot use one.
    pub without_id: u64,
    /// The request id of the page where the change showed, for support.
    pub request_id: Option<String>,
    /// What was listed, plural (`hosts`, `vulnerabilities`, ...); empty
    /// reads as `hosts`.
    pub items: &'static str,
    /// The field (or fields) that identify an item (`host_id`, ...);
    /// empty reads as `host_id`.
    pub id_field: Cow<'static, str>,
}

impl ListingDrift {
    /// How many repeated ids are kept as examples.
    pub const SAMPLE: usize = 5;
}

impl fmt::Display for ListingDrift {
    /// One line: what moved, in the words of the API.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let passes = if self.passes == 1 {
            "its only pass".to_owned()
        } else {
            format!("{} passes", self.passes)
        };
        let (items, id_field) = match (self.items, self.id_field.as_ref()) {
            ("", _) | ("hosts", _) => ("hosts", "host_id"),
            (items, "") => (items, "id"),
            names => names,
        };
        // Hosts are the hosts of a scan task; other lists are lists.
        let subject = if items == "hosts" { "task" } else { "list" };
        write!(
            f,
            "the listing is incomplete: the {subject} kept changing over {passes}"
        )?;
        let mut facts = Vec::new();
        match (self.total_before, self.total_after, self.total_range) {
            (Some(before), Some(after), _) if before != after => {
                facts.push(format!("total_num {before} -> {after}"));
            }
            (_, _, Some((min, max))) if min != max => {
                facts.push(format!("total_num between {min} and {max}"));
            }
            _ => {}
        }
        if let Some(offset) = self.moved_at {
            facts.push(format!("first seen at offset {offset}"));
        }
        if let Some(offset) = self.empty_page_at {
            facts.push(format!("empty page at offset {offset}"));
        }
        if self.seen_twice > 0 {
            let ids: Vec<_> = self.seen_twice_ids.iter().map(|id| one_line(id)).collect();
            facts.push(format!(
                "{} {items} seen twice (e.g. {})",
                self.seen_twice,
                ids.join(", ")
            ));
        }
        if self.without_id > 0 {
            facts.push(format!(
                "{} {items} without {id_field} cannot be matched across passes",
                self.without_id
            ));
        }
        match self.total_after {
            Some(total) => facts.push(format!("{} of {total} {items} listed", self.listed)),
            None => facts.push(format!("{} {items} listed", self.listed)),
        }
        write!(f, " ({})", facts.join("; "))?;
        f.write_str(&fmt_request_id(&self.request_id))
    }
}

/// Everything that can go wrong calling HSS through this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter was refused before anything was sent.
    #[error("invalid {parameter}: {reason}")]
    InvalidInput {
        /// The parameter's name in the API, e.g. `limit`.
        parameter: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },

    /// The client could not be set up (credentials, TLS, ...; an endpoint
    /// is [`Error::Endpoint`]).
    #[error("configuration: {message}")]
    Config {
        /// What to fix.
        message: String,
    },

    /// An endpoint cannot be used: HSS's (an unknown region, a URL that
    /// is not `scheme://host[:port]`, plain http to a host that is not
    /// loopback), IAM's or the instance metadata service's. Typed, so that
    /// a caller with settings of its own (a command line's flags) can say
    /// what to change in its words.
    #[error("configuration: {0}")]
    Endpoint(hss_auth::EndpointError),

    /// A request hook refused to send the request (for example a header
    /// value with a line break).
    #[error("request not sent: {message}")]
    Refused {
        /// Why.
        message: String,
    },

    /// No usable answer: connect, timeout, TLS, reset, truncated body.
    #[error("{kind}: {source}{}", fmt_request_id(.request_id))]
    Transport {
        /// Which part of the exchange failed.
        kind: TransportKind,
        /// The status, when a response had started.
        status: Option<StatusCode>,
        /// The request id, when a response had started.
        request_id: Option<String>,
        /// The HTTP stack's error.
        #[source]
        source: reqwest::Error,
    },

    /// HSS or the gateway answered with an error.
    #[error("{0}")]
    Service(Box<ServiceError>),

    /// An answer that could not be decoded.
    #[error("could not decode the {status} answer: {reason}; body starts {snippet:?}{}", fmt_request_id(.request_id))]
    Decode {
        /// HTTP status of the answer.
        status: StatusCode,
        /// Its request id, when known.
        request_id: Option<String>,
        /// What the decoder said.
        reason: String,
        /// The start of the body, at most [`BODY_SNIPPET_LIMIT`] bytes.
        snippet: String,
    },

    /// The answer's body was larger than the client's limit
    /// ([`HssClientBuilder::max_response_body`](crate::HssClientBuilder::max_response_body),
    /// [`DEFAULT_MAX_RESPONSE_BODY`](crate::DEFAULT_MAX_RESPONSE_BODY) unless set), so it
    /// was not read to its end. Not retried: the same answer would come again.
    #[error("the {status} answer was refused: {}{}", crate::limit::describe(*.limit, *.declared), fmt_request_id(.request_id))]
    ResponseTooLarge {
        /// HTTP status of the answer.
        status: StatusCode,
        /// Its request id, when known.
        request_id: Option<String>,
        /// The limit in bytes.
        limit: u64,
        /// The `Content-Length` the answer declared, when that was over
        /// the limit; `None` when the body went past it while being read.
        declared: Option<u64>,
    },

    /// The listing needs items past the operation's largest offset (the
    /// spec's `offset` maximum); the items before it were returned, the
    /// rest cannot be reached by paging.
    #[error(
        "the list has {total_num} items but the API cannot page past offset {max_offset} (next offset would be {offset}); narrow the query, e.g. with a status or enterprise_project_id"
    )]
    OffsetCap {
        /// The offset the next page would need.
        offset: u64,
        /// The list's length as last reported.
        total_num: u64,
        /// The largest offset the operation takes ([`MAX_OFFSET`] for the
        /// vulnerability workflow's listings).
        max_offset: u64,
    },

    /// The listing could not be made complete: the task kept changing (or
    /// the service kept answering inconsistently) through every pass the
    /// listing was allowed, so some host may be missing or repeated. What
    /// the last pass saw is in [`ListingDrift`]. Hosts already yielded by
    /// a stream stay valid, but the list as a whole must not be trusted.
    #[error("{0}")]
    IncompleteListing(Box<ListingDrift>),

    /// The instance metadata service, chosen as the credential source,
    /// gave no credentials (unreachable, no agency, an error answer, or
    /// an answer that is not credentials). Not retried.
    #[error(transparent)]
    Metadata(Box<MetadataError>),

    /// No credential source had credentials: not the explicit values, the
    /// environment or the profile file (`not_found` says what to set), nor
    /// the last source, the instance metadata service. Not retried.
    #[error("{not_found}; nor did the last source, the instance metadata service: {source}")]
    NoCredentials {
        /// What the other sources lacked and what to set.
        not_found: String,
        /// Why the metadata service gave none.
        #[source]
        source: Box<MetadataError>,
    },

    /// The CA bundle given to the client cannot be used: it cannot be
    /// read, is not PEM certificates, or holds none.
    #[error("cannot use the CA bundle {}: {source}; give a readable PEM file of the CA certificates", path.display())]
    CaBundle {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        #[source]
        source: CaBundleError,
    },

    /// The proxy refused the request: it could not be connected to, it
    /// wants (other) credentials (`407`), or it would not open a tunnel to
    /// the endpoint. Not retried: the proxy settings need fixing.
    #[error("the proxy {proxy} refused the request: {reason}; check the proxy's URL and credentials (--proxy and --proxy-user with HUAWEICLOUD_SDK_PROXY_PASSWORD, or HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY){}", fmt_request_id(.request_id))]
    ProxyRefused {
        /// The proxy, without credentials.
        proxy: String,
        /// How it refused.
        reason: String,
        /// The proxy's status, when it answered.
        status: Option<StatusCode>,
        /// The request id, when the answer had one.
        request_id: Option<String>,
        /// The HTTP stack's error, when there was one.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// No project id was set and IAM did not name exactly one project for
    /// the region: none (check the region, or set the project id), several
    /// (they are named; set one), or an answer that is not a project id.
    #[error("{0}")]
    Project(hss_auth::iam::ProjectError),

    /// No project id was set, and asking IAM for the region's project
    /// failed: `source` says how (the network, or IAM's answer, e.g. a
    /// refused signature). Retried as `source` would be.
    #[error(
        "no project id is set, and asking IAM ({endpoint}) for the project of region `{region}` failed: {source}"
    )]
    ProjectDiscovery {
        /// The region whose project was asked for.
        region: String,
        /// The IAM endpoint asked.
        endpoint: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },

    /// A waiter's deadline ([`WaitOptions::timeout`](crate::WaitOptions::timeout))
    /// passed before the task ended. The task may still end later: wait
    /// again, or look at it with its id.
    #[error(
        "the {kind} {} had not ended after {timeout:?} ({polls} polls); last state: {}",
        one_line(.task_id),
        .last_state.as_deref().map(one_line).unwrap_or(std::borrow::Cow::Borrowed("none seen"))
    )]
    WaitTimeout {
        /// What kind of task.
        kind: TaskKind,
        /// The task's id.
        task_id: String,
        /// The state the last answer reported, `None` if none was seen.
        last_state: Option<String>,
        /// The deadline that passed.
        timeout: Duration,
        /// Requests made.
        polls: u32,
    },

    /// The task ended, but not well: an export task in state `failure`,
    /// or a scan task that finished with every host failed.
    #[error("the {kind} {} ended as {}: {}", one_line(.task_id), one_line(.state), one_line(.detail))]
    TaskFailed {
        /// What kind of task.
        kind: TaskKind,
        /// The task's id.
        task_id: String,
        /// Its final state, as the service wrote it.
        state: String,
        /// What went wrong, in a few words.
        detail: String,
    },

    /// The service did not know the task a waiter asked about, for longer
    /// than [`WaitOptions::not_found_grace`](crate::WaitOptions::not_found_grace)
    /// (a task just created can take a moment to be listed).
    #[error("the {kind} {} is not known to the service (not listed for {waited:?})", one_line(.task_id))]
    TaskNotFound {
        /// What kind of task.
        kind: TaskKind,
        /// The task's id.
        task_id: String,
        /// How long it was looked for.
        waited: Duration,
    },

    /// A local file could not be written (a download's target).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: std::path::PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// The retry budget ([`RetryPolicy::with_budget`](crate::RetryPolicy::with_budget))
    /// ran out while an attempt was still waiting for its answer, so the
    /// attempt was abandoned: the budget bounds the whole call. Not the
    /// same as a [`TransportKind::Timeout`], which is one attempt passing
    /// the connect or request timeout.
    #[error(
        "no answer within the time budget of {budget:?}: attempt {attempts} was cut short{}",
        .last_error.as_ref().map(|e| format!("; attempt {} failed: {e}", attempts - 1)).unwrap_or_default()
    )]
    Timeout {
        /// The budget that was spent.
        budget: std::time::Duration,
        /// Attempts made, the abandoned one included.
        attempts: u32,
        /// Why the attempt before the abandoned one failed, if there was one.
        #[source]
        last_error: Option<Box<Error>>,
    },
}

fn fmt_request_id(request_id: &Option<String>) -> String {
    match request_id {
        // A header value may hold a tab, a body's request id anything.
        Some(id) => format!(" (request id {})", one_line(id)),
        None => String::new(),
    }
}

impl Error {
    /// The HTTP status, when there was a response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Service(e) => Some(e.status),
            Error::Decode { status, .. } | Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::Transport { status, .. } => *status,
            Error::Timeout {
                last_error: Some(last),
                ..
            } => last.status(),
            Error::ProjectDiscovery { source, .. } => source.status(),
            Error::ProxyRefused { status, .. } => *status,
            _ => None,
        }
    }

    /// The service's error code (`HSS.0001`, `APIGW.0301`, ...).
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.error_code.as_deref(),
            Error::ProjectDiscovery { source, .. } => source.error_code(),
            _ => None,
        }
    }

    /// The service's error message.
    pub fn error_msg(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.error_msg.as_deref(),
            Error::ProjectDiscovery { source, .. } => source.error_msg(),
            _ => None,
        }
    }

    /// The request id of the answer, for support requests.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.request_id.as_deref(),
            Error::Decode { request_id, .. }
            | Error::ResponseTooLarge { request_id, .. }
            | Error::Transport { request_id, .. } => request_id.as_deref(),
            Error::IncompleteListing(drift) => drift.request_id.as_deref(),
            Error::Timeout {
                last_error: Some(last),
                ..
            } => last.request_id(),
            Error::ProjectDiscovery { source, .. } => source.request_id(),
            _ => None,
        }
    }

    /// How long the service asked us to wait (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Service(e) => e.retry_after,
            Error::ProjectDiscovery { source, .. } => source.retry_after(),
            _ => None,
        }
    }

    pub(crate) fn invalid(parameter: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            parameter,
            reason: reason.into(),
        }
    }
}

/// The start of a body as text, at most [`BODY_SNIPPET_LIMIT`] bytes of it
/// (then `…`), cut on a character boundary.
///
/// The bound holds for the text, not only for the bytes read: each byte
/// that is not UTF-8 becomes U+FFFD, three bytes of text.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(BODY_SNIPPET_LIMIT)]);
    let mut cut = body.len() > BODY_SNIPPET_LIMIT;
    let mut out = String::with_capacity(text.len().min(BODY_SNIPPET_LIMIT));
    for c in text.chars() {
        if out.len() + c.len_utf8() > BODY_SNIPPET_LIMIT {
            cut = true;
            break;
        }
        out.push(c);
    }
    if cut {
        // A multi-byte character cut in half shows as U+FFFD at the end; drop it.
        while out.ends_with('\u{FFFD}') {
            out.pop();
        }
        out.push('…');
    }
    out
}

/// Why the metadata service gave no credentials. Messages never hold a
/// secret: an answer's body is quoted only when it is an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// Nothing answered.
    #[error(
        "the instance metadata service at {endpoint} is unreachable ({kind}): outside a Huawei Cloud server there is none; set credentials, or {env} to where it answers",
        env = hss_auth::metadata::ENV_METADATA_ENDPOINT
    )]
    Unreachable {
        /// The metadata endpoint.
        endpoint: String,
        /// How the exchange failed.
        kind: TransportKind,
        /// The HTTP stack's error.
        #[source]
        source: reqwest::Error,
    },
    /// The server has no agency, so the service has no credentials for it.
    #[error(
        "the instance metadata service at {endpoint} has no credentials for this server: it has no agency; attach an agency to the server (Cloud Service Agency, in the ECS console), or set credentials"
    )]
    NoAgency {
        /// The metadata endpoint.
        endpoint: String,
    },
    /// The service answered with an error.
    #[error("the instance metadata service at {endpoint} answered {status} to {path}{}", .body.as_ref().map(|b| format!(": {b:?}")).unwrap_or_default())]
    Refused {
        /// The metadata endpoint.
        endpoint: String,
        /// The path asked.
        path: &'static str,
        /// The status.
        status: StatusCode,
        /// The start of the body, one line.
        body: Option<String>,
    },
    /// The answer is not the credentials it should be.
    #[error("the instance metadata service at {endpoint} answered {path} with {reason}")]
    InvalidAnswer {
        /// The metadata endpoint.
        endpoint: String,
        /// The path asked.
        path: &'static str,
        /// What is wrong with it (never its secret values).
        reason: String,
    },
}

/// Why a CA bundle could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaBundleError {
    /// The file cannot be read.
    #[error("it cannot be read")]
    Read(#[source] std::io::Error),
    /// The file is not PEM certificates.
    #[error("it is not PEM certificates")]
    Parse(#[source] reqwest::Error),
    /// The file holds no certificate.
    #[error("it holds no certificate (expected -----BEGIN CERTIFICATE----- blocks)")]
    Empty,
}

/// What kind of task a waiter waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskKind {
    /// A vulnerability scan task (`CreateVulnerabilityScanTask`).
    ScanTask,
    /// An export task (`ExportVuls`).
    Export,
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskKind::ScanTask => "scan task",
            TaskKind::Export => "export task",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(status: u16) -> ServiceError {
        ServiceError {
            status: StatusCode::from_u16(status).unwrap(),
            error_code: Some("HSS.0001".into()),
            error_msg: Some("Invalid parameter: limit".into()),
            request_id: Some("r-1".into()),
            encoded_authorization_message: None,
            retry_after: None,
            body_snippet: None,
        }
    }

    #[test]
    fn service_errors_read_as_one_actionable_line() {
        let err = Error::Service(Box::new(service(400)));
        assert_eq!(
            err.to_string(),
            "HSS answered 400 Bad Request: HSS.0001: Invalid parameter: limit (request id r-1)"
        );
        assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
        assert_eq!(err.error_code(), Some("HSS.0001"));
        assert_eq!(err.error_msg(), Some("Invalid parameter: limit"));
        assert_eq!(err.request_id(), Some("r-1"));
        assert!(!err.is_retryable());

        let mut html = service(502);
        html.error_code = None;
        html.error_msg = None;
        html.body_snippet = Some("<html>\n<h1>Bad Gateway</h1>".into());
        let err = Error::Service(Box::new(html));
        assert_eq!(
            err.to_string(),
            "HSS answered 502 Bad Gateway with a non-JSON body: \"<html> <h1>Bad Gateway</h1>\" (request id r-1)"
        );
        assert!(!err.to_string().contains('\n'));
        assert!(err.is_retryable());
    }

    #[test]
    fn retryable_statuses() {
        for (status, retry) in [
            (400, false),
            (401, false),
            (403, false),
            (404, false),
            (408, true),
            (429, true),
            (500, true),
            (502, true),
            (503, true),
            (504, true),
            (501, false),
            (505, false),
            (507, false),
        ] {
            let err = Error::Service(Box::new(service(status)));
            assert_eq!(err.is_retryable(), retry, "{status}");
        }
    }

    #[test]
    fn a_spent_budget_reads_as_one_line_with_the_failure_before_it() {
        let err = Error::Timeout {
            budget: Duration::from_secs(60),
            attempts: 3,
            last_error: Some(Box::new(Error::Service(Box::new(service(503))))),
        };
        assert_eq!(
            err.to_string(),
            "no answer within the time budget of 60s: attempt 3 was cut short; attempt 2 failed: HSS answered 503 Service Unavailable: HSS.0001: Invalid parameter: limit (request id r-1)"
        );
        assert!(std::error::Error::source(&err).is_some());
        // What support asks for survives the wrapping.
        assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(err.request_id(), Some("r-1"));
        let first = Error::Timeout {
            budget: Duration::from_millis(500),
            attempts: 1,
            last_error: None,
        };
        assert_eq!(
            first.to_string(),
            "no answer within the time budget of 500ms: attempt 1 was cut short"
        );
        assert!(first.is_retryable(), "a later call may be answered");
    }

    #[test]
    fn invalid_input_names_the_parameter() {
        let err = Error::invalid("limit", "must be between 10 and 200, got 5");
        assert_eq!(
            err.to_string(),
            "invalid limit: must be between 10 and 200, got 5"
        );
        assert_eq!(err.status(), None);
        assert!(!err.is_retryable());
    }

    /// Regression (found by fuzzing `decode_response` and `error_body`,
    /// inputs in `fuzz/regressions/`): 512 bytes that are not UTF-8 became
    /// 1,536 bytes of U+FFFD, three times the documented bound.
    #[test]
    fn snippets_of_binary_bodies_are_bounded_in_bytes_of_text() {
        for body in [vec![0xFFu8; 600], vec![0xFFu8; 512], vec![0x80u8; 200]] {
            let cut = snippet(&body);
            assert!(
                cut.len() <= BODY_SNIPPET_LIMIT + '…'.len_utf8(),
                "{} bytes from {}",
                cut.len(),
                body.len()
            );
        }
        assert_eq!(snippet(&[0xFF; 3]), "\u{FFFD}\u{FFFD}\u{FFFD}");
    }

    /// Regression (found by `tests/injection.rs`, and a property of the
    /// `decode_response` and `error_body` fuzz targets): service text with
    /// line breaks or escape sequences broke the one-line message.
    #[test]
    fn service_text_is_one_printable_line() {
        let mut hostile = service(400);
        hostile.error_code = Some("HSS.0001\r\nX".into());
        hostile.error_msg = Some("bad\n2024-01-01 ERROR forged\u{1b}[2J".into());
        hostile.request_id = Some("r\t1".into());
        let err = Error::Service(Box::new(hostile));
        let text = err.to_string();
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert_eq!(
            text,
            "HSS answered 400 Bad Request: HSS.0001  X: bad 2024-01-01 ERROR forged [2J (request id r 1)"
        );
        // The accessors keep the exact text.
        assert_eq!(
            err.error_msg(),
            Some("bad\n2024-01-01 ERROR forged\u{1b}[2J")
        );
    }

    #[test]
    fn snippets_are_bounded_and_cut_on_character_boundaries() {
        assert_eq!(snippet(b"short"), "short");
        let long = "é".repeat(400); // 800 bytes
        let cut = snippet(long.as_bytes());
        assert!(cut.len() <= BODY_SNIPPET_LIMIT + '…'.len_utf8());
        assert!(cut.ends_with('…'));
        assert!(!cut.contains('\u{FFFD}'));
    }
}
