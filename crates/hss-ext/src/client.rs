//! [`HssClient`]: the generated client plus configuration (endpoint,
//! credentials, retries, timeouts), built once and cheap to clone.

use std::sync::Arc;
use std::time::Duration;

use hss_api::types::{ErrorBody, ListVulScanTaskHostResponse};
use hss_api::{Hooks, ResponseValue};
use hss_auth::{Clock, Credentials, Endpoint, ExplicitCredentials, SystemClock};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use tokio::time::Instant;
use tracing::Instrument;

use crate::decode::{
    ERROR_BODY_LIMIT, HostPage, invalid_payload, page_from, service_error, unexpected,
};
use crate::error::{Error, TransportKind};
use crate::hooks::{self, Auth, HssHook, ResponseMeta, capture_response};
use crate::limit::{DEFAULT_MAX_RESPONSE_BODY, find_too_large};
use crate::query::{HostQuery, ValidQuery};
use crate::retry::{self, RetryPolicy, RetryQuota};

/// Default time to establish a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for one attempt, from sending to the end of the body.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A configured HSS client. Clones share the connection pool and the
/// retry quota.
///
/// ```no_run
/// # async fn run() -> Result<(), hss_ext::Error> {
/// use hss_ext::{HostQuery, HssClient, ScanStatus};
///
/// // Credentials and project from HUAWEICLOUD_SDK_* or ~/.huaweicloud/credentials.
/// let client = HssClient::builder().region("ap-southeast-1").build()?;
/// let failed = client
///     .collect_hosts(HostQuery::new("2b31ed52...").scan_status(ScanStatus::Failed), Default::default())
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct HssClient {
    api: hss_api::Client,
    retry: RetryPolicy,
    /// Shared by clones, so all pages of all listings draw on one quota.
    quota: Option<Arc<RetryQuota>>,
    project_id: Option<String>,
}

impl HssClient {
    /// Starts configuring a client.
    pub fn builder() -> HssClientBuilder {
        HssClientBuilder::default()
    }

