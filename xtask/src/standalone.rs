//! `cargo xtask generate --spec FILE --crate DIR`: a complete crate for any
//! spec, the way a maintainer tries a spec before adopting it.
//!
//! The crate is what `crates/hss-api` is, minus the hand-written docs: a
//! manifest with exactly `hss-api`'s dependencies (versions and features
//! read from the workspace manifest, so they cannot drift apart), a
//! `lib.rs`, the `Hooks` seam (`hooks.rs`, the same file as `hss-api`'s) and
//! the generated code. It is a workspace of its own wherever it is written,
//! and it starts from the workspace's `Cargo.lock`, so it builds with the
//! same versions of everything.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// `hss-api`'s seam, compiled into xtask so the copy is always current.
const HOOKS_RS: &str = include_str!("../../crates/hss-api/src/hooks.rs");

/// hss-api's hand-written types (`x-hand-written` in a spec): the module,
/// the path generated code names it by, and its source. A crate gets the
/// ones its generated code uses; `lib.rs` loses the lines of the others.
const HAND_WRITTEN_TYPES: &[(&str, &str, &str)] = &[(
    "resource_id",
    "crate::ResourceId",
    include_str!("../../crates/hss-api/src/resource_id.rs"),
)];

/// The files of the crate for `spec` in `dir`: `(path, text)`. The lockfile
/// is included only when `dir` has none yet (cargo keeps it current after
/// that).
pub fn crate_files(
    spec: &Path,
    dir: &Path,
    name: Option<&str>,
    options: &crate::generate::Options,
) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let name = match name {
        Some(n) => n.to_string(),
        None => dir
            .file_name()
            .and_then(|n| n.to_str())
            .map(package_name)
            .context("--crate DIR has no usable name; pass --crate-name")?,
    };
    check_package_name(&name)?;
    let spec_label = crate::display_path(spec);
    let generated = crate::generate_from_with(spec, options)?;
    let title = title_of(spec).unwrap_or_else(|| "the API".to_string());
    let mut files = vec![
        (
            dir.join("Cargo.toml"),
            manifest(&name, &spec_label, &title, &generated)?,
        ),
        (
            dir.join("src/lib.rs"),
            lib_rs(&spec_label, &title, options, &generated),
        ),
        (
            dir.join("src/hooks.rs"),
            format!(
                "// Copied from crates/hss-api/src/hooks.rs by `cargo xtask generate --crate`.\n\n{HOOKS_RS}"
            ),
        ),
    ];
    for (module, path, source) in HAND_WRITTEN_TYPES {
        if generated.contains(path) {
            files.push((
                dir.join(format!("src/{module}.rs")),
                format!(
                    "// Copied from crates/hss-api/src/{module}.rs by `cargo xtask generate --crate`.\n\n{source}"
                ),
            ));
        }
    }
    files.push((dir.join("src/generated.rs"), generated));
    let lock = crate::workspace_root().join("Cargo.lock");
    if !dir.join("Cargo.lock").exists()
        && let Ok(text) = std::fs::read_to_string(&lock)
    {
        files.push((dir.join("Cargo.lock"), text));
    }
    Ok(files)
}

/// A package name from a directory name: lower case, `_` and space as `-`.
fn package_name(dir_name: &str) -> String {
    dir_name.to_lowercase().replace(['_', ' ', '.'], "-")
}

fn check_package_name(name: &str) -> anyhow::Result<()> {
    let ok = !name.is_empty()
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        bail!(
            "`{name}` is not a usable package name (ASCII letters, digits, `-`, `_`, starting with a letter); pass --crate-name"
        );
    }
    Ok(())
}

fn title_of(spec: &Path) -> Option<String> {
    let text = std::fs::read_to_string(spec).ok()?;
    let raw = crate::spec::parse_raw(&text).ok()?;
    raw.pointer("/info/title")?.as_str().map(str::to_string)
}

fn read_toml(rel: &str) -> anyhow::Result<toml::Table> {
    let path = crate::workspace_root().join(rel);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    text.parse::<toml::Table>()
        .with_context(|| format!("parsing {}", path.display()))
}

