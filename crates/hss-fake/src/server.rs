//! The HTTP server: routing, validation, answers, faults and lifecycle.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::auth::{AcceptedCredentials, AkSk, Auth, AuthInput, Caller, Lockout};
use crate::body::FakeBody;
use crate::data::{DataError, Dataset, GenerateOptions, Host, TaskData};
use crate::fault::{Fault, FaultRule, FaultState};
use crate::log::{RecordedRequest, RequestLog};
use crate::params::{self, PageQuery, PathMatch};
use crate::store::{Lookup, Store, effective_ep};
use crate::{Clock, SystemClock};

/// Largest request body read (the operation has none); more gets 413.
const MAX_BODY: usize = 1 << 20;
const JSON: &str = "application/json;charset=UTF-8";

/// Entry point: `FakeHss::builder()`.
#[derive(Debug)]
pub struct FakeHss;

impl FakeHss {
    /// A builder with the defaults: seed 1, one task of 250 hosts, three
    /// enterprise projects, authentication on with credentials derived from
    /// the seed, 15 minutes of allowed clock skew, the gateway's AK lockout,
    /// no faults, a random port on 127.0.0.1, a log of the last 10,000 requests.
    pub fn builder() -> FakeHssBuilder {
        FakeHssBuilder::default()
    }
}

/// Why the fake could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FakeError {
    /// The dataset or fixture is unusable.
    #[error("bad data for the fake")]
    Data(#[from] DataError),
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Configures and starts a fake (see [`FakeHss::builder`]).
#[derive(Debug)]
pub struct FakeHssBuilder {
    generate: GenerateOptions,
    dataset: Option<Dataset>,
    fixture: Option<PathBuf>,
    credentials: Option<AcceptedCredentials>,
    auth_enabled: bool,
    max_skew: Duration,
    lockout: Option<Lockout>,
    clock: Option<Arc<dyn Clock>>,
    faults: Vec<FaultRule>,
    port: u16,
    log_capacity: usize,
}

impl Default for FakeHssBuilder {
    fn default() -> Self {
        FakeHssBuilder {
            generate: GenerateOptions::default(),
            dataset: None,
            fixture: None,
            credentials: None,
            auth_enabled: true,
            max_skew: Duration::from_secs(15 * 60),
            lockout: Some(Lockout::default()),
            clock: None,
            faults: Vec::new(),
            port: 0,
            log_capacity: 10_000,
        }
    }
}

impl FakeHssBuilder {
    /// Seed of the generated data and of the default credentials.
    pub fn seed(mut self, seed: u64) -> Self {
        self.generate.seed = seed;
        self
    }

    /// Hosts in each generated task.
    pub fn hosts(mut self, hosts: usize) -> Self {
        self.generate.hosts_per_task = hosts;
        self
    }

    /// Number of generated tasks.
    pub fn tasks(mut self, tasks: usize) -> Self {
        self.generate.tasks = tasks;
        self
    }

    /// Number of enterprise projects including `0` (1 puts every host in `0`).
    pub fn enterprise_projects(mut self, count: usize) -> Self {
        self.generate.enterprise_projects = count.max(1);
        self
    }

    /// The project ID of generated data (default: derived from the seed).
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.generate.project_id = Some(project_id.into());
        self
    }

    /// The IDs of the first generated tasks (the rest derive from the seed).
    pub fn task_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.generate.task_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Serve this dataset instead of generating one.
    pub fn dataset(mut self, dataset: Dataset) -> Self {
        self.dataset = Some(dataset);
        self
    }

    /// Serve the dataset in this fixture file (read by [`Self::start`]).
    pub fn fixture_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.fixture = Some(path.into());
        self
    }

    /// Accept exactly these credentials instead of the ones derived from the seed.
    pub fn credentials(mut self, credentials: AcceptedCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Turn authentication on (the default) or off.
    pub fn auth(mut self, enabled: bool) -> Self {
        self.auth_enabled = enabled;
        self
    }

    /// How far `X-Sdk-Date` may be from the fake's clock (default 15 minutes).
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_skew = skew;
        self
    }

    /// AK lockout after failed signatures (`None` turns it off).
    pub fn lockout(mut self, lockout: Option<Lockout>) -> Self {
        self.lockout = lockout;
        self
    }

    /// The clock used to check `X-Sdk-Date` (default: the system clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The initial fault plan.
    pub fn faults(mut self, rules: impl IntoIterator<Item = FaultRule>) -> Self {
        self.faults = rules.into_iter().collect();
        self
    }

    /// Shorthand for a [`Fault::Latency`] on every request.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.faults.push(FaultRule::always(Fault::Latency(latency)));
        self
    }

    /// Port on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How many requests the log keeps (the oldest go first).
    pub fn request_log_capacity(mut self, capacity: usize) -> Self {
        self.log_capacity = capacity;
        self
    }

    /// Builds the data, binds 127.0.0.1 and starts serving on the current
    /// Tokio runtime.
    pub async fn start(self) -> Result<RunningFake, FakeError> {
        let seed = self.generate.seed;
        let mut dataset = match (self.dataset, &self.fixture) {
            (Some(d), _) => d,
            (None, Some(path)) => Dataset::from_fixture_file(path)?,
            (None, None) => Dataset::generate(&self.generate),
        };
        dataset.validate()?;
        let credentials = self
            .credentials
            .unwrap_or_else(|| AcceptedCredentials::generate(seed));
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port))
            .await
            .map_err(|source| FakeError::Bind {
                port: self.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| FakeError::Bind {
            port: self.port,
            source,
        })?;
        let shared = Arc::new(Shared {
            store: Store::new(dataset, seed),
            auth: Auth::new(
                self.auth_enabled,
                credentials.clone(),
                self.max_skew,
                self.lockout,
            ),
            faults: Mutex::new(FaultState::new(self.faults)),
            log: Mutex::new(RequestLog::new(self.log_capacity)),
            ids: RequestIds::new(),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared), stop_rx));
        tracing::info!(%addr, "hss-fake listening");
        Ok(RunningFake {
            addr,
            shared,
            credentials,
            stop: stop_tx,
            task: Some(task),
        })
    }
}

