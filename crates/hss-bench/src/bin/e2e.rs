//! The end-to-end benchmark: every host of a large task from `hss-fake` on
//! 127.0.0.1, through (a) a plain reqwest + serde_json loop, (b) `hss-ext`'s
//! stream with one page in flight, (c) with eight, and (d) the official
//! Python SDK; then the peak memory of a child that only streams.
//!
//! ```text
//! cargo run --release -p hss-bench --bin e2e            # the full run, a few minutes
//! cargo run --release -p hss-bench --bin e2e -- --quick # seconds
//! ```
//!
//! See `BENCHMARKS.md` at the repository root.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use clap::{Parser, Subcommand};
use hss_bench::child::{self, FakeProcess, StreamReport};
use hss_bench::cpu::cpu_seconds;
use hss_bench::machine::Machine;
use hss_bench::python::{self, Availability};
use hss_bench::run::{self, Timed, Variant};
use hss_bench::stats::median;
use serde::Serialize;

/// End-to-end benchmark of listing every host of a scan task against
/// hss-fake on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// A fast run: 10,000 hosts, one round, memory at 1,000 and 10,000 hosts.
    #[arg(long)]
    quick: bool,
    /// Hosts in the task (default 100,000; 10,000 with --quick).
    #[arg(long)]
    hosts: Option<u64>,
    /// Timed rounds of every row where the fake adds latency; medians are
    /// reported (default 3; 1 with --quick). Without latency the listings
    /// are short and the noise of a shared machine large, so rows a to c
    /// run three times as many rounds there.
    #[arg(long)]
    rounds: Option<usize>,
    /// Rounds of row d at each latency (default 3; 1 with --quick; at most
    /// the rounds of the other rows).
    #[arg(long)]
    python_rounds: Option<usize>,
    /// Latency the fake adds to every page, in milliseconds; one fake per value.
    #[arg(long, value_delimiter = ',', default_value = "0,20")]
    latency_ms: Vec<u64>,
    /// Pages in flight for row c.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Skip row d (the official Python SDK).
    #[arg(long)]
    no_python: bool,
    /// A Python interpreter that already has huaweicloudsdkhss (default:
    /// TARGET_DIR/hss-bench-venv/bin/python, created when missing).
    #[arg(long, env = "HSS_BENCH_PYTHON")]
    python: Option<PathBuf>,
    /// Never create the venv or run pip; skip row d if it is not there.
    #[arg(long)]
    no_python_install: bool,
    /// Hosts row d lists at most (default: all). Its rate is hosts / time.
    #[arg(long)]
    python_max_hosts: Option<u64>,
    /// Seconds one Python listing may take before it stops by itself.
    #[arg(long, default_value_t = 120)]
    python_max_seconds: u64,
    /// Hosts streamed by the memory children, one child per value (default
    /// 10000,100000; 1000,10000 with --quick). Each must be at most --hosts.
    #[arg(long, value_delimiter = ',')]
    mem_hosts: Vec<u64>,
    /// Pages in flight in the memory children.
    #[arg(long, default_value_t = 8)]
    mem_concurrency: usize,
    /// Where to write the results as JSON (default:
    /// TARGET_DIR/hss-bench/e2e-latest.json; `-` for none).
    #[arg(long)]
    json: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Internal>,
}