    /// The same client with another retry policy, and a full retry
    /// quota of its own (other clones keep the one they share).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.quota = quota_for(&retry);
        self.retry = retry;
        self
    }

    /// The same client with another default project.
    pub fn with_project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// The generated client underneath, for operations this crate does not
    /// wrap. Its requests go through the same credentials and tracing hook.
    pub fn api(&self) -> &hss_api::Client {
        &self.api
    }

    /// The default project of this client.
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }

    /// The retry policy of this client.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Tokens left in the retry quota this client shares with its clones,
    /// `None` when the policy has no quota. Low means the service has been
    /// failing lately and further failures will not be retried.
    pub fn retry_quota_available(&self) -> Option<u32> {
        self.quota.as_ref().map(|quota| quota.available())
    }

    /// Fetches one page, retrying as the policy allows.
    pub async fn list_hosts_page(&self, query: &HostQuery) -> Result<HostPage, Error> {
        let query = query.validate(self.project_id.as_deref())?;
        self.fetch_page(&query).await
    }

    pub(crate) fn validate(&self, query: &HostQuery) -> Result<ValidQuery, Error> {
        query.validate(self.project_id.as_deref())
    }

    /// One page of an already validated query, with retries.
    ///
    /// Bounded three ways: at most `max_attempts` attempts; the budget,
    /// which cuts the attempt in flight too (ending in [`Error::Timeout`]);
    /// and the client's retry quota, which every retry draws on.
    pub(crate) async fn fetch_page(&self, query: &ValidQuery) -> Result<HostPage, Error> {
        let started = Instant::now();
        let budget = self.retry.budget();
        let mut attempt = 1u32;
        // Tokens the latest retry took, refunded if it succeeds.
        let mut held = None;
        let mut last_error: Option<Error> = None;
        loop {
            let span = tracing::info_span!(
                "hss.request",
                otel.name = "ListVulScanTaskHost",
                http.method = "GET",
                url.path = tracing::field::Empty,
                http.status = tracing::field::Empty,
                request_id = tracing::field::Empty,
                attempt,
                latency_ms = tracing::field::Empty,
            );
            let remaining = budget.saturating_sub(started.elapsed());
            let sent = Instant::now();
            let outcome =
                tokio::time::timeout(remaining, self.send_once(query).instrument(span.clone()))
                    .await;
            span.record("latency_ms", sent.elapsed().as_millis() as u64);
            let error = match outcome {
                Ok(Ok(page)) => {
                    if let Some(quota) = &self.quota {
                        quota.refund(held.unwrap_or(RetryPolicy::SUCCESS_REFUND));
                    }
                    span.in_scope(|| tracing::debug!(hosts = page.hosts.len(), "page received"));
                    return Ok(page);
                }
                Ok(Err(error)) => error,
                Err(_) => {
                    let error = Error::Timeout {
                        budget,
                        attempts: attempt,
                        last_error: last_error.map(Box::new),
                    };
                    span.in_scope(|| tracing::warn!(%error, "budget spent, attempt abandoned"));
                    return Err(error);
                }
            };
            let Some(retryable) = retry::classify(&error) else {
                return Err(error);
            };
            let Some(delay) =
                self.retry
                    .delay_before(attempt, started.elapsed(), error.retry_after())
            else {
                span.in_scope(|| tracing::warn!(%error, attempts = attempt, "giving up"));
                return Err(error);
            };
            if let Some(quota) = &self.quota {
                let cost = retryable.cost();
                if !quota.try_acquire(cost) {
                    span.in_scope(|| {
                        tracing::warn!(%error, attempts = attempt, "retry quota exhausted, giving up")
                    });
                    return Err(error);
                }
                held = Some(cost);
            }
            span.in_scope(
                || tracing::info!(%error, delay_ms = delay.as_millis() as u64, "retrying"),
            );
            tokio::time::sleep(delay).await;
            last_error = Some(error);
            attempt += 1;
        }
    }

    async fn send_once(&self, query: &ValidQuery) -> Result<HostPage, Error> {
        let mut request = self
            .api
            .list_vul_scan_task_host()
            .project_id(query.project_id.as_str())
            .task_id(query.task_id.as_str());
        if let Some(eps) = &query.enterprise_project_id {
            request = request.enterprise_project_id(eps.as_str());
        }
        if let Some(status) = &query.scan_status {
            request = request.scan_status(status.as_str());
        }
        if let Some(limit) = query.limit {
            request = request.limit(limit);
        }
        if let Some(offset) = query.offset {
            request = request.offset(offset);
        }
        let (result, meta) = capture_response(request.send()).await;
        match result {
            Ok(response) => page_from_response(response),
            Err(error) => Err(convert_error(error, meta).await),
        }
    }
}

/// A full quota for a client with this policy.
fn quota_for(retry: &RetryPolicy) -> Option<Arc<RetryQuota>> {
    retry
        .retry_quota()
        .map(|tokens| Arc::new(RetryQuota::new(tokens)))
}

fn page_from_response(
    response: ResponseValue<ListVulScanTaskHostResponse>,
) -> Result<HostPage, Error> {
    let (status, headers) = (response.status(), response.headers().clone());
    page_from(status, &headers, response.into_inner())
}

