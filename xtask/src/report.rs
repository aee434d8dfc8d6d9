//! What `cargo xtask import` changed: every change a pass makes to the
//! upstream definition, with the pass's name and the JSON pointer of the
//! place in the upstream document (before paths are re-keyed).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

/// One change one pass made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub pass: &'static str,
    /// JSON pointer into the upstream definition.
    pub pointer: String,
    pub message: String,
}

/// A pass as listed in the report.
#[derive(Debug, Clone, Serialize)]
pub struct PassSummary {
    pub name: &'static str,
    pub about: &'static str,
    pub changes: usize,
}

/// The whole import report (`--report FILE` writes it as JSON).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub definition: String,
    pub operations: Vec<String>,
    /// What reading the definition forgave (a trailing comma), each with
    /// its line and column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub passes: Vec<PassSummary>,
    pub changes: Vec<Change>,
    /// Problems the output still has (empty when the import succeeded).
    pub problems: Vec<String>,
}

impl Report {
    /// The lines for stderr: the warnings, then per pass a heading with its count, then (when
    /// `detail`) each change.
    pub fn render(&self, detail: bool) -> String {
        let mut by_pass: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
        for c in &self.changes {
            by_pass.entry(c.pass).or_default().push(c);
        }
        let mut out = String::new();
        for warning in &self.warnings {
            let _ = writeln!(out, "warning: {warning}");
        }
        for pass in &self.passes {
            let _ = writeln!(
                out,
                "pass {}: {} change(s) — {}",
                pass.name, pass.changes, pass.about
            );
            if detail {
                for c in by_pass.get(pass.name).into_iter().flatten() {
                    let _ = writeln!(
                        out,
                        "  {}: {}",
                        crate::pointer::display(&c.pointer),
                        c.message
                    );
                }
            }
        }
        out
    }
}
