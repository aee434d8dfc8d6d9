//! The client's project: given, or discovered from IAM as the official
//! SDKs do when AK/SK credentials come without a project id.
//!
//! The official SDK asks IAM in `ClientBuilder.build()`. This client's
//! [`HssClientBuilder::build`](crate::HssClientBuilder::build) is
//! synchronous and must not block the async runtime it is usually called
//! from, so the question is asked once, before the first request that needs
//! the project (every clone shares the answer), or up front with
//! [`HssClient::resolve_project_id`](crate::HssClient::resolve_project_id),
//! which is what the `hss` command line does right after building, so it
//! fails at the same point as the SDK would. Only a successful answer is
//! kept: a failed one is asked again by the next request, within the same
//! retry rules as the request itself.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use hss_auth::Endpoint;
use hss_auth::iam::{self, IamEndpointSource};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, USER_AGENT};
use serde::Deserialize;
use tokio::sync::OnceCell;
use tracing::Instrument;

use crate::auth::AuthState;
use crate::decode::service_error;
use crate::error::{Error, TransportKind};
use crate::limit::DEFAULT_MAX_RESPONSE_BODY;

/// Where a client's project id came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProjectOrigin {
    /// Given to the builder or the client.
    Given,
    /// `HUAWEICLOUD_SDK_PROJECT_ID`.
    Environment,
    /// Key `project_id` of a credentials file.
    ProfileFile(PathBuf),
    /// Asked from IAM: the project named after the region.
    Discovered {
        /// The region whose project it is.
        region: String,
        /// The IAM endpoint that answered.
        iam_endpoint: String,
    },
}

impl fmt::Display for ProjectOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Given => f.write_str("given explicitly"),
            Self::Environment => f.write_str("environment variable HUAWEICLOUD_SDK_PROJECT_ID"),
            Self::ProfileFile(path) => {
                write!(
                    f,
                    "key `project_id` of the credentials file {}",
                    path.display()
                )
            }
            Self::Discovered {
                region,
                iam_endpoint,
            } => write!(
                f,
                "discovered from IAM ({iam_endpoint}): the project named `{region}`"
            ),
        }
    }
}

/// How a client knows its project.
#[derive(Clone, Debug)]
pub(crate) enum ProjectChoice {
    Known {
        id: String,
        origin: ProjectOrigin,
    },
    Discover(Arc<Discovery>),
    /// No project, and no way to discover one (no region, or no AK/SK).
    Unknown,
}

impl ProjectChoice {
    /// The project id when it is known already.
    pub(crate) fn known(&self) -> Option<&str> {
        match self {
            Self::Known { id, .. } => Some(id),
            Self::Discover(discovery) => discovery.cell.get().map(String::as_str),
            Self::Unknown => None,
        }
    }

    pub(crate) fn can_discover(&self) -> bool {
        matches!(self, Self::Discover(_))
    }

    pub(crate) fn origin(&self) -> Option<ProjectOrigin> {
        match self {
            Self::Known { origin, .. } => Some(origin.clone()),
            Self::Discover(discovery) => discovery.cell.get().map(|_| discovery.origin()),
            Self::Unknown => None,
        }
    }
}

/// Asking IAM for the project named after the region, once per client.
pub(crate) struct Discovery {
    region: String,
    iam: Endpoint,
    iam_source: IamEndpointSource,
    cell: OnceCell<String>,
}

impl fmt::Debug for Discovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Discovery")
            .field("region", &self.region)
            .field("iam", &self.iam.to_string())
            .field("iam_source", &self.iam_source)
            .field("project_id", &self.cell.get())
            .finish()
    }
}

/// The `projects` of IAM's answer; other fields are ignored.
#[derive(Deserialize)]
struct ProjectList {
    projects: Option<Vec<ProjectEntry>>,
}

#[derive(Deserialize)]
struct ProjectEntry {
    id: Option<String>,
}

/// The most of IAM's answer that is read (a project list is a few KB).
const IAM_BODY_LIMIT: u64 = 1024 * 1024;

impl Discovery {
    pub(crate) fn new(region: String, iam: Endpoint, iam_source: IamEndpointSource) -> Self {
        Discovery {
            region,
            iam,
            iam_source,
            cell: OnceCell::new(),
        }
    }

    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    pub(crate) fn iam_endpoint(&self) -> &Endpoint {
        &self.iam
    }

    pub(crate) fn iam_source(&self) -> &IamEndpointSource {
        &self.iam_source
    }

    fn origin(&self) -> ProjectOrigin {
        ProjectOrigin::Discovered {
            region: self.region.clone(),
            iam_endpoint: self.iam.to_string(),
        }
    }

