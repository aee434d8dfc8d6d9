//! The pinned upstream wheels, for the tests that read them.

use std::io::Write as _;
use std::path::PathBuf;

use xtask::upstream::Pin;

/// The variable that skips the tests needing a pinned wheel, on purpose.
pub const SKIP: &str = "HSS_SKIP_UPSTREAM";

/// `pin`'s wheel, fetched (with pip, from PyPI) and checked against its
/// hash when it is not cached yet; `None`, after a note, when [`SKIP`] asks
/// to skip. Anything else that keeps it away fails `test`, saying what to
/// do: a test that needs the wheel never passes without it.
pub fn pinned_wheel(pin: &Pin, test: &str) -> Option<PathBuf> {
    if std::env::var_os(SKIP).is_some_and(|v| v == "1") {
        // Straight to stderr: libtest captures the output of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "note: {test} SKIPPED on purpose ({SKIP}=1): nothing was checked"
        );
        return None;
    }
    match pin.ensure() {
        Ok(path) => Some(path),
        Err(e) => panic!(
            "{test} needs {} {}: {e:#}\nRun `cargo xtask upstream` where python3 and PyPI are at hand, \
             or skip the tests that need it on purpose with {SKIP}=1.",
            pin.package, pin.version
        ),
    }
}