/// The jobs of the child processes (not for people).
#[derive(Debug, Subcommand)]
enum Internal {
    /// Serve the fake; print its target as JSON; stop when stdin closes.
    #[command(hide = true)]
    Fake {
        #[arg(long)]
        hosts: usize,
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
    },
    /// Read a target as JSON from stdin, stream its hosts, print a report.
    /// Also the way to profile one row alone, e.g. under
    /// `valgrind --tool=callgrind` (see BENCHMARKS.md).
    #[command(hide = true)]
    Stream {
        #[arg(long)]
        concurrency: usize,
        #[arg(long)]
        max_hosts: u64,
        /// List with the floor (row a) instead of hss-ext.
        #[arg(long)]
        floor: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.command {
        Some(Internal::Fake { hosts, latency_ms }) => {
            let served =
                runtime.block_on(child::serve_fake(hosts, Duration::from_millis(latency_ms)));
            // After FAKE_MAX_LIFETIME the thread reading stdin is still
            // blocked in it; a plain drop of the runtime would wait for it,
            // leaving a process that no longer listens.
            runtime.shutdown_background();
            served
        }
        Some(Internal::Stream {
            concurrency,
            max_hosts,
            floor,
        }) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let target: hss_bench::Target = serde_json::from_str(&line)?;
            let variant = if floor {
                Variant::Floor
            } else {
                Variant::Sdk { concurrency }
            };
            let report = runtime.block_on(child::stream_hosts(&target, variant, max_hosts))?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        None => {
            let plan = Plan::from_args(&args)?;
            let results = measure(&runtime, &args, &plan)?;
            print_report(&results);
            write_json(&args, &results)?;
            Ok(())
        }
    }
}

/// The run the arguments ask for.
#[derive(Clone, Debug, Serialize)]
struct Plan {
    quick: bool,
    hosts: u64,
    rounds: usize,
    python_rounds: usize,
    latencies_ms: Vec<u64>,
    concurrency: usize,
    python_max_hosts: u64,
    mem_hosts: Vec<u64>,
    mem_concurrency: usize,
}

impl Plan {
    /// Rounds of rows a to c at this latency.
    fn rounds_at(&self, latency_ms: u64) -> usize {
        if latency_ms == 0 {
            3 * self.rounds
        } else {
            self.rounds
        }
    }

    fn from_args(args: &Args) -> anyhow::Result<Plan> {
        let hosts = args
            .hosts
            .unwrap_or(if args.quick { 10_000 } else { 100_000 });
        let mem_hosts = if args.mem_hosts.is_empty() {
            if args.quick {
                vec![1_000, 10_000]
            } else {
                vec![10_000, 100_000]
            }
        } else {
            args.mem_hosts.clone()
        };
        ensure!(hosts > 0, "--hosts must be positive");
        ensure!(
            hosts <= 1_000_000,
            "--hosts is at most 1,000,000 (the fake's offset cap is 2,000,000)"
        );
        ensure!(
            mem_hosts.iter().all(|&m| m > 0 && m <= hosts),
            "every --mem-hosts value must be between 1 and --hosts ({hosts})"
        );
        ensure!(
            args.latency_ms.iter().all(|&l| l <= 1_000),
            "--latency-ms is at most 1000"
        );
        ensure!((1..=64).contains(&args.concurrency), "--concurrency 1..=64");
        Ok(Plan {
            quick: args.quick,
            hosts,
            rounds: args.rounds.unwrap_or(if args.quick { 1 } else { 3 }).max(1),
            python_rounds: args.python_rounds.unwrap_or(if args.quick { 1 } else { 3 }),
            latencies_ms: args.latency_ms.clone(),
            concurrency: args.concurrency,
            python_max_hosts: args.python_max_hosts.unwrap_or(hosts).min(hosts),
            mem_hosts,
            mem_concurrency: args.mem_concurrency.max(1),
        })
    }
}

/// One timed listing and the CPU time it cost each side.
#[derive(Clone, Copy, Debug)]
struct Sample {
    timed: Timed,
    /// CPU seconds of the client process (`None` for row d).
    client_cpu: Option<f64>,
    /// CPU seconds of the fake process.
    server_cpu: Option<f64>,
}

/// Runs `listing` and measures the CPU time of this process and `fake`.
fn sampled(
    fake: &FakeProcess,
    measure_client: bool,
    listing: impl FnOnce() -> anyhow::Result<Timed>,
) -> anyhow::Result<Sample> {
    let (client0, server0) = (cpu_seconds(None), cpu_seconds(Some(fake.pid())));
    let timed = listing()?;
    let (client1, server1) = (cpu_seconds(None), cpu_seconds(Some(fake.pid())));
    let diff = |a: Option<f64>, b: Option<f64>| Some(b? - a?);
    Ok(Sample {
        timed,
        client_cpu: diff(client0, client1).filter(|_| measure_client),
        server_cpu: diff(server0, server1),
    })
}

/// Medians over rounds of one row at one latency.
#[derive(Debug, Serialize)]
struct Row {
    label: String,
    /// Hosts per second, one value per round.
    rates: Vec<f64>,
    /// Seconds per listing, one value per round.
    seconds: Vec<f64>,
    hosts: u64,
    median_rate: f64,
    /// CPU milliseconds per page (200 hosts) in the client process, median.
    client_cpu_ms_per_page: Option<f64>,
    /// CPU milliseconds per page in the fake, median.
    server_cpu_ms_per_page: Option<f64>,
}

impl Row {
    fn new(label: String, runs: &[Sample]) -> Row {
        let rates: Vec<f64> = runs.iter().map(|s| s.timed.rate()).collect();
        let per_page = |cpu: fn(&Sample) -> Option<f64>| {
            let values: Vec<f64> = runs
                .iter()
                .filter_map(|s| {
                    let pages = s
                        .timed
                        .hosts
                        .div_ceil(u64::from(hss_bench::PAGE_SIZE))
                        .max(1);
                    Some(cpu(s)? * 1e3 / pages as f64)
                })
                .collect();
            median(&values)
        };
        Row {
            label,
            median_rate: median(&rates).unwrap_or(f64::NAN),
            seconds: runs.iter().map(|s| s.timed.seconds).collect(),
            hosts: runs.first().map_or(0, |s| s.timed.hosts),
            rates,
            client_cpu_ms_per_page: per_page(|s| s.client_cpu),
            server_cpu_ms_per_page: per_page(|s| s.server_cpu),
        }
    }
}

/// A ratio of two rows, from the rounds: the median of the per-round ratios
/// (each round's two listings ran back to back, so drift on a shared machine
/// cancels out).
#[derive(Debug, Serialize)]
struct Ratio {
    name: &'static str,
    value: f64,
    target: Option<f64>,
}

impl Ratio {
    fn paired(name: &'static str, top: &Row, bottom: &Row, target: Option<f64>) -> Ratio {
        let ratios: Vec<f64> = top
            .rates
            .iter()
            .zip(&bottom.rates)
            .map(|(t, b)| t / b)
            .collect();
        Ratio {
            name,
            value: median(&ratios).unwrap_or(f64::NAN),
            target,
        }
    }

