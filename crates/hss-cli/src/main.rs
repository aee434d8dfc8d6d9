//! `hss`: a command-line client for Huawei Cloud Host Security Service.
//!
//! The commands live in the `hss_cli` library (`src/lib.rs`); this file
//! sets up the panic hook, the log lines and the runtime, and maps the outcome to
//! the exit code.

use std::process::ExitCode;

use clap::Parser;

use hss_cli::args::{
    AuthCommand, Cli, Command, HostCommand, ScanPolicyCommand, ScanTaskCommand, VulCommand,
};
#[cfg(feature = "demo")]
use hss_cli::demo;
use hss_cli::{auth, call, completion, diagnostics, exit, hosts, man, policy, scan_tasks, vuls};

/// A listing reads its pages on the runtime's workers and decodes them on
/// the thread that prints them: many small allocations made and freed at
/// a high rate, and every page's body freed on another thread than the
/// one that read it. A 100,000-host `--all` takes about a fifth less CPU
/// with mimalloc than with glibc's malloc (docs/benchmark-log.md, issues
/// #16 and #25).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A bug must still end in one readable line, without a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: internal error (a bug in hss{place}): {message}");
    }));
    // Clap exits with 2 on a usage error and 0 for --help and --version.
    let cli = Cli::parse();
    // What sends nothing (and logs nothing) runs before the log lines are
    // set up and the async runtime starts its threads.
    let offline = match &cli.command {
        Command::Call(args) => call::answer_offline(args),
        Command::Completion(args) => Some(completion::run(args)),
        Command::Man(args) => Some(man::run(args)),
        _ => None,
    };
    if let Some(result) = offline {
        return outcome(result);
    }
    diagnostics::init(cli.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::ScanTask(ScanTaskCommand::Create(args)) => scan_tasks::create(args).await,
            Command::ScanTask(ScanTaskCommand::List(args)) => scan_tasks::list(args).await,
            Command::ScanTask(ScanTaskCommand::Wait(args)) => scan_tasks::wait(args).await,
            Command::ScanTask(ScanTaskCommand::Hosts(args)) => hosts::run(args).await,
            Command::Vul(VulCommand::List(args)) => vuls::list(args).await,
            Command::Vul(VulCommand::Hosts(args)) => vuls::hosts(args).await,
            Command::Vul(VulCommand::Stats(args)) => vuls::stats(args).await,
            Command::Vul(VulCommand::SetStatus(args)) => vuls::set_status(args).await,
            Command::Vul(VulCommand::Export(args)) => vuls::export(args).await,
            Command::Host(HostCommand::Vuls(args)) => vuls::host_vuls(args).await,
            Command::ScanPolicy(ScanPolicyCommand::Show(args)) => policy::show(args).await,
            Command::ScanPolicy(ScanPolicyCommand::Set(args)) => policy::set(args).await,
            Command::Auth(AuthCommand::Check(args)) => auth::run(args).await,
            Command::Call(args) => call::run(args).await,
            #[cfg(feature = "demo")]
            Command::Demo(args) => demo::run(args).await,
            Command::Completion(args) => completion::run(args),
            Command::Man(args) => man::run(args),
        }
    });
    outcome(result)
}

/// The exit code of a command's result, its error reported.
fn outcome(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => exit::report(&error),
    }
}
