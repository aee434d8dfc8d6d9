//! Where the libraries' log events go. By default their warnings and
//! errors (a clock skew corrected, a retry quota spent, a listing that
//! could not be made complete, ...) reach stderr as one plain line each,
//! `warning: <message> <fields>`, because they are what a shell user needs
//! to know and nothing else would tell them. `RUST_LOG` replaces that with
//! tracing's full format, filtered as it says (`hss_ext=debug` traces
//! every request); `--quiet` drops the default lines, as cargo's `-q`
//! leaves its `CARGO_LOG` alone.
//!
//! Every line is written with the progress bar, when one is drawn, lifted
//! out of the way and redrawn after it, so the two never share a line.

use std::fmt::{self, Write as _};
use std::io::{self, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, WeakProgressBar};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// The crates whose warnings are shown by default: this project's. Other
/// crates' (rustls, hyper) say in their words what an error line says
/// better.
const OWN_CRATES: [&str; 5] = ["hss_api", "hss_auth", "hss_ext", "hss_fake", "hss_cli"];

/// `--quiet`: no warnings and no progress on stderr.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Whether `--quiet` was given: progress is not drawn either.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Installs the subscriber for this process: `RUST_LOG` when set (and
/// valid), else the plain lines unless `quiet`.
pub fn init(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        tracing_subscriber::fmt()
            .with_writer(|| AboveTheBar)
            .with_env_filter(filter)
            .init();
        return;
    }
    if quiet {
        return;
    }
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .event_format(Plain)
                .with_writer(|| AboveTheBar)
                .with_filter(default_filter()),
        )
        .init();
}

/// Warnings and errors of [`OWN_CRATES`], except the one the CLI says
/// itself in its own words (`--ignore-ssl-verification`, see `connect`).
fn default_filter() -> Targets {
    OWN_CRATES
        .iter()
        .fold(Targets::new(), |targets, krate| {
            targets.with_target(*krate, LevelFilter::WARN)
        })
        .with_target(IGNORED_SSL_TARGET, LevelFilter::OFF)
}

/// The module of `hss-ext` that warns when certificates are not checked.
const IGNORED_SSL_TARGET: &str = "hss_ext::tls";

/// One line per event: `warning: <message> <field>=<value> ...`, without
/// time, level padding, target, spans or colours, and with line breaks and
/// other control characters of the values (a server's text) as spaces.
struct Plain;

impl<S, N> FormatEvent<S, N> for Plain
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = Line::default();
        event.record(&mut line);
        let text = format!("{}{}", line.message, line.fields);
        writeln!(
            writer,
            "{}: {}",
            prefix(*event.metadata().level()),
            hss_ext::text::one_line(text.trim())
        )
    }
}

/// `error` and `warning` as the CLI's own lines say them.
fn prefix(level: Level) -> &'static str {
    match level {
        Level::ERROR => "error",
        Level::WARN => "warning",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

/// An event's message and its other fields as ` name=value`.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

/// The progress bar drawn now, if any: lines are written around it.
static BAR: Mutex<Option<WeakProgressBar>> = Mutex::new(None);

/// Makes `bar` the one that log lines lift out of the way while they are
/// written (the latest bar wins: one is drawn at a time).
pub(crate) fn track(bar: &ProgressBar) {
    *BAR.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar.downgrade());
}

/// stderr, with the tracked progress bar suspended around each write.
struct AboveTheBar;

impl Write for AboveTheBar {
    /// tracing-subscriber writes each formatted event with one `write_all`,
    /// so a line is written whole while the bar is away.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let bar = BAR
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .and_then(WeakProgressBar::upgrade)
            .filter(|bar| !bar.is_finished());
        let write = || io::stderr().lock().write_all(buf);
        match bar {
            Some(bar) => bar.suspend(write)?,
            None => write()?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_shows_this_projects_warnings_only() {
        let filter = default_filter();
        let shown = |target: &str, level: Level| filter.would_enable(target, &level);
        assert!(shown("hss_ext::auth", Level::WARN));
        assert!(shown("hss_ext::call", Level::ERROR));
        assert!(shown("hss_auth", Level::WARN));
        assert!(!shown("hss_ext::call", Level::INFO), "info is RUST_LOG's");
        assert!(!shown("rustls::common_state", Level::WARN));
        assert!(
            !shown(IGNORED_SSL_TARGET, Level::WARN),
            "the CLI says it itself"
        );
    }
}
