//! How fast `hss scan-task hosts --all` lists a 100,000-host task against
//! a fake that throttles like the API gateway, and against one that does
//! not, side by side in one run, whole processes each:
//!
//! - **limited**: the fake allows 50 requests/s per credential (burst
//!   10) and adds 20 ms to every answer; the default `--all`.
//! - **unlimited**, 20 ms: the default `--all`; `--all --concurrency 1`
//!   (sequential); the official Python SDK's offset loop
//!   (`python/list_hosts.py`, its listing loop timed by itself).
//!
//! - **another listing**, unlimited, 20 ms: `hss vul hosts --all` for the
//!   vulnerability the most hosts have, default and sequential, so the
//!   workflow's listings are measured too, not only the hosts of a task.
//!
//! Each round runs every row once, the order rotating; medians and the
//! median of per-round ratios are printed. Every `hss` listing must print
//! exactly the task's hosts (ndjson lines), the fake counts requests and
//! 429s. `hss` is the release binary next to this one:
//!
//! ```text
//! cargo build --release -p hss-cli -p hss-bench
//! target/release/rate-bench [--rounds 3] [--hosts 100000]
//! ```
//!
//! Only 127.0.0.1. See `BENCHMARKS.md`.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use clap::Parser;
use hss_bench::Target;
use hss_bench::machine::Machine;
use hss_bench::python::{self, Availability};
use hss_bench::stats;
use hss_fake::{FakeHss, RateLimit, RunningFake};

/// Throttled and unthrottled listings by the `hss` command, side by side.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Rounds; every row runs once per round.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Hosts in the task.
    #[arg(long, default_value_t = 100_000)]
    hosts: usize,
    /// The limited fake's requests per second.
    #[arg(long, default_value_t = 50.0)]
    limit_rps: f64,
    /// The limited fake's burst.
    #[arg(long, default_value_t = 10)]
    burst: u32,
    /// Milliseconds the fakes add to every answer.
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// The `hss` binary (default: next to this one).
    #[arg(long)]
    hss: Option<PathBuf>,
    /// An interpreter with huaweicloudsdkhss (default: HSS_BENCH_PYTHON,
    /// then TARGET_DIR/interop-venv or hss-bench-venv).
    #[arg(long, env = "HSS_BENCH_PYTHON")]
    python: Option<PathBuf>,
    /// Skip the official SDK's row.
    #[arg(long)]
    no_python: bool,
    /// More rows on the unlimited fake: `hss` arguments after `--all`,
    /// e.g. `--also "--concurrency 16"` (repeatable).
    #[arg(long, value_name = "ARGS")]
    also: Vec<String>,
}

/// One `hss` listing: time, hosts printed, requests and 429s at the fake.
#[derive(Clone, Copy, Debug)]
struct Run {
    seconds: f64,
    requests: u64,
    throttled: u64,
}

