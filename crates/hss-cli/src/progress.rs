//! The `--all` progress bar: hosts so far of `total_num`, on stderr, and
//! only when stderr is a terminal (so pipes, files and tests see nothing).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar that may be switched off; every method is a no-op then.
#[derive(Debug)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// True when a bar would be drawn: stderr is a terminal.
    pub fn wanted() -> bool {
        std::io::stderr().is_terminal()
    }

    /// No bar.
    pub fn off() -> Self {
        Progress(None)
    }

    /// A bar on stderr counting hosts up to `total` (a spinner when the
    /// total is not known); [`Progress::off`] when stderr is not a terminal.
    pub fn hosts(total: Option<u64>) -> Self {
        if !Self::wanted() {
            return Self::off();
        }
        let bar = match total {
            Some(total) => {
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template("{bar:30} {pos}/{len} hosts ({elapsed})")
                        .expect("the template is valid"),
                );
                bar
            }
            None => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {pos} hosts ({elapsed})")
                        .expect("the template is valid"),
                );
                bar
            }
        };
        Progress(Some(bar))
    }

    /// One more host.
    pub fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
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
