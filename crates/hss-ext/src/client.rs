//! [`HssClient`]: the generated client plus configuration (endpoint,
//! credentials, retries, timeouts), built once and cheap to clone.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hss_api::Hooks;
use hss_auth::credentials::CredentialSource;
use hss_auth::iam::IamEndpointSource;
use hss_auth::{Clock, Credentials, Endpoint, ExplicitCredentials, SystemClock};
use reqwest::header::HeaderValue;

use crate::auth::AuthState;
use crate::error::Error;
use crate::hooks::{self, HssHook};
use crate::limit::DEFAULT_MAX_RESPONSE_BODY;
use crate::metadata::MetadataSource;
use crate::preview::RequestPreview;
use crate::project::{Discovery, ProjectChoice, ProjectOrigin};
use crate::proxy::{ProxyConfig, ProxyInUse};
use crate::query::check_project_id;
use crate::rate::RateController;
use crate::retry::{RetryPolicy, RetryQuota};

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
    pub(crate) api: hss_api::Client,
    pub(crate) retry: RetryPolicy,
    /// Shared by clones, so all pages of all listings draw on one quota.
    pub(crate) quota: Option<Arc<RetryQuota>>,
    /// Shared by clones: how fast all requests together may be sent.
    pub(crate) rate: Arc<RateController>,
    /// This handle's requests probe for the rate (an adaptive listing's).
    pub(crate) probe: bool,
    pub(crate) project: ProjectChoice,
    /// Shared by clones: credentials, the corrected clock, the HTTP client.
    pub(crate) shared: Arc<Shared>,
}

/// What every clone of a client shares besides the generated client.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) http: reqwest::Client,
    pub(crate) auth: Arc<AuthState>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) endpoint: Endpoint,
    pub(crate) endpoint_origin: EndpointOrigin,
    pub(crate) credential_origin: CredentialOrigin,
    pub(crate) credential_kind: CredentialKind,
    pub(crate) proxy: Option<ProxyInUse>,
}

/// Where a client's credentials came from, in the order of the chain the
/// builder follows when none are given.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialOrigin {
    /// None (`without_credentials`).
    None,
    /// Given to the builder.
    Given,
    /// The environment (`HUAWEICLOUD_SDK_AK`/`_SK`/`_SECURITY_TOKEN`, or
    /// `HUAWEICLOUD_SDK_TOKEN`).
    Environment,
    /// Section `[basic]` of a profile file.
    ProfileFile(std::path::PathBuf),
    /// The instance metadata service: asked for with
    /// [`HssClientBuilder::credentials_from_metadata`], or the chain's
    /// last source when no other had credentials (`fallback`).
    InstanceMetadata {
        /// The metadata endpoint.
        endpoint: String,
        /// Whether it was reached as the last source of the chain.
        fallback: bool,
    },
}

/// What kind of credentials a client sends, without the secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialKind {
    /// None (`without_credentials`).
    None,
    /// An IAM token.
    Token,
    /// A permanent access key pair; the access key id is not secret (it
    /// travels in every `Authorization` header).
    AccessKey {
        /// The access key id.
        ak: String,
    },
    /// A temporary access key pair with its security token.
    TemporaryAccessKey {
        /// The access key id.
        ak: String,
    },
}

/// How a client's endpoint was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointOrigin {
    /// Given as a URL or an [`Endpoint`].
    Given,
    /// The region's entry in the table.
    Region(String),
    /// The region's override variable `HUAWEICLOUD_SDK_REGION_HSS_<REGION>`.
    RegionOverride {
        /// The region.
        region: String,
        /// The variable.
        variable: String,
    },
}

impl std::fmt::Display for EndpointOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Given => f.write_str("given explicitly"),
            Self::Region(region) => write!(f, "the endpoint of region {region}"),
            Self::RegionOverride { region, variable } => {
                write!(f, "environment variable {variable} (region {region})")
            }
        }
    }
}

impl HssClient {
    /// Starts configuring a client.
    pub fn builder() -> HssClientBuilder {
        HssClientBuilder::default()
    }