    fn verdict(&self) -> &'static str {
        match self.target {
            None => "",
            Some(t) if self.value >= t => "met",
            Some(_) => "MISSED",
        }
    }
}

#[derive(Debug, Serialize)]
struct AtLatency {
    latency_ms: u64,
    floor: Row,
    sdk: Row,
    sdk_concurrent: Row,
    python: Option<Row>,
    ratios: Vec<Ratio>,
}

#[derive(Debug, Serialize)]
struct Memory {
    hosts: u64,
    concurrency: usize,
    report: StreamReport,
}

#[derive(Debug, Serialize)]
struct Results {
    machine: Machine,
    release_build: bool,
    plan: Plan,
    python: String,
    latencies: Vec<AtLatency>,
    memory: Vec<Memory>,
    memory_ratio: Option<Ratio>,
}

fn measure(runtime: &tokio::runtime::Runtime, args: &Args, plan: &Plan) -> anyhow::Result<Results> {
    refuse_proxies()?;
    let exe = std::env::current_exe().context("finding the e2e binary")?;
    let machine = Machine::read();
    let release_build = !cfg!(debug_assertions);
    eprintln!("e2e: {machine}");
    if !release_build {
        eprintln!("e2e: WARNING: a debug build; figures mean nothing (use --release)");
    }

    let python = if args.no_python {
        Availability::Skipped("--no-python".into())
    } else {
        python::prepare(
            args.python.as_deref(),
            &target_dir(&exe),
            !args.no_python_install,
        )
    };
    let python_note = match &python {
        Availability::Ready { python, version } => {
            format!("huaweicloudsdkhss {version} ({})", python.display())
        }
        Availability::Skipped(why) => format!("row d skipped: {why}"),
    };
    eprintln!("e2e: {python_note}");

    let variants = [
        Variant::Floor,
        Variant::Sdk { concurrency: 1 },
        Variant::Sdk {
            concurrency: plan.concurrency,
        },
    ];
    let mut latencies = Vec::new();
    let mut memory = Vec::new();
    for &latency_ms in &plan.latencies_ms {
        let latency = Duration::from_millis(latency_ms);
        let fake = FakeProcess::start(&exe, plan.hosts as usize, latency)?;
        let target = fake.target.clone();
        eprintln!(
            "e2e: fake (pid {}) with {} hosts, {latency_ms} ms per page, at {}",
            fake.pid(),
            plan.hosts,
            target.base_url
        );

        // Warm-up: connections, allocator, page cache; not timed.
        let warm = plan.hosts.min(2_000);
        for variant in variants {
            runtime.block_on(run::listing(variant, &target, warm, warm))?;
        }

        let mut runs: [Vec<Sample>; 3] = Default::default();
        let mut python_runs = Vec::new();
        let rounds = plan.rounds_at(latency_ms);
        for round in 0..rounds {
            // Rotate the order so no row always runs first or last.
            for i in 0..variants.len() {
                let k = (i + round) % variants.len();
                let sample = sampled(&fake, true, || {
                    runtime.block_on(run::listing(variants[k], &target, plan.hosts, plan.hosts))
                })?;
                eprintln!(
                    "e2e: {latency_ms} ms, round {}: {:<40} {:>10.0} hosts/s ({:.2} s)",
                    round + 1,
                    variants[k].label(),
                    sample.timed.rate(),
                    sample.timed.seconds
                );
                runs[k].push(sample);
            }
            if let Availability::Ready { python, .. } = &python
                && round < plan.python_rounds
            {
                let sample = sampled(&fake, false, || {
                    let run = python::list(
                        python,
                        &target,
                        plan.python_max_hosts,
                        Duration::from_secs(args.python_max_seconds),
                    )?;
                    Ok(Timed {
                        hosts: run.hosts,
                        seconds: run.seconds,
                    })
                })?;
                let timed = sample.timed;
                eprintln!(
                    "e2e: {latency_ms} ms, round {}: {:<40} {:>10.0} hosts/s ({:.2} s, {} hosts)",
                    round + 1,
                    "d official Python SDK",
                    timed.rate(),
                    timed.seconds,
                    timed.hosts
                );
                python_runs.push(sample);
            }
        }
        let [floor, sdk, sdk_concurrent] = runs;
        let floor = Row::new(Variant::Floor.label(), &floor);
        let sdk = Row::new(variants[1].label(), &sdk);
        let sdk_concurrent = Row::new(variants[2].label(), &sdk_concurrent);
        let python_row = (!python_runs.is_empty())
            .then(|| Row::new("d official Python SDK".into(), &python_runs));
        let mut ratios = vec![
            Ratio::paired("b/a", &sdk, &floor, Some(0.95)),
            Ratio::paired(
                "c/b",
                &sdk_concurrent,
                &sdk,
                (latency_ms == 20).then_some(6.0),
            ),
        ];
        if let Some(d) = &python_row {
            ratios.push(Ratio::paired("b/d", &sdk, d, Some(50.0)));
        }
        latencies.push(AtLatency {
            latency_ms,
            floor,
            sdk,
            sdk_concurrent,
            python: python_row,
            ratios,
        });

        // Memory: children streaming from the fake without latency.
        if latency_ms == plan.latencies_ms.iter().copied().min().unwrap_or(0) {
            for &hosts in &plan.mem_hosts {
                let report = child::run_stream_child(&exe, &target, plan.mem_concurrency, hosts)?;
                ensure!(
                    report.hosts == hosts,
                    "the memory child streamed {} hosts, expected {hosts}",
                    report.hosts
                );
                eprintln!(
                    "e2e: memory child, {hosts} hosts: peak {} KiB ({} KiB before the first request)",
                    report.after.peak_kib, report.before.current_kib
                );
                memory.push(Memory {
                    hosts,
                    concurrency: plan.mem_concurrency,
                    report,
                });
            }
        }
        drop(fake);
    }
    let memory_ratio = match (memory.first(), memory.last()) {
        (Some(small), Some(large)) if memory.len() >= 2 => Some(Ratio {
            name: "peak(large)/peak(small)",
            value: large.report.after.peak_kib as f64 / small.report.after.peak_kib as f64,
            target: None,
        }),
        _ => None,
    };
    Ok(Results {
        machine,
        release_build,
        plan: plan.clone(),
        python: python_note,
        latencies,
        memory,
        memory_ratio,
    })
}