/// The dependencies of `hss-api`, each as the workspace declares it plus
/// what `hss-api`'s own entry adds (`optional`, more features).
fn hss_api_dependencies() -> anyhow::Result<Vec<(String, toml::Value)>> {
    let workspace = read_toml("Cargo.toml")?;
    let api = read_toml("crates/hss-api/Cargo.toml")?;
    let declared = workspace
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(toml::Value::as_table)
        .context("the workspace manifest has no [workspace.dependencies]")?;
    let mut out = Vec::new();
    for (name, entry) in api
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
    {
        let Some(local) = entry
            .as_table()
            .filter(|t| t.get("workspace").and_then(toml::Value::as_bool) == Some(true))
        else {
            out.push((name.clone(), entry.clone()));
            continue;
        };
        let base = declared.get(name).cloned().with_context(|| {
            format!("hss-api's dependency `{name}` is not in [workspace.dependencies]")
        })?;
        let mut merged = match base {
            toml::Value::String(version) => {
                let mut t = toml::Table::new();
                t.insert("version".into(), toml::Value::String(version));
                t
            }
            toml::Value::Table(t) => t,
            other => {
                bail!("[workspace.dependencies] `{name}` is neither a version nor a table: {other}")
            }
        };
        for (key, value) in local {
            match key.as_str() {
                "workspace" => {}
                "features" => {
                    let mut features = merged
                        .get("features")
                        .and_then(toml::Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    for f in value.as_array().into_iter().flatten() {
                        if !features.contains(f) {
                            features.push(f.clone());
                        }
                    }
                    merged.insert("features".into(), toml::Value::Array(features));
                }
                _ => {
                    merged.insert(key.clone(), value.clone());
                }
            }
        }
        let value = if merged.len() == 1 && merged.contains_key("version") {
            merged["version"].clone()
        } else {
            toml::Value::Table(merged)
        };
        out.push((name.clone(), value));
    }
    Ok(out)
}

/// Crates that generated code may use although `hss-api`'s does not
/// (its spec has no `pattern`), each with the path that shows it is used.
const USED_BY_GENERATED_CODE: &[(&str, &str)] = &[("regress", "::regress::")];

/// The workspace's declaration of `name`.
fn workspace_dependency(name: &str) -> anyhow::Result<toml::Value> {
    let workspace = read_toml("Cargo.toml")?;
    workspace
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.get(name))
        .cloned()
        .with_context(|| format!("`{name}` is not in [workspace.dependencies]"))
}

fn manifest(name: &str, spec_label: &str, title: &str, generated: &str) -> anyhow::Result<String> {
    let workspace = read_toml("Cargo.toml")?;
    let api = read_toml("crates/hss-api/Cargo.toml")?;
    let package = workspace.get("workspace").and_then(|w| w.get("package"));
    let field = |key: &str, fallback: &str| {
        package
            .and_then(|p| p.get(key))
            .and_then(toml::Value::as_str)
            .unwrap_or(fallback)
            .to_string()
    };
    let mut deps = String::new();
    let mut dependencies = hss_api_dependencies()?;
    for (dep, marker) in USED_BY_GENERATED_CODE {
        if generated.contains(marker) && !dependencies.iter().any(|(d, _)| d == dep) {
            dependencies.push((dep.to_string(), workspace_dependency(dep)?));
        }
    }
    for (dep, value) in dependencies {
        deps.push_str(&format!("{dep} = {value}\n"));
    }
    let mut features = String::new();
    if let Some(table) = api.get("features").and_then(toml::Value::as_table) {
        features.push_str("\n# The same features as hss-api.\n[features]\n");
        for (feature, enables) in table {
            features.push_str(&format!("{feature} = {enables}\n"));
        }
    }
    let description =
        toml::Value::String(format!("Generated client for {title}, from {spec_label}"));
    Ok(format!(
        "# @generated by `cargo xtask generate --crate` from {spec_label}. DO NOT EDIT: change the spec and regenerate.\n\
         [package]\n\
         name = \"{name}\"\n\
         version = \"0.1.0\"\n\
         description = {description}\n\
         edition = \"{edition}\"\n\
         rust-version = \"{rust_version}\"\n\
         publish = false\n\
         \n\
         # The same dependencies, versions and features as hss-api.\n\
         [dependencies]\n\
         {deps}{features}\n\
         [lints.rust]\n\
         unsafe_code = \"forbid\"\n\
         rust_2018_idioms = {{ level = \"warn\", priority = -1 }}\n\
         \n\
         # A workspace of its own, wherever it is written.\n\
         [workspace]\n",
        edition = field("edition", "2024"),
        rust_version = field("rust-version", "1.88"),
    ))
}

/// `hss-api`'s `lib.rs`, compiled into xtask: the crate-level code the seam
/// needs (modules, re-exports, helpers such as a TLS set-up) is taken from
/// it, its crate docs (about HSS) are replaced.
const HSS_API_LIB_RS: &str = include_str!("../../crates/hss-api/src/lib.rs");

