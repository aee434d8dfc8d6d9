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

pub mod args;
pub mod connect;
#[cfg(feature = "demo")]
pub mod demo;
pub mod exit;
pub mod hosts;
mod output;
mod progress;
mod summary;