fn print_report(results: &Results) {
    let plan = &results.plan;
    println!();
    println!(
        "# hss-bench e2e{}: {} hosts, page size {}, medians of {} round(s) without latency, {} with, {} of row d",
        if plan.quick { " (quick)" } else { "" },
        plan.hosts,
        hss_bench::PAGE_SIZE,
        plan.rounds_at(0),
        plan.rounds,
        plan.python_rounds.min(plan.rounds),
    );
    println!("machine: {}", results.machine);
    if !results.release_build {
        println!("WARNING: debug build, figures mean nothing");
    }
    println!("python: {}", results.python);
    println!();
    println!(
        "| latency | row | hosts/s (median) | s per listing | client CPU ms/page | fake CPU ms/page |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: |");
    for at in &results.latencies {
        let rows = [
            Some(&at.floor),
            Some(&at.sdk),
            Some(&at.sdk_concurrent),
            at.python.as_ref(),
        ];
        let names = ["a", "b", "c", "d"];
        for (name, row) in names.iter().zip(rows) {
            let Some(row) = row else { continue };
            let label = row.label.trim_start_matches("a ").trim_start_matches("d ");
            let extra = if row.hosts != plan.hosts {
                format!(" ({} hosts)", row.hosts)
            } else {
                String::new()
            };
            let ms = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.2}"));
            println!(
                "| {} ms | {name} {label}{extra} | {:.0} | {:.3} | {} | {} |",
                at.latency_ms,
                row.median_rate,
                median(&row.seconds).unwrap_or(f64::NAN),
                ms(row.client_cpu_ms_per_page),
                ms(row.server_cpu_ms_per_page),
            );
        }
    }
    println!();
    println!("| latency | ratio | value (median of rounds) | target |");
    println!("| --- | --- | ---: | --- |");
    for at in &results.latencies {
        for ratio in &at.ratios {
            let target = ratio
                .target
                .map_or(String::from("-"), |t| format!("≥ {t} {}", ratio.verdict()));
            println!(
                "| {} ms | {} | {:.2} | {target} |",
                at.latency_ms, ratio.name, ratio.value
            );
        }
    }
    if !results.memory.is_empty() {
        println!();
        println!(
            "| memory child (concurrency {}) | peak RSS (VmHWM) | RSS before the first request |",
            plan.mem_concurrency
        );
        println!("| --- | ---: | ---: |");
        for m in &results.memory {
            println!(
                "| {} hosts | {} KiB | {} KiB |",
                m.hosts, m.report.after.peak_kib, m.report.before.current_kib
            );
        }
        if let Some(ratio) = &results.memory_ratio {
            let verdict = if ratio.value <= 1.5 { "met" } else { "MISSED" };
            println!(
                "\npeak at {} / peak at {} hosts = {:.2} (target ≤ 1.5: {verdict})",
                plan.mem_hosts.last().copied().unwrap_or_default(),
                plan.mem_hosts.first().copied().unwrap_or_default(),
                ratio.value
            );
        }
    }
}

