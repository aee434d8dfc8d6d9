//! One listing face for every offset/limit/`total_num` operation.
//!
//! `ListVulScanTask`, `ListVulScanTaskHost`, `ListVulnerabilities`,
//! `ListVulHosts` and `ListHostVuls` page the same way, so one generic
//! face serves them all: a typed query per operation ([`ScanTaskQuery`],
//! [`HostQuery`], [`VulnQuery`], [`VulHostQuery`], [`HostVulQuery`]),
//! implementing the sealed [`ListQuery`], and four methods on
//! [`HssClient`] that take any of them: [`HssClient::list_all_pages`],
//! [`HssClient::list_all`], [`HssClient::collect_all`] and one request,
//! [`HssClient::list_page`]. The promise, and how it is kept, is the
//! engine's (`listing.rs`, the [crate docs](crate#listings)): every item
//! exactly once, or [`Error::IncompleteListing`]. Each query says what
//! identifies its items, from the official SDK's models:
//!
//! | query | item | identity |
//! | --- | --- | --- |
//! | [`ScanTaskQuery`] | `VulScanTaskInfo` | `id` |
//! | [`HostQuery`] | `VulScanTaskHostInfo` | `host_id` |
//! | [`VulnQuery`] | `VulInfo` | `vul_id` and `type` (the same id may be listed for two types) |
//! | [`VulHostQuery`] | `VulHostInfo` | `host_id` and `app_path` (an application vulnerability is listed once per path on a host) |
//! | [`HostVulQuery`] | `HostVulInfo` | `vul_id` and `app_path` (the same) |
//!
//! [`HostQuery`]: crate::HostQuery
//! [`ScanTaskQuery`]: crate::ScanTaskQuery
//! [`VulnQuery`]: crate::VulnQuery
//! [`VulHostQuery`]: crate::VulHostQuery
//! [`HostVulQuery`]: crate::HostVulQuery

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;

use futures::stream::{Stream, StreamExt, TryStreamExt};

use hss_api::check::Checked;
use hss_operations::Operation;

use crate::client::HssClient;
use crate::decode::RawItem;
pub use crate::decode::{ItemPage, PageAnswer};
use crate::error::{Error, MAX_OFFSET};
use crate::listing::ListOptions;
use crate::listing::{FetchPage, Listing, MAX_PASSES, Plan};
use crate::query::{LIMIT_RANGE, check_limit};

/// The future of one page's answer (decoded by [`PageAnswer::decode`]).
pub type PageFuture<T> = Pin<Box<dyn Future<Output = Result<PageAnswer<T>, Error>> + Send>>;

mod sealed {
    /// Only this crate's queries are listings.
    pub trait Sealed {}
}

/// The query of an offset/limit/`total_num` operation: what
/// [`HssClient::list_all`] and its siblings accept. Implemented by this
/// crate's queries only.
pub trait ListQuery: sealed::Sealed + Clone + fmt::Debug + Send + Sync + 'static {
    /// One listed item (a generated model).
    type Item: Clone + fmt::Debug + Send + 'static;
    /// The operation, e.g. `ListVulnerabilities`, as the spec describes it
    /// (its limits are the query's).
    const OPERATION: &'static Operation;
    /// What is listed, plural, as errors say it (`vulnerabilities`).
    const ITEMS: &'static str;
    /// What identifies an item (`vul_id+type`).
    const ID_FIELD: &'static str;

    /// Checks every parameter as a request would, without sending
    /// anything: the error ([`Error::InvalidInput`]) names the first
    /// parameter that is wrong. `default_project` stands for the client's
    /// project when the query names none.
    fn check(&self, default_project: Option<&str>) -> Result<(), Error>;

    /// The identity of an item, `None` when it lacks one. Several fields
    /// are joined with NUL.
    fn identity(item: &Self::Item) -> Option<Cow<'_, str>>;

    /// The offset the listing starts at.
    fn start_offset(&self) -> u32;

    #[doc(hidden)]
    /// Sends one page request (offset, limit) of a checked query. Not
    /// part of the stable API.
    fn fetch_page(&self, client: &HssClient, offset: u32, limit: u32) -> PageFuture<Self::Item>;
}

pub(crate) use sealed::Sealed;

