//! The official Python SDK, pinned by `requirements.txt` beside this file,
//! for the tests that compare this workspace with it: hss-auth's signer,
//! hss-fake's workflow, hss-ext's project discovery. Each includes this file
//! with `#[path]` (hss-auth's tests cannot depend on hss-fake, which
//! depends on hss-auth).
//!
//! The interpreter is `$HSS_INTEROP_PYTHON` when set; otherwise the tests
//! make `<target dir>/interop-venv` themselves with `python3 -m venv` and
//! `pip install -r requirements.txt` (PyPI), once: a file lock keeps
//! concurrent tests and cargo runs from installing twice, and a copy of the
//! requirements the venv was filled from makes a changed pin reinstall.
//! Either way the interpreter must have exactly the pinned versions.
//!
//! When it cannot be had (no `python3`, no PyPI, another version) the test
//! fails, saying what is missing. `HSS_SKIP_OFFICIAL_SDK=1` skips on
//! purpose: the test then passes after a note on stderr that shows even
//! without `--nocapture`, on CI as elsewhere (CI does not set it).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The pins: `huaweicloudsdkcore` and `huaweicloudsdkhss`.
const REQUIREMENTS: &str = include_str!("requirements.txt");

/// Set to `1` to skip the official-SDK tests on purpose.
const SKIP: &str = "HSS_SKIP_OFFICIAL_SDK";

/// An interpreter of the caller's choosing (it must have the pins).
const PYTHON: &str = "HSS_INTEROP_PYTHON";

/// `python SCRIPT` that reaches loopback only: no proxy, no
/// `HUAWEICLOUD_*` setting of the machine running the tests (the caller
/// sets what the script needs after this).
// Not every test that includes this file runs a script against a server.
#[allow(dead_code)]
pub fn loopback_script(python: &Path, script: &str) -> Command {
    let mut command = Command::new(python);
    command.arg(script);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        let lower = name.to_ascii_lowercase();
        if name.starts_with("HUAWEICLOUD_") || (lower.ends_with("_proxy") && lower != "no_proxy") {
            command.env_remove(name);
        }
    }
    command.env("NO_PROXY", "127.0.0.1");
    command
}

/// The interpreter with the pinned SDK, preparing it on first use; `None`
/// only when [`SKIP`] asks for it. Panics with what is missing otherwise,
/// so `test` never passes without comparing.
pub fn python(test: &str) -> Option<PathBuf> {
    if std::env::var_os(SKIP).is_some_and(|v| v == "1") {
        // Straight to stderr: libtest captures `eprintln!` of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "note: {test} SKIPPED on purpose ({SKIP}=1): nothing was compared with the official SDK"
        );
        return None;
    }
    static PYTHON_WITH_SDK: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON_WITH_SDK.get_or_init(find_or_prepare) {
        Ok(python) => Some(python.clone()),
        Err(problem) => panic!(
            "{test} compares with the official Python SDK, but {problem}.\n\
             Install python3 (with venv and pip; reaching PyPI) or point {PYTHON} at an \
             interpreter with crates/hss-auth/tests/interop/requirements.txt installed; \
             or skip these tests on purpose with {SKIP}=1."
        ),
    }
}

fn find_or_prepare() -> Result<PathBuf, String> {
    if let Some(python) = std::env::var_os(PYTHON) {
        let python = PathBuf::from(python);
        check(&python).map_err(|e| format!("{PYTHON}={}: {e}", python.display()))?;
        return Ok(python);
    }
    // `<target dir>/tmp`, wherever CARGO_TARGET_DIR or the config puts it.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target directory");
    prepare(&target.join("interop-venv"))
}

/// Makes `venv` hold the pins unless it already does, under a lock.
fn prepare(venv: &Path) -> Result<PathBuf, String> {
    let python = venv.join(if cfg!(windows) {
        "Scripts/python.exe"
    } else {
        "bin/python"
    });
    let installed_from = venv.join("hss-requirements.txt");
    let lock_path = venv.with_extension("lock");
    let lock_file = std::fs::File::create(&lock_path)
        .map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
    let mut lock = fd_lock::RwLock::new(lock_file);
    let _held = lock
        .write()
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;

    if std::fs::read_to_string(&installed_from).is_ok_and(|text| text == REQUIREMENTS)
        && check(&python).is_ok()
    {
        return Ok(python);
    }
    let _ = writeln!(
        std::io::stderr(),
        "note: installing the official Python SDK (requirements.txt) into {}, once",
        venv.display()
    );
    let _ = std::fs::remove_file(&installed_from);
    // Again over an existing venv too: it completes a half-made one.
    run(Command::new("python3").args(["-m", "venv"]).arg(venv))?;
    let pending = venv.join("hss-requirements.txt.pending");
    std::fs::write(&pending, REQUIREMENTS)
        .map_err(|e| format!("cannot write {}: {e}", pending.display()))?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&pending))?;
    check(&python)?;
    std::fs::rename(&pending, &installed_from)
        .map_err(|e| format!("cannot write {}: {e}", installed_from.display()))?;
    Ok(python)
}

/// Runs `command`; an error names it and ends with the last lines it wrote.
fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let output = command.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!(
            "{} is not on PATH (for {shown})",
            command.get_program().to_string_lossy()
        ),
        _ => format!("cannot run {shown}: {e}"),
    })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
    Err(format!(
        "{shown} failed ({}): {}",
        output.status,
        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
    ))
}

/// Whether `python` imports the SDK at exactly the pinned versions.
fn check(python: &Path) -> Result<(), String> {
    let pinned = |package: &str| {
        REQUIREMENTS
            .lines()
            .find_map(|line| line.trim().strip_prefix(package)?.strip_prefix("=="))
            .map(str::trim)
            .unwrap_or_else(|| panic!("requirements.txt pins {package}"))
    };
    let wanted = format!(
        "{} {}",
        pinned("huaweicloudsdkcore"),
        pinned("huaweicloudsdkhss")
    );
    let output = Command::new(python)
        .args([
            "-c",
            "import huaweicloudsdkcore.signer.signer, huaweicloudsdkhss.v5\n\
             from importlib.metadata import version\n\
             print(version('huaweicloudsdkcore'), version('huaweicloudsdkhss'))",
        ])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} cannot import the SDK ({})",
            python.display(),
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("no error output")
        ));
    }
    let found = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if found != wanted {
        return Err(format!(
            "{} has huaweicloudsdkcore and huaweicloudsdkhss {found}, requirements.txt pins {wanted}",
            python.display()
        ));
    }
    Ok(())
}
