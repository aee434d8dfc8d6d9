//! `hss demo`: the whole path, end to end, with no setup.
//!
//! Starts `hss-fake` in this process on a free 127.0.0.1 port with one
//! seeded task, builds a client with the fake's demo AK/SK (so every request
//! is really signed with `SDK-HMAC-SHA256` and checked by the fake), lists
//! the task's failed hosts with the same streaming `--all` code as
//! `hss scan-task hosts`, summarises the whole task, and stops the fake.

use std::io::{self, Write};
use std::time::Instant;

use anyhow::{Context, Result};
use hss_ext::{Credentials, HostQuery, HssClient, ListOptions, ScanStatus};
use hss_fake::FakeHss;

use crate::args::{DemoArgs, Format};
use crate::connect;
use crate::hosts::{ALL_PAGE_SIZE, drain};
use crate::output::{self, HostSink};
use crate::progress::Progress;
use crate::summary::Summary;

/// Failed hosts shown in the demo's table; the summary covers all of them.
pub const SHOWN_HOSTS: usize = 10;

/// Pages fetched at once by the demo.
const CONCURRENCY: usize = 4;

/// Counts hosts, and keeps them when asked to.
#[derive(Default)]
struct Collect {
    keep: bool,
    hosts: Vec<hss_api::types::VulScanTaskHostInfo>,
    summary: Summary,
}

impl HostSink for Collect {
    fn host(&mut self, host: &hss_api::types::VulScanTaskHostInfo) -> io::Result<()> {
        self.summary.add(host);
        if self.keep {
            self.hosts.push(host.clone());
        }
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn finish(self: Box<Self>) -> io::Result<()> {
        Ok(())
    }
}

/// Runs the demo, writing to stdout.
pub async fn run(args: &DemoArgs) -> Result<()> {
    let mut out = io::BufWriter::new(io::stdout());
    run_with(args, &mut out).await?;
    out.flush().context("writing the output")
}

/// Runs the demo, writing to `out`.
pub async fn run_with(args: &DemoArgs, out: &mut dyn Write) -> Result<()> {
    let started = Instant::now();
    let fake = FakeHss::builder()
        .seed(args.seed)
        .hosts(args.hosts as usize)
        // Every host in the default enterprise project, so a plain query sees them all.
        .enterprise_projects(1)
        .start()
        .await
        .context("starting hss-fake on 127.0.0.1")?;
    let key = fake.access_key();
    let client = HssClient::builder()
        .endpoint_url(fake.base_url())
        .credentials(Credentials::ak_sk(key.ak.clone(), key.sk.clone()))
        .project_id(fake.project_id())
        .user_agent_suffix(connect::user_agent())
        .build()
        .context("configuring the client for hss-fake")?;
    let task = fake.task_id();
    let options = ListOptions::default()
        .page_size(ALL_PAGE_SIZE)
        .concurrency(CONCURRENCY);

    let mut failed = Collect {
        keep: true,
        ..Collect::default()
    };
    let query = HostQuery::new(&task).scan_status(ScanStatus::Failed);
    drain(
        client.list_pages(query, options),
        &mut failed,
        &Progress::off(),
    )
    .await
    .context("listing the failed hosts of the demo task")?;
    let mut all = Collect::default();
    drain(
        client.list_pages(HostQuery::new(&task), options),
        &mut all,
        &Progress::off(),
    )
    .await
    .context("listing every host of the demo task")?;
    let requests = fake.request_count();
    let url = fake.base_url();
    let elapsed = started.elapsed();
    fake.shutdown().await;

    writeln!(
        out,
        "hss demo: started hss-fake on {url} with scan task {task} ({} hosts), listed its {} failed hosts and summarised the task in {:.2} s ({requests} AK/SK-signed requests, {CONCURRENCY} pages at once).",
        all.summary.hosts(),
        failed.hosts.len(),
        elapsed.as_secs_f64(),
    )?;
    writeln!(out)?;
    output::hosts_table(failed.hosts.iter().take(SHOWN_HOSTS)).write(out)?;
    if failed.hosts.len() > SHOWN_HOSTS {
        writeln!(
            out,
            "… and {} more failed hosts (`hss scan-task hosts --all --scan-status failed` lists them all).",
            failed.hosts.len() - SHOWN_HOSTS
        )?;
    }
    writeln!(out)?;
    all.summary.write(Format::Table, out)?;
    writeln!(out)?;
    writeln!(
        out,
        "Next: start `cargo run -p hss-fake-server` and point `hss scan-task hosts` at it as the README shows."
    )?;
    Ok(())
}
