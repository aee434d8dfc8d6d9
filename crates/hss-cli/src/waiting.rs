//! Progress of a wait (`--wait`, `hss scan-task wait`) on stderr: on a
//! terminal a spinner with the task's state and host counts, otherwise
//! one line each time the state or the counts change (so a log shows how
//! the task went, without a line per poll). The polling itself, its
//! backoff and its deadline are `hss-ext`'s waiters.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hss_ext::{WaitOptions, WaitProgress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where progress goes: a spinner, lines, or nowhere.
#[derive(Clone)]
pub struct Reporter {
    bar: Option<ProgressBar>,
    last: Arc<Mutex<String>>,
    quiet: bool,
}

impl Reporter {
    /// A spinner when stderr is a terminal, else lines; nothing with
    /// `--quiet`.
    pub fn stderr() -> Self {
        if crate::diagnostics::quiet() {
            return Self::quiet();
        }
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            crate::diagnostics::track(&bar);
            bar
        });
        Reporter {
            bar,
            last: Arc::default(),
            quiet: false,
        }
    }

    /// Nothing at all (the demo prints its own story).
    pub fn quiet() -> Self {
        Reporter {
            bar: None,
            last: Arc::default(),
            quiet: true,
        }
    }

    /// `options` with this reporter as its progress callback and
    /// `timeout` as its deadline.
    pub fn options(&self, options: WaitOptions, timeout: Duration) -> WaitOptions {
        let me = self.clone();
        options
            .timeout(timeout)
            .on_progress(move |progress| me.report(progress))
    }

    fn report(&self, progress: &WaitProgress) {
        if self.quiet {
            return;
        }
        let text = describe(progress);
        match &self.bar {
            Some(bar) => bar.set_message(text),
            None => {
                let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
                if *last != text {
                    let secs = progress.elapsed.as_secs();
                    let _ = writeln!(std::io::stderr(), "{text} ({secs} s)");
                    *last = text;
                }
            }
        }
    }

    /// Removes the spinner.
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        // Only the last clone holds the bar alone; clearing twice is harmless.
        if Arc::strong_count(&self.last) == 1 {
            self.clear();
        }
    }
}

/// `scan task t: running, 120 of 3000 hosts scanned, 5 failed`.
pub fn describe(progress: &WaitProgress) -> String {
    let task = format!(
        "{} {}",
        progress.kind,
        hss_ext::text::one_line(&progress.task_id)
    );
    let Some(state) = &progress.state else {
        return format!("{task}: waiting for the service to list it");
    };
    let state = hss_ext::text::one_line(state);
    match progress.counts {
        Some(c) => {
            let total = c.scanning + c.success + c.failed;
            format!(
                "{task}: {state}, {} of {total} hosts scanned, {} failed",
                c.success + c.failed,
                c.failed
            )
        }
        None => format!("{task}: {state}"),
    }
}
