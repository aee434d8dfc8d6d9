//! `cargo xtask`: maintainer tasks. See `cargo xtask --help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{Freshness, check, default_output, default_spec, display_path, generate_from};

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
        /// Where to write the client [default: crates/hss-api/src/generated.rs].
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
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
        Task::Generate { check, spec, out } => {
            let spec = spec.unwrap_or_else(default_spec);
            let out = out.unwrap_or_else(default_output);
            match run_generate(check, &spec, &out) {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
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

fn run_generate(check_only: bool, spec: &Path, out: &Path) -> anyhow::Result<ExitCode> {
    let generated = generate_from(spec)?;
    let out_label = display_path(out);
    if check_only {
        return Ok(match check(&generated, out)? {
            Freshness::UpToDate => {
                eprintln!("{out_label} is up to date with {}", display_path(spec));
                ExitCode::SUCCESS
            }
            Freshness::Missing => {
                eprintln!("error: {out_label} does not exist; run `cargo xtask generate`");
                ExitCode::FAILURE
            }
            Freshness::Stale(diff) => {
                let lines: Vec<&str> = diff.lines().collect();
                for line in lines.iter().take(MAX_DIFF_LINES) {
                    eprintln!("{line}");
                }
                if lines.len() > MAX_DIFF_LINES {
                    eprintln!("... {} more diff lines", lines.len() - MAX_DIFF_LINES);
                }
                eprintln!(
                    "error: {out_label} is stale: it differs from what {} generates; run `cargo xtask generate` and commit the result",
                    display_path(spec)
                );
                ExitCode::FAILURE
            }
        });
    }
    if xtask::write_if_changed(&generated, out)? {
        eprintln!("wrote {out_label} ({} bytes)", generated.len());
        eprintln!(
            "review the API change with `cargo insta test -p hss-api --review` (or `cargo insta review`)"
        );
    } else {
        eprintln!("{out_label} is already up to date");
    }
    Ok(ExitCode::SUCCESS)
}
