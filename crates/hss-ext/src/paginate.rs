//! Listing every host of a scan task, the first operation: one page of a
//! [`HostQuery`] (and [`HssClient::probe`], one page as a check of the
//! setup), and the host-specific face of
//! [`crate::listing`], which holds the promise (complete, or a typed
//! error) and how it is kept. Hosts are matched across passes by
//! `host_id`.

use std::borrow::Cow;

use futures::stream::{Stream, StreamExt, TryStreamExt};
use hss_api::types::VulScanTaskHostInfo;
use hss_operations::{self as operations, Operation};

use reqwest::header::HeaderMap;
use tokio::time::Instant;
use tracing::Instrument;

use crate::call::{Op, send_page};
use crate::client::HssClient;
use crate::decode::HOST_PAGE;
use crate::error::Error;
use crate::listing::ListOptions;
use crate::lists::{ItemPage, ListQuery, PageAnswer, PageFuture, Sealed};
use crate::query::{HostQuery, ValidQuery};

/// What [`HssClient::probe`] found.
#[derive(Debug)]
pub struct Probe {
    /// The page, or why there is none.
    pub result: Result<ItemPage<VulScanTaskHostInfo>, Error>,
    /// The server's `Date`, when an answer had one.
    pub server_time: Option<time::OffsetDateTime>,
    /// This machine's clock (the client's, uncorrected) at the answer.
    pub local_time: time::OffsetDateTime,
}

impl Probe {
    /// How far the server's clock is from this machine's, from `Date`
    /// (whole seconds, so within a second).
    pub fn clock_skew(&self) -> Option<time::Duration> {
        self.server_time.map(|server| {
            let local = self
                .local_time
                .replace_nanosecond(0)
                .unwrap_or(self.local_time);
            server - local
        })
    }

    /// Whether the gateway accepted the credentials: a page, or an answer
    /// from HSS itself (`HSS.*`, such as `HSS.0011` for a task that does
    /// not exist), which only comes once the gateway let the request in.
    pub fn credentials_accepted(&self) -> bool {
        match &self.result {
            Ok(_) => true,
            Err(error) => error.error_code().is_some_and(|c| c.starts_with("HSS.")),
        }
    }
}

/// The host listing's operation, as traces name it.
const PAGE_OPERATION: &Operation = operations::LIST_VUL_SCAN_TASK_HOST;

