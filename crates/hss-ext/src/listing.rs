//! Listing every item of an offset/limit/`total_num` operation, complete or
//! not at all.
//!
//! A task's hosts move while it is scanned: hosts leave a `scan_status`
//! filter and join another, offsets shift, `total_num` changes between two
//! pages. Offset paging over a moving list skips or repeats items without
//! any error. This engine therefore checks every pass it makes:
//!
//! - a pass is *clean* when every page reported the same `total_num`, no
//!   item came twice, no page came back empty before the end, and the pass
//!   met exactly `total_num` distinct items (from its start offset);
//! - a clean first pass is the whole listing (no extra request);
//! - otherwise it makes verifying passes, up to
//!   [`ListOptions::max_passes`](crate::ListOptions::max_passes) in all,
//!   yielding only items no earlier pass yielded (matched by their id),
//!   and ends at the first clean pass;
//! - when no pass is clean, it ends with
//!   [`Error::IncompleteListing`] saying what moved.
//!
//! So a listing that ends without error yielded, exactly once, every item
//! that was in the list from the listing's start to its end; items that
//! joined or left during it may or may not appear. Items without an id
//! cannot be matched across passes: a listing that meets one fails rather
//! than verify. One limit no offset-paging client can see past: an item
//! leaving and another joining within one pass, at offsets that keep
//! `total_num` equal, with no repeat.
//!
//! With a concurrency above 1, pages are fetched by tasks of their own, up
//! to `concurrency` ahead, so requests go on while the consumer works on a
//! page (a page fetched ahead but not polled would time out); at 1 nothing
//! is fetched ahead and the one page runs in the consumer's task. Either
//! way the consumer decodes each answer ([`PageAnswer::decode`]), so a
//! page's items are allocated and freed on one thread. A page
//! longer than asked is used whole, a shorter one is refilled from where
//! it ended.
//! The ids met are kept as fingerprints ([`seen`]).

mod seen;

use std::borrow::Cow;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::task::JoinHandle;

use crate::decode::{ItemPage, PageAnswer};
use crate::error::{Error, ListingDrift};
use seen::{Seen, SeenIds};

/// The most passes a listing may make
/// ([`ListOptions::max_passes`](crate::ListOptions::max_passes)).
pub const MAX_PASSES: u32 = 8;

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<PageAnswer<T>, Error>> + Send>>;

/// Fetches the page at `(offset, limit)`.
pub(crate) type FetchPage<T> = Arc<dyn Fn(u64, u32) -> PageFuture<T> + Send + Sync>;

/// How to list one operation.
pub(crate) struct Plan<T> {
    pub fetch: FetchPage<T>,
    /// The item's identity, `None` when it has none. Keys made of several
    /// fields join them with NUL, which no id holds.
    pub id: fn(&T) -> Option<Cow<'_, str>>,
    /// What is listed and what identifies it, for [`ListingDrift`]:
    /// `("hosts", "host_id")`.
    pub names: (&'static str, Cow<'static, str>),
    /// The largest offset the operation takes, when the spec bounds it.
    pub max_offset: Option<u64>,
    pub start: u64,
    pub page_size: u32,
    pub concurrency: usize,
    pub max_passes: u32,
}

/// A page being fetched; dropping it cancels the request.
struct InFlight<T> {
    offset: u64,
    fetch: Fetch<T>,
}

enum Fetch<T> {
    /// Fetched ahead by a task of its own, so it goes on while the
    /// consumer works on an earlier page; decoded by the consumer, so its
    /// items are allocated and freed on one thread.
    Spawned(JoinHandle<Result<PageAnswer<T>, Error>>),
    /// The only page in flight, awaited by the consumer at once: run in
    /// the consumer's task, so a page is decoded and freed on one thread
    /// (across threads glibc's allocator costs ~4 % more instructions).
    Inline(PageFuture<T>),
}

impl<T> Drop for InFlight<T> {
    fn drop(&mut self) {
        if let Fetch::Spawned(handle) = &self.fetch {
            handle.abort();
        }
    }
}

impl<T> InFlight<T> {
    async fn answer(&mut self) -> Result<ItemPage<T>, Error> {
        let answer = match &mut self.fetch {
            Fetch::Inline(fetch) => fetch.await,
            Fetch::Spawned(handle) => match handle.await {
                Ok(result) => result,
                Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
                Err(_) => Err(Error::Refused {
                    message: "the page request was cancelled".into(),
                }),
            },
        };
        answer?.decode()
    }
}

