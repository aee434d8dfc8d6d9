//! How many pages a second `hss-fake` serves, and its CPU per page: the
//! fake runs alone in its own process (`e2e fake`, as in the end-to-end
//! benchmark) and a minimal keep-alive HTTP/1.1 client on plain sockets
//! asks it for 200-host pages, so that the client costs the fake as little
//! as possible and the fake's CPU is read apart (`/proc/<pid>/task/*/schedstat`).
//!
//! ```text
//! cargo build --release -p hss-bench
//! target/release/fake-pages                      # ~1 min
//! target/release/fake-pages --fake-exe OTHER_E2E # another build's fake
//! ```
//!
//! Rows: `ListVulScanTaskHost` (the 100,000-host task, `all_granted_eps`)
//! on the first pass over the task and on the passes after it, at each
//! concurrency; `ListVulHosts` of the vulnerability the most hosts have,
//! first pass and after. A fake that renders a page once and reuses it
//! shows it in the difference.
//! Only 127.0.0.1; every loop is bounded by a page count and a deadline.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use clap::Parser;
use hss_bench::Target;
use hss_bench::child::FakeProcess;
use hss_bench::cpu::cpu_seconds;

/// Pages per second and CPU per page of hss-fake on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Hosts in the fake's task.
    #[arg(long, default_value_t = 100_000)]
    hosts: usize,
    /// Pages of each repeat-pass row (they cycle over the task).
    #[arg(long, default_value_t = 5_000)]
    pages: u64,
    /// Connections (one thread each) of the task rows; one row per value.
    #[arg(long, value_delimiter = ',', default_value = "1,4")]
    concurrency: Vec<usize>,
    /// Pages of the `ListVulHosts` repeat-pass row (the first pass is at
    /// most as long).
    #[arg(long, default_value_t = 1_000)]
    vul_pages: u64,
    /// The vulnerability of that row (default: the one the most hosts have
    /// among the first 200 `linux_vul` rows).
    #[arg(long)]
    vul_id: Option<String>,
    /// Seconds any one row may take; it stops early and reports what it did.
    #[arg(long, default_value_t = 60)]
    max_seconds: u64,
    /// The `e2e` binary whose `e2e fake` serves (default: the one next to
    /// this binary), e.g. a build of other sources to compare.
    #[arg(long)]
    fake_exe: Option<PathBuf>,
}

