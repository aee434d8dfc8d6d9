//! A small, bounded load generator for the fake (loopback only).
//!
//! Opens `--connections` keep-alive HTTP/1.1 connections to 127.0.0.1 and
//! sends `ListVulScanTaskHost` page requests back to back until
//! `--requests` answers arrived or `--seconds` passed, then prints the rate
//! and latency percentiles. Without `--port` it starts a fake in-process
//! (sharing the machine's cores with the client, like any local benchmark).
//!
//! ```text
//! cargo run --release -p hss-fake-server --example loadgen -- --hosts 100000 --limit 200
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use clap::Parser;
use hss_fake::FakeHss;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Debug, Parser)]
struct Args {
    /// Hosts in the task (in-process fake only).
    #[arg(long, default_value_t = 100_000)]
    hosts: usize,
    /// Page size asked for.
    #[arg(long, default_value_t = 200)]
    limit: u32,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Stop after this many answers in total.
    #[arg(long, default_value_t = 20_000)]
    requests: u64,
    /// Stop after this many seconds at most.
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// Port of a running `hss-fake` on 127.0.0.1 (with --path and --token)
    /// instead of an in-process one.
    #[arg(long, requires_all = ["path", "token"])]
    port: Option<u16>,
    /// Path of the operation on the running fake.
    #[arg(long)]
    path: Option<String>,
    /// X-Auth-Token for the running fake.
    #[arg(long)]
    token: Option<String>,
    /// Hosts the running fake lists for --path, so that requests walk every
    /// page (default: every request asks for offset 0).
    #[arg(long)]
    total: Option<u64>,
}

struct Stats {
    latencies: Vec<Duration>,
    bytes: u64,
    errors: u64,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let (_fake, addr, path, token, total) = match args.port {
        Some(port) => (
            None,
            SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            args.path.clone().unwrap(),
            args.token.clone().unwrap(),
            args.total.unwrap_or(0),
        ),
        None => {
            let started = Instant::now();
            let fake = FakeHss::builder()
                .seed(1)
                .hosts(args.hosts)
                .enterprise_projects(1)
                .start()
                .await
                .expect("fake starts");
            println!("generated {} hosts in {:?}", args.hosts, started.elapsed());
            let path = fake.hosts_path(&fake.task_id());
            let token = fake.token().to_owned();
            let addr = fake.addr();
            (Some(fake), addr, path, token, args.hosts as u64)
        }
    };
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let per_connection = args.requests.div_ceil(args.connections as u64);
    let started = Instant::now();
    let mut workers = Vec::new();
    for c in 0..args.connections {
        let (path, token, limit) = (path.clone(), token.clone(), args.limit);
        workers.push(tokio::spawn(async move {
            worker(
                addr,
                &path,
                &token,
                limit,
                c as u64,
                per_connection,
                total,
                deadline,
            )
            .await
        }));
    }
    let mut latencies = Vec::new();
    let (mut bytes, mut errors) = (0, 0);
    for w in workers {
        let stats = w.await.expect("worker");
        latencies.extend(stats.latencies);
        bytes += stats.bytes;
        errors += stats.errors;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let n = latencies.len() as f64;
    println!(
        "{} answers ({} errors) over {} connections in {:.2?}: {:.0} req/s, {:.1} MB/s, p50 {:.2?}, p99 {:.2?}",
        latencies.len(),
        errors,
        args.connections,
        elapsed,
        n / elapsed.as_secs_f64(),
        bytes as f64 / 1e6 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
    );
}

#[allow(clippy::too_many_arguments)]
async fn worker(
    addr: SocketAddr,
    path: &str,
    token: &str,
    limit: u32,
    index: u64,
    count: u64,
    total: u64,
    deadline: Instant,
) -> Stats {
    let mut stats = Stats {
        latencies: Vec::with_capacity(count as usize),
        bytes: 0,
        errors: 0,
    };
    let stream = TcpStream::connect(addr).await.expect("connects");
    stream.set_nodelay(true).expect("nodelay");
    let mut stream = BufReader::new(stream);
    let mut body = Vec::new();
    let mut line = String::new();
    for i in 0..count {
        if Instant::now() >= deadline {
            break;
        }
        // Walk the task so that every page is a different slice.
        let pages = total.div_ceil(u64::from(limit)).max(1);
        let offset = ((index * 7919 + i) % pages) * u64::from(limit);
        let offset = offset.min(2_000_000);
        let request = format!(
            "GET {path}?limit={limit}&offset={offset} HTTP/1.1\r\nHost: {addr}\r\nX-Auth-Token: {token}\r\n\r\n"
        );
        let sent = Instant::now();
        stream
            .get_mut()
            .write_all(request.as_bytes())
            .await
            .expect("writes");
        let mut status = 0;
        let mut length = 0usize;
        loop {
            line.clear();
            if stream.read_line(&mut line).await.expect("reads") == 0 {
                panic!("connection closed");
            }
            if status == 0 {
                status = line
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
            } else if line == "\r\n" {
                break;
            } else if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().expect("Content-Length");
            }
        }
        body.resize(length, 0);
        stream.read_exact(&mut body).await.expect("body");
        stats.latencies.push(sent.elapsed());
        stats.bytes += length as u64;
        if status != 200 {
            stats.errors += 1;
        }
    }
    stats
}
