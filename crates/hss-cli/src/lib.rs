//! The `hss` command line as a library: everything the binary
//! (`src/main.rs`) runs, exposed so that tests and the fuzz targets can
//! drive the argument parser and the error reporting without a process.
//!
//! `hss scan-task hosts` lists the hosts of a vulnerability scan task
//! (`ListVulScanTaskHost`) through `hss-ext`; `hss demo` does the same
//! against an in-process `hss-fake`. See `hss scan-task hosts --help` for
//! credentials, endpoints, formats and exit codes.
//!
//! Modules: [`args`] (the command line), [`connect`] (client from flags and
//! environment), [`hosts`] (the listing), `demo` (with the `demo` feature,
//! on by default), [`exit`] (error lines
//! and exit codes); inside, `output` (formats), `summary` (`--summary`) and
//! `progress` (the `--all` bar).
//!
//! ```
//! use clap::Parser;
//! use hss_cli::args::{Cli, Command, ScanTaskCommand};
//!
//! let cli = Cli::try_parse_from(["hss", "scan-task", "hosts", "--task-id", "t", "--all"])?;
//! let Command::ScanTask(ScanTaskCommand::Hosts(args)) = cli.command else { unreachable!() };
//! assert!(args.all);
//! assert_eq!(args.max_passes, 3, "verifying passes when the task moves");
//!
//! // Errors become one printable line, whatever the server put in them.
//! let error = anyhow::anyhow!("bad\nline").context("listing the hosts of scan task t");
//! assert_eq!(hss_cli::exit::one_line_message(&error), "listing the hosts of scan task t: bad line");
//! # Ok::<(), clap::Error>(())
//! ```

#![warn(missing_docs)]

pub mod args;
pub mod auth;
pub mod connect;
#[cfg(feature = "demo")]
pub mod demo;
pub mod exit;
pub mod hosts;
mod output;
mod progress;
mod summary;
