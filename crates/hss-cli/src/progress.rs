//! The `--all` progress bar: records so far of `total_num`, on stderr, and
//! only when stderr is a terminal (so pipes, files and tests see nothing)
//! and `--quiet` is not given.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar that may be switched off; every method is a no-op then.
#[derive(Debug)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// True when a bar would be drawn: stderr is a terminal, and no
    /// `--quiet`.
    pub fn wanted() -> bool {
        !crate::diagnostics::quiet() && std::io::stderr().is_terminal()
    }

    /// No bar.
    pub fn off() -> Self {
        Progress(None)
    }

    /// A bar on stderr counting `noun` (`hosts`); its length is set from
    /// the first page's `total_num`. [`Progress::off`] when stderr is not a
    /// terminal.
    pub fn items(noun: &'static str) -> Self {
        if !Self::wanted() {
            return Self::off();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_message(noun);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        crate::diagnostics::track(&bar);
        Progress(Some(bar))
    }

    /// The task's size as the latest page reports it (it may change while
    /// the listing runs).
    pub fn set_total(&self, total: Option<u64>) {
        if let (Some(bar), Some(total)) = (&self.0, total)
            && bar.length() != Some(total)
        {
            bar.set_length(total);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
        }
    }

    /// `n` more hosts.
    pub fn add(&self, n: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(n as u64);
        }
    }

    /// Removes the bar from the terminal.
    pub fn clear(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // Also on errors, so the error line is not drawn over.
        self.clear();
    }
}