/// Turns what the generated client returned into this crate's error,
/// using the status and headers the hook kept when progenitor lost them.
async fn convert_error(error: hss_api::Error<ErrorBody>, meta: Option<ResponseMeta>) -> Error {
    use hss_api::Error as Api;
    let meta_request_id = meta
        .as_ref()
        .and_then(|m| hooks::request_id(&m.headers))
        .map(str::to_owned);
    match error {
        Api::InvalidRequest(message) => Error::InvalidInput {
            parameter: "request",
            reason: message,
        },
        Api::Custom(message) => Error::Refused { message },
        Api::CommunicationError(source)
        | Api::ResponseBodyError(source)
        | Api::InvalidUpgrade(source) => {
            let status = meta.as_ref().map(|m| m.status).or(source.status());
            match (find_too_large(&source), status) {
                (Some(too_large), Some(status)) => Error::ResponseTooLarge {
                    status,
                    request_id: meta_request_id,
                    limit: too_large.limit,
                    declared: too_large.declared,
                },
                _ => Error::Transport {
                    kind: transport_kind(&source),
                    status,
                    request_id: meta_request_id,
                    source,
                },
            }
        }
        Api::ErrorResponse(response) => {
            let (status, headers) = (response.status(), response.headers().clone());
            service_error(status, &headers, Some(response.into_inner()), None)
        }
        Api::InvalidResponsePayload(body, decode_error) => match meta {
            Some(meta) => invalid_payload(meta.status, &meta.headers, &body, &decode_error),
            None => invalid_payload(StatusCode::OK, &HeaderMap::new(), &body, &decode_error),
        },
        Api::UnexpectedResponse(response) => {
            let (status, headers) = (response.status(), response.headers().clone());
            let body = read_bounded(response, ERROR_BODY_LIMIT).await;
            unexpected(status, &headers, &body)
        }
    }
}

fn transport_kind(error: &reqwest::Error) -> TransportKind {
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

/// Reads at most `limit` bytes of a body; a broken body yields what arrived.
async fn read_bounded(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk[..chunk.len().min(limit - body.len())])
            }
            _ => break,
        }
    }
    body
}

/// Configures an [`HssClient`].
///
/// Without [`credentials`](Self::credentials) the builder looks, in order,
/// at the environment (`HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`,
/// `HUAWEICLOUD_SDK_SECURITY_TOKEN`, `HUAWEICLOUD_SDK_TOKEN`,
/// `HUAWEICLOUD_SDK_PROJECT_ID`) and then the profile file
/// (`HUAWEICLOUD_SDK_CREDENTIALS_FILE` or `~/.huaweicloud/credentials`).
#[derive(Default)]
#[must_use]
pub struct HssClientBuilder {
    endpoint: Option<EndpointChoice>,
    credentials: Option<Credentials>,
    anonymous: bool,
    project_id: Option<String>,
    retry: Option<RetryPolicy>,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    clock: Option<Arc<dyn Clock>>,
    user_agent: Option<String>,
    max_response_body: Option<u64>,
    extra_hooks: Vec<Arc<dyn hss_api::RequestHook>>,
}

impl std::fmt::Debug for HssClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HssClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials) // redacts secrets itself
            .field("project_id", &self.project_id)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
enum EndpointChoice {
    Region(String),
    Url { url: String, allow_http: bool },
    Ready(Endpoint),
}