    /// The request `call` would send, without sending it: a dry run.
    ///
    /// `call` gets a clone of this client and makes one call with it, as
    /// it would for real; its first request is built, signed and recorded
    /// instead of sent (see [`RequestPreview`](crate::RequestPreview)). Errors before that
    /// point come back as they are (an invalid parameter is
    /// [`Error::InvalidInput`], as the real call would say); a call that
    /// sends nothing is [`Error::Refused`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), hss_ext::Error> {
    /// use hss_ext::{HssClient, VulOperation, VulStatusChange};
    /// let client = HssClient::builder()
    ///     .endpoint_url("https://hss.ap-southeast-1.myhuaweicloud.com")
    ///     .credentials(hss_ext::Credentials::ak_sk(
    ///         "AKEXAMPLE",
    ///         hss_ext::SecretString::from("secret".to_owned()),
    ///     ))
    ///     .project_id("0123456789abcdef")
    ///     .build()?;
    /// let change = VulStatusChange::new(VulOperation::Ignore).vul("CVE-2024-6387", ["host-1"]);
    /// let preview = client
    ///     .preview(|c| async move { c.change_vul_status(&change).await })
    ///     .await?;
    /// assert_eq!(preview.method, "PUT");
    /// assert!(!preview.to_string().contains("secret"));
    /// println!("{preview}");
    /// # Ok(()) }
    /// ```
    pub async fn preview<F, Fut, T>(&self, call: F) -> Result<RequestPreview, Error>
    where
        F: FnOnce(HssClient) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        crate::preview::capture(call(self.clone())).await
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
        self.project = ProjectChoice::Known {
            id: project_id.into(),
            origin: ProjectOrigin::Given,
        };
        self
    }

    /// The generated client underneath, for operations this crate does not
    /// wrap. Its requests go through the same credentials and tracing hook.
    pub fn api(&self) -> &hss_api::Client {
        &self.api
    }

    /// The default project of this client, when it is known: given, from
    /// the environment or the credentials file, or discovered from IAM
    /// already (see [`resolve_project_id`](Self::resolve_project_id)).
    pub fn project_id(&self) -> Option<&str> {
        self.project.known()
    }

    /// Where the project id came from, once it is known.
    pub fn project_origin(&self) -> Option<ProjectOrigin> {
        self.project.origin()
    }

    /// Whether this client asks IAM for its project (no project id was
    /// set, and it has a region and AK/SK credentials), and has not yet.
    pub fn discovers_project(&self) -> bool {
        self.project.can_discover() && self.project.known().is_none()
    }

    /// The default project, asking IAM for it first if this client
    /// discovers it (see [`HssClientBuilder::build`]); the answer is kept
    /// for every clone. Fails with [`Error::Project`] when IAM has no
    /// project or several for the region, [`Error::ProjectDiscovery`] when
    /// asking failed, and [`Error::InvalidInput`] when there is no project
    /// and no way to discover one. One question, not retried: the requests
    /// that need the project retry it under their retry policy.
    pub async fn resolve_project_id(&self) -> Result<String, Error> {
        match &self.project {
            ProjectChoice::Known { id, .. } => Ok(id.clone()),
            ProjectChoice::Discover(discovery) => self
                .discover(discovery)
                .await
                .map_err(|e| crate::proxy::refusal(e, self.shared.proxy.as_ref())),
            ProjectChoice::Unknown => Err(Error::invalid(
                "project_id",
                "not set: pass it on the query or the client, or set HUAWEICLOUD_SDK_PROJECT_ID (with a region and AK/SK credentials the client asks IAM for it)",
            )),
        }
    }

    async fn discover(&self, discovery: &Discovery) -> Result<String, Error> {
        if let Some(id) = self.project.known() {
            return Ok(id.to_owned());
        }
        self.shared.auth.prepare().await?;
        let id = discovery
            .project_id(
                &self.shared.http,
                &self.shared.auth,
                &self.shared.user_agent,
            )
            .await?;
        check_project_id(&id)?;
        Ok(id)
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.shared.endpoint
    }

    /// How the endpoint was chosen.
    pub fn endpoint_origin(&self) -> &EndpointOrigin {
        &self.shared.endpoint_origin
    }

    /// What kind of credentials this client sends (for the metadata
    /// service's, the access key of the current ones once fetched).
    pub fn credential_kind(&self) -> CredentialKind {
        match self.shared.auth.metadata() {
            Some(source) => CredentialKind::TemporaryAccessKey {
                ak: source.current().map(|(ak, _)| ak).unwrap_or_default(),
            },
            None => self.shared.credential_kind.clone(),
        }
    }

    /// When the current temporary credentials of the metadata service
    /// expire, once fetched.
    pub fn credentials_expire_at(&self) -> Option<time::OffsetDateTime> {
        self.shared
            .auth
            .metadata()
            .and_then(|source| source.current())
            .map(|(_, at)| at)
    }

    /// The proxy requests to the endpoint go through, if any: the one
    /// given to the builder, else the environment's as reqwest reads it.
    pub fn proxy(&self) -> Option<&ProxyInUse> {
        self.shared.proxy.as_ref()
    }

    /// When this client discovers its project: the region it asks for, the
    /// IAM endpoint it asks, and how that endpoint was chosen.
    pub fn project_discovery(&self) -> Option<(&str, &Endpoint, &IamEndpointSource)> {
        match &self.project {
            ProjectChoice::Discover(d) => Some((d.region(), d.iam_endpoint(), d.iam_source())),
            _ => None,
        }
    }

    /// Where the credentials came from.
    pub fn credential_origin(&self) -> &CredentialOrigin {
        &self.shared.credential_origin
    }

    /// Makes sure the credentials are ready: for temporary credentials of
    /// the instance metadata service, fetches (or refreshes) them now, so
    /// that a program can fail early, as the official SDKs do when they
    /// build a client; nothing for the others. Requests do it themselves.
    pub async fn ensure_credentials(&self) -> Result<(), Error> {
        self.shared.auth.prepare().await
    }

    /// What this client adds to its clock to date signatures: zero until
    /// the gateway refused a signature as expired, then the difference
    /// between its clock and ours (see [`hss_auth::skew`]).
    pub fn clock_offset(&self) -> time::Duration {
        self.shared.auth.clock_offset()
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

    /// The rate this client and its clones send at now, requests per
    /// second: `None` while nothing holds it back (no throttling seen, no
    /// ceiling); otherwise what [`max_requests_per_second`](HssClientBuilder::max_requests_per_second)
    /// and the throttling met so far allow (see [`HssClientBuilder::adaptive_rate`]).
    pub fn send_rate(&self) -> Option<f64> {
        self.rate.snapshot().rate
    }

    /// Answers `429` or `503` this client and its clones received so far
    /// (retried or not): how often the service said "too much".
    pub fn throttled_answers(&self) -> u64 {
        self.rate.snapshot().throttled
    }

    /// The same client (same rate, quota and connections) whose requests
    /// probe for the rate: what an adaptive listing fetches with.
    pub(crate) fn probing(mut self, probe: bool) -> Self {
        self.probe = probe;
        self
    }
}

