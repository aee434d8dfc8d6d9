//! `hss scan-task hosts`: one page, or every page with `--all`, of the
//! hosts of a scan task (`ListVulScanTaskHost`), or a summary of them.

use std::io::{self, Write};

use anyhow::Result;
use hss_api::types::VulScanTaskHostInfo;
use hss_ext::{HostQuery, HssClient};

use crate::args::HostsArgs;
use crate::connect;
use crate::listing::{self, Plan};
use crate::scan_tasks::hint_unknown_task;
use crate::summary::SummarySink;

pub use crate::listing::ALL_PAGE_SIZE;

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
    let plan = plan(args);
    let list = &args.list;
    let listed = if list.pages.all {
        listing::all_pages(client, query(args), list, plan, out).await
    } else {
        let mut query = query(args);
        if let Some(limit) = list.limit {
            query = query.limit(limit);
        }
        let page = client.list_hosts_page(&query).await;
        listing::one(plan, page, list.offset.unwrap_or(0), out)
    };
    listed.map_err(hint_unknown_task)
}

/// The hosts, or with `--summary` their counts, in the chosen format.
fn plan(args: &HostsArgs) -> Plan<VulScanTaskHostInfo> {
    let what = format!("listing the hosts of scan task {}", args.task_id);
    let format = args.list.output;
    if args.summary {
        Plan {
            format,
            what,
            make: Box::new(move |_, out| Box::new(SummarySink::new(format, out))),
            streamed: false,
            api_page: false,
        }
    } else {
        Plan::records(format, what)
    }
}

/// The query the flags describe (without `--limit`, which `--all` uses as
/// its page size).
pub fn query(args: &HostsArgs) -> HostQuery {
    let mut query = HostQuery::new(&args.task_id);
    if let Some(project) = &args.connection.project_id {
        query = query.project_id(project);
    }
    if let Some(eps) = &args.enterprise_project.id {
        query = query.enterprise_project_id(eps);
    }
    if let Some(status) = &args.scan_status {
        query = query.scan_status(status.clone());
    }
    if let Some(offset) = args.list.offset {
        query = query.offset(offset);
    }
    query
}
