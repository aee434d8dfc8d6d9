//! Proof at full scale: every operation of HSS's upstream definition (the
//! pinned huaweicloud-mcp-server wheel) imports, generates as a standalone
//! crate, and that crate passes `cargo check` with no errors and no
//! warnings.
//!
//! The same for the `--lean` crate (positional interface, one-way serde, no
//! `PartialEq`: the issue's 20 s `cargo check` target), which must also be a
//! client a consumer can call and read answers from: a test file of this
//! test's own calls one operation and asserts the serde sides of two types,
//! type-checked with `cargo check --tests`.
//!
//! And for the lean client split by tag (`--split 4`: four crates of whole
//! tags and one of the types they share, the way under the 20 s target on
//! 2 cores), every crate of its workspace, with a consumer that calls an
//! operation through its tag's module.
//!
//! The test fetches the pinned wheel itself (`python3 -m pip download`,
//! from PyPI, once; `cargo xtask upstream` does the same) and fails when it
//! cannot; `HSS_SKIP_UPSTREAM=1` skips it on purpose. The crate and its
//! target directory live in `target/xtask-scale/`, kept between runs so only
//! the first one builds the dependencies.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use xtask::import::{self, Selection};
use xtask::upstream;

mod support;

#[test]
fn every_hss_operation_imports_generates_and_builds_without_warnings() {
    let Some(wheel) = support::pinned_wheel(
        &upstream::DEFINITIONS,
        "every_hss_operation_imports_generates_and_builds_without_warnings",
    ) else {
        return;
    };
    let definition = upstream::read_from_wheel(&wheel, upstream::DEFAULT_SERVICE).unwrap();

    let started = Instant::now();
    let imported = import::import(
        &definition,
        &Selection {
            all: true,
            ..Selection::default()
        },
    )
    .expect("the whole definition imports");
    let report = &imported.report;
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(
        report.operations.len(),
        237,
        "HSS has 237 operations in 0.3.1"
    );
    assert!(imported.yaml.is_ascii(), "upstream text reached the spec");
    eprintln!(
        "import: {} operations, {} changes, {:.1} s",
        report.operations.len(),
        report.changes.len(),
        started.elapsed().as_secs_f64()
    );

    let base = xtask::workspace_root().join("target/xtask-scale");
    std::fs::create_dir_all(&base).unwrap();
    let spec = base.join("hss-full.yaml");
    xtask::write_if_changed(&imported.yaml, &spec).unwrap();
    generate_and_check(
        &base,
        &spec,
        "hss-full",
        &xtask::generate::Options::default(),
        None,
    );
    generate_and_check(
        &base,
        &spec,
        "hss-full-lean",
        &xtask::generate::Options::lean(),
        Some(&consumer("hss_full_lean", "hss_full_lean::types")),
    );
    generate_and_check_split(
        &base,
        &spec,
        "hss-full-split",
        &xtask::generate::Options::lean(),
        SPLIT_PARTS,
        Some(&consumer(
            "hss_full_split::ransomware_protection",
            "hss_full_split::shared::types",
        )),
    );
    // Our own spec split, with hss-api's options (the builder interface):
    // its hand-written `ResourceId` is shared, so it moves to the shared
    // crate and the parts name it there.
    generate_and_check_split(
        &base,
        &xtask::default_spec(),
        "hss-api-split",
        &xtask::generate::Options::default(),
        2,
        None,
    );
}

/// The split lean client: `--split 4`, what BENCHMARKS.md measures. (Its
/// consumer reaches `ShowBackupPolicyInfo` through its tag's module.)
const SPLIT_PARTS: usize = 4;

