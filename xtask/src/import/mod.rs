//! `cargo xtask import`: a Huawei API definition (the RPC-style OpenAPI 3.0
//! files of the `huaweicloud-mcp-server` package) in, an OpenAPI 3.0.3 spec
//! in this project's form out.
//!
//! One pipeline, one module per job:
//!
//! 1. [`read`]: the definition as JSON, its operations and tags, and the
//!    selection (every other operation is removed first);
//! 2. `repair`: every change to upstream is one named pass of [`PASSES`],
//!    run in order, each reporting each change with the JSON pointer of the
//!    place in the upstream document, so nothing is altered silently;
//! 3. [`text`]: our English words (tag names, summaries, response
//!    descriptions) in place of upstream's, which are not copied;
//! 4. `emit`: the YAML out.
//!
//! The result is checked with the generator's own checks
//! ([`crate::spec::load_value`]) before it is written. Every part walks the
//! document's operations with [`crate::pointer::operations`] and asks
//! [`crate::keywords`] about schema keywords.

mod emit;
mod places;
pub mod read;
mod repair;
pub mod service;
mod summary;
pub mod text;

pub use repair::PASSES;

use std::collections::BTreeSet;

use anyhow::bail;
use serde_json::Value;

use crate::report::{Change, PassSummary, Report};
use crate::spec::SpecProblem;
use crate::upstream::Definition;

/// Which operations to import.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Operation ids, exactly as upstream spells them.
    pub operations: Vec<String>,
    /// Upstream tag names, or their English names ([`text::HSS_TAGS`]).
    pub tags: Vec<String>,
    pub all: bool,
}

/// A normalisation pass.
pub struct Pass {
    pub name: &'static str,
    pub about: &'static str,
    pub run: fn(&mut Ctx),
}

/// The document being imported and what the passes report.
pub struct Ctx {
    pub doc: Value,
    pub label: String,
    pass: &'static str,
    /// What reading forgave (a JSON slip), each naming its place.
    warnings: Vec<String>,
    changes: Vec<Change>,
    /// Problems a pass cannot repair; the import fails with them.
    pub problems: Vec<SpecProblem>,
    /// Pointers of operations that had an auth header parameter.
    pub authenticated: BTreeSet<String>,
}

impl Ctx {
    /// Records a change at `pointer` (into the upstream document).
    pub fn change(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.changes.push(Change {
            pass: self.pass,
            pointer: pointer.into(),
            message: message.into(),
        });
    }

    /// Records a problem the import cannot repair.
    pub fn problem(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.problems.push(SpecProblem {
            location: crate::pointer::display(&pointer.into()).to_string(),
            message: format!("{}: {}", self.pass, message.into()),
        });
    }
}

/// What an import produced.
pub struct Imported {
    /// The spec, as YAML text with a header comment.
    pub yaml: String,
    pub report: Report,
}

/// Imports the selected operations of `definition`. Fails when the
/// definition cannot be read or the selection names nothing; problems the
/// result still has (that the generator would refuse) are in the report's
/// `problems`.
pub fn import(definition: &Definition, selection: &Selection) -> anyhow::Result<Imported> {
    let (ctx, summaries, selected) = run(definition, selection, &[])?;
    let mut problems: Vec<String> = ctx.problems.iter().map(ToString::to_string).collect();
    text::foreign_text(&ctx.doc, &mut problems);
    if problems.is_empty()
        && let Err(found) = crate::spec::load_value(ctx.doc.clone())
    {
        problems.extend(found.0.iter().map(|p| format!("in the imported spec: {p}")));
    }
    let mut operations: Vec<String> = selected.iter().map(|(_, id)| id.clone()).collect();
    operations.sort();
    let report = Report {
        definition: definition.label.clone(),
        operations,
        warnings: ctx.warnings,
        passes: summaries,
        changes: ctx.changes,
        problems,
    };
    let yaml = emit::to_yaml(&ctx.doc, &definition.label)?;
    Ok(Imported { yaml, report })
}

/// The selected operations after every pass but those named in `skip`, as a
/// document (for `cargo xtask drift`, which compares formats the leniency
/// pass would remove).
pub fn normalise(
    definition: &Definition,
    selection: &Selection,
    skip: &[&str],
) -> anyhow::Result<Value> {
    Ok(run(definition, selection, skip)?.0.doc)
}

