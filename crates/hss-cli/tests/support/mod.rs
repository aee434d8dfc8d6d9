//! Helpers for the CLI tests: a fake HSS or a scripted server on
//! 127.0.0.1, the `hss` binary with a clean environment, and golden files.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use hss_fake::scripted::{Reply, ScriptedRequest, ScriptedServer};
use hss_fake::{Dataset, FakeHss, RunningFake};

/// The fixture every golden test serves: hosts from the fake's generator
/// plus hand-written edge cases (unknown values, long and wide names,
/// missing fields, failures only in `vul_scan_details`). A fixture rather
/// than generated data, so the goldens do not move when the generator does.
pub const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/task.json");

/// A fake HSS serving on 127.0.0.1, on a runtime of its own so that the
/// test can block on the `hss` process meanwhile.
pub struct Fake {
    // Declared first so it is dropped (and stops) before the runtime.
    pub fake: RunningFake,
    _runtime: tokio::runtime::Runtime,
    home: tempfile::TempDir,
}

impl Fake {
    /// The fake serving [`FIXTURE`].
    pub fn fixture() -> Fake {
        let json = std::fs::read_to_string(FIXTURE).expect("the fixture is readable");
        let dataset = Dataset::from_json(&json).expect("the fixture is a valid dataset");
        Fake::start(FakeHss::builder().seed(1).dataset(dataset))
    }

    /// A fake built by `builder`.
    pub fn start(builder: hss_fake::FakeHssBuilder) -> Fake {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let fake = runtime
            .block_on(builder.start())
            .expect("the fake starts on 127.0.0.1");
        Fake {
            fake,
            _runtime: runtime,
            home: tempfile::tempdir().expect("a temporary HOME"),
        }
    }

    /// An empty directory used as `HOME`.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// `hss scan-task hosts --endpoint <fake> --task-id <task>` with the
    /// fake's AK/SK and project in the environment.
    pub fn hosts(&self) -> Command {
        self.hosts_of(&self.fake.task_id())
    }

    /// [`Fake::hosts`] for another task id.
    pub fn hosts_of(&self, task_id: &str) -> Command {
        let key = self.fake.access_key();
        let mut cmd = hss(self.home());
        cmd.env("HUAWEICLOUD_SDK_AK", &key.ak)
            .env("HUAWEICLOUD_SDK_SK", &key.sk)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", self.fake.project_id())
            .args(["scan-task", "hosts", "--endpoint"])
            .arg(self.fake.base_url())
            .arg("--task-id")
            .arg(task_id);
        cmd
    }

    /// `hss <args> --endpoint <fake>` with the fake's AK/SK and project in
    /// the environment, and stdin a pipe (not a terminal) that is empty.
    pub fn hss(&self, args: &[&str]) -> Command {
        let key = self.fake.access_key();
        let mut cmd = hss(self.home());
        cmd.env("HUAWEICLOUD_SDK_AK", &key.ak)
            .env("HUAWEICLOUD_SDK_SK", &key.sk)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", self.fake.project_id())
            .args(args)
            .arg("--endpoint")
            .arg(self.fake.base_url())
            .write_stdin("");
        cmd
    }

    /// Runs [`Fake::hss`]; asserts success and returns stdout and stderr.
    pub fn run(&self, args: &[&str]) -> (String, String) {
        let output = self.hss(args).output().expect("hss runs");
        let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
        let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
        assert!(
            output.status.success(),
            "hss {args:?} failed with {:?}: {stderr}",
            output.status.code()
        );
        (stdout, stderr)
    }

    /// Runs `hosts()` with `args`; asserts success and a silent stderr
    /// (no progress bar, no warnings) and returns stdout.
    pub fn stdout(&self, args: &[&str]) -> String {
        let output = self.hosts().args(args).output().expect("hss runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "hss {args:?} failed with {:?}: {stderr}",
            output.status.code()
        );
        assert_eq!(stderr, "", "hss {args:?} wrote to stderr");
        String::from_utf8(output.stdout).expect("stdout is UTF-8")
    }
}