/// A full quota for a client with this policy.
fn quota_for(retry: &RetryPolicy) -> Option<Arc<RetryQuota>> {
    retry
        .retry_quota()
        .map(|tokens| Arc::new(RetryQuota::new(tokens)))
}

/// Configures an [`HssClient`].
///
/// Without [`credentials`](Self::credentials) the builder looks, in order,
/// at the environment (`HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`,
/// `HUAWEICLOUD_SDK_SECURITY_TOKEN`, `HUAWEICLOUD_SDK_TOKEN`,
/// `HUAWEICLOUD_SDK_PROJECT_ID`) and then the profile file
/// (`HUAWEICLOUD_SDK_CREDENTIALS_FILE` or `~/.huaweicloud/credentials`).
///
/// Without a project id (given, or from the same sources), a client with
/// a [`region`](Self::region) and AK/SK credentials asks IAM for the
/// project named after the region, as the official SDKs do (see
/// [`build`](Self::build)).
#[derive(Default)]
#[must_use]
pub struct HssClientBuilder {
    region: Option<String>,
    endpoint: Option<EndpointChoice>,
    iam_endpoint: Option<String>,
    proxy: Option<ProxyConfig>,
    metadata: bool,
    metadata_endpoint: Option<String>,
    tls: crate::tls::TlsSettings,
    read_timeout: Option<Duration>,
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
    max_rps: Option<f64>,
    fixed_rate: bool,
}