    /// The project id, asking IAM the first time (concurrent callers wait
    /// for the one question).
    pub(crate) async fn project_id(
        &self,
        http: &reqwest::Client,
        auth: &AuthState,
        user_agent: &HeaderValue,
    ) -> Result<String, Error> {
        self.cell
            .get_or_try_init(|| async {
                let span = tracing::info_span!(
                    "iam.request",
                    otel.name = "KeystoneListProjects",
                    http.method = "GET",
                    url.path = iam::PROJECTS_PATH,
                    region = %self.region,
                    http.status = tracing::field::Empty,
                );
                self.ask(http, auth, user_agent).instrument(span).await
            })
            .await
            .cloned()
    }

    /// One question to IAM, signed again once if the gateway refused the
    /// signature as expired.
    async fn ask(
        &self,
        http: &reqwest::Client,
        auth: &AuthState,
        user_agent: &HeaderValue,
    ) -> Result<String, Error> {
        tracing::info!(
            iam = %self.iam,
            "no project id is set: asking IAM for the project named after the region"
        );
        let wrap = |source: Error| Error::ProjectDiscovery {
            region: self.region.clone(),
            endpoint: self.iam.to_string(),
            source: Box::new(source),
        };
        let mut corrected = false;
        loop {
            match self.ask_once(http, auth, user_agent).await {
                Ok(Ok(ids_and_trace)) => {
                    let (ids, trace) = ids_and_trace;
                    let id = iam::choose_project(&self.region, &self.iam, ids, trace.as_deref())
                        .map_err(Error::Project)?;
                    tracing::info!(project_id = %id, "IAM named the project");
                    return Ok(id);
                }
                Ok(Err((error, headers))) => {
                    // At most one more request: never a loop.
                    if !corrected && auth.correct_skew(&error, Some(&headers)) {
                        corrected = true;
                        continue;
                    }
                    return Err(wrap(error));
                }
                Err(error) => return Err(wrap(error)),
            }
        }
    }

    /// Sends the request once. `Ok(Ok(ids, trace id))` for a list,
    /// `Ok(Err(error, headers))` for an error answer (its headers for the
    /// skew check), `Err` when no usable answer came.
    #[allow(clippy::type_complexity)]
    async fn ask_once(
        &self,
        http: &reqwest::Client,
        auth: &AuthState,
        user_agent: &HeaderValue,
    ) -> Result<Result<(Vec<String>, Option<String>), (Error, HeaderMap)>, Error> {
        let url = iam::projects_url(&self.iam, &self.region);
        let mut request = reqwest::Request::new(reqwest::Method::GET, url);
        let headers = request.headers_mut();
        headers.insert(USER_AGENT, user_agent.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        auth.apply(&mut request)
            .map_err(|message| Error::Refused { message })?;
        let response = http.execute(request).await.map_err(transport)?;
        let status = response.status();
        tracing::Span::current().record("http.status", status.as_u16());
        let headers = response.headers().clone();
        let body = read_limited(response, status, &headers).await?;
        if !status.is_success() {
            let parsed = serde_json::from_slice::<hss_api::types::ErrorBody>(&body).ok();
            let raw = parsed.is_none().then_some(body.as_slice());
            return Ok(Err((service_error(status, &headers, parsed, raw), headers)));
        }
        let list: ProjectList = serde_json::from_slice(&body).map_err(|e| Error::Decode {
            status,
            request_id: trace_id(&headers),
            reason: format!("IAM's project list is not the expected JSON: {e}"),
            snippet: crate::error::snippet(&body),
        })?;
        let ids = list
            .projects
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.id.unwrap_or_default())
            .collect();
        Ok(Ok((ids, trace_id(&headers))))
    }
}

fn trace_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(iam::TRACE_ID_HEADER)
        .or_else(|| headers.get("x-request-id"))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn transport(source: reqwest::Error) -> Error {
    let kind = TransportKind::of(&source);
    Error::Transport {
        kind,
        status: source.status(),
        request_id: None,
        source,
    }
}

/// The whole body, refusing one over [`IAM_BODY_LIMIT`] without reading on.
async fn read_limited(
    mut response: reqwest::Response,
    status: StatusCode,
    headers: &HeaderMap,
) -> Result<Vec<u8>, Error> {
    let limit = IAM_BODY_LIMIT.min(DEFAULT_MAX_RESPONSE_BODY);
    let too_large = |declared| Error::ResponseTooLarge {
        status,
        request_id: trace_id(headers),
        limit,
        declared,
    };
    if let Some(declared) = response.content_length()
        && declared > limit
    {
        return Err(too_large(Some(declared)));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large(None));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
