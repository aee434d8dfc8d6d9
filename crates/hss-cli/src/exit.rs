//! Errors as the user sees them: one `error: ...` line and an exit code.
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success (also when the reader of stdout went away, as with `| head`) |
//! | 1 | the service or the network failed: [`hss_ext::Error::Service`], `Transport`, `ProxyRefused`, `Metadata`, `Decode`, `ResponseTooLarge`, `OffsetCap`, `IncompleteListing`, `Timeout`, writing the output, anything unforeseen |
//! | 2 | usage or configuration: clap's own errors, [`UsageError`] (also a command that changes state without `--yes` off a terminal, or not confirmed), [`hss_ext::Error::InvalidInput`], `Config` (credentials), `Endpoint`, `Refused` (a value that cannot go into a request), `Project` (IAM has no project or several for the region: set one), `NoCredentials` (no source had credentials, the instance metadata service included), `CaBundle` (the `--ca-bundle` file cannot be used) |
//! | 3 | a task waited for ended but failed: [`hss_ext::Error::TaskFailed`] (an export task in state `failure`, a scan task whose every host failed) |
//! | 4 | a wait's deadline passed before the task ended: [`hss_ext::Error::WaitTimeout`] (the task goes on) |
//!
//! [`hss_ext::Error::ProjectDiscovery`] (asking IAM for the project failed)
//! takes the code of its cause.

use std::fmt;
use std::process::ExitCode;

/// Success.
pub const SUCCESS: u8 = 0;
/// The service or the network failed.
pub const FAILURE: u8 = 1;
/// Usage or configuration error (clap uses the same code for its own).
pub const USAGE: u8 = 2;
/// A task waited for (`--wait`, `hss scan-task wait`) ended, but failed.
pub const TASK_FAILED: u8 = 3;
/// A wait's deadline (`--timeout`) passed before the task ended.
pub const WAIT_TIMEOUT: u8 = 4;

/// An error in what the user asked for or configured, found by the CLI
/// itself (for example no endpoint at all). Exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// What to do with an error that ended the command.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Print `error: <message>` and exit with `code`.
    Fail {
        /// The exit code.
        code: u8,
        /// One line, without the `error: ` prefix.
        message: String,
    },
    /// Exit quietly with success: stdout was closed by its reader.
    ReaderGone,
}

/// Classifies an error by the first cause in its chain that says what it is.
pub fn outcome(error: &anyhow::Error) -> Outcome {
    let mut code = FAILURE;
    for cause in error.chain() {
        if cause.downcast_ref::<UsageError>().is_some() {
            code = USAGE;
            break;
        }
        if let Some(failed) = cause.downcast_ref::<crate::auth::CheckFailed>() {
            code = failed.code;
            break;
        }
        if let Some(error) = cause.downcast_ref::<hss_ext::Error>() {
            code = hss_error_code(error);
            break;
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return Outcome::ReaderGone;
        }
    }
    Outcome::Fail {
        code,
        message: one_line_message(error),
    }
}

/// The exit code for an `hss-ext` error: 2 for what the user can fix in the
/// command or its configuration, 1 for what the service or network did.
pub fn hss_error_code(error: &hss_ext::Error) -> u8 {
    use hss_ext::Error as E;
    match error {
        E::InvalidInput { .. }
        | E::Config { .. }
        | E::Endpoint(_)
        | E::Refused { .. }
        | E::Project(_)
        | E::NoCredentials { .. }
        | E::CaBundle { .. } => USAGE,
        E::ProjectDiscovery { source, .. } => hss_error_code(source),
        E::TaskFailed { .. } => TASK_FAILED,
        E::WaitTimeout { .. } => WAIT_TIMEOUT,
        E::Transport { .. }
        | E::Service(_)
        | E::Decode { .. }
        | E::ResponseTooLarge { .. }
        | E::OffsetCap { .. }
        | E::IncompleteListing(_) => FAILURE,
        _ => FAILURE,
    }
}

/// The error and its causes on one line, joined with `: `. A cause whose
/// text an earlier part already contains is left out (`hss-ext` errors
/// repeat their source's text), and line breaks become spaces. Library
/// errors that name a setting are said with the flag that sets it
/// ([`in_cli_words`]); a [`Hint`] comes last, after `; `.
pub fn one_line_message(error: &anyhow::Error) -> String {
    let hint = error.downcast_ref::<Hint>();
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let cause = cause
            .downcast_ref::<hss_ext::Error>()
            .and_then(in_cli_words)
            .unwrap_or_else(|| cause.to_string());
        let text = hss_ext::text::one_line(&cause).trim().to_owned();
        if text.is_empty()
            || hint.is_some_and(|h| h.0 == text)
            || parts.iter().any(|p| p.contains(&text))
        {
            continue;
        }
        parts.push(text);
    }
    let mut line = parts.join(": ");
    if let Some(hint) = hint {
        line.push_str("; ");
        line.push_str(&hint.0);
    }
    line
}