const PAGE: u64 = hss_bench::PAGE_SIZE as u64;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!(args.hosts >= PAGE as usize, "--hosts is at least {PAGE}");
    ensure!(
        args.concurrency.iter().all(|c| (1..=64).contains(c)),
        "--concurrency 1..=64"
    );
    let exe = match &args.fake_exe {
        Some(exe) => exe.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("no directory of this binary")?
            .join("e2e"),
    };
    let machine = hss_bench::machine::Machine::read();
    eprintln!("fake-pages: {machine}");
    if cfg!(debug_assertions) {
        eprintln!("fake-pages: WARNING: a debug build; figures mean nothing (use --release)");
    }
    let started = Instant::now();
    let fake = FakeProcess::start(&exe, args.hosts, Duration::ZERO)?;
    eprintln!(
        "fake-pages: fake {} (pid {}) ready in {:.1} s with {} hosts",
        exe.display(),
        fake.pid(),
        started.elapsed().as_secs_f64(),
        args.hosts
    );
    let deadline = Duration::from_secs(args.max_seconds);
    let task_pages = (args.hosts as u64).div_ceil(PAGE);
    let hosts_path = hss_fake::hosts_path(&fake.target.project_id, &fake.target.task_id);
    let task_query = |k: u64| {
        let offset = (k % task_pages) * PAGE;
        format!("{hosts_path}?offset={offset}&limit={PAGE}&enterprise_project_id=all_granted_eps")
    };
    let mut rows = Vec::new();
    // The first pass renders every page; later passes may reuse them.
    rows.push(measure(
        &fake,
        "ListVulScanTaskHost, first pass over the task",
        1,
        task_pages,
        deadline,
        &task_query,
    )?);
    for &c in &args.concurrency {
        rows.push(measure(
            &fake,
            &format!("ListVulScanTaskHost, repeat passes, {c} connection(s)"),
            c,
            args.pages,
            deadline,
            &task_query,
        )?);
    }

    let (vul_id, vul_type, vul_hosts) = match &args.vul_id {
        Some(id) => (id.clone(), "linux_vul".to_owned(), None),
        None => biggest_vul(&fake.target)?,
    };
    let vul_pages = vul_hosts.map_or(1, |n: u64| n.div_ceil(PAGE).max(1));
    let vul_path = hss_fake::paths::vul_hosts_path(&fake.target.project_id);
    let vul_id_q = hss_fake::encode_component(&vul_id);
    let vul_query = |k: u64| {
        let offset = (k % vul_pages) * PAGE;
        format!(
            "{vul_path}?vul_id={vul_id_q}&type={vul_type}&offset={offset}&limit={PAGE}&enterprise_project_id=all_granted_eps"
        )
    };
    let what = match vul_hosts {
        Some(n) => format!("ListVulHosts {vul_id} ({n} hosts)"),
        None => format!("ListVulHosts {vul_id}"),
    };
    rows.push(measure(
        &fake,
        &format!("{what}, first pass"),
        1,
        vul_pages.min(args.vul_pages),
        deadline,
        &vul_query,
    )?);
    rows.push(measure(
        &fake,
        &format!("{what}, repeat passes, 1 connection"),
        1,
        args.vul_pages,
        deadline,
        &vul_query,
    )?);
    drop(fake);

    println!();
    println!(
        "# hss-bench fake-pages: {} hosts, {PAGE} hosts a page",
        args.hosts
    );
    println!("machine: {machine}");
    println!();
    println!("| row | pages | s | pages/s | fake CPU ms/page | client CPU ms/page | bytes/page |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in &rows {
        let ms = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{:.3}", v * 1e3));
        println!(
            "| {} | {} | {:.2} | {:.0} | {} | {} | {} |",
            r.label,
            r.pages,
            r.seconds,
            r.pages as f64 / r.seconds.max(1e-9),
            ms(r.fake_cpu.map(|c| c / r.pages.max(1) as f64)),
            ms(r.client_cpu.map(|c| c / r.pages.max(1) as f64)),
            r.bytes / r.pages.max(1),
        );
    }
    Ok(())
}

/// One row: `pages` requests from `connections` threads.
struct Measured {
    label: String,
    pages: u64,
    seconds: f64,
    bytes: u64,
    fake_cpu: Option<f64>,
    client_cpu: Option<f64>,
}