type Run = (Ctx, Vec<PassSummary>, Vec<(String, String)>);

fn run(definition: &Definition, selection: &Selection, skip: &[&str]) -> anyhow::Result<Run> {
    let (doc, warnings) = read::parse(definition)?;
    let upstream_ops = read::operations(&doc);
    if upstream_ops.is_empty() {
        bail!("{}: no operations under `/paths`", definition.label);
    }
    let selected = read::select(&doc, &upstream_ops, selection)
        .map_err(|e| anyhow::anyhow!("{}: {e}", definition.label))?;
    let mut ctx = Ctx {
        doc,
        label: definition.label.clone(),
        pass: "select",
        warnings,
        changes: Vec::new(),
        problems: Vec::new(),
        authenticated: BTreeSet::new(),
    };
    read::keep_only(&mut ctx, &selected);
    let mut summaries = Vec::new();
    for pass in PASSES.iter().filter(|p| !skip.contains(&p.name)) {
        ctx.pass = pass.name;
        let before = ctx.changes.len();
        (pass.run)(&mut ctx);
        summaries.push(PassSummary {
            name: pass.name,
            about: pass.about,
            changes: ctx.changes.len() - before,
        });
    }
    Ok((ctx, summaries, selected))
}

/// The files of the whole-service import, relative to the workspace.
pub const REVIEWED: &str = "openapi/reviewed.yaml";
pub const GROUPS: &str = "openapi/groups.yaml";

/// `openapi/hss.yaml` as `cargo xtask import` builds it: the pinned SDK's
/// operations with the pinned definition's limits, `openapi/reviewed.yaml`
/// and `openapi/groups.yaml` ([`service`]). Also returns what the build
/// noticed.
pub fn whole_service() -> anyhow::Result<(String, Vec<String>)> {
    let root = crate::workspace_root();
    let sdk = crate::sdk::Sdk::pinned()?;
    let definition = crate::upstream::pinned_definition(crate::upstream::DEFAULT_SERVICE)?;
    let normalised = normalise(
        &definition,
        &Selection {
            all: true,
            ..Selection::default()
        },
        &[],
    )?;
    let reviewed_text = std::fs::read_to_string(root.join(REVIEWED))
        .map_err(|e| anyhow::anyhow!("reading {REVIEWED}: {e}"))?;
    let reviewed: Value = serde_norway::from_str(&reviewed_text)
        .map_err(|e| anyhow::anyhow!("{REVIEWED} is not YAML: {e}"))?;
    let groups = service::Groups::load(&root.join(GROUPS))?;
    let provenance = format!(
        "Every operation of Huawei Cloud's Host Security Service (HSS) API v5 that the official SDK {sdk_pkg} {sdk_ver} has. Built by `cargo xtask import` from that SDK (the wire: operations, parameters, models), Huawei's definition in {def_pkg} {def_ver} (limits and known values), {REVIEWED} (the reviewed operations, written and checked by hand) and {GROUPS}. Summaries and descriptions are ours; see openapi/README.md for which source wins where. Enumerated strings list their known values in `x-known-values`; the type stays an open string.\n",
        sdk_pkg = crate::upstream::SDK.package,
        sdk_ver = crate::upstream::SDK.version,
        def_pkg = crate::upstream::DEFINITIONS.package,
        def_ver = crate::upstream::DEFINITIONS.version,
    );
    let (doc, notes) = service::build(&service::Sources {
        sdk: &sdk,
        definition: &normalised,
        reviewed: &reviewed,
        groups: &groups,
        provenance: &provenance,
    })?;
    if let Err(problems) = crate::spec::load_value(doc.clone()) {
        let list: Vec<String> = problems
            .0
            .iter()
            .take(40)
            .map(ToString::to_string)
            .collect();
        bail!(
            "the built spec has {} problem(s):\n{}",
            problems.0.len(),
            list.join("\n")
        );
    }
    let label = format!(
        "{} {}, {} {} (HSS), {REVIEWED} and {GROUPS}",
        crate::upstream::SDK.package,
        crate::upstream::SDK.version,
        crate::upstream::DEFINITIONS.package,
        crate::upstream::DEFINITIONS.version
    );
    Ok((emit::to_yaml(&doc, &label)?, notes.0))
}
