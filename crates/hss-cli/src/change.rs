//! Commands that change state (`hss scan-task create`, `hss vul
//! set-status`, `hss scan-policy set`) and the export's dry run: asking
//! first, and `--dry-run`.
//!
//! - **Confirmation**: on a terminal (stdin), the command says what it is
//!   about to do on stderr and reads the answer; only `y` or `yes` goes on.
//!   Otherwise it needs `--yes`: without it, [`precheck`] stops the command
//!   before anything is built or sent, with exit code 2. Not confirmed at
//!   the prompt is exit code 2 too, and nothing is sent.
//! - **Dry run**: the request is built and signed by `hss-ext` exactly as
//!   it would be sent ([`HssClient::preview`]), then printed on stdout
//!   (method and URL, headers, body) with every secret redacted (the
//!   signature, tokens, the security token) and not sent. It needs no
//!   `--yes`. The client is built without the CLI's up-front checks that
//!   talk to the network; to sign the preview `hss-ext` still fetches
//!   temporary credentials from the instance metadata service when they
//!   come from there, and asks IAM for a project id that is to be
//!   discovered. With a project id and AK/SK or a token, nothing at all
//!   leaves the machine.

use std::future::Future;
use std::io::{self, BufRead, IsTerminal, Write};

use anyhow::{Context, Result};
use hss_ext::HssClient;

use crate::args::{ChangeArgs, ConnectionArgs};
use crate::connect;
use crate::exit::UsageError;

/// What a command that changes state does once its arguments are read.
#[derive(Debug, PartialEq, Eq)]
pub enum Mode {
    /// Build and print the request, send nothing.
    DryRun,
    /// Send it (after confirmation on a terminal).
    Send,
}

/// Before anything else: a dry run, or a command allowed to go on. Off a
/// terminal without `--yes` this is the usage error that ends the
/// command (exit code 2), before any request.
pub fn precheck(change: &ChangeArgs, action: &str) -> Result<Mode> {
    if change.dry_run {
        return Ok(Mode::DryRun);
    }
    if change.yes || io::stdin().is_terminal() {
        return Ok(Mode::Send);
    }
    Err(UsageError(format!(
        "not confirmed: hss would {action}, but stdin is not a terminal, so it cannot ask; pass --yes to confirm, or --dry-run to see the request; nothing was sent"
    ))
    .into())
}

/// With `--yes` nothing; on a terminal, asks on stderr whether to
/// `action` (shown with where it goes) and reads the answer from stdin.
pub fn confirm(change: &ChangeArgs, client: &HssClient, action: &str) -> Result<()> {
    if change.yes {
        return Ok(());
    }
    let project = client.project_id().unwrap_or("(to be discovered)");
    let mut stderr = io::stderr().lock();
    write!(
        stderr,
        "hss will {action} in project {project} at {}.\nContinue? [y/N] ",
        client.endpoint()
    )
    .and_then(|()| stderr.flush())
    .context("asking for confirmation")?;
    drop(stderr);
    let mut answer = String::new();
    io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("reading the answer")?;
    if is_yes(&answer) {
        Ok(())
    } else {
        Err(UsageError("not confirmed: nothing was sent".into()).into())
    }
}

/// `y` or `yes`, in any case, around spaces.
pub fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// The client of a dry run: built from the flags, without the up-front
/// credential fetch and project question of [`connect::client`].
pub fn dry_run_client(connection: &ConnectionArgs) -> Result<HssClient> {
    connect::build(connection)
}

/// Prints the request `call` would send, on `out`, and sends nothing.
pub async fn print_preview<F, Fut, T>(
    client: &HssClient,
    what: &str,
    out: &mut dyn Write,
    call: F,
) -> Result<()>
where
    F: FnOnce(HssClient) -> Fut,
    Fut: Future<Output = Result<T, hss_ext::Error>>,
{
    let preview = client
        .preview(call)
        .await
        .with_context(|| format!("{what} (dry run)"))?;
    writeln!(out, "# dry run: {what}; this request was NOT sent")
        .and_then(|()| write!(out, "{preview}"))
        .and_then(|()| out.flush())
        .context("writing the output")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_confirms() {
        for yes in ["y", "Y", "yes", " YES \n", "Yes\r\n"] {
            assert!(is_yes(yes), "{yes:?}");
        }
        for no in ["", "\n", "n", "no", "yep", "y y", "ja"] {
            assert!(!is_yes(no), "{no:?}");
        }
    }

    #[test]
    fn a_dry_run_needs_no_confirmation() {
        let change = ChangeArgs {
            yes: false,
            dry_run: true,
        };
        assert_eq!(precheck(&change, "x").unwrap(), Mode::DryRun);
        let change = ChangeArgs {
            yes: true,
            dry_run: false,
        };
        assert_eq!(precheck(&change, "x").unwrap(), Mode::Send);
    }
}
