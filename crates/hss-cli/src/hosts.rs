//! `hss scan-task hosts`: one page, or every page with `--all`.

use std::io::{self, Write};

use anyhow::{Context, Result};
use futures::{Stream, StreamExt};
use hss_ext::{HostPage, HostQuery, HssClient, ListOptions};

use crate::args::{Format, HostsArgs};
use crate::connect;
use crate::output::spool::Spool;
use crate::output::{self, HostSink, Scope};
use crate::progress::Progress;
use crate::summary::SummarySink;

/// Page size of `--all` when `--limit` is not given: the API's maximum.
pub const ALL_PAGE_SIZE: u32 = 200;

/// Runs the command, writing to stdout.
pub async fn run(args: &HostsArgs) -> Result<()> {
    let client = connect::client(&args.connection).await?;
    let stdout = io::BufWriter::new(io::stdout());
    run_with(&client, args, Box::new(stdout)).await
}

/// Runs the command with `client`, writing to `out`.
pub async fn run_with(
    client: &HssClient,
    args: &HostsArgs,
    out: Box<dyn Write + '_>,
) -> Result<()> {
    let what = format!("listing the hosts of scan task {}", args.task_id);
    if args.all {
        list_all(client, args, out, &what).await
    } else {
        one_page(client, args, out).await.context(what)
    }
}

/// The query the flags describe (without `--limit`, which `--all` uses as
/// its page size).
pub fn query(args: &HostsArgs) -> HostQuery {
    let mut query = HostQuery::new(&args.task_id);
    if let Some(project) = &args.connection.project_id {
        query = query.project_id(project);
    }
    if let Some(eps) = &args.enterprise_project_id {
        query = query.enterprise_project_id(eps);
    }
    if let Some(status) = args.scan_status {
        query = query.scan_status(status.into());
    }
    if let Some(offset) = args.offset {
        query = query.offset(offset);
    }
    query
}

async fn one_page(
    client: &HssClient,
    args: &HostsArgs,
    mut out: Box<dyn Write + '_>,
) -> Result<()> {
    let mut query = query(args);
    if let Some(limit) = args.limit {
        query = query.limit(limit);
    }
    let page = client.list_hosts_page(&query).await?;
    if args.output == Format::Json && !args.summary {
        output::write_page(&mut out, page.total_num, &page.hosts).context("writing the output")?;
        return out.flush().context("writing the output");
    }
    let scope = Scope::Page {
        total_num: page.total_num,
        offset: args.offset.unwrap_or(0),
    };
    let mut sink = sink(args, scope, out);
    for host in &page.hosts {
        sink.host(host).context("writing the output")?;
    }
    sink.finish().context("writing the output")
}

fn sink<'a>(args: &HostsArgs, scope: Scope, out: Box<dyn Write + 'a>) -> Box<dyn HostSink + 'a> {
    if args.summary {
        Box::new(SummarySink::new(args.output, out))
    } else {
        output::host_sink(args.output, scope, out)
    }
}

/// Every page into the sink. `json` and `csv` go through a [`Spool`] and
/// reach `out` only when the listing completed; on a failure the error
/// says what stdout holds.
async fn list_all(
    client: &HssClient,
    args: &HostsArgs,
    mut out: Box<dyn Write + '_>,
    what: &str,
) -> Result<()> {
    let query = query(args);
    let options = ListOptions::default()
        .page_size(args.limit.unwrap_or(ALL_PAGE_SIZE))
        .concurrency(usize::from(args.concurrency))
        .max_passes(args.max_passes);
    let progress = Progress::hosts();
    let pages = client.list_pages(query, options);
    if output::is_document(args.output) {
        let mut spool = Spool::default();
        let mut sink = sink(args, Scope::All, Box::new(&mut spool));
        let result = drain(pages, sink.as_mut(), &progress).await;
        progress.clear();
        if let Err(error) = result {
            return Err(error.context(format!("{what} (nothing was written to stdout)")));
        }
        sink.finish()
            .and_then(|()| spool.copy_to(&mut out))
            .and_then(|()| out.flush())
            .context("writing the output")
            .context(what.to_owned())
    } else {
        let mut sink = sink(args, Scope::All, out);
        let mut written = 0;
        let result = drain_counted(pages, sink.as_mut(), &progress, &mut written).await;
        progress.clear();
        if let Err(error) = result {
            return Err(error.context(format!("{what} ({})", on_stdout(args, written))));
        }
        sink.finish()
            .context("writing the output")
            .context(what.to_owned())
    }
}

/// What stdout holds when a listing of `written` hosts failed: only
/// `ndjson` host lines go out before the end (`table` and `--summary` are
/// written at the end, `json` and `csv` are spooled).
fn on_stdout(args: &HostsArgs, written: u64) -> String {
    if args.output != Format::Ndjson || args.summary || written == 0 {
        return "nothing was written to stdout".to_owned();
    }
    let hosts = if written == 1 {
        "host was"
    } else {
        "hosts were"
    };
    format!("{written} {hosts} written to stdout before the failure")
}

/// Feeds every host of `pages` into `sink`, flushing after each page and
/// moving the progress bar; on an error, what was written before is
/// flushed and the error returned.
pub async fn drain(
    pages: impl Stream<Item = Result<HostPage, hss_ext::Error>>,
    sink: &mut dyn HostSink,
    progress: &Progress,
) -> Result<()> {
    drain_counted(pages, sink, progress, &mut 0).await
}

/// [`drain`], counting in `written` the hosts handed to the sink.
async fn drain_counted(
    pages: impl Stream<Item = Result<HostPage, hss_ext::Error>>,
    sink: &mut dyn HostSink,
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
        for host in &page.hosts {
            sink.host(host).context("writing the output")?;
            *written += 1;
        }
        progress.add(page.hosts.len());
        sink.flush().context("writing the output")?;
    }
    Ok(())
}