impl HssClientBuilder {
    /// A Huawei Cloud region, e.g. `ap-southeast-1`; honours the
    /// `HUAWEICLOUD_SDK_REGION_HSS_<REGION>` override.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.endpoint = Some(EndpointChoice::Region(region.into()));
        self
    }

    /// Any endpoint URL (`scheme://host[:port]`), for partner clouds or a
    /// local fake. Plain `http` is accepted only for loopback hosts.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(EndpointChoice::Url {
            url: url.into(),
            allow_http: false,
        });
        self
    }

    /// Like [`endpoint_url`](Self::endpoint_url) but also accepts plain
    /// `http` to any host. Signed requests and results then travel in clear.
    pub fn endpoint_url_allow_insecure_http(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(EndpointChoice::Url {
            url: url.into(),
            allow_http: true,
        });
        self
    }

    /// An endpoint chosen already.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(EndpointChoice::Ready(endpoint));
        self
    }

    /// Credentials to use instead of the environment and profile file.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self.anonymous = false;
        self
    }

    /// Sends requests without credentials (for a fake server that does not
    /// check them).
    pub fn without_credentials(mut self) -> Self {
        self.credentials = None;
        self.anonymous = true;
        self
    }

    /// The project used when a query does not name one.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// Retry policy, with the size of the retry quota the client's clones
    /// share; [`RetryPolicy::default`] unless set.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Time to establish a connection; [`DEFAULT_CONNECT_TIMEOUT`] unless set.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time for one attempt; [`DEFAULT_REQUEST_TIMEOUT`] unless set.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// The clock that dates signatures (tests use a fixed one).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Text appended to the `User-Agent` (`hss-rs/<version> <suffix>`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent = Some(suffix.into());
        self
    }

    /// The largest response body read, in bytes;
    /// [`DEFAULT_MAX_RESPONSE_BODY`](crate::DEFAULT_MAX_RESPONSE_BODY) (16 MiB) unless set.
    /// A larger answer ends in [`Error::ResponseTooLarge`]: one that
    /// declares a larger `Content-Length` is not read at all, one without
    /// a length is read up to the limit.
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.max_response_body = Some(bytes);
        self
    }

    /// A hook of your own, run before this crate's (so what it adds is
    /// signed).
    pub fn hook(mut self, hook: Arc<dyn hss_api::RequestHook>) -> Self {
        self.extra_hooks.push(hook);
        self
    }

    /// Builds the client, resolving credentials and endpoint.
    pub fn build(self) -> Result<HssClient, Error> {
        let config = |message: String| Error::Config { message };
        let endpoint = match self.endpoint {
            None => {
                return Err(config(
                    "no endpoint: set a region (e.g. ap-southeast-1) or an endpoint URL".into(),
                ));
            }
            Some(EndpointChoice::Ready(endpoint)) => endpoint,
            Some(EndpointChoice::Region(region)) => {
                Endpoint::for_region_from_process_env(&region).map_err(|e| config(e.to_string()))?
            }
            Some(EndpointChoice::Url { url, allow_http }) => if allow_http {
                Endpoint::custom_allow_insecure_http(&url)
            } else {
                Endpoint::custom(&url)
            }
            .map_err(|e| config(e.to_string()))?,
        };

        let (credentials, env_project) = if self.anonymous {
            (None, None)
        } else if let Some(credentials) = self.credentials {
            (Some(credentials), None)
        } else {
            let resolved =
                hss_auth::credentials::resolve_from_process(&ExplicitCredentials::default())
                    .map_err(|e| config(e.to_string()))?;
            (Some(resolved.credentials), resolved.project_id)
        };
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let auth = Auth::new(credentials.as_ref(), clock).map_err(config)?;

        let user_agent = match &self.user_agent {
            Some(suffix) => format!("{} {suffix}", hooks::DEFAULT_USER_AGENT),
            None => hooks::DEFAULT_USER_AGENT.to_owned(),
        };
        let user_agent = HeaderValue::from_str(&user_agent).map_err(|_| {
            config("the User-Agent suffix contains a character not allowed in headers".into())
        })?;

        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .timeout(self.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT))
            // As the official SDKs: a redirect would resend signed headers
            // to another host.
            .redirect(reqwest::redirect::Policy::none())
            // HTTP/1.1 as the official SDKs: the signed `Host` header must
            // reach the gateway as it was signed.
            .http1_only()
            .build()
            .map_err(|e| config(format!("the HTTP client could not be built: {e}")))?;

        let mut hooks = Hooks::new();
        for hook in self.extra_hooks {
            hooks = hooks.with_shared(hook);
        }
        let hooks = hooks.with(HssHook {
            user_agent,
            auth,
            max_response_body: self.max_response_body.unwrap_or(DEFAULT_MAX_RESPONSE_BODY),
        });
        let base_url = endpoint.url().as_str().trim_end_matches('/').to_owned();
        let retry = self.retry.unwrap_or_default();
        Ok(HssClient {
            api: hss_api::Client::new_with_client(&base_url, http, hooks),
            quota: quota_for(&retry),
            retry,
            project_id: self.project_id.or(env_project),
        })
    }
}
