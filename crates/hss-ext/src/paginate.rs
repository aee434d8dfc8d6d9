//! Listing every host of a task as a stream, page by page.
//!
//! Hosts come out in offset order. Each page covers the offsets
//! `[offset, offset + len)` and the next page must start exactly where the
//! last one ended, so with a stable task no host is skipped or repeated.
//! With concurrency, pages ahead are fetched while earlier ones are yielded;
//! a page that comes back shorter than asked makes the prefetched ones
//! misaligned, so they are dropped and fetching resumes at the gap. Memory
//! holds at most `concurrency` pages in flight plus the one being yielded.

use std::pin::Pin;

use futures::stream::{FuturesOrdered, Stream, StreamExt, TryStreamExt};
use hss_api::types::VulScanTaskHostInfo;

use crate::client::{HostPage, HssClient};
use crate::error::{Error, MAX_OFFSET};
use crate::query::{HostQuery, ValidQuery, check_limit};

/// How a listing fetches its pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListOptions {
    /// Hosts per request, 10..=200. Default 200, the API's maximum.
    pub page_size: u32,
    /// Pages fetched at once once `total_num` is known. Default 1.
    pub concurrency: usize,
}

impl Default for ListOptions {
    fn default() -> Self {
        ListOptions {
            page_size: 200,
            concurrency: 1,
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
}

type PageFuture = Pin<Box<dyn Future<Output = (u64, Result<HostPage, Error>)> + Send>>;

struct Lister {
    client: HssClient,
    query: ValidQuery,
    page_size: u32,
    concurrency: usize,
    /// The offset of the next host to yield; every host before it was yielded.
    next_yield: u64,
    /// The offset of the next page to request.
    next_plan: u64,
    /// The task's size as last reported (`None` before the first page).
    total: Option<u64>,
    /// False once the listing reached its end or failed.
    more: bool,
    in_flight: FuturesOrdered<PageFuture>,
}

impl Lister {
    fn plan_more(&mut self) {
        while self.more && self.in_flight.len() < self.concurrency {
            let offset = self.next_plan;
            let wanted = match self.total {
                // Before the first answer, only the first page.
                None => self.in_flight.is_empty(),
                Some(total) => offset < total,
            };
            if !wanted {
                break;
            }
            if offset > u64::from(MAX_OFFSET) {
                let total_num = self.total.unwrap_or(offset);
                self.in_flight.push_back(Box::pin(async move {
                    (offset, Err(Error::OffsetCap { offset, total_num }))
                }));
                self.next_plan = u64::MAX;
                break;
            }
            let mut query = self.query.clone();
            query.offset = Some(offset as u32);
            query.limit = Some(self.page_size);
            let client = self.client.clone();
            self.in_flight.push_back(Box::pin(async move {
                (offset, client.fetch_page(&query).await)
            }));
            self.next_plan = offset + u64::from(self.page_size);
        }
    }

    /// Takes in one answered page; returns an error that ends the listing.
    fn accept(&mut self, offset: u64, page: &HostPage) -> Result<(), Error> {
        let len = page.hosts.len() as u64;
        // Without total_num, a full page means there may be more.
        let total = page
            .total_num
            .unwrap_or(if len >= u64::from(self.page_size) {
                offset + len + 1
            } else {
                offset + len
            });
        self.total = Some(total);
        if len == 0 {
            self.more = false;
            if total > offset {
                return Err(Error::IncompleteListing {
                    offset,
                    total_num: total,
                    request_id: page.request_id.clone(),
                });
            }
            return Ok(());
        }
        self.next_yield = offset + len;
        if self.next_yield >= total {
            self.more = false;
        } else if len < u64::from(self.page_size) && self.next_plan != self.next_yield {
            // A short page: prefetched pages start at the wrong offsets.
            self.in_flight = FuturesOrdered::new();
            self.next_plan = self.next_yield;
        }
        Ok(())
    }

    /// The next page in offset order, `None` at the end.
    async fn next_page(&mut self) -> Option<Result<HostPage, Error>> {
        loop {
            if !self.more {
                return None;
            }
            self.plan_more();
            let (offset, result) = self.in_flight.next().await?;
            if offset != self.next_yield {
                // Prefetched before a short page moved the offsets; its hosts
                // are fetched again from the right offset.
                continue;
            }
            let outcome = result.and_then(|page| self.accept(offset, &page).map(|()| page));
            if outcome.is_err() {
                self.more = false;
                self.in_flight = FuturesOrdered::new();
            }
            match outcome {
                Ok(page) if page.hosts.is_empty() => return None,
                other => return Some(other),
            }
        }
    }
}

impl HssClient {
    /// Every page the query matches, in offset order; each carries the
    /// `total_num` its answer reported (for progress) and its request id.
    /// An error ends the stream after the pages before it.
    ///
    /// The query's `offset` is where the listing starts; its `limit` is
    /// ignored in favour of `options.page_size`.
    pub fn list_pages(
        &self,
        query: HostQuery,
        options: ListOptions,
    ) -> impl Stream<Item = Result<HostPage, Error>> + Send + 'static {
        let start = self.validate(&query).and_then(|query| {
            check_limit(options.page_size).map_err(|_| {
                Error::invalid(
                    "page_size",
                    format!("must be between 10 and 200, got {}", options.page_size),
                )
            })?;
            Ok(query)
        });
        let state = match start {
            Ok(query) => {
                let offset = u64::from(query.offset.unwrap_or(0));
                Ok(Lister {
                    client: self.clone(),
                    query,
                    page_size: options.page_size,
                    concurrency: options.concurrency.max(1),
                    next_yield: offset,
                    next_plan: offset,
                    total: None,
                    more: true,
                    in_flight: FuturesOrdered::new(),
                })
            }
            Err(error) => Err(Some(error)),
        };
        futures::stream::unfold(state, |state| async move {
            match state {
                Ok(mut lister) => {
                    let item = lister.next_page().await?;
                    Some((item, Ok(lister)))
                }
                Err(error) => error.map(|e| (Err(e), Err(None))),
            }
        })
        // Polled again after its end, a stream may panic; this one keeps
        // answering `None`.
        .fuse()
    }

    /// Every host the query matches, as a stream in offset order: the hosts
    /// of [`list_pages`](Self::list_pages), one by one.
    pub fn list_hosts(
        &self,
        query: HostQuery,
        options: ListOptions,
    ) -> impl Stream<Item = Result<VulScanTaskHostInfo, Error>> + Send + 'static {
        self.list_pages(query, options)
            .map_ok(|page| futures::stream::iter(page.hosts.into_iter().map(Ok)))
            .try_flatten()
    }

    /// Every host the query matches, collected; the first error fails the
    /// whole call, so a returned list is never silently short.
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