impl Run {
    fn pages_per_second(&self) -> f64 {
        (self.requests - self.throttled) as f64 / self.seconds
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!(args.rounds >= 1, "--rounds is at least 1");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let hss = match &args.hss {
        Some(path) => path.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("no directory of this binary")?
            .join("hss"),
    };
    ensure!(
        hss.exists(),
        "{} is missing: cargo build --release -p hss-cli",
        hss.display()
    );
    let latency = Duration::from_millis(args.latency_ms);
    let start = |limit: Option<RateLimit>| {
        runtime.block_on(async {
            let mut builder = FakeHss::builder()
                .seed(hss_bench::fixture::SEED)
                .hosts(args.hosts)
                .request_log_capacity(16)
                .latency(latency);
            if let Some(limit) = limit {
                builder = builder.rate_limit(limit);
            }
            builder.start().await
        })
    };
    let limited = start(Some(RateLimit::new(args.limit_rps, args.burst)))?;
    let unlimited = start(None)?;
    let python = if args.no_python {
        None
    } else {
        match find_python(args.python.as_deref()) {
            Availability::Ready { python, version } => {
                eprintln!("rate-bench: official SDK {version} at {}", python.display());
                Some(python)
            }
            Availability::Skipped(why) => {
                eprintln!("rate-bench: no official SDK row: {why}");
                None
            }
        }
    };
    let biggest = biggest_vulnerability(&hss, &unlimited)?;
    eprintln!(
        "rate-bench: vul hosts rows list {} ({}), {} hosts",
        biggest.vul_id, biggest.vul_type, biggest.hosts
    );
    let vul_hosts: Vec<String> = vec![
        "vul".into(),
        "hosts".into(),
        "--vul-id".into(),
        biggest.vul_id.clone(),
        "--type".into(),
        biggest.vul_type.clone(),
    ];
    let vul_hosts: Vec<&str> = vul_hosts.iter().map(String::as_str).collect();
    let (mut vul_adaptive, mut vul_sequential, mut vul_ratio) = (vec![], vec![], vec![]);
    let machine = Machine::read();
    let load_before = load_average();

    let (mut capped, mut adaptive, mut sequential, mut sdk) = (vec![], vec![], vec![], vec![]);
    let (mut adaptive_vs_sequential, mut adaptive_vs_sdk) = (vec![], vec![]);
    let mut also: Vec<Vec<Run>> = Vec::new();
    for round in 0..args.rounds {
        // Rotate the order so that drift on a shared machine spreads.
        let (mut c, mut a, mut s, mut p) = (None, None, None, None);
        for step in 0..4 {
            match (step + round) % 4 {
                0 => c = Some(list(&hss, &limited, &[], args.hosts)?),
                1 => a = Some(list(&hss, &unlimited, &[], args.hosts)?),
                2 => s = Some(list(&hss, &unlimited, &["--concurrency", "1"], args.hosts)?),
                _ => {
                    if let Some(python) = &python {
                        let run = python::list(
                            python,
                            &target(&unlimited),
                            args.hosts as u64,
                            Duration::from_secs(600),
                        )?;
                        ensure!(
                            run.hosts == args.hosts as u64,
                            "the official SDK listed {} hosts",
                            run.hosts
                        );
                        p = Some(run.seconds);
                    }
                }
            }
        }
        for (i, extra) in args.also.iter().enumerate() {
            let extra: Vec<&str> = extra.split_whitespace().collect();
            let run = list(&hss, &unlimited, &extra, args.hosts)?;
            eprintln!(
                "rate-bench: round {}: {extra:?} {:.2} s",
                round + 1,
                run.seconds
            );
            if also.len() <= i {
                also.push(Vec::new());
            }
            also[i].push(run);
        }
        let va = run_hss(&hss, &unlimited, &vul_hosts, &[], biggest.hosts)?;
        let vs = run_hss(
            &hss,
            &unlimited,
            &vul_hosts,
            &["--concurrency", "1"],
            biggest.hosts,
        )?;
        eprintln!(
            "rate-bench: round {}: vul hosts {:.2} s, sequential {:.2} s",
            round + 1,
            va.seconds,
            vs.seconds
        );
        vul_ratio.push(vs.seconds / va.seconds);
        vul_adaptive.push(va);
        vul_sequential.push(vs);
        let (Some(c), Some(a), Some(s)) = (c, a, s) else {
            bail!("a row did not run");
        };
        eprintln!(
            "rate-bench: round {}: limited {:.2} s ({} requests, {} 429s); unlimited {:.2} s; sequential {:.2} s; official SDK {}",
            round + 1,
            c.seconds,
            c.requests,
            c.throttled,
            a.seconds,
            s.seconds,
            p.map_or("-".into(), |p| format!("{p:.2} s"))
        );
        adaptive_vs_sequential.push(s.seconds / a.seconds);
        if let Some(p) = p {
            adaptive_vs_sdk.push(p / a.seconds);
            sdk.push(p);
        }
        capped.push(c);
        adaptive.push(a);
        sequential.push(s);
    }
    let load_after = load_average();

    let med = |runs: &[Run], f: fn(&Run) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
    println!(
        "# rate-bench: {} hosts, page size 200, {} ms per answer, {} round(s); medians",
        args.hosts, args.latency_ms, args.rounds
    );
    println!(
        "# machine: {} cores, {} load average (1 min) before, {} after",
        machine.cores,
        load_before.map_or("?".into(), |l| format!("{l:.2}")),
        load_after.map_or("?".into(), |l| format!("{l:.2}")),
    );
    println!();
    println!("| fake | `hss` | s per listing | pages/s | requests | 429s | 429 share |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    let row = |fake: &str, what: &str, runs: &[Run]| {
        println!(
            "| {fake} | {what} | {:.2} | {:.1} | {:.0} | {:.0} | {:.2} % |",
            med(runs, |r| r.seconds),
            med(runs, Run::pages_per_second),
            med(runs, |r| r.requests as f64),
            med(runs, |r| r.throttled as f64),
            med(runs, |r| 100.0 * r.throttled as f64 / r.requests as f64),
        );
    };
    let limit = format!("{}/s, burst {}", args.limit_rps, args.burst);
    row(&limit, "`scan-task hosts --all` (default)", &capped);
    row("no limit", "`scan-task hosts --all` (default)", &adaptive);
    row(
        "no limit",
        "`scan-task hosts --all --concurrency 1`",
        &sequential,
    );
    for (extra, runs) in args.also.iter().zip(&also) {
        row(
            "no limit",
            &format!("`scan-task hosts --all {extra}`"),
            runs,
        );
    }
    let vul_rows = format!("`vul hosts --all` ({} hosts)", biggest.hosts);
    row("no limit", &vul_rows, &vul_adaptive);
    row(
        "no limit",
        &format!("{vul_rows} `--concurrency 1`"),
        &vul_sequential,
    );
    if !sdk.is_empty() {
        println!(
            "| no limit | official Python SDK loop (its loop only) | {:.2} | {:.1} | | | |",
            median(&sdk),
            (args.hosts as f64 / 200.0) / median(&sdk)
        );
    }
    println!();
    let achieved = med(&capped, Run::pages_per_second) / args.limit_rps;
    println!(
        "limited: {:.1} % of the allowed rate (target >= 90 %), 429s {:.2} % of requests (target <= 2 %)",
        100.0 * achieved,
        med(&capped, |r| 100.0 * r.throttled as f64 / r.requests as f64)
    );
    println!(
        "unlimited: default --all / sequential = {:.1}x (target >= 8)",
        median(&adaptive_vs_sequential)
    );
    if !adaptive_vs_sdk.is_empty() {
        println!(
            "unlimited: default --all / official SDK loop = {:.1}x (target >= 25)",
            median(&adaptive_vs_sdk)
        );
    }
    println!(
        "unlimited: vul hosts default --all / sequential = {:.1}x",
        median(&vul_ratio)
    );
    drop((limited, unlimited));
    Ok(())
}

/// The median, NaN when there is none.
fn median(values: &[f64]) -> f64 {
    stats::median(values).unwrap_or(f64::NAN)
}

fn target(fake: &RunningFake) -> Target {
    let key = fake.access_key();
    Target {
        base_url: fake.base_url(),
        project_id: fake.project_id(),
        task_id: fake.task_id(),
        token: fake.token().to_owned(),
        ak: key.ak.clone(),
        sk: key.sk.clone(),
    }
}

/// Runs `hss scan-task hosts --all -o ndjson` (plus `extra`) against
/// `fake` with its AK/SK, counting the lines it prints: exactly `hosts`.
fn list(hss: &Path, fake: &RunningFake, extra: &[&str], hosts: usize) -> anyhow::Result<Run> {
    let task = fake.task_id();
    let command = ["scan-task", "hosts", "--task-id", task.as_str()];
    run_hss(hss, fake, &command, extra, hosts)
}

/// The vulnerability the most hosts have, from `hss vul list --all`.
struct Biggest {
    vul_id: String,
    vul_type: String,
    hosts: usize,
}

fn biggest_vulnerability(hss: &Path, fake: &RunningFake) -> anyhow::Result<Biggest> {
    let key = fake.access_key();
    let output = Command::new(hss)
        .env_clear()
        .args(["vul", "list", "--all", "--output", "ndjson", "--endpoint"])
        .arg(fake.base_url())
        .args(["--project-id", &fake.project_id()])
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .env("HOME", "/nonexistent")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("starting {}", hss.display()))?;
    ensure!(
        output.status.success(),
        "hss vul list failed: {}",
        output.status
    );
    let mut biggest: Option<Biggest> = None;
    for line in output
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
    {
        let vul: serde_json::Value = serde_json::from_slice(line)?;
        let (Some(id), Some(kind), Some(hosts)) = (
            vul["vul_id"].as_str(),
            vul["type"].as_str(),
            vul["host_num"].as_u64(),
        ) else {
            continue;
        };
        if biggest.as_ref().is_none_or(|b| hosts as usize > b.hosts) {
            biggest = Some(Biggest {
                vul_id: id.to_owned(),
                vul_type: kind.to_owned(),
                hosts: hosts as usize,
            });
        }
    }
    biggest.context("hss vul list listed no vulnerability with hosts")
}