impl HssClient {
    /// Every page the query matches, with the promise of the
    /// [crate docs](crate#listings): each item that stayed in the list
    /// from start to end exactly once, or [`Error::IncompleteListing`].
    /// Each page carries the `total_num` its answer reported (for
    /// progress) and its request id. The query's `offset` is where the
    /// listing starts; its `limit` is ignored for `options.page_size`.
    pub fn list_all_pages<Q: ListQuery>(
        &self,
        query: Q,
        options: ListOptions,
    ) -> impl Stream<Item = Result<ItemPage<Q::Item>, Error>> + Send + 'static {
        pages(self.listing(query, options))
    }

    /// Every page the query matches, as [`list_all_pages`](Self::list_all_pages)
    /// gives them, with the items as the service sent them: each item is
    /// checked against the model's generated shape ([`hss_api::check`]),
    /// which accepts exactly what the model accepts, but the model is not
    /// built. For a program that passes items on as text (`hss ... --all
    /// -o ndjson`): the same items, the same promise and the same errors
    /// at a fraction of the CPU.
    pub fn list_all_received<Q: ListQuery>(
        &self,
        query: Q,
        options: ListOptions,
    ) -> impl Stream<Item = Result<ItemPage<RawItem>, Error>> + Send + 'static
    where
        Q::Item: Checked,
    {
        pages(self.listing_as(
            query,
            options,
            |answer: PageAnswer<Q::Item>| {
                PageAnswer::later(move || {
                    answer.decode_received(const { Q::OPERATION.expect_offset_limit() })
                })
            },
            |item: &RawItem| item.identity().map(Cow::Borrowed),
        ))
    }

    /// Every item the query matches, one by one, with the promise of
    /// [`list_all_pages`](Self::list_all_pages). An error ends the stream:
    /// the items before it are real, but the list is not whole.
    pub fn list_all<Q: ListQuery>(
        &self,
        query: Q,
        options: ListOptions,
    ) -> impl Stream<Item = Result<Q::Item, Error>> + Send + 'static {
        self.list_all_pages(query, options)
            .map_ok(|page| futures::stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
    }

    /// Every item the query matches, collected: complete, or an error,
    /// never a list that is silently short or repeats an item.
    pub async fn collect_all<Q: ListQuery>(
        &self,
        query: Q,
        options: ListOptions,
    ) -> Result<Vec<Q::Item>, Error> {
        let mut items = Vec::new();
        let mut stream = std::pin::pin!(self.list_all(query, options));
        while let Some(item) = stream.next().await {
            items.push(item?);
        }
        Ok(items)
    }

    /// One page: the query's `offset` and `limit` (the API's defaults
    /// when unset), with the client's retries. No integrity check: one
    /// page is what the service answered.
    pub async fn list_page<Q: ListQuery>(&self, query: &Q) -> Result<ItemPage<Q::Item>, Error> {
        query.check(self.project.known().or(self.discovery_placeholder()))?;
        query
            .fetch_page(self, query.start_offset(), u32::MAX)
            .await?
            .decode()
    }

    /// A project id to check a query with when the client discovers its
    /// own: the real one is checked when IAM names it.
    pub(crate) fn discovery_placeholder(&self) -> Option<&'static str> {
        self.project.can_discover().then_some("discovered")
    }

    /// The engine's state for a listing of `query`, or the error that
    /// stops it before any request.
    pub(crate) fn listing<Q: ListQuery>(
        &self,
        query: Q,
        options: ListOptions,
    ) -> Result<Listing<Q::Item>, Option<Error>> {
        self.listing_as(query, options, |answer| answer, Q::identity)
    }

    /// [`listing`](Self::listing) with each page's answer turned into a
    /// page of `U` by `answer` (still decoded where it is consumed), whose
    /// items `id` identifies.
    fn listing_as<Q: ListQuery, U: Send + 'static>(
        &self,
        query: Q,
        options: ListOptions,
        answer: fn(PageAnswer<Q::Item>) -> PageAnswer<U>,
        id: fn(&U) -> Option<Cow<'_, str>>,
    ) -> Result<Listing<U>, Option<Error>> {
        query.check(self.project.known().or(self.discovery_placeholder()))?;
        check_options(&options)?;
        let start = u64::from(query.start_offset());
        // Adaptive listings probe for the client's send rate (`rate.rs`).
        let client = self.clone().probing(options.adaptive);
        let fetch: FetchPage<U> = Arc::new(move |offset, limit| {
            // The engine never asks past MAX_OFFSET, which fits in u32.
            let offset = u32::try_from(offset).unwrap_or(u32::MAX);
            let page = query.fetch_page(&client, offset, limit);
            Box::pin(async move { page.await.map(answer) })
        });
        Ok(Listing::new(Plan {
            fetch,
            id,
            names: (Q::ITEMS, Cow::Borrowed(Q::ID_FIELD)),
            max_offset: Some(u64::from(MAX_OFFSET)),
            start,
            page_size: options.page_size,
            concurrency: options.concurrency.max(1),
            max_passes: options.max_passes,
        }))
    }
}

