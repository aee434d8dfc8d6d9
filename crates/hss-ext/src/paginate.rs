//! Listing every host of a scan task: the host-specific face of
//! [`crate::listing`], which holds the promise (complete, or a typed
//! error) and how it is kept. Hosts are matched across passes by
//! `host_id`.

use std::sync::Arc;

use futures::stream::{Stream, StreamExt, TryStreamExt};
use hss_api::types::VulScanTaskHostInfo;

use crate::client::HssClient;
use crate::decode::HostPage;
use crate::error::Error;
use crate::listing::{FetchPage, Listing, MAX_PASSES, Page, Plan};
use crate::query::{HostQuery, check_limit};

/// How a listing fetches its pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListOptions {
    /// Hosts per request, 10..=200. Default 200, the API's maximum.
    pub page_size: u32,
    /// Pages fetched at once once `total_num` is known. Default 1.
    pub concurrency: usize,
    /// Passes over the task at most, the first included, before a task
    /// that keeps moving ends the listing in
    /// [`Error::IncompleteListing`]. Default 3, at most 8.
    pub max_passes: u32,
}

impl Default for ListOptions {
    fn default() -> Self {
        ListOptions {
            page_size: 200,
            concurrency: 1,
            max_passes: 3,
        }
    }
}

impl ListOptions {
    /// Fetch `concurrency` pages at once (at least 1).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Hosts per request (10..=200).
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
    ) -> impl Stream<Item = Result<HostPage, Error>> + Send + 'static {
        let listing = self.host_listing(query, options);
        futures::stream::unfold(listing, |state| async move {
            match state {
                Ok(mut listing) => {
                    let page = listing.next_page().await?;
                    Some((page.map(HostPage::from), Ok(listing)))
                }
                Err(error) => error.map(|e| (Err(e), Err(None))),
            }
        })
        // Polled again after its end, a stream may panic; this one keeps
        // answering `None`.
        .fuse()
    }

    fn host_listing(
        &self,
        query: HostQuery,
        options: ListOptions,
    ) -> Result<Listing<VulScanTaskHostInfo>, Option<Error>> {
        let query = self.validate(&query)?;
        check_limit(options.page_size).map_err(|_| {
            Error::invalid(
                "page_size",
                format!("must be between 10 and 200, got {}", options.page_size),
            )
        })?;
        if !(1..=MAX_PASSES).contains(&options.max_passes) {
            return Err(Some(Error::invalid(
                "max_passes",
                format!(
                    "must be between 1 and {MAX_PASSES}, got {}",
                    options.max_passes
                ),
            )));
        }
        let start = u64::from(query.offset.unwrap_or(0));
        let client = self.clone();
        let fetch: FetchPage<VulScanTaskHostInfo> = Arc::new(move |offset, limit| {
            let client = client.clone();
            let mut query = query.clone();
            // `plan_more` never asks past MAX_OFFSET, which fits in u32.
            query.offset = Some(u32::try_from(offset).unwrap_or(u32::MAX));
            query.limit = Some(limit);
            Box::pin(async move { client.fetch_page(&query).await.map(Page::from) })
        });
        Ok(Listing::new(Plan {
            fetch,
            id: |host| host.host_id.as_deref(),
            start,
            page_size: options.page_size,
            concurrency: options.concurrency.max(1),
            max_passes: options.max_passes,
        }))
    }

    /// Every host the query matches, as a stream: the hosts of
    /// [`list_pages`](Self::list_pages), one by one, with the same promise.
    pub fn list_hosts(
        &self,
        query: HostQuery,
        options: ListOptions,
    ) -> impl Stream<Item = Result<VulScanTaskHostInfo, Error>> + Send + 'static {
        self.list_pages(query, options)
            .map_ok(|page| futures::stream::iter(page.hosts.into_iter().map(Ok)))
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

impl From<HostPage> for Page<VulScanTaskHostInfo> {
    fn from(page: HostPage) -> Self {
        Page {
            total_num: page.total_num,
            items: page.hosts,
            request_id: page.request_id,
        }
    }
}

impl From<Page<VulScanTaskHostInfo>> for HostPage {
    fn from(page: Page<VulScanTaskHostInfo>) -> Self {
        HostPage {
            total_num: page.total_num,
            hosts: page.items,
            request_id: page.request_id,
        }
    }
}
