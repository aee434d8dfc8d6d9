//! `cargo xtask import`: a Huawei API definition (the RPC-style OpenAPI 3.0
//! files of the `huaweicloud-mcp-server` package) in, an OpenAPI 3.0.3 spec
//! in this project's form out.
//!
//! The definition is read as plain JSON, the chosen operations are kept,
//! and then every change is made by one named pass of [`PASSES`], in order.
//! Each pass reports each change with the JSON pointer of the place in the
//! upstream document, so nothing is altered silently. The result is checked
//! with the generator's own checks ([`crate::spec::load_value`]) before it
//! is written.

pub mod passes;
pub mod text;

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

/// Every pass, in the order it runs.
pub const PASSES: &[Pass] = &[
    Pass {
        name: "swagger2-headers",
        about: "a response header with `type` and no `schema` (Swagger 2) gets a `schema`",
        run: passes::swagger2_headers,
    },
    Pass {
        name: "parameter-type",
        about: "a parameter object carrying a `type` beside its `schema` loses the stray `type`",
        run: passes::parameter_type,
    },
    Pass {
        name: "dangling-refs",
        about: "a parameter `$ref` to nothing is removed; a schema `$ref` to nothing becomes any JSON value",
        run: passes::dangling_refs,
    },
    Pass {
        name: "auth-headers",
        about: "`X-Auth-Token` and `X-Security-Token` header parameters become the `token` and `aksk` security schemes",
        run: passes::auth_headers,
    },
    Pass {
        name: "content-type-header",
        about: "a `Content-Type` header parameter is removed; the request body's media type says it",
        run: passes::content_type_header,
    },
    Pass {
        name: "scalar-objects",
        about: "`type: object` without properties but with a scalar's format, keywords or example gets the scalar's type; with `items`, `type: array`",
        run: passes::scalar_objects,
    },
    Pass {
        name: "format-without-type",
        about: "a schema with a `format` and no `type` gets the type the format implies",
        run: passes::format_without_type,
    },
    Pass {
        name: "boolean-format",
        about: "a numeric `format` on a `boolean` is dropped",
        run: passes::boolean_format,
    },
    Pass {
        name: "file-downloads",
        about: "`type: file` (Swagger 2) becomes a binary `application/octet-stream` body",
        run: passes::file_downloads,
    },
    Pass {
        name: "timestamps",
        about: "`format: date-time` on millisecond timestamps becomes `integer`/`int64`; other date and uuid formats become plain strings (no chrono or uuid dependency)",
        run: passes::timestamps,
    },
    Pass {
        name: "default-types",
        about: "a `default` of the wrong type (an integer default on a string) is converted, or dropped when it cannot be",
        run: passes::default_types,
    },
    Pass {
        name: "required-properties",
        about: "`required` names that are not properties are dropped",
        run: passes::required_properties,
    },
    Pass {
        name: "no-op-constraints",
        about: "`minLength: 0`, `minItems: 0` and match-anything patterns (`^.*$`) are dropped",
        run: passes::no_op_constraints,
    },
    Pass {
        name: "upstream-text",
        about: "upstream descriptions, summaries and titles are not copied: summaries become the operation id, tags get English names, responses a neutral description; examples with non-ASCII text are dropped",
        run: passes::upstream_text,
    },
    Pass {
        name: "shared-parameter-schemas",
        about: "a constrained schema that several parameters or request properties of the same name repeat becomes one component schema, so the client has one validating type instead of one per place",
        run: passes::shared_parameter_schemas,
    },
    Pass {
        name: crate::leniency::NAME,
        about: crate::leniency::ABOUT,
        run: passes::response_leniency,
    },
    Pass {
        name: "inline-scalars",
        about: "a `$ref` to a component that is a plain scalar (or an array of them) with no constraints is replaced by the scalar, so it is a `String` or `i64` field rather than a newtype",
        run: passes::inline_scalars,
    },
    Pass {
        name: "examples",
        about: "examples and defaults that do not match their schema are dropped",
        run: passes::examples,
    },
    Pass {
        name: "prune-components",
        about: "components no imported operation reaches are removed",
        run: passes::prune_components,
    },
    Pass {
        name: "rpc-paths",
        about: "RPC-style paths (`/ListVulScanTaskHost`) become the real path and method from `x-url` and `x-method`; servers come from `info.x-host`; the document becomes OpenAPI 3.0.3",
        run: passes::rpc_paths,
    },
];

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
    foreign_text(&ctx.doc, &mut String::new(), &mut problems);
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
        passes: summaries,
        changes: ctx.changes,
        problems,
    };
    let yaml = passes::to_yaml(&ctx.doc, &definition.label)?;
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
    let doc: Value = serde_json::from_str(&definition.text).map_err(|e| {
        anyhow::anyhow!(
            "{}: line {} column {}: not valid JSON: {e}",
            definition.label,
            e.line(),
            e.column()
        )
    })?;
    let upstream_ops = passes::operations(&doc);
    if upstream_ops.is_empty() {
        bail!("{}: no operations under `/paths`", definition.label);
    }
    let selected = select(&doc, &upstream_ops, selection)
        .map_err(|e| anyhow::anyhow!("{}: {e}", definition.label))?;
    let mut ctx = Ctx {
        doc,
        label: definition.label.clone(),
        pass: "select",
        changes: Vec::new(),
        problems: Vec::new(),
        authenticated: BTreeSet::new(),
    };
    passes::keep_only(&mut ctx, &selected);
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

