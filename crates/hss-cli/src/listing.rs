//! One listing command, whatever it lists: one page, or every page with
//! `--all`, in every format, with the progress bar and the rule for what
//! stdout holds when `--all` fails part way. `hss scan-task hosts`, `hss
//! scan-task list`, `hss vul list`, `hss vul hosts` and `hss host vuls` are
//! this module plus a query.
//!
//! - One page: `json` is the service's answer byte for byte, as `hss call
//!   -o json` writes it (`{"total_num": N, "data_list": [...]}`, fields this
//!   version does not know included); the other formats go through the
//!   record sink; a table ends with `hosts 1-10 of 45`.
//! - `json` and `ndjson` write each item as the service sent it
//!   ([`hss_ext::Received`]), after the typed decode checked it: an item
//!   the generated model refuses fails the page as before. With `--all`
//!   the check is the model's generated shape, which refuses the same
//!   items without building the models ([`all_pages`]).
//! - `--all`: `json` and `csv` are written into a `Spool` and reach stdout
//!   only once the last page arrived; `table` (and a summary) is written at
//!   the end anyway; `ndjson` records go out as pages arrive, each line
//!   whole. On a failure the error says which of these stdout holds.

use std::io::Write;
use std::marker::PhantomData;

use anyhow::{Context, Result};
use futures::{Stream, StreamExt, TryStreamExt};
use hss_ext::{HssClient, ItemPage, ListOptions, RawItem};

use crate::args::{AllArgs, Format, ListArgs};
use crate::output::spool::Spool;
use crate::output::{self, Record, Scope, Sink};
use crate::progress::Progress;

/// Page size of `--all` when `--limit` is not given: the API's maximum
/// (from the spec, through hss-ext).
pub const ALL_PAGE_SIZE: u32 = *hss_ext::LIMIT_RANGE.end();

/// Makes the sink records go into, for a scope and a writer.
pub type MakeSink<T> = Box<dyn for<'w> FnOnce(Scope, Box<dyn Write + 'w>) -> Box<dyn Sink<T> + 'w>>;

/// How one listing command prints.
pub struct Plan<T> {
    /// The output format.
    pub format: Format,
    /// What the command does, for the error line: `listing the hosts of
    /// scan task t`.
    pub what: String,
    /// The sink (the format's record sink, or a summary).
    pub make: MakeSink<T>,
    /// True when the sink writes each record as it comes (ndjson records,
    /// not a summary): what stdout holds after a failure.
    pub streamed: bool,
    /// True when one page in json is the API's page (not a summary).
    pub api_page: bool,
}

impl<T: Record + 'static> Plan<T> {
    /// The records themselves in `format`.
    pub fn records(format: Format, what: impl Into<String>) -> Self {
        Plan {
            format,
            what: what.into(),
            make: Box::new(move |scope, out| output::sink::<T>(format, scope, out)),
            streamed: format == Format::Ndjson,
            api_page: true,
        }
    }
}

/// The listing options of `--all`: `--limit` records a page (200 when not
/// given), `--concurrency` pages at once (a fixed number) or, without it,
/// as fast as the service allows with up to 64 in flight (hss-ext's
/// adaptive listing), `--max-passes`.
pub fn options(list: &ListArgs) -> ListOptions {
    all_options(&list.pages).page_size(list.limit.unwrap_or(ALL_PAGE_SIZE))
}

/// The listing options `--all`, `--concurrency` and `--max-passes` give.
pub fn all_options(pages: &AllArgs) -> ListOptions {
    let options = ListOptions::default().max_passes(pages.max_passes);
    match pages.concurrency {
        Some(n) => options.concurrency(usize::from(n)),
        None => options.adaptive(usize::from(crate::args::ALL_CONCURRENCY)),
    }
}

/// Runs a listing of `query` (with its `offset` and, for one page, its
/// `limit` already set from `list`) on the generic engine of `hss-ext`.
pub async fn run<Q>(
    client: &HssClient,
    query: Q,
    list: &ListArgs,
    plan: Plan<Q::Item>,
    out: Box<dyn Write + '_>,
) -> Result<()>
where
    Q: hss_ext::ListQuery,
    Q::Item: Record + hss_api::check::Checked + 'static,
{
    if list.pages.all {
        all_pages(client, query, list, plan, out).await
    } else {
        let offset = list.offset.unwrap_or(0);
        let page = client.list_page(&query).await;
        one(plan, page, offset, out)
    }
}

/// `--all`: every page into the plan's sink. Records in `json` or
/// `ndjson` are written as the service sent them, so their pages are
/// checked against the model's shape rather than built into models
/// ([`HssClient::list_all_received`]).
pub async fn all_pages<Q>(
    client: &HssClient,
    query: Q,
    list: &ListArgs,
    plan: Plan<Q::Item>,
    out: Box<dyn Write + '_>,
) -> Result<()>
where
    Q: hss_ext::ListQuery,
    Q::Item: Record + hss_api::check::Checked + 'static,
{
    let options = options(list);
    if plan.api_page && matches!(plan.format, Format::Json | Format::Ndjson) {
        let plan = Plan::<AsReceived<Q::Item>>::records(plan.format, plan.what);
        let pages = client
            .list_all_received(query, options)
            .map_ok(AsReceived::page);
        all(plan, pages, out).await
    } else {
        all(plan, client.list_all_pages(query, options), out).await
    }
}

/// An item of a listing of `T` kept as the service sent it: a record
/// for the formats that write items as received (`json`, `ndjson`).
struct AsReceived<T>(RawItem, PhantomData<fn() -> T>);

impl<T> AsReceived<T> {
    fn page(page: ItemPage<RawItem>) -> ItemPage<Self> {
        ItemPage {
            total_num: page.total_num,
            items: page
                .items
                .into_iter()
                .map(|item| AsReceived(item, PhantomData))
                .collect(),
            request_id: page.request_id,
            received: page.received,
        }
    }
}