/// Requests `query(k)` for `k` in `0..pages`, spread over `connections`
/// keep-alive connections, until done or `deadline` passes.
fn measure(
    fake: &FakeProcess,
    label: &str,
    connections: usize,
    pages: u64,
    deadline: Duration,
    query: &(dyn Fn(u64) -> String + Sync),
) -> anyhow::Result<Measured> {
    let addr = address(&fake.target)?;
    let token = fake.target.token.as_str();
    let mut clients = Vec::new();
    for _ in 0..connections {
        clients.push(Connection::open(addr, token)?);
    }
    let fake0 = cpu_seconds(Some(fake.pid()));
    let started = Instant::now();
    let results: Vec<anyhow::Result<(u64, u64, Option<f64>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = clients
            .into_iter()
            .enumerate()
            .map(|(i, mut conn)| {
                scope.spawn(move || -> anyhow::Result<(u64, u64, Option<f64>)> {
                    let cpu0 = thread_cpu_seconds();
                    let (mut done, mut bytes) = (0, 0);
                    let mut k = i as u64;
                    while k < pages && started.elapsed() < deadline {
                        let body = conn.get(&query(k))?;
                        ensure!(
                            body.starts_with(b"{\"total_num\":"),
                            "not a page: {}",
                            String::from_utf8_lossy(&body[..body.len().min(200)])
                        );
                        bytes += body.len() as u64;
                        done += 1;
                        k += connections as u64;
                    }
                    let cpu = thread_cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
                    Ok((done, bytes, cpu))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a client thread panicked")))
            })
            .collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    let fake1 = cpu_seconds(Some(fake.pid()));
    let (mut done, mut bytes, mut client_cpu) = (0, 0, Some(0.0));
    for r in results {
        let (d, b, cpu) = r?;
        done += d;
        bytes += b;
        client_cpu = client_cpu.zip(cpu).map(|(a, b)| a + b);
    }
    let m = Measured {
        label: label.to_owned(),
        pages: done,
        seconds,
        bytes,
        fake_cpu: fake0.zip(fake1).map(|(a, b)| b - a),
        client_cpu,
    };
    eprintln!(
        "fake-pages: {label}: {done} pages in {seconds:.2} s ({:.0} pages/s)",
        done as f64 / seconds.max(1e-9)
    );
    if done < pages {
        eprintln!("fake-pages:   stopped at the deadline after {done} of {pages} pages");
    }
    Ok(m)
}

/// CPU seconds of the calling thread (`/proc/thread-self/schedstat`):
/// the client threads end before the process is measured, and
/// [`cpu_seconds`] counts live threads only.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

/// `127.0.0.1:<port>` of the target; nothing else is accepted.
fn address(target: &Target) -> anyhow::Result<&str> {
    match target.base_url.strip_prefix("http://") {
        Some(addr) if addr.starts_with("127.0.0.1:") => Ok(addr.trim_end_matches('/')),
        _ => bail!("the fake is at {}, not on 127.0.0.1", target.base_url),
    }
}

/// The vulnerability with the most hosts among the first page of
/// `linux_vul` rows: (id, type, host count).
fn biggest_vul(target: &Target) -> anyhow::Result<(String, String, Option<u64>)> {
    let mut conn = Connection::open(address(target)?, &target.token)?;
    let path = hss_fake::paths::vulnerabilities_path(&target.project_id);
    let body = conn.get(&format!(
        "{path}?type=linux_vul&offset=0&limit=200&enterprise_project_id=all_granted_eps"
    ))?;
    let page: serde_json::Value = serde_json::from_slice(&body).context("ListVulnerabilities")?;
    let best = page["data_list"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| {
            Some((
                v["vul_id"].as_str()?,
                v["type"].as_str()?,
                v["host_num"].as_u64()?,
            ))
        })
        .max_by_key(|&(_, _, n)| n)
        .context("ListVulnerabilities listed no vulnerability")?;
    Ok((best.0.to_owned(), best.1.to_owned(), Some(best.2)))
}

/// One keep-alive HTTP/1.1 connection that sends GETs with the token and
/// reads `Content-Length` bodies: the least a client can do.
struct Connection {
    reader: BufReader<TcpStream>,
    head: String,
}

/// Largest body accepted (a 200-host page is about 162 KB).
const MAX_BODY: usize = 64 << 20;

impl Connection {
    fn open(addr: &str, token: &str) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(120)))?;
        stream.set_write_timeout(Some(Duration::from_secs(30)))?;
        Ok(Connection {
            reader: BufReader::with_capacity(256 * 1024, stream),
            head: format!(
                "Host: {addr}\r\nX-Auth-Token: {token}\r\nAccept: application/json\r\n\r\n"
            ),
        })
    }

    /// The body of a 200 answer to `GET path_and_query`.
    fn get(&mut self, path_and_query: &str) -> anyhow::Result<Vec<u8>> {
        let request = format!("GET {path_and_query} HTTP/1.1\r\n{}", self.head);
        self.reader.get_mut().write_all(request.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status = line.split(' ').nth(1).unwrap_or_default().to_owned();
        let mut length = None;
        for _ in 0..200 {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                bail!("the connection closed in the headers");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let length = length.context("an answer without Content-Length")?;
        ensure!(length <= MAX_BODY, "a body of {length} bytes");
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        ensure!(
            status == "200",
            "status {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        );
        Ok(body)
    }
}
