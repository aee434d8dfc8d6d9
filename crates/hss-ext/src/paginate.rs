//! Listing every host of a scan task: the host-specific face of
//! [`crate::listing`], which holds the promise (complete, or a typed
//! error) and how it is kept. Hosts are matched across passes by
//! `host_id`.

use std::borrow::Cow;

use futures::stream::{Stream, StreamExt, TryStreamExt};
use hss_api::types::VulScanTaskHostInfo;
use hss_operations::{self as operations, Operation};

use crate::client::HssClient;
use crate::error::Error;
use crate::lists::{ItemPage, ListQuery, PageFuture, Sealed};
use crate::query::HostQuery;

/// How a listing fetches its pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListOptions {
    /// Items per request, within [`LIMIT_RANGE`](crate::LIMIT_RANGE).
    /// Default its end, the API's maximum. A listing of any operation
    /// ([`HssClient::list_operation_pages`](crate::HssClient::list_operation_pages))
    /// takes the request's `limit` instead when given, else brings this
    /// within the operation's own limits.
    pub page_size: u32,
    /// Pages in flight at most once `total_num` is known (fetched, or
    /// waiting for a send slot, or answered and not yet yielded). Default 1.
    /// Without [`adaptive`](Self::adaptive) they are all sent at once
    /// until the service throttles; then, and always with `adaptive`, the
    /// client's shared send rate paces them (see
    /// [`HssClientBuilder::adaptive_rate`](crate::HssClientBuilder::adaptive_rate)).
    pub concurrency: usize,
    /// Probe for the rate the service allows from the first answer on,
    /// instead of sending `concurrency` pages at once: start at one
    /// request per round trip and double while answers come back clean,
    /// cut on `429`, `503` or growing round trips. Default false.
    pub adaptive: bool,
    /// Passes over the task at most, the first included, before a task
    /// that keeps moving ends the listing in
    /// [`Error::IncompleteListing`]. Default 3, at most 8.
    pub max_passes: u32,
}

impl Default for ListOptions {
    fn default() -> Self {
        ListOptions {
            page_size: *crate::LIMIT_RANGE.end(),
            concurrency: 1,
            adaptive: false,
            max_passes: 3,
        }
    }
}

impl ListOptions {
    /// Pages in flight when the listing starts with [`adaptive`](Self::adaptive).
    /// A `429`'s retry waits its whole-second `Retry-After`; pages in
    /// flight enough for a second at the rate keep the listing going
    /// meanwhile (64 covers 64 requests per second).
    pub const ADAPTIVE_CONCURRENCY: usize = 64;

    /// Fetch `concurrency` pages at once (at least 1), a fixed number:
    /// slowed only by the client's send rate once the service throttled.
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self.adaptive = false;
        self
    }

    /// As fast as the service allows, with at most `max_in_flight` pages
    /// in flight (at least 1; [`ADAPTIVE_CONCURRENCY`](Self::ADAPTIVE_CONCURRENCY)
    /// is a good ceiling): the listing probes for the rate (see
    /// [`adaptive`](Self::adaptive)), sharing it with every listing of the
    /// client and its clones.
    pub fn adaptive(mut self, max_in_flight: usize) -> Self {
        self.concurrency = max_in_flight.max(1);
        self.adaptive = true;
        self
    }

    /// Items per request, within [`LIMIT_RANGE`](crate::LIMIT_RANGE).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// Passes over the task at most (1..=8); 1 fails at the first sign
    /// that the task moved instead of verifying.
    pub fn max_passes(mut self, passes: u32) -> Self {
        self.max_passes = passes;
        self
    }
}

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
