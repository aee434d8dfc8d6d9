//! `hss demo`: the vulnerability-scan workflow, end to end, with no setup.
//!
//! Starts `hss-fake` in this process on a free 127.0.0.1 port with a
//! seeded project, builds a client with the fake's demo AK/SK (so every
//! request is really signed with `SDK-HMAC-SHA256` and checked by the
//! fake), and runs what a security engineer would: start a scan of every
//! host (`hss scan-task create --all-hosts`), wait for it with the
//! library's waiter (`--wait`), list the task's hosts and show the failed
//! ones and why they failed (`hss scan-task hosts`, with the same
//! streaming `--all` code), find the host with the most severe
//! vulnerabilities (`hss vul list`, `hss vul hosts`) and list them (`hss
//! host vuls`). Then it stops the fake.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use hss_api::types::{HostVulInfo, VulInfo, VulScanTaskHostInfo};
use hss_ext::{
    Credentials, HostQuery, HostVulQuery, HssClient, ListOptions, ScanCounts, ScanStatus, Severity,
    VulHostQuery, VulnQuery, WaitOptions,
};
use hss_fake::FakeHss;

use crate::args::{DemoArgs, Format};
use crate::connect;
use crate::listing::{ALL_PAGE_SIZE, drain};
use crate::output::{self, Sink};
use crate::progress::Progress;
use crate::scan_tasks::{DEFAULT_VUL_TYPES, final_line};
use crate::summary::Summary;
use crate::waiting;

/// Failed hosts shown in the demo's table, as the command it shows
/// (`--limit`) would list them; the summary covers all of them.
pub const SHOWN_HOSTS: usize = 10;
const _: () = assert!(
    SHOWN_HOSTS as u32 >= *hss_ext::LIMIT_RANGE.start(),
    "the demo shows a command whose --limit is SHOWN_HOSTS"
);

/// Vulnerabilities of the worst host shown.
pub const SHOWN_VULS: usize = 10;

/// How long the fake takes to scan every host.
pub const SCAN_TIME: Duration = Duration::from_millis(1200);

/// Pages fetched at once by the demo.
const CONCURRENCY: usize = 4;

/// Counts hosts, and keeps the failed ones and every host's name.
#[derive(Default)]
struct Collect {
    failed: Vec<VulScanTaskHostInfo>,
    names: HashMap<String, String>,
    summary: Summary,
}

