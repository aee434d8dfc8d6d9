//! The `hss` command line as a library: everything the binary
//! (`src/main.rs`) runs, exposed so that tests and the fuzz targets can
//! drive the argument parser and the error reporting without a process.
//!
//! The vulnerability-scan workflow through `hss-ext`: `hss scan-task
//! create|list|wait|hosts` (start a scan, follow it, see where and why it
//! failed), `hss vul list|hosts|stats|set-status|export`, `hss host vuls`
//! and `hss scan-policy show|set`; `hss auth check`; `hss call`, any
//! operation; `hss completion` and `hss man`; and `hss demo`, the
//! workflow against an in-process `hss-fake`. See `hss scan-task hosts
//! --help` for credentials, endpoints, formats and exit codes.
//!
//! Modules: [`args`] (the command line), [`connect`] (client from flags and
//! environment), [`listing`] (any listing: one page or `--all`, every
//! format), [`hosts`], [`scan_tasks`], [`vuls`] and [`policy`] (the
//! commands), [`change`] (confirmation and `--dry-run`), [`waiting`]
//! (progress of a wait), `demo` (with the `demo` feature, on by default),
//! [`diagnostics`] (the libraries' warnings on stderr, `--quiet`),
//! [`exit`] (error lines and exit codes), [`completion`] and [`man`]
//! (shell completion scripts and man pages from the same definitions); inside, `output` (formats and
//! the columns of every record), `summary` (`--summary`) and `progress`
//! (the `--all` bar).
//!
//! ```
//! use clap::Parser;
//! use hss_cli::args::{Cli, Command, ScanTaskCommand};
//!
//! let cli = Cli::try_parse_from(["hss", "scan-task", "hosts", "--task-id", "t", "--all"])?;
//! let Command::ScanTask(ScanTaskCommand::Hosts(args)) = cli.command else { unreachable!() };
//! assert!(args.list.pages.all);
//! assert_eq!(args.list.pages.max_passes, 3, "verifying passes when the task moves");
//!
//! // Errors become one printable line, whatever the server put in them.
//! let error = anyhow::anyhow!("bad\nline").context("listing the hosts of scan task t");
//! assert_eq!(hss_cli::exit::one_line_message(&error), "listing the hosts of scan task t: bad line");
//! # Ok::<(), clap::Error>(())
//! ```

#![warn(missing_docs)]

pub mod args;
pub mod auth;
pub mod call;
mod call_output;
pub mod change;
pub mod completion;
pub mod connect;
#[cfg(feature = "demo")]
pub mod demo;
pub mod diagnostics;
pub mod exit;
pub mod hosts;
pub mod listing;
pub mod man;
mod output;
pub mod policy;
mod progress;
pub mod scan_tasks;
mod summary;
pub mod vuls;
pub mod waiting;