/// A fake serving on 127.0.0.1. Dropping it stops the server (connections
/// are closed gracefully in the background); [`RunningFake::shutdown`] waits
/// for that.
pub struct RunningFake {
    addr: SocketAddr,
    shared: Arc<Shared>,
    credentials: AcceptedCredentials,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for RunningFake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningFake")
            .field("addr", &self.addr)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl RunningFake {
    /// The listening address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, the endpoint to give a client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The project ID the fake serves.
    pub fn project_id(&self) -> String {
        self.shared.store.project_id()
    }

    /// The first task's ID.
    ///
    /// # Panics
    /// When the fake has no task.
    pub fn task_id(&self) -> String {
        self.task_ids()
            .into_iter()
            .next()
            .expect("the fake has no task")
    }

    /// Every task ID, in order.
    pub fn task_ids(&self) -> Vec<String> {
        self.shared.store.task_ids()
    }

    /// Known enterprise project IDs, `0` first.
    pub fn enterprise_projects(&self) -> Vec<String> {
        self.shared.store.enterprise_projects()
    }

    /// The wire path of the operation for `task_id` of the served project,
    /// each parameter percent-encoded as a path segment.
    pub fn hosts_path(&self, task_id: &str) -> String {
        params::hosts_path(&self.project_id(), task_id)
    }

    /// `base_url() + hosts_path(task_id)`.
    pub fn hosts_url(&self, task_id: &str) -> String {
        format!("{}{}", self.base_url(), self.hosts_path(task_id))
    }

    /// The accepted credentials.
    pub fn credentials(&self) -> &AcceptedCredentials {
        &self.credentials
    }

    /// The first accepted `X-Auth-Token`.
    ///
    /// # Panics
    /// When the fake accepts no token.
    pub fn token(&self) -> &str {
        self.credentials
            .tokens
            .first()
            .expect("the fake accepts no token")
    }

    /// The first permanent AK/SK.
    ///
    /// # Panics
    /// When the fake accepts none.
    pub fn access_key(&self) -> &AkSk {
        self.credentials
            .permanent()
            .expect("the fake accepts no permanent AK/SK")
    }

    /// The first temporary AK/SK (with its security token).
    ///
    /// # Panics
    /// When the fake accepts none.
    pub fn temporary_access_key(&self) -> &AkSk {
        self.credentials
            .temporary()
            .expect("the fake accepts no temporary AK/SK")
    }

    /// Replaces the fault plan; request numbering starts again at 1.
    pub fn set_faults(&self, rules: impl IntoIterator<Item = FaultRule>) {
        lock(&self.shared.faults).set(rules.into_iter().collect());
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.set_faults([]);
    }

    /// The current fault plan.
    pub fn faults(&self) -> Vec<FaultRule> {
        lock(&self.shared.faults).rules().to_vec()
    }

    /// Forgets AK signature failures and lifts every AK lock.
    pub fn reset_lockouts(&self) {
        self.shared.auth.reset_lockouts();
    }

    /// The logged requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).snapshot()
    }