impl Sink<VulScanTaskHostInfo> for Collect {
    fn record(&mut self, host: &VulScanTaskHostInfo, _: Option<&str>) -> io::Result<()> {
        self.summary.add(host);
        if let (Some(id), Some(name)) = (&host.host_id, &host.host_name) {
            self.names.insert(id.clone(), name.clone());
        }
        if host.scan_status() == Some(ScanStatus::Failed) {
            self.failed.push(host.clone());
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
        .scan_task_duration(SCAN_TIME)
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
    let url = fake.base_url();
    writeln!(
        out,
        "hss demo: started hss-fake on {url} with {} hosts; every request below is signed with AK/SK (SDK-HMAC-SHA256) and checked by the fake.",
        args.hosts
    )?;
    writeln!(out)?;
    let story = story(&client, out).await;
    let requests = fake.request_count();
    fake.shutdown().await;
    let story = story?;

    writeln!(out)?;
    writeln!(
        out,
        "Done in {:.2} s: the workflow over {} hosts took {requests} requests, {} of them waiting for the scan.",
        started.elapsed().as_secs_f64(),
        story.hosts,
        story.polls,
    )?;
    writeln!(
        out,
        "Next: start `cargo run -p hss-fake-server` and point `hss` at it as the README shows; `hss --help` lists the commands."
    )?;
    Ok(())
}

/// What the demo found, for its last lines.
struct Story {
    hosts: u64,
    polls: u32,
}

async fn story(client: &HssClient, out: &mut dyn Write) -> Result<Story> {
    // 1. Start a scan of every host.
    let types: Vec<&str> = DEFAULT_VUL_TYPES.iter().map(|t| t.as_str()).collect();
    let scan = hss_ext::ScanRequest::new()
        .vul_types(DEFAULT_VUL_TYPES)
        .all_hosts();
    let task = client
        .create_scan_task(&scan)
        .await
        .context("starting the demo scan")?;
    writeln!(
        out,
        "1. Started a vulnerability scan of every host ({}): scan task {task}.",
        types.join(", ")
    )?;
    writeln!(out, "   $ hss scan-task create --all-hosts --yes --wait")?;

    // 2. Wait for it, keeping what the progress callback saw.
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let polled = Arc::new(AtomicU32::new(0));
    let (log, count) = (Arc::clone(&seen), Arc::clone(&polled));
    let options = WaitOptions::default()
        .initial_interval(Duration::from_millis(250))
        .max_interval(Duration::from_millis(500))
        .timeout(Duration::from_secs(60))
        .on_progress(move |progress| {
            count.store(progress.polls, Ordering::Relaxed);
            let line = waiting::describe(progress);
            let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
            if log.last() != Some(&line) {
                log.push(line);
            }
        });
    let waited = Instant::now();
    let finished = client
        .wait_for_scan_task(&task, options)
        .await
        .context("waiting for the demo scan")?;
    let counts = ScanCounts::of(&finished);
    writeln!(
        out,
        "2. Waited for it ({:.1} s), as the waiter reported it:",
        waited.elapsed().as_secs_f64()
    )?;
    for line in seen.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        writeln!(out, "   {line}")?;
    }
    writeln!(out, "   {}", final_line(&task, &finished))?;
    let polls = polled.load(Ordering::Relaxed);

    // 3. Its failed hosts and why they failed.
    let options = ListOptions::default()
        .page_size(ALL_PAGE_SIZE)
        .concurrency(CONCURRENCY);
    let mut hosts = Collect::default();
    let pages = client.list_pages(HostQuery::new(&task), options);
    drain(pages, &mut hosts, &Progress::off(), &mut 0)
        .await
        .context("listing the hosts of the demo scan")?;
    writeln!(out)?;
    writeln!(
        out,
        "3. The scan failed on {} of its {} hosts; the first {SHOWN_HOSTS}:",
        counts.failed,
        hosts.summary.hosts()
    )?;
    writeln!(
        out,
        "   $ hss scan-task hosts --task-id {task} --scan-status failed --limit {SHOWN_HOSTS}"
    )?;
    writeln!(out)?;
    output::records_table(hosts.failed.iter().take(SHOWN_HOSTS)).write(out)?;
    if hosts.failed.len() > SHOWN_HOSTS {
        writeln!(
            out,
            "… and {} more failed hosts.",
            hosts.failed.len() - SHOWN_HOSTS
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "   What the failures were ($ hss scan-task hosts --task-id {task} --all --summary):"
    )?;
    writeln!(out)?;
    hosts.summary.write(Format::Table, out)?;

    // 4. The worst host and its vulnerabilities.
    writeln!(out)?;
    match worst_host(client).await? {
        None => writeln!(out, "4. No host has a vulnerability.")?,
        Some((host_id, _)) => {
            let vuls = client
                .collect_all(HostVulQuery::new(&host_id), ListOptions::default())
                .await
                .context("listing the vulnerabilities of the worst host")?;
            let name = hosts
                .names
                .get(&host_id)
                .map(|n| format!("{}, ", hss_ext::text::one_line(n)))
                .unwrap_or_default();
            let count = |rank: usize| {
                vuls.iter()
                    .filter(|v| severity_rank(v.severity_level.as_deref()) == rank)
                    .count()
            };
            writeln!(
                out,
                "4. The host with the most severe vulnerabilities is {host_id} ({name}{} critical, {} high, {} in all){}:",
                count(0),
                count(1),
                vuls.len(),
                if vuls.len() > SHOWN_VULS {
                    format!("; the most severe {SHOWN_VULS}")
                } else {
                    String::new()
                }
            )?;
            writeln!(out, "   $ hss host vuls --host-id {host_id} --all")?;
            writeln!(out)?;
            let mut vuls = vuls;
            vuls.sort_by_key(|v| severity_rank(v.severity_level.as_deref()));
            output::records_table::<HostVulInfo>(vuls.iter().take(SHOWN_VULS)).write(out)?;
            if vuls.len() > SHOWN_VULS {
                writeln!(out, "… and {} more.", vuls.len() - SHOWN_VULS)?;
            }
        }
    }
    Ok(Story {
        hosts: hosts.summary.hosts(),
        polls,
    })
}

/// 0 for Critical to 3 for Low, 4 for anything else.
fn severity_rank(level: Option<&str>) -> usize {
    match level.map(Severity::parse) {
        Some(Severity::Critical) => 0,
        Some(Severity::High) => 1,
        Some(Severity::Medium) => 2,
        Some(Severity::Low) => 3,
        _ => 4,
    }
}

/// The host with the most critical vulnerabilities (then high, medium,
/// low), from every vulnerability of every type and the hosts each
/// affects, with its counts by severity.
async fn worst_host(client: &HssClient) -> Result<Option<(String, [u64; 4])>> {
    let mut scores: HashMap<String, [u64; 4]> = HashMap::new();
    // A host counts a vulnerability once, however many paths list it.
    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    for vul_type in DEFAULT_VUL_TYPES {
        let vuls: Vec<VulInfo> = client
            .collect_all(
                VulnQuery::new().vul_type(vul_type.clone()),
                ListOptions::default().concurrency(CONCURRENCY),
            )
            .await
            .context("listing the vulnerabilities")?;
        for vul in vuls {
            let rank = severity_rank(vul.severity_level.as_deref());
            let (Some(vul_id), Some(listed_type)) = (vul.vul_id.clone(), vul.type_.clone()) else {
                continue;
            };
            if rank > 3 {
                continue;
            }
            let listed = vul.host_id_list.len() as i64;
            let hosts = match (&vul.vul_id, vul.host_num) {
                // The row names only some of its hosts: ask for all of them.
                (Some(vul_id), Some(n)) if n > listed => client
                    .collect_all(
                        VulHostQuery::new(vul_id, vul_type.clone()),
                        ListOptions::default().concurrency(CONCURRENCY),
                    )
                    .await
                    .context("listing the hosts of a vulnerability")?
                    .into_iter()
                    .filter_map(|h| h.host_id)
                    .collect(),
                _ => vul.host_id_list,
            };
            for host in hosts {
                if seen.insert((host.clone(), vul_id.clone(), listed_type.clone())) {
                    scores.entry(host).or_default()[rank] += 1;
                }
            }
        }
    }
    Ok(scores
        .into_iter()
        .max_by(|(a_id, a), (b_id, b)| a.cmp(b).then_with(|| b_id.cmp(a_id))))
}
