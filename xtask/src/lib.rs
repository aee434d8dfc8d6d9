//! Maintainer tasks for the workspace. The binary is `cargo xtask`; the
//! library exists so the generator can be tested like any other code.

pub mod dispatch;
pub mod drift;
pub mod generate;
pub mod groups;
pub mod import;
pub mod keywords;
pub mod known;
pub mod leniency;
pub mod merge_arms;
pub mod metadata;
pub mod multipart;
pub mod one_way;
pub mod pointer;
pub mod report;
pub mod responses;
pub mod rust_names;
pub mod sdk;
pub mod shapes;
pub mod shared_send;
pub mod spec;
pub mod split;
pub mod standalone;
pub mod struct_builders;
pub mod upstream;

use std::path::{Path, PathBuf};

use anyhow::Context;

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// The spec the checked-in client is generated from.
pub fn default_spec() -> PathBuf {
    workspace_root().join("openapi/hss.yaml")
}

/// The crate the generated client goes into (its `src/generated/` and
/// the group features of its `Cargo.toml`).
pub fn default_output() -> PathBuf {
    workspace_root().join("crates/hss-api")
}

/// How a path is written in messages and in the generated file's header:
/// relative to the workspace when inside it, so output does not depend on
/// where the checkout lives.
pub fn display_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    absolute
        .strip_prefix(workspace_root())
        .unwrap_or(&absolute)
        .display()
        .to_string()
}

/// What `generate --check` found.
#[derive(Debug, PartialEq, Eq)]
pub enum Freshness {
    UpToDate,
    /// The checked-in file differs; the payload is a unified diff from the
    /// checked-in text to what the spec generates now.
    Stale(String),
    Missing,
}

/// Generates the client for `spec_path` as one file (`generate --crate`);
/// the returned text is what belongs in it.
pub fn generate_from_with(spec_path: &Path, options: &generate::Options) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(spec_path)
        .with_context(|| format!("reading the spec {}", spec_path.display()))?;
    generate::generate_with(&text, &display_path(spec_path), options)
        .with_context(|| format!("generating from {}", display_path(spec_path)))
}

/// Generates what `cargo xtask generate` writes into the crate in
/// `crate_dir` for `spec_path`: the grouped client ([`groups`]), the
/// operation table (`src/table.rs` of the `hss-operations` crate beside
/// it, [`metadata`]) and the
/// every-operation test's dispatch (`tests/every_operation/dispatch.rs`,
/// [`dispatch`]); also the files there that should not be.
pub fn generate_grouped(spec_path: &Path, crate_dir: &Path) -> anyhow::Result<groups::CrateFiles> {
    let text = std::fs::read_to_string(spec_path)
        .with_context(|| format!("reading the spec {}", spec_path.display()))?;
    let label = display_path(spec_path);
    let started = std::time::Instant::now();
    let spec = spec::load(&text).map_err(|problems| anyhow::anyhow!("{label} has {problems}"))?;
    generate::phase("parse and check", started);
    // The operation table and the success answers read only the spec: they
    // are made beside the client, on another thread.
    let (layout, table, answers) = std::thread::scope(|scope| {
        let side = scope.spawn(|| {
            let started = std::time::Instant::now();
            let table = metadata::render(&spec.raw, &label)
                .with_context(|| format!("the operation table of {label}"));
            let answers = responses::render(&spec.raw)
                .with_context(|| format!("the success answers of {label}"));
            generate::phase("operation table and answers", started);
            (table, answers)
        });
        let layout =
            groups::layout(&spec, &label).with_context(|| format!("generating from {label}"));
        let (table, answers) = side.join().expect("the table's thread does not panic");
        (layout, table, answers)
    });
    let mut out = groups::crate_files(&layout?, crate_dir)?;
    let client: String = out
        .files
        .iter()
        .filter(|(path, _)| path.extension().is_some_and(|e| e == "rs"))
        .map(|(_, text)| text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let started = std::time::Instant::now();
    let dispatch = dispatch::generate(&spec, &client, &label)
        .with_context(|| format!("the every-operation dispatch of {label}"))?;
    generate::phase("dispatch", started);
    // The table is its own crate beside the client's: reading it costs a
    // dependent none of the client's compile time.
    let table_crate = crate_dir.with_file_name("hss-operations");
    out.files.push((table_crate.join("src/table.rs"), table?));
    out.files
        .push((table_crate.join("src/responses.json"), answers?));
    out.files.push((
        crate_dir.join("tests/every_operation/dispatch.rs"),
        dispatch,
    ));
    Ok(out)
}

/// Compares what the spec generates with the file at `output`.
pub fn check(generated: &str, output: &Path) -> anyhow::Result<Freshness> {
    let current = match std::fs::read_to_string(output) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Freshness::Missing),
        Err(e) => return Err(e).with_context(|| format!("reading {}", output.display())),
    };
    if current == generated {
        return Ok(Freshness::UpToDate);
    }
    let label = display_path(output);
    let diff = similar::TextDiff::from_lines(&current, generated)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{label} (checked in)"),
            &format!("{label} (generated now)"),
        )
        .to_string();
    Ok(Freshness::Stale(diff))
}

/// Writes `generated` to `output` only when it changed, so an unchanged run
/// does not touch the file's modification time.
pub fn write_if_changed(generated: &str, output: &Path) -> anyhow::Result<bool> {
    if std::fs::read_to_string(output).is_ok_and(|current| current == generated) {
        return Ok(false);
    }
    if let Some(dir) = output.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(output, generated).with_context(|| format!("writing {}", output.display()))?;
    Ok(true)
}