    /// The logged requests, oldest first, emptying the log.
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).take()
    }

    /// Requests received since the start (also those the log no longer keeps).
    pub fn request_count(&self) -> u64 {
        lock(&self.shared.log).total()
    }

    /// Changes the hosts of a task at runtime: `f` gets a copy of the hosts,
    /// and what it leaves is served from then on (requests under way finish
    /// with the old data). `None` when there is no such task.
    pub fn update_task<R>(&self, task_id: &str, f: impl FnOnce(&mut Vec<Host>) -> R) -> Option<R> {
        self.shared.store.update_task(task_id, |hosts, _| f(hosts))
    }

    /// Appends `count` generated hosts to a task (continuing its seeded
    /// sequence) and returns them. `None` when there is no such task.
    pub fn add_hosts(&self, task_id: &str, count: usize) -> Option<Vec<Host>> {
        self.shared.store.update_task(task_id, |hosts, make| {
            let added: Vec<Host> = (0..count).map(|_| make()).collect();
            hosts.extend(added.iter().cloned());
            added
        })
    }

    /// Removes the hosts of a task for which `remove` is true and returns how
    /// many went. `None` when there is no such task.
    pub fn remove_hosts(
        &self,
        task_id: &str,
        mut remove: impl FnMut(&Host) -> bool,
    ) -> Option<usize> {
        self.update_task(task_id, |hosts| {
            let before = hosts.len();
            hosts.retain(|h| !remove(h));
            before - hosts.len()
        })
    }

    /// Adds a task, or replaces the one with the same ID; true when it replaced one.
    pub fn insert_task(&self, task: TaskData) -> bool {
        self.shared.store.insert_task(task)
    }

    /// Removes a task; true when it existed.
    pub fn remove_task(&self, task_id: &str) -> bool {
        self.shared.store.remove_task(task_id)
    }

    /// A copy of everything served now (the fixture format).
    pub fn dataset(&self) -> Dataset {
        self.shared.store.dataset()
    }

    /// The hosts of a task that a request with these filters would count
    /// (`enterprise_project_id` `None` means `0`).
    pub fn matching_hosts(
        &self,
        task_id: &str,
        enterprise_project_id: Option<&str>,
        scan_status: Option<&str>,
    ) -> Option<Vec<Host>> {
        let task = self.shared.store.task(task_id)?;
        Some(
            task.select(effective_ep(enterprise_project_id), scan_status)
                .iter()
                .map(|&i| task.hosts()[i as usize].clone())
                .collect(),
        )
    }

    /// The body the fake answers for a valid `query` on a task of the served
    /// project, as JSON. `None` when the task does not exist.
    pub fn expected_page(&self, task_id: &str, query: &PageQuery) -> Option<serde_json::Value> {
        let task = self.shared.store.task(task_id)?;
        let selection = task.select(
            effective_ep(query.enterprise_project_id.as_deref()),
            query.scan_status.as_deref(),
        );
        let body = task.page_json(
            selection,
            query.offset.unwrap_or(0) as usize,
            query.limit.unwrap_or(params::DEFAULT_LIMIT) as usize,
        );
        Some(serde_json::from_slice(&body).expect("the fake writes valid JSON"))
    }

    /// Stops accepting, lets open connections finish their current request
    /// (for at most 5 seconds) and waits for the server to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningFake {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Shared {
    store: Store,
    auth: Auth,
    faults: Mutex<FaultState>,
    log: Mutex<RequestLog>,
    ids: RequestIds,
    clock: Arc<dyn Clock>,
}

/// Unique request IDs: 32 hex characters, a bijective mix of a per-server
/// random number and a counter.
struct RequestIds {
    nonce: u64,
    counter: AtomicU64,
}

impl RequestIds {
    fn new() -> RequestIds {
        use rand::RngExt;
        RequestIds {
            nonce: rand::rng().random(),
            counter: AtomicU64::new(0),
        }
    }

    fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let high = splitmix(n ^ self.nonce);
        let low = splitmix(high ^ self.nonce.rotate_left(17));
        format!("{high:016x}{low:016x}")
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(x) => x,
                    Err(error) => {
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                connections.spawn(serve_connection(stream, peer, Arc::clone(&shared), stop.clone()));
                while connections.try_join_next().is_some() {}
            }
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .is_err()
    {
        connections.abort_all();
    }
    tracing::info!("hss-fake stopped");
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ResettableStream {
        inner: stream,
        reset: Arc::clone(&reset),
    });
    let service = service_fn(move |req| handle(Arc::clone(&shared), Arc::clone(&reset), req));
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
}

/// A TCP stream that is closed with RST instead of FIN when a
/// [`Fault::ResetConnection`] asked for it.
struct ResettableStream {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed) {
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.reset.load(Ordering::Relaxed) {
            // No FIN: the drop resets the connection.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Returned to hyper to drop the connection without an answer.
#[derive(Debug, thiserror::Error)]
#[error("connection reset on purpose by a fault")]
struct ConnectionReset;

async fn handle(
    shared: Arc<Shared>,
    reset: Arc<AtomicBool>,
    request: Request<Incoming>,
) -> Result<Response<FakeBody>, ConnectionReset> {
    let received_at = SystemTime::now();
    let request_id = shared.ids.next();
    let (parts, body) = request.into_parts();
    let raw_path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().map(str::to_owned);
    let (body, too_large) = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => (collected.to_bytes(), false),
        Err(error) => {
            if error
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                (Bytes::new(), true)
            } else {
                // The client went away while sending the body.
                return Err(ConnectionReset);
            }
        }
    };
    let decision = lock(&shared.faults).next();
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let mut record = RecordedRequest {
        method: parts.method.clone(),
        raw_path,
        raw_query,
        headers: parts.headers,
        body,
        request_id: request_id.clone(),
        status: None,
        caller: None,
        received_at,
    };