/// The pages of a listing, or the one error that stopped it before any
/// request.
pub(crate) fn pages<T: Send + 'static>(
    listing: Result<Listing<T>, Option<Error>>,
) -> impl Stream<Item = Result<ItemPage<T>, Error>> + Send + 'static {
    futures::stream::unfold(listing, |state| async move {
        match state {
            Ok(mut listing) => {
                let page = listing.next_page().await?;
                Some((page, Ok(listing)))
            }
            Err(error) => error.map(|e| (Err(e), Err(None))),
        }
    })
    // Polled again after its end, a stream may panic; this one keeps
    // answering `None`.
    .fuse()
}

/// The checks of [`ListOptions`], shared by every listing.
pub(crate) fn check_options(options: &ListOptions) -> Result<(), Error> {
    check_limit(options.page_size).map_err(|_| {
        Error::invalid(
            "page_size",
            format!(
                "must be between {} and {}, got {}",
                LIMIT_RANGE.start(),
                LIMIT_RANGE.end(),
                options.page_size
            ),
        )
    })?;
    check_passes(options)
}

/// The check of [`ListOptions::max_passes`].
pub(crate) fn check_passes(options: &ListOptions) -> Result<(), Error> {
    if !(1..=MAX_PASSES).contains(&options.max_passes) {
        return Err(Error::invalid(
            "max_passes",
            format!(
                "must be between 1 and {MAX_PASSES}, got {}",
                options.max_passes
            ),
        ));
    }
    Ok(())
}

/// The parameters every listing query shares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Common {
    pub project_id: Option<String>,
    pub enterprise_project_id: Option<String>,
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

impl Common {
    /// The project, offset, limit and enterprise project checks.
    pub(crate) fn check(
        &self,
        default_project: Option<&str>,
        limits: std::ops::RangeInclusive<u32>,
    ) -> Result<(), Error> {
        match self.project_id.as_deref().or(default_project) {
            Some(project) => crate::query::check_project_id(project)?,
            None => {
                return Err(Error::invalid(
                    "project_id",
                    "not set: pass it on the query or the client, or set HUAWEICLOUD_SDK_PROJECT_ID (with a region and AK/SK credentials the client asks IAM for it)",
                ));
            }
        }
        if let Some(eps) = &self.enterprise_project_id {
            typed::<hss_api::types::EnterpriseProjectId>("enterprise_project_id", eps)?;
        }
        if let Some(limit) = self.limit.filter(|l| !limits.contains(l)) {
            return Err(Error::invalid(
                "limit",
                format!(
                    "must be between {} and {}, got {limit}",
                    limits.start(),
                    limits.end()
                ),
            ));
        }
        let offset = self.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(Error::invalid(
                "offset",
                format!("must be between 0 and {MAX_OFFSET}, got {offset}"),
            ));
        }
        Ok(())
    }

    /// The limit of one request: the listing's, else the query's.
    pub(crate) fn limit_for(&self, limit: u32) -> Option<i32> {
        let limit = if limit == u32::MAX {
            self.limit?
        } else {
            limit
        };
        Some(i32::try_from(limit).unwrap_or(i32::MAX))
    }
}

/// Checks `value` against the spec's limits for the parameter, through
/// the generated type that will carry it.
pub(crate) fn typed<T>(parameter: &'static str, value: &str) -> Result<T, Error>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    value
        .parse::<T>()
        .map_err(|e| Error::invalid(parameter, e.to_string()))
}

/// Checks an optional parameter like [`typed`].
pub(crate) fn typed_opt<T>(parameter: &'static str, value: Option<&str>) -> Result<(), Error>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    value
        .map(|v| typed::<T>(parameter, v))
        .transpose()
        .map(drop)
}

/// Joins identity fields with NUL; a missing second field leaves the first.
pub(crate) fn key2<'a>(first: Option<&'a str>, second: Option<&'a str>) -> Option<Cow<'a, str>> {
    let first = first?;
    Some(match second {
        Some(second) if !second.is_empty() => Cow::Owned(format!("{first}\0{second}")),
        _ => Cow::Borrowed(first),
    })
}

