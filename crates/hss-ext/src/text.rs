//! Text from a server made safe to print on one line.
//!
//! Host names, error messages and request ids are set by whoever controls
//! the server. Printed as they are, a line break forges a log line and an
//! escape sequence drives the terminal. Everything this workspace prints
//! of such text goes through [`one_line`].

use std::borrow::Cow;

/// `text` with every control character (line breaks, tabs, escape and
/// other C0/C1 codes) replaced by a space; borrowed when there is none.
///
/// ```
/// assert_eq!(hss_ext::text::one_line("web\n01\u{1b}[2J"), "web 01 [2J");
/// assert!(matches!(hss_ext::text::one_line("web-01"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn one_line(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}
