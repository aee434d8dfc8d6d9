//! The processes of the end-to-end benchmark.
//!
//! The `e2e` binary runs itself again for two jobs, so that each measured
//! thing has a process of its own:
//!
//! - `e2e fake`: the fake HSS ([`serve_fake`]), so the server never shares
//!   a runtime, an allocator or a heap with the client being measured. The
//!   two still share the machine's cores, as a client and a nearby server do.
//! - `e2e stream`: a child that only streams hosts through `hss-ext`
//!   ([`stream_hosts`]), so that its peak resident set (`VmHWM`) is the
//!   memory of streaming and nothing else.
//!
//! Secrets go to children on stdin or in the environment, never in argv.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

use crate::Target;
use crate::mem::Rss;
use crate::run::Variant;

/// How long a fake child serves at most before stopping by itself, even if
/// the parent never closes its stdin.
pub const FAKE_MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// Runs the fake for `hosts` hosts with `latency` added to every answer,
/// writes its [`Target`] as one JSON line to stdout, then serves until stdin
/// closes or [`FAKE_MAX_LIFETIME`] passes. Needs a Tokio runtime.
pub async fn serve_fake(hosts: usize, latency: Duration) -> anyhow::Result<()> {
    let mut builder = hss_fake::FakeHss::builder()
        .seed(crate::fixture::SEED)
        .hosts(hosts)
        // The log keeps headers of every request; the benchmark reads none.
        .request_log_capacity(16);
    if !latency.is_zero() {
        builder = builder.latency(latency);
    }
    let fake = builder.start().await.context("starting the fake")?;
    let key = fake.access_key();
    let target = Target {
        base_url: fake.base_url(),
        project_id: fake.project_id(),
        task_id: fake.task_id(),
        token: fake.token().to_owned(),
        ak: key.ak.clone(),
        sk: key.sk.clone(),
    };
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &target)?;
    writeln!(stdout)?;
    stdout.flush()?;
    drop(stdout);

    // Stdin closes when the parent ends, however it ends.
    let stdin_closed = tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut sink);
    });
    let _ = tokio::time::timeout(FAKE_MAX_LIFETIME, stdin_closed).await;
    fake.shutdown().await;
    Ok(())
}

/// A running `e2e fake` child; killed when dropped.
#[derive(Debug)]
pub struct FakeProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Where the fake listens and what it accepts.
    pub target: Target,
}

impl FakeProcess {
    /// Starts `exe fake --hosts N --latency-ms L` and waits for its target.
    pub fn start(exe: &PathBuf, hosts: usize, latency: Duration) -> anyhow::Result<FakeProcess> {
        let mut child = Command::new(exe)
            .args(["fake", "--hosts", &hosts.to_string(), "--latency-ms"])
            .arg(latency.as_millis().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {} fake", exe.display()))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("no stdout")?;
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let mut process = FakeProcess {
            child,
            stdin,
            target: Target::default(),
        };
        read.context("reading the fake's target")?;
        if line.trim().is_empty() {
            bail!("the fake child exited before it was ready");
        }
        process.target = serde_json::from_str(&line).context("the fake's target line")?;
        if !process.target.base_url.starts_with("http://127.0.0.1:") {
            bail!(
                "the fake listens on {}, not 127.0.0.1",
                process.target.base_url
            );
        }
        Ok(process)
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for FakeProcess {
    fn drop(&mut self) {
        // Closing stdin asks the child to stop; kill makes sure it does.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What an `e2e stream` child reports.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StreamReport {
    /// Hosts streamed.
    pub hosts: u64,
    /// Seconds the streaming took.
    pub seconds: f64,
    /// Memory after the client was built, before the first request.
    pub before: Rss,
    /// Memory at the end (`peak_kib` is the peak of the whole process).
    pub after: Rss,
}

/// The job of an `e2e stream` child: stream up to `max_hosts` hosts of
/// `target`'s task with `variant` (`hss-ext` for the memory figures),
/// holding no host after it was yielded, and report the memory.
pub async fn stream_hosts(
    target: &Target,
    variant: Variant,
    max_hosts: u64,
) -> anyhow::Result<StreamReport> {
    enum Lister {
        Floor(reqwest::Client),
        // Boxed: a configured client is several times a reqwest handle.
        Sdk(Box<hss_ext::HssClient>, usize),
    }
    let lister = match variant {
        Variant::Floor => Lister::Floor(crate::floor::http_client()?),
        Variant::Sdk { concurrency } => Lister::Sdk(
            Box::new(crate::sdk::client(target, crate::sdk::Auth::Token)?),
            concurrency,
        ),
    };
    let before = crate::mem::rss().unwrap_or_default();
    let started = Instant::now();
    let hosts = match &lister {
        Lister::Floor(http) => {
            crate::floor::list(http, target, crate::floor::Decode::Structs, max_hosts).await?
        }
        Lister::Sdk(client, concurrency) => {
            crate::sdk::list(client, target, *concurrency, max_hosts).await?
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let after = crate::mem::rss().unwrap_or_default();
    Ok(StreamReport {
        hosts,
        seconds,
        before,
        after,
    })
}

/// Runs `exe stream` for `max_hosts` hosts of `target` and returns its
/// report. The target goes to the child on stdin.
pub fn run_stream_child(
    exe: &PathBuf,
    target: &Target,
    concurrency: usize,
    max_hosts: u64,
) -> anyhow::Result<StreamReport> {
    let mut child = Command::new(exe)
        .args([
            "stream",
            "--concurrency",
            &concurrency.to_string(),
            "--max-hosts",
            &max_hosts.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {} stream", exe.display()))?;
    {
        let mut stdin = child.stdin.take().context("no stdin")?;
        serde_json::to_writer(&mut stdin, target)?;
        writeln!(stdin)?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!("the stream child failed: {}", output.status);
    }
    serde_json::from_slice(&output.stdout).context("the stream child's report")
}