/// A [`ScriptedServer`] on 127.0.0.1, on a runtime of its own like [`Fake`].
pub struct Scripted {
    // Declared first so it stops before the runtime.
    pub server: ScriptedServer,
    _runtime: tokio::runtime::Runtime,
    home: tempfile::TempDir,
}

impl Scripted {
    /// A server whose `handler(request, n)` answers the `n`th request.
    pub fn start(
        handler: impl Fn(&ScriptedRequest, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let server = runtime.block_on(ScriptedServer::start(handler));
        Scripted {
            server,
            _runtime: runtime,
            home: tempfile::tempdir().expect("a temporary HOME"),
        }
    }

    /// `hss scan-task hosts --endpoint <server> --task-id task` with a
    /// token and a project in the environment (the server checks neither).
    pub fn hosts(&self) -> Command {
        let mut cmd = hss(self.home.path());
        cmd.env("HUAWEICLOUD_SDK_TOKEN", "MIIscripted-token")
            .env("HUAWEICLOUD_SDK_PROJECT_ID", "proj")
            .args(["scan-task", "hosts", "--endpoint", self.server.base_url()])
            .args(["--task-id", "task"]);
        cmd
    }
}

/// The offset and limit a request asked for (the API's defaults when absent).
pub fn window(request: &ScriptedRequest) -> (u64, u64) {
    let number = |key: &str, default: u64| {
        request
            .query(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    (number("offset", 0), number("limit", 10))
}

/// A page of a task of `total` hosts, host `i` being `host(i)`, as the API
/// sends it.
pub fn page(offset: u64, limit: u64, total: u64, host: impl Fn(u64) -> serde_json::Value) -> Reply {
    let hosts: Vec<serde_json::Value> = (offset..total.min(offset + limit)).map(host).collect();
    Reply::json(
        200,
        serde_json::json!({"total_num": total, "data_list": hosts}).to_string(),
    )
}

/// Host `i` of a synthetic task: id `h<i>`, name `host-<i>`, failed.
pub fn plain_host(i: u64) -> serde_json::Value {
    serde_json::json!({
        "host_id": format!("h{i}"),
        "host_name": format!("host-{i}"),
        "scan_status": "failed",
        "asset_value": "common",
        "failed_reasons": [{"vul_type": "linux_vul", "failed_reason": format!("reason {i}")}],
    })
}

/// The `hss` binary with no `HUAWEICLOUD_*` or `RUST_LOG` from the real
/// environment and `HOME` at `home`, so no real credentials file is read,
/// no proxy of the machine, and IAM and the instance metadata service on
/// closed 127.0.0.1 ports unless the test names others.
pub fn hss(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hss"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("HUAWEICLOUD_") {
            cmd.env_remove(key);
        }
    }
    // Nor a proxy of the machine running the tests.
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.env_remove("RUST_LOG")
        .env("HOME", home)
        .timeout(Duration::from_secs(120));
    // A test that does not name IAM itself must not reach the real one (a
    // region and AK/SK without a project id ask IAM): a closed loopback port.
    cmd.env(
        "HUAWEICLOUD_SDK_IAM_ENDPOINT",
        format!("http://127.0.0.1:{}", closed_port()),
    );
    // Nor the instance metadata service at 169.254.169.254, the last source
    // of credentials: a test must never send anything there.
    cmd.env(
        "HUAWEICLOUD_SDK_METADATA_ENDPOINT",
        format!("http://127.0.0.1:{}", closed_port()),
    );
    cmd
}

/// A 127.0.0.1 port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.stdout"))
}

/// Compares `actual` with `tests/golden/<name>.stdout`; with
/// `UPDATE_GOLDEN=1` in the environment, rewrites the file instead.
pub fn golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; create it with UPDATE_GOLDEN=1 cargo test -p hss-cli",
            path.display()
        )
    });
    if expected != actual {
        let diff = similar::TextDiff::from_lines(&expected, actual)
            .unified_diff()
            .header("expected (golden)", "actual")
            .to_string();
        panic!(
            "{} differs from the output; if the change is intended, run UPDATE_GOLDEN=1 cargo test -p hss-cli and review the diff\n{diff}",
            path.display()
        );
    }
}