impl<T> serde::Serialize for AsReceived<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The sinks write the received text itself; this is only for a
        // sink that would encode the record.
        let raw: &serde_json::value::RawValue =
            serde_json::from_str(self.0.json()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<T: Record> Record for AsReceived<T> {
    const SINGULAR: &'static str = T::SINGULAR;
    const PLURAL: &'static str = T::PLURAL;
    /// None: `table` and `csv` list the models themselves.
    fn columns() -> &'static [output::Column<Self>] {
        &[]
    }
}

/// Prints one answered page (or the error that stopped it).
pub fn one<T: Record + 'static>(
    plan: Plan<T>,
    page: Result<ItemPage<T>, hss_ext::Error>,
    offset: u32,
    out: Box<dyn Write + '_>,
) -> Result<()> {
    let what = plan.what.clone();
    print_page(plan, page, offset, out).context(what)
}

fn print_page<T: Record + 'static>(
    plan: Plan<T>,
    page: Result<ItemPage<T>, hss_ext::Error>,
    offset: u32,
    mut out: Box<dyn Write + '_>,
) -> Result<()> {
    let page = page?;
    if plan.format == Format::Json && plan.api_page {
        match page.received.body() {
            Some(body) => output::write_received(&mut out, body),
            None => output::write_page(&mut out, page.total_num, &page.items),
        }
        .context("writing the output")?;
        return out.flush().context("writing the output");
    }
    let scope = Scope::Page {
        total_num: page.total_num,
        offset,
    };
    let mut sink = (plan.make)(scope, out);
    for (item, received) in page.items_received() {
        sink.record(item, received).context("writing the output")?;
    }
    sink.finish().context("writing the output")
}

/// Every page into the plan's sink. `json` and `csv` go through a
/// `Spool` and reach `out` only when the listing completed; on a failure
/// the error says what stdout holds.
pub async fn all<T: Record + 'static>(
    plan: Plan<T>,
    pages: impl Stream<Item = Result<ItemPage<T>, hss_ext::Error>>,
    mut out: Box<dyn Write + '_>,
) -> Result<()> {
    let progress = Progress::items(T::PLURAL);
    let what = plan.what;
    if output::is_document(plan.format) {
        let mut spool = Spool::default();
        let mut sink = (plan.make)(Scope::All, Box::new(&mut spool));
        let result = drain(pages, sink.as_mut(), &progress, &mut 0).await;
        progress.clear();
        if let Err(error) = result {
            return Err(error.context(format!("{what} (nothing was written to stdout)")));
        }
        sink.finish()
            .and_then(|()| spool.copy_to(&mut out))
            .and_then(|()| out.flush())
            .context("writing the output")
            .context(what)
    } else {
        let mut sink = (plan.make)(Scope::All, out);
        let mut written = 0;
        let result = drain(pages, sink.as_mut(), &progress, &mut written).await;
        progress.clear();
        if let Err(error) = result {
            let held = on_stdout::<T>(plan.streamed, written);
            return Err(error.context(format!("{what} ({held})")));
        }
        sink.finish().context("writing the output").context(what)
    }
}

/// What stdout holds when a listing of `written` records failed: only
/// streamed records go out before the end (`table` and summaries are
/// written at the end, `json` and `csv` are spooled).
fn on_stdout<T: Record>(streamed: bool, written: u64) -> String {
    if !streamed || written == 0 {
        return "nothing was written to stdout".to_owned();
    }
    let verb = if written == 1 { "was" } else { "were" };
    format!(
        "{} {verb} written to stdout before the failure",
        output::count::<T>(written)
    )
}

/// Feeds every record of `pages` into `sink`, flushing after each page and
/// moving the progress bar, counting in `written` the records handed to
/// the sink; on an error, what was written before is flushed and the error
/// returned.
pub async fn drain<T>(
    pages: impl Stream<Item = Result<ItemPage<T>, hss_ext::Error>>,
    sink: &mut dyn Sink<T>,
    progress: &Progress,
    written: &mut u64,
) -> Result<()> {
    let mut pages = std::pin::pin!(pages);
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                let _ = sink.flush();
                return Err(error.into());
            }
        };
        progress.set_total(page.total_num);
        for (item, received) in page.items_received() {
            sink.record(item, received).context("writing the output")?;
            *written += 1;
        }
        progress.add(page.items.len());
        sink.flush().context("writing the output")?;
    }
    Ok(())
}

/// Sets a query's `offset` and, for one page, its `limit` from the flags.
/// Every query of `hss-ext` has both setters (by macro, not a trait), so
/// this is a macro too.
macro_rules! paged {
    ($query:expr, $list:expr) => {{
        let list: &$crate::args::ListArgs = $list;
        let mut query = $query;
        if let Some(offset) = list.offset {
            query = query.offset(offset);
        }
        if let (Some(limit), false) = (list.limit, list.pages.all) {
            query = query.limit(limit);
        }
        query
    }};
}
pub(crate) use paged;

#[cfg(test)]
mod tests {
    use super::*;
    use hss_api::types::VulInfo;

    #[test]
    fn the_error_says_what_stdout_holds() {
        assert_eq!(
            on_stdout::<VulInfo>(false, 5),
            "nothing was written to stdout"
        );
        assert_eq!(
            on_stdout::<VulInfo>(true, 0),
            "nothing was written to stdout"
        );
        assert_eq!(
            on_stdout::<VulInfo>(true, 1),
            "1 vulnerability was written to stdout before the failure"
        );
        assert_eq!(
            on_stdout::<VulInfo>(true, 3),
            "3 vulnerabilities were written to stdout before the failure"
        );
    }
}