/// Any non-ASCII text left in the output is upstream's: a pass missed a
/// place. Reported (with the output pointer) rather than written silently.
fn foreign_text(node: &Value, here: &mut String, problems: &mut Vec<String>) {
    match node {
        Value::String(s) if text::is_foreign(s) => problems.push(format!(
            "{}: upstream (non-ASCII) text would be copied: {s:?}",
            crate::pointer::display(here)
        )),
        Value::Object(map) => {
            for (k, v) in map {
                let len = here.len();
                here.push('/');
                here.push_str(&crate::pointer::escape(k));
                if text::is_foreign(k) {
                    problems.push(format!("{here}: a non-ASCII key"));
                }
                foreign_text(v, here, problems);
                here.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = here.len();
                here.push_str(&format!("/{i}"));
                foreign_text(v, here, problems);
                here.truncate(len);
            }
        }
        _ => {}
    }
}

/// The `(path, operationId)` of each selected upstream operation.
fn select(
    doc: &Value,
    upstream: &[passes::UpstreamOp],
    selection: &Selection,
) -> Result<Vec<(String, String)>, String> {
    if !selection.all && selection.operations.is_empty() && selection.tags.is_empty() {
        return Err(
            "choose what to import: --operation ID (repeatable), --tag TAG or --all".into(),
        );
    }
    let tag_names = passes::tag_names(doc);
    let mut chosen: Vec<(String, String)> = Vec::new();
    let mut errors = Vec::new();
    for id in &selection.operations {
        match upstream.iter().find(|op| &op.id == id) {
            Some(op) => chosen.push((op.path.clone(), op.id.clone())),
            None => {
                let mut near: Vec<(f64, &str)> = upstream
                    .iter()
                    .map(|op| (strsim::jaro_winkler(&op.id, id), op.id.as_str()))
                    .filter(|(score, _)| *score > 0.85)
                    .collect();
                near.sort_by(|a, b| b.0.total_cmp(&a.0));
                let hint = match near.first() {
                    Some((_, best)) => format!("; did you mean `{best}`?"),
                    None => String::new(),
                };
                errors.push(format!("no operation `{id}` in the definition{hint}"));
            }
        }
    }
    for tag in &selection.tags {
        let upstream_tag = tag_names
            .iter()
            .find(|(up, english)| up == tag || english == tag)
            .map(|(up, _)| up.clone());
        match upstream_tag {
            Some(up) => {
                for op in upstream.iter().filter(|op| op.tags.contains(&up)) {
                    chosen.push((op.path.clone(), op.id.clone()));
                }
            }
            None => {
                let known: Vec<String> = tag_names
                    .iter()
                    .map(|(up, en)| {
                        if up == en {
                            up.clone()
                        } else {
                            format!("{en} ({up})")
                        }
                    })
                    .collect();
                errors.push(format!(
                    "no tag `{tag}` in the definition; its tags are {}",
                    known.join(", ")
                ));
            }
        }
    }
    if selection.all {
        chosen.extend(upstream.iter().map(|op| (op.path.clone(), op.id.clone())));
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let mut seen = BTreeSet::new();
    chosen.retain(|c| seen.insert(c.clone()));
    Ok(chosen)
}