impl HssClient {
    /// Every page the query matches; each carries the `total_num` its
    /// answer reported (for progress) and its request id.
    ///
    /// The stream ends either with every host that was in the task from
    /// the listing's start to its end, each exactly once (hosts that joined
    /// or left meanwhile may or may not appear), or with an error: when
    /// the task moved, verifying passes yield the hosts the first one
    /// missed (so pages may come back out of offset order) and a task that
    /// keeps moving ends in [`Error::IncompleteListing`]. The hosts yielded
    /// before an error are real, but the list is not whole: treat an error
    /// as "this listing failed". How the promise is kept: the
    /// [module docs](crate#listings).
    ///
    /// The query's `offset` is where the listing starts; its `limit` is
    /// ignored in favour of `options.page_size`.
    pub fn list_pages(
        &self,
        query: HostQuery,
        options: ListOptions,
    ) -> impl Stream<Item = Result<ItemPage<VulScanTaskHostInfo>, Error>> + Send + 'static {
        self.list_all_pages(query, options)
    }

    /// Every host the query matches, as a stream: the hosts of
    /// [`list_pages`](Self::list_pages), one by one, with the same promise.
    pub fn list_hosts(
        &self,
        query: HostQuery,
        options: ListOptions,
    ) -> impl Stream<Item = Result<VulScanTaskHostInfo, Error>> + Send + 'static {
        self.list_pages(query, options)
            .map_ok(|page| futures::stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
    }

    /// Every host the query matches, collected: each host that stayed in
    /// the task throughout exactly once, or an error, never a list that is
    /// silently short or repeats a host.
    pub async fn collect_hosts(
        &self,
        query: HostQuery,
        options: ListOptions,
    ) -> Result<Vec<VulScanTaskHostInfo>, Error> {
        let mut hosts = Vec::new();
        let mut stream = std::pin::pin!(self.list_hosts(query, options));
        while let Some(host) = stream.next().await {
            hosts.push(host?);
        }
        Ok(hosts)
    }

    /// Fetches one page, retrying as the policy allows.
    pub async fn list_hosts_page(
        &self,
        query: &HostQuery,
    ) -> Result<ItemPage<VulScanTaskHostInfo>, Error> {
        let query = self.validate(query)?;
        self.fetch_page(&query).await?.decode()
    }

    pub(crate) fn validate(&self, query: &HostQuery) -> Result<ValidQuery, Error> {
        query.validate(self.project.known(), self.project.can_discover())
    }

    /// One page of an already validated query, with the client's
    /// retries ([`call_page`](Self::call_page), the path of every
    /// listing's pages).
    pub(crate) async fn fetch_page(
        &self,
        query: &ValidQuery,
    ) -> Result<PageAnswer<VulScanTaskHostInfo>, Error> {
        let op = Op::of(PAGE_OPERATION);
        self.call_page(op, query.project_id.as_deref(), HOST_PAGE, |project| {
            self.host_page_request(query, &project).send()
        })
        .await
    }

    /// One attempt of a page, signed again once if the gateway refused
    /// the signature as expired, with the last answer's headers.
    async fn attempt(
        &self,
        query: &ValidQuery,
    ) -> (
        Result<ItemPage<VulScanTaskHostInfo>, Error>,
        Option<HeaderMap>,
    ) {
        let (answer, headers) = self
            .call_once(query.project_id.as_deref(), &|project: String| async move {
                send_page(self.host_page_request(query, &project).send(), HOST_PAGE).await
            })
            .await;
        (answer.and_then(PageAnswer::decode), headers)
    }

    /// The page request of a host query.
    fn host_page_request(
        &self,
        query: &ValidQuery,
        project: &str,
    ) -> hss_api::builder::ListVulScanTaskHost<'_> {
        let mut request = self
            .api
            .list_vul_scan_task_host()
            .project_id(project)
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
        request
    }

    /// One signed request as a check of the setup: the page `query` asks
    /// for, sent once (no retries; signed once more if the gateway refuses
    /// the signature as expired), with the server's `Date` and this
    /// machine's clock at the answer, so the skew can be measured.
    pub async fn probe(&self, query: &HostQuery) -> Probe {
        let span = tracing::info_span!(
            "hss.request",
            otel.name = "ListVulScanTaskHost",
            http.method = "GET",
            url.path = tracing::field::Empty,
            http.status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            attempt = 1u32,
            latency_ms = tracing::field::Empty,
        );
        let sent = Instant::now();
        let (result, headers) = match self.validate(query) {
            Ok(query) => self.attempt(&query).instrument(span.clone()).await,
            Err(error) => (Err(error), None),
        };
        span.record("latency_ms", sent.elapsed().as_millis() as u64);
        let local_time = self.shared.auth.base_now();
        let server_time = headers
            .as_ref()
            .and_then(|h| h.get(reqwest::header::DATE))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v.trim()).ok())
            .map(time::OffsetDateTime::from);
        Probe {
            result,
            server_time,
            local_time,
        }
    }
}

impl Sealed for HostQuery {}

/// The hosts of a scan task, matched across passes by `host_id`.
impl ListQuery for HostQuery {
    type Item = VulScanTaskHostInfo;
    const OPERATION: &'static Operation = operations::LIST_VUL_SCAN_TASK_HOST;
    const ITEMS: &'static str = "hosts";
    const ID_FIELD: &'static str = "host_id";

    fn check(&self, default_project: Option<&str>) -> Result<(), Error> {
        HostQuery::check(self, default_project)
    }

    fn identity(host: &VulScanTaskHostInfo) -> Option<Cow<'_, str>> {
        host.host_id.as_deref().map(Cow::Borrowed)
    }

    fn start_offset(&self) -> u32 {
        self.offset.unwrap_or(0)
    }

    fn fetch_page(&self, client: &HssClient, offset: u32, limit: u32) -> PageFuture<Self::Item> {
        let (client, mut query) = (client.clone(), self.clone());
        query.offset = Some(offset);
        if limit != u32::MAX {
            query.limit = Some(limit);
        }
        Box::pin(async move {
            let query = client.validate(&query)?;
            client.fetch_page(&query).await
        })
    }
}
