//! `cargo xtask`: maintainer tasks. See `cargo xtask --help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{default_output, default_spec, display_path};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Maintainer tasks for the HSS workspace")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate the hss-api client from the OpenAPI spec.
    Generate {
        /// Do not write: fail with a diff when the checked-in code is stale.
        #[arg(long)]
        check: bool,
        /// The OpenAPI 3.0 spec to read [default: openapi/hss.yaml].
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
        /// The crate to write the client into: its `src/generated/` (a
        /// file per operation group), the operation table of the
        /// `hss-operations` crate beside it (`src/table.rs`), the
        /// every-operation test's dispatch
        /// (`tests/every_operation/dispatch.rs`) and the group features of
        /// its `Cargo.toml` [default: crates/hss-api].
        #[arg(long, value_name = "DIR", conflicts_with = "crate_dir")]
        out: Option<PathBuf>,
        /// Write a complete standalone crate into DIR instead (manifest,
        /// lib.rs, the Hooks seam, the generated code), for trying a spec
        /// before adopting it. `cargo check` builds it without warnings.
        #[arg(long = "crate", value_name = "DIR")]
        crate_dir: Option<PathBuf>,
        /// The package name of the `--crate` crate [default: DIR's name].
        #[arg(long, value_name = "NAME", requires = "crate_dir")]
        crate_name: Option<String>,
        /// The `--crate` crate's interface: `builder` (hss-api's:
        /// `client.op().param(v).send()`, with struct builders) or
        /// `positional` (`client.op(param, ...)`; no operation or struct
        /// builders, a much smaller crate) [default: builder].
        #[arg(long, value_enum, value_name = "STYLE", requires = "crate_dir")]
        interface: Option<xtask::generate::Interface>,
        /// `--crate` only: types only received lose `Serialize`, types only
        /// sent lose `Deserialize`; types on both sides keep both.
        #[arg(long, requires = "crate_dir")]
        one_way_serde: bool,
        /// `--crate` only: no `PartialEq` on the types (hss-api derives it).
        #[arg(long, requires = "crate_dir")]
        no_partial_eq: bool,
        /// `--crate` only: all of `--interface positional --one-way-serde
        /// --no-partial-eq`, the smallest client; `cargo check` of HSS's
        /// 237 operations takes a fraction of the time (BENCHMARKS.md).
        #[arg(long, requires = "crate_dir", conflicts_with_all = ["interface", "one_way_serde", "no_partial_eq"])]
        lean: bool,
        /// `--crate` only: the client as a workspace of at most N crates of
        /// whole tags, plus one of the types several tags share, so that
        /// cargo checks them side by side; DIR's package re-exports them, a
        /// module per tag.
        #[arg(long, value_name = "N", requires = "crate_dir")]
        split: Option<usize>,
    },
    /// Rebuild openapi/hss.yaml, the whole service, from the pinned official
    /// SDK and definition plus openapi/reviewed.yaml and openapi/groups.yaml.
    /// With a selection (`--operation`, `--tag`, `--all`) or `--definition`,
    /// import from a Huawei API definition into `--out` instead: every
    /// change to upstream is a named pass, reported with its JSON pointer.
    Import {
        /// Do not write: fail when openapi/hss.yaml is not what the sources
        /// build (the whole-service import only).
        #[arg(long, conflicts_with_all = ["operations", "tags", "all", "definition", "out"])]
        check: bool,
        /// The definition to read [default: HSS's, from the pinned
        /// huaweicloud-mcp-server package, fetched into target/upstream/].
        #[arg(long, value_name = "FILE")]
        definition: Option<PathBuf>,
        /// The service of the pinned package to read (without --definition).
        #[arg(long, value_name = "NAME", default_value = xtask::upstream::DEFAULT_SERVICE, conflicts_with = "definition")]
        service: String,
        /// An operation id to import (repeatable).
        #[arg(long = "operation", value_name = "ID")]
        operations: Vec<String>,
        /// Import every operation of a tag: upstream's name or its English
        /// name (repeatable).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Import every operation.
        #[arg(long)]
        all: bool,
        /// Where to write the spec (needed with a selection).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Also write the report as JSON; stderr then gets only the
        /// per-pass summary.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Fetch the pinned huaweicloud-mcp-server and huaweicloudsdkhss wheels
    /// into target/upstream/ (with pip) and verify their sha256; prints
    /// their paths.
    Upstream,
    /// Compare openapi/hss.yaml with the upstream definition: fields added
    /// or removed, types and formats changed, new operations in the tags we
    /// cover.
    Drift {
        /// Exit with 1 when anything drifted.
        #[arg(long)]
        check: bool,
        /// Our spec [default: openapi/hss.yaml].
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
        /// The upstream definition [default: HSS's from the pinned package].
        #[arg(long, value_name = "FILE", conflicts_with = "sdk")]
        definition: Option<PathBuf>,
        /// Compare with the official Python SDK (the pinned
        /// huaweicloudsdkhss wheel) instead: method, path, parameters,
        /// list joining, body and response fields.
        #[arg(long)]
        sdk: bool,
    },
    /// Run the benchmarks: criterion micro benchmarks, the interleaved
    /// micro report, and the end-to-end listing against hss-fake (see
    /// BENCHMARKS.md). Figures are printed, never judged pass/fail.
    Bench {
        /// A run of seconds instead of minutes (skips criterion).
        #[arg(long)]
        quick: bool,
        /// Extra arguments for the end-to-end benchmark (after `--`).
        #[arg(last = true)]
        e2e_args: Vec<String>,
    },
}