    let mut response = match decision.fault {
        Some(Fault::ResetConnection) => {
            reset.store(true, Ordering::Relaxed);
            tracing::info!(method = %record.method, path = %record.raw_path, %request_id, "fault: connection reset");
            lock(&shared.log).push(record);
            return Err(ConnectionReset);
        }
        Some(Fault::Throttle { retry_after_secs }) => {
            let mut r = gateway_flat(
                StatusCode::TOO_MANY_REQUESTS,
                "APIGW.0308",
                "The throttling threshold has been reached: policy user over ratelimit",
                &request_id,
            );
            if let Some(secs) = retry_after_secs {
                r.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
            }
            r
        }
        Some(Fault::ServerError {
            status,
            error_code,
            error_msg,
        }) => gateway_flat(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &error_code,
            &error_msg,
            &request_id,
        ),
        Some(Fault::BadGatewayHtml) => html_bad_gateway(),
        other => {
            let mut r = if too_large {
                gateway_flat(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "APIGW.0201",
                    "Request entity too large.",
                    &request_id,
                )
            } else {
                let (response, caller) = route(&shared, &record, &request_id);
                record.caller = caller;
                response
            };
            match other {
                Some(Fault::TruncatedBody) => {
                    let full = r.body_mut().take_full().unwrap_or_default();
                    r.headers_mut()
                        .insert(CONTENT_LENGTH, HeaderValue::from(full.len()));
                    *r.body_mut() = FakeBody::truncated(full);
                }
                Some(Fault::SlowBody { chunk, interval }) => {
                    let full = r.body_mut().take_full().unwrap_or_default();
                    *r.body_mut() = FakeBody::dribble(full, chunk, interval);
                }
                _ => {}
            }
            r
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        "x-request-id",
        HeaderValue::from_str(&request_id).expect("hex is a valid header value"),
    );
    headers.insert("server", HeaderValue::from_static("api-gateway"));
    record.status = Some(response.status().as_u16());
    tracing::info!(method = %record.method, path = %record.raw_path, status = response.status().as_u16(), %request_id, "request");
    lock(&shared.log).push(record);
    Ok(response)
}

/// Answers a request that no fault took over; also says who it
/// authenticated as.
fn route(
    shared: &Shared,
    request: &RecordedRequest,
    request_id: &str,
) -> (Response<FakeBody>, Option<Caller>) {
    let PathMatch::Hosts {
        project_id,
        task_id,
    } = params::match_path(&request.raw_path)
    else {
        return (api_not_found(request_id), None);
    };
    if request.method != Method::GET {
        return (api_not_found(request_id), None);
    }
    let input = AuthInput {
        method: request.method.as_str(),
        raw_path: &request.raw_path,
        raw_query: request.raw_query.as_deref().unwrap_or(""),
        headers: &request.headers,
        body: &request.body,
        now: shared.clock.now(),
    };
    let caller = match shared.auth.check(&input) {
        Ok(caller) => caller,
        Err(message) => {
            let response =
                gateway_flat(StatusCode::UNAUTHORIZED, "APIGW.0301", &message, request_id);
            return (response, None);
        }
    };
    (serve(shared, request, project_id, task_id), Some(caller))
}

/// The operation itself, for an authenticated request.
fn serve(
    shared: &Shared,
    request: &RecordedRequest,
    project_id: Result<String, String>,
    task_id: Result<String, String>,
) -> Response<FakeBody> {
    let (project_id, task_id) = match (project_id, task_id) {
        (Ok(p), Ok(t)) => (p, t),
        (Err(message), _) | (_, Err(message)) => return hss_error("HSS.0001", &message),
    };
    let query = match params::parse_query(request.raw_query.as_deref().unwrap_or("")) {
        Ok(q) => q,
        Err(message) => return hss_error("HSS.0001", &message),
    };
    let ep = effective_ep(query.enterprise_project_id.as_deref());
    match shared.store.lookup(&project_id, &task_id, ep) {
        Lookup::UnknownProject => hss_error(
            "HSS.0011",
            &format!("Resource not found: project {project_id} does not exist"),
        ),
        Lookup::UnknownTask => hss_error(
            "HSS.0011",
            &format!("Resource not found: vulnerability scan task {task_id} does not exist"),
        ),
        Lookup::UnknownEnterpriseProject => hss_error(
            "HSS.0011",
            &format!("Resource not found: enterprise project {ep} does not exist"),
        ),
        Lookup::Found(task) => {
            let selection = task.select(ep, query.scan_status.as_deref());
            let body = task.page_json(
                selection,
                query.offset.unwrap_or(0) as usize,
                query.limit.unwrap_or(params::DEFAULT_LIMIT) as usize,
            );
            json_response(StatusCode::OK, body)
        }
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response<FakeBody> {
    let mut r = Response::new(FakeBody::full(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    r
}

/// `{"error_code": ..., "error_msg": ...}` with status 400, as HSS answers.
fn hss_error(code: &str, message: &str) -> Response<FakeBody> {
    let body = json!({"error_code": code, "error_msg": message});
    json_response(
        StatusCode::BAD_REQUEST,
        serde_json::to_vec(&body).expect("JSON serializes"),
    )
}

/// `{"error_msg": ..., "error_code": ..., "request_id": ...}`, the flat gateway shape.
fn gateway_flat(
    status: StatusCode,
    code: &str,
    message: &str,
    request_id: &str,
) -> Response<FakeBody> {
    let body = json!({"error_msg": message, "error_code": code, "request_id": request_id});
    json_response(status, serde_json::to_vec(&body).expect("JSON serializes"))
}

/// 404 `APIGW.0101` in the nested gateway shape `{"error": {...}}`.
fn api_not_found(request_id: &str) -> Response<FakeBody> {
    let message = "The API does not exist or has not been published in the environment";
    let body = json!({"error": {
        "code": "APIGW.0101",
        "message": message,
        "error_code": "APIGW.0101",
        "error_msg": message,
        "request_id": request_id,
    }});
    json_response(
        StatusCode::NOT_FOUND,
        serde_json::to_vec(&body).expect("JSON serializes"),
    )
}

/// The page a reverse proxy sends when the gateway behind it is gone.
pub(crate) const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

fn html_bad_gateway() -> Response<FakeBody> {
    let mut r = Response::new(FakeBody::full(Bytes::from_static(
        BAD_GATEWAY_HTML.as_bytes(),
    )));
    *r.status_mut() = StatusCode::BAD_GATEWAY;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_unique_hex() {
        let ids = RequestIds::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let id = ids.next();
            assert_eq!(id.len(), 32);
            assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(seen.insert(id));
        }
    }
}