/// One page of a listing, the body of every generated-builder
/// [`ListQuery::fetch_page`]: `start` is the operation's builder with its
/// own parameters (`api`, `query` and `project` bound for it); the page's
/// offset and limit and the query's enterprise project go on here, then
/// `finish` adds the query's filters; it is sent as `op` for the query's
/// project, and its answer is decoded as `shape` says
/// ([`HssClient::call_page`], the page decoder of `decode.rs`). One home
/// for what every page request carries.
macro_rules! listing_page {
    (
        $self:ident, $client:ident, $offset:ident, $limit:ident, $op:expr, $shape:expr,
        |$api:ident, $query:ident, $project:ident| $start:expr,
        |$request:ident| $finish:expr $(,)?
    ) => {{
        let (client, $query) = ($client.clone(), $self.clone());
        let limit = $query.common.limit_for($limit);
        Box::pin(async move {
            let $api = client.api.clone();
            client
                .call_page(
                    $op,
                    $query.common.project_id.as_deref(),
                    $shape,
                    |$project| {
                        let mut request = $start.offset(i32::try_from($offset).unwrap_or(i32::MAX));
                        if let Some(limit) = limit {
                            request = request.limit(limit);
                        }
                        if let Some(eps) = &$query.common.enterprise_project_id {
                            request = request.enterprise_project_id(eps.as_str());
                        }
                        let $request = request;
                        $finish.send()
                    },
                )
                .await
        })
    }};
}
pub(crate) use listing_page;

/// The setters every listing query has.
macro_rules! common_query_setters {
    () => {
        /// Another project than the client's default.
        pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
            self.common.project_id = Some(project_id.into());
            self
        }

        /// Only this enterprise project (the service's default is `0`).
        pub fn enterprise_project_id(mut self, id: impl Into<String>) -> Self {
            self.common.enterprise_project_id = Some(id.into());
            self
        }

        /// Every enterprise project the caller may see.
        pub fn all_enterprise_projects(self) -> Self {
            self.enterprise_project_id($crate::ALL_ENTERPRISE_PROJECTS)
        }

        /// Start at this offset (0..=2,000,000).
        pub fn offset(mut self, offset: u32) -> Self {
            self.common.offset = Some(offset);
            self
        }

        /// Page size for a single-page request ([`HssClient::list_page`](crate::HssClient::list_page)).
        /// Listings use [`ListOptions::page_size`](crate::ListOptions::page_size) instead.
        pub fn limit(mut self, limit: u32) -> Self {
            self.common.limit = Some(limit);
            self
        }
    };
}
pub(crate) use common_query_setters;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_join_fields_and_keep_single_ids_borrowed() {
        assert_eq!(key2(Some("a"), None).as_deref(), Some("a"));
        assert_eq!(key2(Some("a"), Some("")).as_deref(), Some("a"));
        assert_eq!(key2(Some("a"), Some("b")).as_deref(), Some("a\0b"));
        assert_eq!(key2(None, Some("b")), None);
        assert!(matches!(key2(Some("a"), None), Some(Cow::Borrowed(_))));
    }

    /// The listing engine's shared limits ([`LIMIT_RANGE`] for page sizes,
    /// [`MAX_OFFSET`]) and each query's identity agree with what the spec
    /// says of every listing operation.
    #[test]
    fn every_listing_matches_the_spec_paging_and_identity() {
        fn check<Q: ListQuery>() {
            let id = Q::OPERATION.id;
            let paging = Q::OPERATION.expect_offset_limit();
            assert_eq!(
                paging
                    .item_identity
                    .map(|fields| fields.join("+"))
                    .as_deref(),
                Some(Q::ID_FIELD),
                "{id}"
            );
            assert!(paging.min_page() <= *LIMIT_RANGE.start(), "{id}");
            assert!(paging.max_page() >= *LIMIT_RANGE.end(), "{id}");
            assert_eq!(paging.max_offset(), MAX_OFFSET, "{id}");
        }
        check::<crate::ScanTaskQuery>();
        check::<crate::HostQuery>();
        check::<crate::VulnQuery>();
        check::<crate::VulHostQuery>();
        check::<crate::HostVulQuery>();
    }

    #[test]
    fn options_are_checked_by_name() {
        let err = check_options(&ListOptions::default().page_size(5)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid page_size: must be between 10 and 200, got 5"
        );
        let err = check_options(&ListOptions::default().max_passes(0)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid max_passes: must be between 1 and 8, got 0"
        );
    }
}