impl std::fmt::Debug for HssClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HssClientBuilder")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("iam_endpoint", &self.iam_endpoint)
            .field("credentials", &self.credentials) // redacts secrets itself
            .field("project_id", &self.project_id)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
enum EndpointChoice {
    Url { url: String, allow_http: bool },
    Ready(Endpoint),
}

impl HssClientBuilder {
    /// A Huawei Cloud region, e.g. `ap-southeast-1`: the endpoint, unless
    /// one is given with [`endpoint_url`](Self::endpoint_url) or
    /// [`endpoint`](Self::endpoint) (honouring the
    /// `HUAWEICLOUD_SDK_REGION_HSS_<REGION>` override), and the project to
    /// ask IAM for when no project id is set.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The IAM endpoint that names the project when no project id is set,
    /// instead of the credentials file's `iam_endpoint`,
    /// `HUAWEICLOUD_SDK_IAM_ENDPOINT` or the region's (see
    /// [`hss_auth::iam::iam_endpoint`]). `https`, or `http` to loopback.
    pub fn iam_endpoint(mut self, url: impl Into<String>) -> Self {
        self.iam_endpoint = Some(url.into());
        self
    }

    /// Sends every request through this proxy instead of the
    /// environment's (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`,
    /// which apply otherwise, as in reqwest).
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Any endpoint URL (`scheme://host[:port]`), for partner clouds or a
    /// local fake; it wins over the region's. Plain `http` is accepted
    /// only for loopback hosts.
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
        self.metadata = false;
        self
    }

    /// Temporary credentials from the instance metadata service of the
    /// Huawei Cloud server the program runs on, instead of the other
    /// sources (which also fall back to it when none has credentials).
    /// Fetched before the first request and refreshed 40 minutes before
    /// they expire (see [`hss_auth::metadata`]).
    pub fn credentials_from_metadata(mut self) -> Self {
        self.credentials = None;
        self.anonymous = false;
        self.metadata = true;
        self
    }

    /// Where the instance metadata service answers, instead of
    /// `HUAWEICLOUD_SDK_METADATA_ENDPOINT` or `http://169.254.169.254`:
    /// `http` to a link-local or loopback host, or `https`. Tests point it
    /// at a fake on 127.0.0.1.
    pub fn metadata_endpoint(mut self, url: impl Into<String>) -> Self {
        self.metadata_endpoint = Some(url.into());
        self
    }

    /// Sends requests without credentials (for a fake server that does not
    /// check them).
    pub fn without_credentials(mut self) -> Self {
        self.credentials = None;
        self.anonymous = true;
        self.metadata = false;
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

    /// The longest wait for the next bytes of an answer (the official
    /// SDKs' read timeout); none unless set, the attempt's timeout bounds
    /// it anyway.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Trusts only the CA certificates of this PEM file for HTTPS (as the
    /// official SDKs' `ssl_ca_cert`): for Huawei Cloud Stack and other
    /// private clouds with a CA of their own. Read by
    /// [`build`](Self::build); a file that cannot be read or holds no
    /// certificate is [`Error::CaBundle`].
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.tls.ca_bundle = Some(path.into());
        self
    }

    /// Checks no TLS certificate at all (the official SDKs'
    /// `ignore_ssl_verification`): anyone on the way can then read and
    /// change requests and answers. Every client built this way logs a
    /// warning; prefer [`ca_bundle`](Self::ca_bundle).
    pub fn ignore_ssl_verification(mut self, ignore: bool) -> Self {
        self.tls.ignore_verification = ignore;
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

    /// The most requests per second this client and its clones send
    /// together, retries included, whatever the service would allow: for
    /// a credential whose quota other tools share. Requests are paced
    /// evenly (no burst). No ceiling unless set; a value that is not
    /// positive and finite is [`Error::Config`] at [`build`](Self::build).
    pub fn max_requests_per_second(mut self, rps: f64) -> Self {
        self.max_rps = Some(rps);
        self
    }

    /// Whether the client learns the rate the service allows (the
    /// default, `true`). All requests of a client and its clones share one
    /// send rate: once the service answered `429` or `503` (or round
    /// trips grew to twice their usual time), every attempt, retries
    /// included, waits for a slot of it; it is cut on each new episode and
    /// recovers along a cubic. Listings with
    /// [`ListOptions::adaptive`](crate::ListOptions::adaptive) also probe
    /// for it from their first answer on (one request per round trip,
    /// doubling while answers come back clean), so that they find the
    /// service's rate without overrunning it first.
    /// With `false` only [`max_requests_per_second`](Self::max_requests_per_second)
    /// paces; throttling is then met by the retry policy alone.
    pub fn adaptive_rate(mut self, adaptive: bool) -> Self {
        self.fixed_rate = !adaptive;
        self
    }

    /// A hook of your own, run before this crate's (so what it adds is
    /// signed).
    pub fn hook(mut self, hook: Arc<dyn hss_api::RequestHook>) -> Self {
        self.extra_hooks.push(hook);
        self
    }

    /// Builds the client, resolving credentials, project and endpoint.
    ///
    /// The project id is the one given, else the one of the credential
    /// sources. Without one, a client with a region and AK/SK credentials
    /// asks IAM (`GET /v3/projects?name=<region>`, signed) before its first
    /// request, or when [`HssClient::resolve_project_id`] is called. The
    /// official SDK asks in its `build()`; this `build` is synchronous and
    /// is called from async code, where waiting for an answer would block
    /// the runtime, so the question waits for the first `await`.
    pub fn build(mut self) -> Result<HssClient, Error> {
        let (endpoint, endpoint_origin) = self.resolve_endpoint()?;
        let clock = self.clock.take().unwrap_or_else(|| Arc::new(SystemClock));
        let found = self.resolve_credentials(clock)?;
        let auth = Arc::new(found.auth);
        let credential_kind = CredentialKind::of(found.credentials.as_ref());
        let project = self.resolve_project(found.env_project, &auth, &found.origin)?;
        let user_agent = self.user_agent_header()?;
        let proxy = crate::proxy::proxy_for(self.proxy.as_ref(), endpoint.url());
        let http = self.http_client(&endpoint)?;
        let hooks = self.hooks(&user_agent, &auth);
        let rate = self.rate()?;
        let base_url = endpoint.url().as_str().trim_end_matches('/').to_owned();
        let retry = self.retry.unwrap_or_default();
        Ok(HssClient {
            rate,
            probe: false,
            api: hss_api::Client::new_with_client(&base_url, http.clone(), hooks),
            quota: quota_for(&retry),
            retry,
            project,
            shared: Arc::new(Shared {
                http,
                auth,
                user_agent,
                endpoint,
                endpoint_origin,
                credential_origin: found.origin,
                credential_kind,
                proxy,
            }),
        })
    }

    /// Step 1: the endpoint given, else the region's (with its
    /// environment override).
    fn resolve_endpoint(&mut self) -> Result<(Endpoint, EndpointOrigin), Error> {
        Ok(match (self.endpoint.take(), &self.region) {
            (Some(EndpointChoice::Ready(endpoint)), _) => (endpoint, EndpointOrigin::Given),
            (Some(EndpointChoice::Url { url, allow_http }), _) => (
                if allow_http {
                    Endpoint::custom_allow_insecure_http(&url)
                } else {
                    Endpoint::custom(&url)
                }
                .map_err(Error::Endpoint)?,
                EndpointOrigin::Given,
            ),
            (None, Some(region)) => {
                let variable = hss_auth::endpoint::region_override_var(region);
                let overridden = std::env::var(&variable)
                    .is_ok_and(|v| v.split(',').any(|s| !s.trim().is_empty()));
                let endpoint =
                    Endpoint::for_region_from_process_env(region).map_err(Error::Endpoint)?;
                let origin = if overridden {
                    EndpointOrigin::RegionOverride {
                        region: region.clone(),
                        variable,
                    }
                } else {
                    EndpointOrigin::Region(region.clone())
                };
                (endpoint, origin)
            }
            (None, None) => {
                return Err(config(
                    "no endpoint: set a region (e.g. ap-southeast-1) or an endpoint URL".into(),
                ));
            }
        })
    }

    /// Step 2: the credentials, as the official SDKs' chain finds them:
    /// given, else the environment or profile file, else the instance
    /// metadata service (whose answer waits for the first request).
    fn resolve_credentials(&mut self, clock: Arc<dyn Clock>) -> Result<FoundCredentials, Error> {
        let metadata_endpoint = self.metadata_endpoint.take();
        let metadata_source = |not_found: Option<String>, clock: Arc<dyn Clock>| {
            let endpoint =
                hss_auth::metadata::metadata_endpoint(metadata_endpoint.as_deref(), |k| {
                    std::env::var(k).ok()
                })
                .map_err(Error::Endpoint)?;
            let origin = CredentialOrigin::InstanceMetadata {
                endpoint: endpoint.to_string(),
                fallback: not_found.is_some(),
            };
            let source = Arc::new(MetadataSource::new(endpoint)?);
            Ok::<_, Error>(FoundCredentials {
                auth: AuthState::from_metadata(source, not_found, clock),
                origin,
                credentials: None,
                env_project: None,
            })
        };
        if self.anonymous {
            return Ok(FoundCredentials {
                auth: AuthState::new(None, clock).map_err(config)?,
                origin: CredentialOrigin::None,
                credentials: None,
                env_project: None,
            });
        }
        if self.metadata {
            return metadata_source(None, clock);
        }
        if let Some(given) = self.credentials.take() {
            return Ok(FoundCredentials {
                auth: AuthState::new(Some(&given), clock).map_err(config)?,
                origin: CredentialOrigin::Given,
                credentials: Some(given),
                env_project: None,
            });
        }
        match hss_auth::credentials::resolve_from_process(&ExplicitCredentials::default()) {
            Ok(resolved) => Ok(FoundCredentials {
                auth: AuthState::new(Some(&resolved.credentials), clock).map_err(config)?,
                origin: match resolved.source {
                    CredentialSource::Explicit => CredentialOrigin::Given,
                    CredentialSource::Environment => CredentialOrigin::Environment,
                    CredentialSource::ProfileFile(path) => CredentialOrigin::ProfileFile(path),
                },
                env_project: resolved
                    .project_id
                    .zip(resolved.project_id_source)
                    .map(|(id, source)| (id, project_origin(source))),
                credentials: Some(resolved.credentials),
            }),
            // As the official SDKs' chain: the metadata service comes
            // last. The environment's project id still applies.
            Err(not_found @ hss_auth::CredentialsError::NotFound { .. }) => {
                let mut found = metadata_source(Some(not_found.to_string()), clock)?;
                found.env_project = std::env::var(hss_auth::credentials::ENV_PROJECT_ID)
                    .ok()
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| (p, ProjectOrigin::Environment));
                Ok(found)
            }
            Err(other) => Err(config(other.to_string())),
        }
    }

    /// Step 3: the project given, else the credential sources', else one
    /// IAM names for the region before the first request (signed
    /// credentials only), else none.
    fn resolve_project(
        &mut self,
        env_project: Option<(String, ProjectOrigin)>,
        auth: &AuthState,
        credential_origin: &CredentialOrigin,
    ) -> Result<ProjectChoice, Error> {
        Ok(match (self.project_id.take(), env_project) {
            (Some(id), _) => ProjectChoice::Known {
                id,
                origin: ProjectOrigin::Given,
            },
            (None, Some((id, origin))) => ProjectChoice::Known { id, origin },
            (None, None) => match &self.region {
                Some(region) if auth.signs() => {
                    let profile = match credential_origin {
                        CredentialOrigin::ProfileFile(path) => {
                            hss_auth::iam::profile_iam_endpoint(path)
                                .map_err(|e| config(e.to_string()))?
                                .map(|url| (path.clone(), url))
                        }
                        _ => None,
                    };
                    let (iam, source) = hss_auth::iam::iam_endpoint(
                        region,
                        self.iam_endpoint.as_deref(),
                        profile.as_ref().map(|(p, u)| (p.as_path(), u.as_str())),
                        |k| std::env::var(k).ok(),
                    )
                    .map_err(Error::Endpoint)?;
                    ProjectChoice::Discover(Arc::new(Discovery::new(region.clone(), iam, source)))
                }
                _ => ProjectChoice::Unknown,
            },
        })
    }

    /// Step 4: the `User-Agent`, ours with the caller's suffix.
    fn user_agent_header(&self) -> Result<HeaderValue, Error> {
        let user_agent = match &self.user_agent {
            Some(suffix) => format!("{} {suffix}", hooks::DEFAULT_USER_AGENT),
            None => hooks::DEFAULT_USER_AGENT.to_owned(),
        };
        HeaderValue::from_str(&user_agent).map_err(|_| {
            config("the User-Agent suffix contains a character not allowed in headers".into())
        })
    }

    /// Step 5: the HTTP client: proxy, TLS, timeouts, no redirects,
    /// HTTP/1.1.
    fn http_client(&self, endpoint: &Endpoint) -> Result<reqwest::Client, Error> {
        // reqwest is built without a crypto provider of its own (hss-api's
        // `rustls-ring`): without this, building it would panic.
        hss_api::ensure_crypto_provider();
        let mut http = reqwest::Client::builder();
        if let Some(explicit) = &self.proxy {
            http = http.proxy(explicit.to_reqwest()?);
        }
        if let Some(timeout) = self.read_timeout {
            http = http.read_timeout(timeout);
        }
        self.tls
            .apply(http, endpoint)?
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .timeout(self.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT))
            // As the official SDKs: a redirect would resend signed headers
            // to another host.
            .redirect(reqwest::redirect::Policy::none())
            // HTTP/1.1 as the official SDKs: the signed `Host` header must
            // reach the gateway as it was signed.
            .http1_only()
            .build()
            .map_err(|e| config(format!("the HTTP client could not be built: {e}")))
    }

    /// Step 6: the hooks every request passes: the caller's, then signing
    /// and the answer's size limit, the preview, and taking the body.
    fn hooks(&mut self, user_agent: &HeaderValue, auth: &Arc<AuthState>) -> Hooks {
        let mut hooks = Hooks::new();
        for hook in std::mem::take(&mut self.extra_hooks) {
            hooks = hooks.with_shared(hook);
        }
        // Downloads are bounded by their own limit (`download.rs`); the
        // preview hook comes last, to see the request exactly as signed.
        let hooks = hooks.with(hooks::BoundedExceptDownloads(HssHook {
            user_agent: user_agent.clone(),
            auth: Arc::clone(auth),
            max_response_body: self.max_response_body.unwrap_or(DEFAULT_MAX_RESPONSE_BODY),
        }));
        let hooks = hooks.with(crate::preview::PreviewHook);
        // Last, so the body it takes has passed every other hook.
        hooks.with(hooks::TakeBody)
    }

    /// Step 7: the send rate every clone shares.
    fn rate(&self) -> Result<Arc<RateController>, Error> {
        if let Some(rps) = self.max_rps.filter(|r| !(r.is_finite() && *r > 0.0)) {
            return Err(config(format!(
                "max_requests_per_second must be a positive number, got {rps}"
            )));
        }
        Ok(Arc::new(RateController::new(
            !self.fixed_rate,
            self.max_rps,
        )))
    }
}