/// Runs `hss COMMAND --all -o ndjson` (plus `extra`) against `fake` with
/// its AK/SK, counting the lines it prints: exactly `expected`.
fn run_hss(
    hss: &Path,
    fake: &RunningFake,
    command_args: &[&str],
    extra: &[&str],
    expected: usize,
) -> anyhow::Result<Run> {
    let hosts = expected;
    let key = fake.access_key();
    let (requests, throttled) = (fake.request_count(), fake.throttled_count());
    let started = Instant::now();
    let mut command = Command::new(hss);
    // RUST_LOG=hss_ext=debug shows the rate's cuts on stderr.
    command.env_clear();
    if let Ok(filter) = std::env::var("RUST_LOG") {
        command.env("RUST_LOG", filter);
    }
    let mut child = command
        .args(command_args)
        .arg("--endpoint")
        .arg(fake.base_url())
        .args(["--project-id", &fake.project_id()])
        .args(["--enterprise-project-id", "all_granted_eps", "--all"])
        .args(["--output", "ndjson"])
        .args(extra)
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .env("HOME", "/nonexistent")
        .env("NO_PROXY", "127.0.0.1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", hss.display()))?;
    let mut stdout = child.stdout.take().context("no stdout")?;
    let mut lines = 0usize;
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = stdout.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        lines += buffer[..n].iter().filter(|b| **b == b'\n').count();
    }
    let status = child.wait()?;
    let seconds = started.elapsed().as_secs_f64();
    ensure!(
        status.success(),
        "hss {command_args:?} {extra:?} failed: {status}"
    );
    ensure!(
        lines == hosts,
        "hss {command_args:?} {extra:?} printed {lines} lines, not {hosts}"
    );
    Ok(Run {
        seconds,
        requests: fake.request_count() - requests,
        throttled: fake.throttled_count() - throttled,
    })
}

/// The official SDK: the interpreter given, else one of the target
/// directory's venvs that has it (installing nothing).
fn find_python(explicit: Option<&Path>) -> Availability {
    if explicit.is_some() {
        return python::prepare(explicit, Path::new("."), false);
    }
    let target_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target"));
    let interop = target_dir.join("interop-venv/bin/python");
    if interop.exists() {
        return python::prepare(Some(&interop), &target_dir, false);
    }
    python::prepare(None, &target_dir, false)
}

fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