fn write_json(args: &Args, results: &Results) -> anyhow::Result<()> {
    let path = match &args.json {
        Some(p) if p.as_os_str() == "-" => return Ok(()),
        Some(p) => p.clone(),
        None => target_dir(&std::env::current_exe()?).join("hss-bench/e2e-latest.json"),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, serde_json::to_string_pretty(results)?)
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("e2e: results in {}", path.display());
    Ok(())
}

/// The target directory this binary was built in (the nearest ancestor
/// holding cargo's `.rustc_info.json` or `CACHEDIR.TAG`); the workspace's
/// `target/` when the binary is elsewhere.
fn target_dir(exe: &Path) -> PathBuf {
    exe.ancestors()
        .skip(1)
        .find(|dir| dir.join(".rustc_info.json").exists() || dir.join("CACHEDIR.TAG").exists())
        .map(Path::to_owned)
        .unwrap_or_else(|| {
            let fallback = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
            fallback.canonicalize().unwrap_or(fallback)
        })
}

/// reqwest and Python's requests honour proxy variables; the benchmark
/// only ever talks to 127.0.0.1, so it refuses to run when a proxy could
/// catch its requests.
fn refuse_proxies() -> anyhow::Result<()> {
    let set = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let proxy = ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
        .into_iter()
        .find_map(|name| set(name).map(|_| name));
    let bypass = ["no_proxy", "NO_PROXY"]
        .into_iter()
        .filter_map(set)
        .any(|v| {
            v.split(',')
                .any(|h| h.trim() == "127.0.0.1" || h.trim() == "*")
        });
    if let Some(name) = proxy
        && !bypass
    {
        bail!("{name} is set and NO_PROXY does not list 127.0.0.1; set NO_PROXY=127.0.0.1");
    }
    Ok(())
}