/// What [`HssClientBuilder::resolve_credentials`] found.
struct FoundCredentials {
    auth: AuthState,
    origin: CredentialOrigin,
    /// The credentials themselves, when they were given or found (not for
    /// the metadata service, whose answer comes later).
    credentials: Option<Credentials>,
    /// A project id found with them (environment or profile file).
    env_project: Option<(String, ProjectOrigin)>,
}

/// A configuration error.
fn config(message: String) -> Error {
    Error::Config { message }
}

impl CredentialKind {
    /// The kind of `credentials` (none for the metadata service's, known
    /// only once asked).
    fn of(credentials: Option<&Credentials>) -> CredentialKind {
        match credentials {
            None => CredentialKind::None,
            Some(Credentials::Token(_)) => CredentialKind::Token,
            Some(Credentials::AkSk {
                ak,
                security_token: None,
                ..
            }) => CredentialKind::AccessKey { ak: ak.clone() },
            Some(Credentials::AkSk { ak, .. }) => {
                CredentialKind::TemporaryAccessKey { ak: ak.clone() }
            }
        }
    }
}

/// Where a project id found with the credentials came from.
fn project_origin(source: CredentialSource) -> ProjectOrigin {
    match source {
        CredentialSource::Explicit => ProjectOrigin::Given,
        CredentialSource::Environment => ProjectOrigin::Environment,
        CredentialSource::ProfileFile(path) => ProjectOrigin::ProfileFile(path),
    }
}