/// What to run next, said after the error (`list the scan tasks with: hss
/// scan-task list`); attach it with `anyhow::Error::context`.
#[derive(Debug)]
pub struct Hint(pub String);

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The text of a library error that names a setting by its library name
/// (a custom endpoint, the client's project id), with the flag instead;
/// `None` when the library's text is right as it is.
pub fn in_cli_words(error: &hss_ext::Error) -> Option<String> {
    use hss_ext::hss_auth::EndpointError as E;
    use hss_ext::hss_auth::endpoint::CUSTOM_ENDPOINT;
    use hss_ext::hss_auth::iam::WHERE_TO_SET_PROJECT_ID;
    let setting = |origin: &str| {
        if origin == CUSTOM_ENDPOINT {
            "--endpoint".to_owned()
        } else {
            origin.to_owned()
        }
    };
    match error {
        hss_ext::Error::Endpoint(E::InsecureHttp { origin, host }) => Some(format!(
            "configuration: {}: plain http to {host} would send signed requests and results in clear; use https (hss sends plain http only to a loopback host, such as a local hss-fake)",
            setting(origin)
        )),
        hss_ext::Error::Endpoint(E::UnknownRegion {
            region,
            suggestions,
            override_var,
        }) => Some(format!(
            "configuration: unknown HSS region `{region}`; closest known: {}. Or set {override_var} to the endpoint URL, or pass --endpoint URL",
            suggestions.join(", ")
        )),
        hss_ext::Error::Endpoint(_) => {
            let text = error.to_string();
            let library = format!("{CUSTOM_ENDPOINT}: ");
            text.contains(&library)
                .then(|| text.replacen(&library, "--endpoint: ", 1))
        }
        hss_ext::Error::Project(project) => {
            let text = project.to_string();
            text.contains(WHERE_TO_SET_PROJECT_ID).then(|| {
                text.replace(
                    WHERE_TO_SET_PROJECT_ID,
                    "--project-id, HUAWEICLOUD_SDK_PROJECT_ID, or `project_id` in the credentials file",
                )
            })
        }
        _ => None,
    }
}

/// Prints the error (if any) and turns it into the process exit code.
pub fn report(error: &anyhow::Error) -> ExitCode {
    match outcome(error) {
        Outcome::ReaderGone => ExitCode::from(SUCCESS),
        Outcome::Fail { code, message } => {
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn input_and_configuration_errors_are_usage_errors() {
        let invalid = hss_ext::Error::InvalidInput {
            parameter: "task_id",
            reason: "must not be empty".into(),
        };
        let err = Err::<(), _>(invalid)
            .context("listing the hosts of scan task ''")
            .unwrap_err();
        assert_eq!(
            outcome(&err),
            Outcome::Fail {
                code: USAGE,
                message: "listing the hosts of scan task '': invalid task_id: must not be empty"
                    .into()
            }
        );

        let config = anyhow::Error::new(hss_ext::Error::Config {
            message: "no credentials found: set HUAWEICLOUD_SDK_AK".into(),
        });
        assert!(matches!(
            outcome(&config),
            Outcome::Fail { code: USAGE, .. }
        ));

        let usage = anyhow::Error::new(UsageError("no endpoint".into())).context("connecting");
        assert_eq!(
            outcome(&usage),
            Outcome::Fail {
                code: USAGE,
                message: "connecting: no endpoint".into()
            }
        );
    }

    #[test]
    fn listing_errors_are_failures() {
        let cap = anyhow::Error::new(hss_ext::Error::OffsetCap {
            offset: 2_000_200,
            total_num: 3_000_000,
            max_offset: 2_000_000,
        });
        assert!(matches!(outcome(&cap), Outcome::Fail { code: FAILURE, .. }));
        let short = anyhow::Error::new(hss_ext::Error::IncompleteListing(Box::new(
            hss_ext::ListingDrift {
                passes: 3,
                empty_page_at: Some(400),
                total_before: Some(500),
                total_after: Some(500),
                request_id: Some("r-9".into()),
                ..Default::default()
            },
        )));
        match outcome(&short) {
            Outcome::Fail { code, message } => {
                assert_eq!(code, FAILURE);
                assert!(message.contains("(request id r-9)"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let other = anyhow::anyhow!("something else");
        assert!(matches!(
            outcome(&other),
            Outcome::Fail { code: FAILURE, .. }
        ));
    }

    #[test]
    fn waits_that_fail_or_run_out_have_codes_of_their_own() {
        let failed = anyhow::Error::new(hss_ext::Error::TaskFailed {
            kind: hss_ext::TaskKind::Export,
            task_id: "t".into(),
            state: "failure".into(),
            detail: "the export failed".into(),
        })
        .context("waiting for export task t");
        assert!(matches!(
            outcome(&failed),
            Outcome::Fail {
                code: TASK_FAILED,
                ..
            }
        ));
        let late = anyhow::Error::new(hss_ext::Error::WaitTimeout {
            kind: hss_ext::TaskKind::ScanTask,
            task_id: "t".into(),
            last_state: Some("running".into()),
            timeout: std::time::Duration::from_secs(5),
            polls: 3,
        });
        match outcome(&late) {
            Outcome::Fail { code, message } => {
                assert_eq!(code, WAIT_TIMEOUT);
                assert!(message.contains("running"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_closed_stdout_ends_quietly() {
        let err = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing the output");
        assert_eq!(outcome(&err), Outcome::ReaderGone);
    }

    #[test]
    fn messages_are_one_line_without_repeats() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "connection failed: {}", self.0)
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let err =
            anyhow::Error::new(Outer(std::io::Error::other("refused\nby peer"))).context("listing");
        assert_eq!(
            one_line_message(&err),
            "listing: connection failed: refused by peer"
        );
    }
}