/// What one pass has seen so far.
struct Pass {
    number: u32,
    /// Offset the next page must start at.
    next_yield: u64,
    /// Offset of the next page to request.
    next_plan: u64,
    /// `total_num` as last reported (or inferred), `None` before a page.
    total: Option<u64>,
    first_total: Option<u64>,
    /// The smallest and largest `total_num` reported.
    total_range: Option<(u64, u64)>,
    /// Some page of this pass reported `total_num`.
    total_reported: bool,
    distinct: u64,
    without_id: u64,
    seen_twice: u64,
    seen_twice_ids: Vec<String>,
    moved_at: Option<u64>,
    empty_page_at: Option<u64>,
    request_id: Option<String>,
    ended: bool,
}

impl Pass {
    fn new(number: u32, start: u64) -> Self {
        Pass {
            number,
            next_yield: start,
            next_plan: start,
            total: None,
            first_total: None,
            total_range: None,
            total_reported: false,
            distinct: 0,
            without_id: 0,
            seen_twice: 0,
            seen_twice_ids: Vec::new(),
            moved_at: None,
            empty_page_at: None,
            request_id: None,
            ended: false,
        }
    }

    fn moved(&mut self, offset: u64, request_id: &Option<String>) {
        if self.moved_at.is_none() {
            self.moved_at = Some(offset);
            self.request_id.clone_from(request_id);
        }
    }

    fn is_clean(&self, start: u64) -> bool {
        let counted = self.distinct + self.without_id;
        let complete = !self.total_reported
            || self
                .total
                .is_some_and(|total| counted == total.saturating_sub(start));
        self.moved_at.is_none() && self.empty_page_at.is_none() && self.seen_twice == 0 && complete
    }

    fn drift(&self) -> ListingDrift {
        ListingDrift {
            passes: self.number,
            total_before: self.first_total.filter(|_| self.total_reported),
            total_after: self.total.filter(|_| self.total_reported),
            total_range: self.total_range,
            moved_at: self.moved_at,
            empty_page_at: self.empty_page_at,
            listed: self.distinct + self.without_id,
            seen_twice: self.seen_twice,
            seen_twice_ids: self.seen_twice_ids.clone(),
            without_id: self.without_id,
            request_id: self.request_id.clone(),
            ..ListingDrift::default()
        }
    }
}

/// The state of one listing.
pub(crate) struct Listing<T> {
    plan: Plan<T>,
    seen: SeenIds,
    pass: Pass,
    /// Some pass met an item without id.
    any_without_id: bool,
    in_flight: VecDeque<InFlight<T>>,
    done: bool,
}