/// `tests/consumer.rs` of a client whose operations (`Client`, `Hooks`,
/// `Error`, its own `types`) are at `client` and whose shared types at
/// `shared`: an operation called with a shared type as a parameter and its
/// answer read; a response-only type deserialises and does not serialise, a
/// request-only one the other way round. `cargo check --tests`
/// type-checks it; the assertions on what a type does *not* implement are
/// the `static_assertions` trick: the method is ambiguous when it does.
fn consumer(client: &str, shared: &str) -> String {
    format!(
        r#"//! Written by xtask/tests/full_scale.rs.
use {client} as client;
use {shared} as shared;

fn deserialises<T: serde::de::DeserializeOwned>() {{}}
fn serialises<T: serde::Serialize>() {{}}

#[allow(dead_code)]
struct Invalid;
trait AmbiguousIfSerialize<A> {{
    fn some_item() {{}}
}}
impl<T: ?Sized> AmbiguousIfSerialize<()> for T {{}}
impl<T: ?Sized + serde::Serialize> AmbiguousIfSerialize<Invalid> for T {{}}
trait AmbiguousIfDeserialize<A> {{
    fn some_item() {{}}
}}
impl<T: ?Sized> AmbiguousIfDeserialize<()> for T {{}}
impl<T: ?Sized + serde::de::DeserializeOwned> AmbiguousIfDeserialize<Invalid> for T {{}}

#[test]
fn each_type_has_the_serde_side_it_is_used_on() {{
    deserialises::<client::types::GetBackupPolicyResponseInfo>();
    let _ = <client::types::GetBackupPolicyResponseInfo as AmbiguousIfSerialize<_>>::some_item;
    serialises::<shared::SharedProjectId3>();
    let _ = <shared::SharedProjectId3 as AmbiguousIfDeserialize<_>>::some_item;
}}

#[allow(dead_code)]
async fn a_consumer_reads_an_answer() -> Result<Option<bool>, client::Error<()>> {{
    let client = client::Client::new("https://hss.ap-southeast-1.myhuaweicloud.com", client::Hooks::new());
    let project = shared::SharedProjectId3::try_from("0123456789abcdef0123456789abcdef")
        .expect("a valid project id");
    let policy = client
        .show_backup_policy_info(&project, None, None)
        .await?
        .into_inner();
    Ok(policy.enabled)
}}
"#
    )
}

/// Generates the crate `name` from `spec` into `base/name` and asserts that
/// `cargo check` (with `--tests` when a consumer test file is given) passes
/// without a diagnostic.
fn generate_and_check(
    base: &Path,
    spec: &Path,
    name: &str,
    options: &xtask::generate::Options,
    consumer: Option<&str>,
) {
    let dir = base.join(name);
    let started = Instant::now();
    let files = xtask::standalone::crate_files(spec, &dir, Some(name), options)
        .unwrap_or_else(|e| panic!("{e:#}"));
    write_and_check(base, &dir, name, &files, started, consumer);
}

/// [`generate_and_check`] for `--split parts`: every crate of the
/// workspace checked, the consumer file in the package that re-exports
/// them.
fn generate_and_check_split(
    base: &Path,
    spec: &Path,
    name: &str,
    options: &xtask::generate::Options,
    parts: usize,
    consumer: Option<&str>,
) {
    let dir = base.join(name);
    let started = Instant::now();
    let files = xtask::standalone::split_crate_files(spec, &dir, Some(name), options, parts)
        .unwrap_or_else(|e| panic!("{e:#}"));
    let members = files
        .iter()
        .filter(|(path, _)| path.ends_with("src/generated.rs"))
        .count();
    assert_eq!(members, parts + 1, "{parts} parts and the shared crate");
    write_and_check(base, &dir, name, &files, started, consumer);
}

fn write_and_check(
    base: &Path,
    dir: &Path,
    name: &str,
    files: &[(std::path::PathBuf, String)],
    started: Instant,
    consumer: Option<&str>,
) {
    for (path, text) in files {
        xtask::write_if_changed(text, path).unwrap();
    }
    let lines: usize = files
        .iter()
        .filter(|(path, _)| path.ends_with("src/generated.rs"))
        .map(|(_, text)| text.lines().count())
        .sum();
    eprintln!(
        "generate {name}: {lines} lines, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if let Some(text) = consumer {
        xtask::write_if_changed(text, &dir.join("tests/consumer.rs")).unwrap();
    }

    let started = Instant::now();
    let (ok, diagnostics) = cargo_check(dir, &base.join("target"), consumer.is_some());
    eprintln!(
        "cargo check {name}: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        diagnostics.is_empty(),
        "{} warning(s)/error(s) in the generated crate:\n{}",
        diagnostics.len(),
        diagnostics
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        ok,
        "cargo check failed without a diagnostic of the crate's own"
    );
}

/// Runs `cargo check` (with `tests`, `--tests`) on the crate; returns success and every warning or
/// error rustc reported for the crate itself.
fn cargo_check(dir: &Path, target: &Path, tests: bool) -> (bool, Vec<String>) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args([
            "check",
            "--quiet",
            "--message-format=json",
            "--workspace",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .args(if tests { &["--tests"][..] } else { &[] })
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let mut diagnostics = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-message" {
            continue;
        }
        let ours = msg["target"]["src_path"]
            .as_str()
            .is_some_and(|p| Path::new(p).starts_with(dir));
        let level = msg["message"]["level"].as_str().unwrap_or_default();
        if ours && (level == "warning" || level == "error") {
            diagnostics.push(
                msg["message"]["rendered"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
    }
    if !output.status.success() && diagnostics.is_empty() {
        diagnostics.push(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    (output.status.success(), diagnostics)
}
