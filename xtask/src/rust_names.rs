//! The Rust names progenitor and typify give the names in a spec, for code
//! that finds or names what they generated.

/// A spec name with `'` dropped and every character that cannot be in an
/// identifier made a word break (`-`), as both generators' `sanitize` do
/// before changing the case.
pub fn words(input: &str) -> String {
    input
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// progenitor's name for an operation id or parameter (its `sanitize`) in
/// the given case: `_` before a leading digit, `_` after a keyword.
pub fn progenitor(input: &str, case: fn(&str) -> String) -> String {
    let mut out = case(&words(input));
    if out.is_empty() {
        out = case("x");
    }
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    if syn::parse_str::<syn::Ident>(&out).is_err() {
        out.push('_');
    }
    out
}