/// At most this many diff lines are printed; the rest is summarised.
const MAX_DIFF_LINES: usize = 200;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Task::Generate {
            check,
            spec,
            out,
            crate_dir,
            crate_name,
            interface,
            one_way_serde,
            no_partial_eq,
            lean,
            split,
        } => {
            let spec = spec.unwrap_or_else(default_spec);
            let options = if lean {
                xtask::generate::Options::lean()
            } else {
                let default = xtask::generate::Options::default();
                xtask::generate::Options {
                    interface: interface.unwrap_or(default.interface),
                    one_way_serde,
                    // A crate of its own has no such feature.
                    serde_gates: None,
                    partial_eq: !no_partial_eq,
                    struct_builders: default.struct_builders,
                    // A crate of its own has no `src/send.rs`.
                    shared_send: false,
                    // Nor `src/open_enum.rs`.
                    open_enums: false,
                }
            };
            let result = match crate_dir {
                Some(dir) => run_generate_crate(check, &dir, &spec, || match split {
                    Some(parts) => xtask::standalone::split_crate_files(
                        &spec,
                        &dir,
                        crate_name.as_deref(),
                        &options,
                        parts,
                    ),
                    None => {
                        xtask::standalone::crate_files(&spec, &dir, crate_name.as_deref(), &options)
                    }
                }),
                None => run_generate(check, &spec, &out.unwrap_or_else(default_output)),
            };
            report(result)
        }
        Task::Import {
            check,
            definition,
            service: _,
            operations,
            tags,
            all,
            out,
            report: report_file,
        } if operations.is_empty() && tags.is_empty() && !all && definition.is_none() => report(
            run_whole_import(check, out.as_deref(), report_file.as_deref()),
        ),
        Task::Import {
            definition,
            service,
            operations,
            tags,
            all,
            out,
            report: report_file,
            ..
        } => report(run_import(
            definition.as_deref(),
            &service,
            xtask::import::Selection {
                operations,
                tags,
                all,
            },
            out.as_deref(),
            report_file.as_deref(),
        )),
        Task::Upstream => report(
            [xtask::upstream::DEFINITIONS, xtask::upstream::SDK]
                .iter()
                .map(|pin| pin.ensure().map(|path| println!("{}", path.display())))
                .collect::<anyhow::Result<Vec<()>>>()
                .map(|_| ExitCode::SUCCESS),
        ),
        Task::Drift {
            check,
            spec,
            definition,
            sdk,
        } => report(run_drift(
            check,
            &spec.unwrap_or_else(default_spec),
            definition.as_deref(),
            sdk,
        )),
        Task::Bench { quick, e2e_args } => run_bench(quick, &e2e_args),
    }
}