fn lib_rs(
    spec_label: &str,
    title: &str,
    options: &crate::generate::Options,
    generated: &str,
) -> String {
    let unused: Vec<&str> = HAND_WRITTEN_TYPES
        .iter()
        .filter(|(_, path, _)| !generated.contains(path))
        .map(|(module, _, _)| *module)
        .collect();
    let of_unused = |line: &str| {
        unused.iter().any(|module| {
            line == format!("mod {module};") || line.starts_with(&format!("pub use {module}::"))
        })
    };
    // Everything after the leading `//!` block, but the hand-written
    // types the generated code does not use.
    let body: String = {
        let mut lines = HSS_API_LIB_RS.lines().peekable();
        while lines.peek().is_some_and(|l| l.starts_with("//!")) {
            lines.next();
        }
        lines
            .filter(|l| !of_unused(l))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    let modules = match options.interface {
        crate::generate::Interface::Builder => "[`types`], [`builder`] and [`Client`]",
        crate::generate::Interface::Positional => "[`types`] and [`Client`]",
    };
    format!(
        "// @generated by `cargo xtask generate --crate` from {spec_label}. DO NOT EDIT: change the spec and regenerate.\n\
         // Below the crate docs: crates/hss-api/src/lib.rs.\n\
         \n\
         //! Generated Rust client for {title}.\n\
         //!\n\
         //! Everything under {modules} is generated by\n\
         //! progenitor from `{spec_label}`; the rest is `hss-api`'s hand-written\n\
         //! seam. Requests carry no credentials by themselves: add a\n\
         //! [`RequestHook`] to the [`Hooks`] the client is built with, as `hss-ext`\n\
         //! does for `hss-api`.\n\
         {body}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_has_hss_apis_dependencies_as_the_workspace_pins_them() {
        let m = manifest("probe", "spec.yaml", "T", "").unwrap();
        let parsed: toml::Table = m.parse().expect("the manifest is valid TOML");
        let deps = parsed["dependencies"].as_table().unwrap();
        let api = read_toml("crates/hss-api/Cargo.toml").unwrap();
        let names: Vec<&String> = deps.keys().collect();
        let want: Vec<&String> = api["dependencies"].as_table().unwrap().keys().collect();
        assert_eq!(names, want, "exactly hss-api's dependencies");
        assert_eq!(
            parsed.get("features"),
            api.get("features"),
            "and its features"
        );
        let workspace = read_toml("Cargo.toml").unwrap();
        let declared = &workspace["workspace"]["dependencies"];
        assert_eq!(deps["progenitor-client"], declared["progenitor-client"]);
        assert_eq!(deps["reqwest"]["version"], declared["reqwest"]["version"]);
        assert_eq!(
            deps["reqwest"]["default-features"],
            declared["reqwest"]["default-features"]
        );
        assert!(parsed.contains_key("workspace"), "a workspace of its own");
    }

    #[test]
    fn a_regex_engine_only_for_code_that_uses_one() {
        let without = manifest("probe", "spec.yaml", "T", "pub struct A;").unwrap();
        assert!(!without.contains("regress"), "{without}");
        let code = "static P: LazyLock<::regress::Regex> = todo!();";
        let with: toml::Table = manifest("probe", "spec.yaml", "T", code)
            .unwrap()
            .parse()
            .unwrap();
        let workspace = read_toml("Cargo.toml").unwrap();
        assert_eq!(
            with["dependencies"]["regress"],
            workspace["workspace"]["dependencies"]["regress"]
        );
    }

    #[test]
    fn package_names_are_checked() {
        assert_eq!(package_name("My_Client"), "my-client");
        assert!(check_package_name("hss-full").is_ok());
        let err = check_package_name("1abc").unwrap_err().to_string();
        assert!(err.contains("not a usable package name"), "{err}");
    }

    #[test]
    fn the_crate_docs_link_only_modules_the_interface_has() {
        use crate::generate::{Interface, Options};
        let builder = lib_rs("s.yaml", "T", &Options::default(), "");
        assert!(builder.contains("[`builder`]"), "{builder}");
        let positional = lib_rs(
            "s.yaml",
            "T",
            &Options {
                interface: Interface::Positional,
                ..Options::default()
            },
            "",
        );
        assert!(!positional.contains("[`builder`]"), "{positional}");
        assert!(
            positional.contains("[`types`] and [`Client`]"),
            "{positional}"
        );
    }

    #[test]
    fn hand_written_types_only_where_the_generated_code_uses_them() {
        use crate::generate::Options;
        let without = lib_rs("s.yaml", "T", &Options::default(), "pub struct A;");
        assert!(!without.contains("resource_id"), "{without}");
        assert!(without.contains("mod hooks;"), "{without}");
        let with = lib_rs(
            "s.yaml",
            "T",
            &Options::default(),
            "fn f(_: crate::ResourceId) {}",
        );
        assert!(with.contains("mod resource_id;"), "{with}");
        assert!(with.contains("pub use resource_id::ResourceId;"), "{with}");
    }
}
