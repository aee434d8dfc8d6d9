//! Row d: the official Python SDK (`huaweicloudsdkhss`), pinned in
//! `python/requirements.txt`, in a virtualenv under the target directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

use crate::Target;

/// `python/requirements.txt` of this crate.
pub fn requirements() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python/requirements.txt")
}

/// `python/list_hosts.py` of this crate.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python/list_hosts.py")
}

/// The pinned `huaweicloudsdkhss` version, read from `requirements.txt`.
pub fn pinned_version() -> Option<String> {
    let text = std::fs::read_to_string(requirements()).ok()?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("huaweicloudsdkhss=="))
        .map(|v| v.trim().to_owned())
}

/// Where the SDK ended up, or why row d is skipped.
#[derive(Clone, Debug)]
pub enum Availability {
    /// This interpreter has the pinned SDK.
    Ready {
        /// The venv's interpreter.
        python: PathBuf,
        /// `huaweicloudsdkhss`'s version.
        version: String,
    },
    /// Why row d does not run.
    Skipped(String),
}

/// Finds or makes the venv: `explicit` when given (it must already have
/// the SDK), else `<target>/hss-bench-venv`, created with `python3 -m venv`
/// and filled with `pip install -r requirements.txt` when `install` is true
/// and it does not have the pinned SDK yet.
pub fn prepare(explicit: Option<&Path>, target_dir: &Path, install: bool) -> Availability {
    let pinned = pinned_version().unwrap_or_default();
    if let Some(python) = explicit {
        return match installed_version(python) {
            Some(version) => Availability::Ready {
                python: python.to_owned(),
                version,
            },
            None => Availability::Skipped(format!(
                "{} cannot import huaweicloudsdkhss",
                python.display()
            )),
        };
    }
    let venv = target_dir.join("hss-bench-venv");
    let python = venv.join("bin/python");
    if let Some(version) = installed_version(&python).filter(|v| *v == pinned) {
        return Availability::Ready { python, version };
    }
    if !install {
        return Availability::Skipped(format!(
            "no venv with huaweicloudsdkhss=={pinned} at {} (run without --no-python-install to create it)",
            venv.display()
        ));
    }
    let Some(python3) = find_python3() else {
        return Availability::Skipped("python3 is not installed".into());
    };
    eprintln!(
        "e2e: installing huaweicloudsdkhss=={pinned} into {}",
        venv.display()
    );
    if let Err(error) = install_venv(&python3, &venv) {
        return Availability::Skipped(format!("installing the Python SDK failed: {error:#}"));
    }
    match installed_version(&python) {
        Some(version) => Availability::Ready { python, version },
        None => Availability::Skipped("the venv cannot import huaweicloudsdkhss".into()),
    }
}

fn find_python3() -> Option<PathBuf> {
    let ok = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| PathBuf::from("python3"))
}

fn install_venv(python3: &Path, venv: &Path) -> anyhow::Result<()> {
    if !venv.join("bin/python").exists() {
        let status = Command::new(python3)
            .args(["-m", "venv"])
            .arg(venv)
            .status()?;
        if !status.success() {
            bail!("python3 -m venv: {status}");
        }
    }
    let status = Command::new(venv.join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(requirements())
        .status()?;
    if !status.success() {
        bail!("pip install: {status}");
    }
    Ok(())
}

/// `huaweicloudsdkhss`'s version as `python` sees it, if it imports.
pub fn installed_version(python: &Path) -> Option<String> {
    let output = Command::new(python)
        .args([
            "-c",
            "import huaweicloudsdkhss.v5; from importlib.metadata import version; print(version('huaweicloudsdkhss'))",
        ])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// What `list_hosts.py` reports.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PythonRun {
    /// Hosts listed.
    pub hosts: u64,
    /// Requests sent.
    pub pages: u64,
    /// Seconds the listing loop took (the interpreter and the client were
    /// ready before).
    pub seconds: f64,
    /// `huaweicloudsdkhss`'s version.
    pub sdk_version: String,
}

/// Lists up to `max_hosts` hosts of `target` with the official SDK, signing
/// with AK/SK; stops by itself after `max_seconds`.
pub fn list(
    python: &Path,
    target: &Target,
    max_hosts: u64,
    max_seconds: Duration,
) -> anyhow::Result<PythonRun> {
    let output = Command::new(python)
        .arg(script())
        .args([
            &target.base_url,
            &target.project_id,
            &target.task_id,
            &max_hosts.to_string(),
            &max_seconds.as_secs_f64().to_string(),
        ])
        .env("HSS_BENCH_AK", &target.ak)
        .env("HSS_BENCH_SK", &target.sk)
        // Never through a proxy: the fake is on loopback.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .context("running list_hosts.py")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        bail!(
            "list_hosts.py failed ({}): {}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        );
    }
    serde_json::from_slice(&output.stdout).context("list_hosts.py's report")
}