/// Runs each benchmark step with this cargo; stops at the first failure.
fn run_bench(quick: bool, e2e_args: &[String]) -> ExitCode {
    let quick_flag: &[&str] = if quick { &["--quick"] } else { &[] };
    let mut steps: Vec<Vec<String>> = Vec::new();
    if !quick {
        steps.push(strings(&["bench", "-p", "hss-bench", "--bench", "micro"]));
    }
    let mut report = strings(&[
        "run",
        "--release",
        "-p",
        "hss-bench",
        "--bin",
        "micro-report",
        "--",
    ]);
    report.extend(strings(quick_flag));
    steps.push(report);
    let mut e2e = strings(&["run", "--release", "-p", "hss-bench", "--bin", "e2e", "--"]);
    e2e.extend(strings(quick_flag));
    e2e.extend(e2e_args.iter().cloned());
    steps.push(e2e);

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    for step in steps {
        eprintln!("$ cargo {}", step.join(" "));
        match std::process::Command::new(&cargo)
            .args(&step)
            .current_dir(xtask::workspace_root())
            .status()
        {
            Ok(status) if status.success() => {}
            Ok(status) => {
                eprintln!("error: `cargo {}` failed ({status})", step.join(" "));
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("error: could not run cargo: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Prints an error the way every task does.
fn report(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn definition(path: Option<&Path>, service: &str) -> anyhow::Result<xtask::upstream::Definition> {
    match path {
        Some(path) => xtask::upstream::definition_file(path),
        None => xtask::upstream::pinned_definition(service),
    }
}

/// `cargo xtask import [--check]`: the whole service into openapi/hss.yaml.
fn run_whole_import(
    check: bool,
    out: Option<&Path>,
    notes_file: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    let (yaml, notes) = xtask::import::whole_service()?;
    let out = out.map_or_else(default_spec, Path::to_path_buf);
    if let Some(path) = notes_file {
        std::fs::write(path, notes.join("\n") + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
    } else {
        for note in &notes {
            eprintln!("note: {note}");
        }
    }
    if check {
        let current = std::fs::read_to_string(&out).unwrap_or_default();
        if current != yaml {
            eprintln!(
                "error: {} is not what `cargo xtask import` builds from the pinned sources; run `cargo xtask import`",
                display_path(&out)
            );
            return Ok(ExitCode::FAILURE);
        }
        eprintln!("{} is up to date", display_path(&out));
        return Ok(ExitCode::SUCCESS);
    }
    xtask::write_if_changed(&yaml, &out)?;
    eprintln!("wrote {} ({} note(s))", display_path(&out), notes.len());
    Ok(ExitCode::SUCCESS)
}

fn run_import(
    definition_file: Option<&Path>,
    service: &str,
    selection: xtask::import::Selection,
    out: Option<&Path>,
    report_file: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    let out = out.context("a selection is imported into `--out FILE`")?;
    let def = definition(definition_file, service)?;
    let imported = xtask::import::import(&def, &selection)?;
    let report = &imported.report;
    eprint!("{}", report.render(report_file.is_none()));
    if let Some(path) = report_file {
        let json = serde_json::to_string_pretty(report)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("writing the report {}", path.display()))?;
        eprintln!("wrote the report to {}", display_path(path));
    }
    xtask::write_if_changed(&imported.yaml, out)?;
    eprintln!(
        "wrote {} ({} operation(s), {} change(s) to upstream)",
        display_path(out),
        report.operations.len(),
        report.changes.len()
    );
    if report.problems.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "error: the imported spec still has {} problem(s):",
        report.problems.len()
    );
    for p in &report.problems {
        eprintln!("  {p}");
    }
    Ok(ExitCode::FAILURE)
}

fn run_drift(
    check: bool,
    spec: &Path,
    definition_file: Option<&Path>,
    sdk: bool,
) -> anyhow::Result<ExitCode> {
    let ours = std::fs::read_to_string(spec)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", display_path(spec)))?;
    let (drift, label) = if sdk {
        let pin = xtask::upstream::SDK;
        let facts = xtask::sdk::Sdk::pinned()?;
        (
            xtask::drift::compare_sdk(&ours, &display_path(spec), &facts)?,
            format!("{} {}", pin.package, pin.version),
        )
    } else {
        let def = definition(definition_file, xtask::upstream::DEFAULT_SERVICE)?;
        (
            xtask::drift::compare(&ours, &display_path(spec), &def)?,
            def.label,
        )
    };
    print!("{}", drift.render());
    if drift.is_empty() {
        eprintln!("no drift between {} and {label}", display_path(spec));
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "{} difference(s) between {} and {label}",
        drift.len(),
        display_path(spec),
    );
    Ok(if check {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn run_generate_crate(
    check_only: bool,
    dir: &Path,
    spec: &Path,
    files: impl FnOnce() -> anyhow::Result<Vec<(PathBuf, String)>>,
) -> anyhow::Result<ExitCode> {
    let files = files()?;
    if check_only {
        let mut stale = Vec::new();
        for (path, text) in &files {
            if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
                stale.push(display_path(path));
            }
        }
        if stale.is_empty() {
            eprintln!(
                "{} is up to date with {}",
                display_path(dir),
                display_path(spec)
            );
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("error: stale or missing: {}", stale.join(", "));
        return Ok(ExitCode::FAILURE);
    }
    let mut bytes = 0;
    for (path, text) in &files {
        xtask::write_if_changed(text, path)?;
        bytes += text.len();
    }
    eprintln!(
        "wrote the crate {} ({} files, {bytes} bytes); try it with `cargo check --manifest-path {}/Cargo.toml`",
        display_path(dir),
        files.len(),
        display_path(dir)
    );
    Ok(ExitCode::SUCCESS)
}

fn run_generate(check_only: bool, spec: &Path, out: &Path) -> anyhow::Result<ExitCode> {
    let xtask::groups::CrateFiles { files, extra } = xtask::generate_grouped(spec, out)?;
    let out_label = display_path(out);
    if check_only {
        let mut stale = Vec::new();
        let mut shown = 0;
        for (path, text) in &files {
            match xtask::check(text, path)? {
                xtask::Freshness::UpToDate => continue,
                xtask::Freshness::Missing => {
                    eprintln!("error: {} does not exist", display_path(path));
                }
                xtask::Freshness::Stale(diff) => {
                    let lines: Vec<&str> = diff.lines().collect();
                    for line in lines.iter().take(MAX_DIFF_LINES.saturating_sub(shown)) {
                        eprintln!("{line}");
                    }
                    shown += lines.len();
                    if shown > MAX_DIFF_LINES {
                        eprintln!("... more diff lines of {}", display_path(path));
                    }
                }
            }
            stale.push(display_path(path));
        }
        for path in &extra {
            eprintln!(
                "error: {} is not generated from the spec",
                display_path(path)
            );
            stale.push(display_path(path));
        }
        if stale.is_empty() {
            eprintln!("{out_label} is up to date with {}", display_path(spec));
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "error: {} {} stale: not what {} generates; run `cargo xtask generate` and commit the result",
            stale.join(", "),
            if stale.len() == 1 { "is" } else { "are" },
            display_path(spec),
        );
        return Ok(ExitCode::FAILURE);
    }
    let mut written = Vec::new();
    for (path, text) in &files {
        if xtask::write_if_changed(text, path)? {
            written.push(display_path(path));
        }
    }
    for path in &extra {
        std::fs::remove_file(path)
            .map_err(|e| anyhow::anyhow!("removing {}: {e}", display_path(path)))?;
        written.push(format!("{} (removed)", display_path(path)));
    }
    if written.is_empty() {
        eprintln!("{out_label} is already up to date");
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("wrote {}", written.join(", "));
    if std::path::absolute(out).ok() == std::path::absolute(default_output()).ok() {
        eprintln!(
            "review the API change with `cargo insta test -p hss-api --review` (or `cargo insta review`)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