impl<T: Send + 'static> Listing<T> {
    pub(crate) fn new(plan: Plan<T>) -> Self {
        let pass = Pass::new(1, plan.start);
        Listing {
            plan,
            seen: SeenIds::new(),
            pass,
            any_without_id: false,
            in_flight: VecDeque::new(),
            done: false,
        }
    }

    /// The next page of items not yielded before, `None` at the end.
    pub(crate) async fn next_page(&mut self) -> Option<Result<ItemPage<T>, Error>> {
        loop {
            if self.done {
                return None;
            }
            if self.pass.ended {
                if let Some(outcome) = self.end_pass() {
                    return outcome;
                }
                continue;
            }
            if let Err(error) = self.plan_more() {
                return Some(Err(self.fail(error)));
            }
            let Some(mut next) = self.in_flight.pop_front() else {
                // Nothing planned although the pass has not ended: the
                // last answer said there is nothing more.
                self.pass.ended = true;
                continue;
            };
            let page = match next.answer().await {
                Ok(page) => page,
                Err(error) => return Some(Err(self.fail(error))),
            };
            if let Some(page) = self.accept(next.offset, page) {
                return Some(Ok(page));
            }
        }
    }

    fn fail(&mut self, error: Error) -> Error {
        self.done = true;
        self.in_flight.clear();
        error
    }

    /// Decides what follows a pass: `Some` ends the listing, `None` means a
    /// verifying pass has started.
    fn end_pass(&mut self) -> Option<Option<Result<ItemPage<T>, Error>>> {
        self.in_flight.clear();
        if self.pass.is_clean(self.plan.start) {
            self.done = true;
            return Some(None);
        }
        if self.any_without_id || self.pass.number >= self.plan.max_passes {
            let mut drift = self.pass.drift();
            (drift.items, drift.id_field) = self.plan.names.clone();
            // The error says it, in the same words.
            tracing::info!(%drift, "listing incomplete");
            self.done = true;
            return Some(Some(Err(Error::IncompleteListing(Box::new(drift)))));
        }
        tracing::info!(
            drift = %self.pass.drift(),
            next_pass = self.pass.number + 1,
            "the task moved during the listing; verifying"
        );
        self.pass = Pass::new(self.pass.number + 1, self.plan.start);
        None
    }

    /// Starts page fetches up to the concurrency the plan allows.
    fn plan_more(&mut self) -> Result<(), Error> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| Error::Config {
            message: "listing needs a Tokio runtime (reqwest does too)".into(),
        })?;
        while self.in_flight.len() < self.plan.concurrency.max(1) {
            let offset = self.pass.next_plan;
            let wanted = match self.pass.total {
                // Before the first answer, only the first page.
                None => self.in_flight.is_empty(),
                Some(total) => offset < total,
            };
            if !wanted {
                break;
            }
            if let Some(max_offset) = self.plan.max_offset.filter(|max| offset > *max) {
                if self.in_flight.is_empty() {
                    return Err(Error::OffsetCap {
                        offset,
                        total_num: self.pass.total.unwrap_or(offset),
                        max_offset,
                    });
                }
                break;
            }
            let fetch = (self.plan.fetch)(offset, self.plan.page_size);
            let fetch = if self.plan.concurrency > 1 {
                Fetch::Spawned(runtime.spawn(fetch))
            } else {
                Fetch::Inline(fetch)
            };
            self.in_flight.push_back(InFlight { offset, fetch });
            self.pass.next_plan = offset + u64::from(self.plan.page_size);
        }
        Ok(())
    }

    /// Takes in the page answered at `offset`; returns the items in it no
    /// earlier page yielded, `None` when there are none.
    fn accept(&mut self, offset: u64, page: ItemPage<T>) -> Option<ItemPage<T>> {
        let pass = &mut self.pass;
        let len = page.items.len() as u64;
        let page_size = u64::from(self.plan.page_size);
        let total = match page.total_num {
            Some(total) => {
                pass.total_reported = true;
                pass.total_range = Some(match pass.total_range {
                    None => (total, total),
                    Some((min, max)) => (min.min(total), max.max(total)),
                });
                total
            }
            // Without total_num, a full page means there may be more.
            None if len >= page_size => offset + len + 1,
            None => offset + len,
        };
        match pass.first_total {
            None => pass.first_total = Some(total),
            Some(_) if page.total_num.is_some() && pass.total != Some(total) => {
                pass.moved(offset, &page.request_id);
            }
            Some(_) => {}
        }
        pass.total = Some(total);

        let mut fresh = Vec::with_capacity(page.items.len());
        let mut kept = Vec::with_capacity(page.items.len());
        for (index, item) in page.items.into_iter().enumerate() {
            let Some(id) = (self.plan.id)(&item) else {
                pass.without_id += 1;
                self.any_without_id = true;
                if pass.number == 1 {
                    fresh.push(item);
                    kept.push(index);
                }
                continue;
            };
            match self.seen.meet(&id, pass.number as u8) {
                Seen::New => {
                    pass.distinct += 1;
                    fresh.push(item);
                    kept.push(index);
                }
                Seen::EarlierPass => pass.distinct += 1,
                Seen::ThisPass => {
                    pass.seen_twice += 1;
                    if pass.seen_twice_ids.len() < ListingDrift::SAMPLE {
                        pass.seen_twice_ids.push(id.into_owned());
                    }
                    if pass.moved_at.is_none() {
                        pass.moved_at = Some(offset);
                        pass.request_id.clone_from(&page.request_id);
                    }
                }
            }
        }

        if len == 0 {
            pass.ended = true;
            if total > offset && page.total_num.is_some() {
                pass.empty_page_at = Some(offset);
                pass.moved(offset, &page.request_id);
            }
        } else {
            pass.next_yield = offset + len;
            if pass.next_yield >= total {
                pass.ended = true;
            } else if len != page_size && pass.next_plan != pass.next_yield {
                // A page shorter or longer than asked: the pages fetched
                // ahead start at the wrong offsets.
                self.in_flight.clear();
                pass.next_plan = pass.next_yield;
            }
        }
        (!fresh.is_empty()).then(|| ItemPage {
            total_num: page.total_num,
            items: fresh,
            request_id: page.request_id,
            received: page.received.select(&kept),
        })
    }
}
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
