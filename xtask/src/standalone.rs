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

use std::collections::BTreeSet;
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
    let name = crate_name(dir, name)?;
    let spec_label = crate::display_path(spec);
    let generated = crate::generate_from_with(spec, options)?;
    let title = title_of(spec).unwrap_or_else(|| "the API".to_string());
    let member = Member {
        name: &name,
        spec_label: &spec_label,
        title: &title,
        generated: &generated,
        shared: None,
        own_workspace: true,
        used_elsewhere: &[],
    };
    let mut files = member_files(dir, &member, options)?;
    files.extend(lockfile(dir));
    Ok(files)
}

/// `--split N`: the client of `spec` as a workspace in `dir`. Its tags are
/// packed into at most `parts` crates (`parts/NAME-part-K`) and the types
/// several tags use into one more (`parts/NAME-shared`), which cargo
/// checks first and the parts then side by side; the package `NAME` in
/// `dir` re-exports them all, with a module per tag ([`crate::split`]).
pub fn split_crate_files(
    spec: &Path,
    dir: &Path,
    name: Option<&str>,
    options: &crate::generate::Options,
    parts: usize,
) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let name = crate_name(dir, name)?;
    let spec_label = crate::display_path(spec);
    let text = std::fs::read_to_string(spec)
        .with_context(|| format!("reading the spec {}", spec.display()))?;
    let whole = crate::spec::load(&text)
        .map_err(|problems| anyhow::anyhow!("{spec_label} has {problems}"))?;
    let title = title_of(spec).unwrap_or_else(|| "the API".to_string());
    let shared_name = format!("{name}-shared");
    let shared_ident = rust_name(&shared_name);
    let split = crate::split::split(&whole.raw, parts, &shared_ident)
        .with_context(|| format!("splitting {spec_label}"))?;
    let count = split.parts.len();

    let mut files = Vec::new();
    let mut reached = crate::one_way::Reached::default();
    let mut members = Vec::new();
    for (k, part) in split.parts.iter().enumerate() {
        let part_name = format!("{name}-part-{}", k + 1);
        let label = format!("{spec_label}, part {} of {count}", k + 1);
        let loaded = crate::spec::load_value(part.spec.clone()).map_err(|problems| {
            anyhow::anyhow!(
                "part {} of {spec_label} (tags {}) has {problems}",
                k + 1,
                part.tags.join(", ")
            )
        })?;
        let role = crate::generate::SplitRole::Part {
            shared_crate: &shared_ident,
        };
        let (generated, part_reached) =
            crate::generate::generate_member(&loaded, &label, options, Some(role))?;
        reached.extend(part_reached);
        let part_title = format!(
            "{title}, part {} of {count}: the operations tagged {}",
            k + 1,
            code_list(&part.tags)
        );
        let member = Member {
            name: &part_name,
            spec_label: &label,
            title: &part_title,
            generated: &generated,
            shared: Some(&shared_name),
            own_workspace: false,
            used_elsewhere: &[],
        };
        files.extend(member_files(
            &dir.join("parts").join(&part_name),
            &member,
            options,
        )?);
        members.push((part_name, part));
    }
    // The hand-written types parts name through the shared crate.
    let used_elsewhere: Vec<&'static str> = HAND_WRITTEN_TYPES
        .iter()
        .map(|(_, path, _)| *path)
        .filter(|path| {
            let through = path.replacen("crate::", &format!("{shared_ident}::"), 1);
            files
                .iter()
                .any(|(_, text): &(PathBuf, String)| text.contains(&through))
        })
        .collect();
    let label = format!("{spec_label}, shared schemas");
    let loaded = crate::spec::load_value(split.shared.clone()).map_err(|problems| {
        anyhow::anyhow!("the shared schemas of {spec_label} have {problems}")
    })?;
    let role = crate::generate::SplitRole::Shared { reached: &reached };
    let (generated, _) = crate::generate::generate_member(&loaded, &label, options, Some(role))?;
    let shared_title = format!("{title}: the types that operations of several tags use");
    let member = Member {
        name: &shared_name,
        spec_label: &label,
        title: &shared_title,
        generated: &generated,
        shared: None,
        own_workspace: false,
        used_elsewhere: &used_elsewhere,
    };
    files.extend(member_files(
        &dir.join("parts").join(&shared_name),
        &member,
        options,
    )?);

    files.push((
        dir.join("Cargo.toml"),
        facade_manifest(&name, &spec_label, &title, &shared_name, &members),
    ));
    files.push((
        dir.join("src/lib.rs"),
        facade_lib_rs(
            &spec_label,
            &title,
            &shared_name,
            &members,
            split.shared_schemas.len(),
        ),
    ));
    files.extend(lockfile(dir));
    Ok(files)
}

/// One crate of what `--crate` writes.
struct Member<'a> {
    name: &'a str,
    spec_label: &'a str,
    title: &'a str,
    generated: &'a str,
    /// The shared crate a split client's part depends on (`../NAME`).
    shared: Option<&'a str>,
    /// Whether it is a workspace of its own (a split client's crates are
    /// members of the split client's).
    own_workspace: bool,
    /// Hand-written types (their `crate::` paths) that other crates use
    /// through this one, whether or not its own code does: the shared
    /// crate's, named by the parts.
    used_elsewhere: &'a [&'static str],
}

impl Member<'_> {
    /// What decides which hand-written types the crate carries: its
    /// generated code, and the paths other crates use through it.
    fn uses(&self) -> String {
        let mut text = self.generated.to_string();
        for path in self.used_elsewhere {
            text.push('\n');
            text.push_str(path);
        }
        text
    }
}

/// A crate's manifest, `lib.rs`, seam, hand-written types and generated
/// code, in `dir`.
fn member_files(
    dir: &Path,
    member: &Member<'_>,
    options: &crate::generate::Options,
) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let mut files = vec![
        (dir.join("Cargo.toml"), manifest(member)?),
        (
            dir.join("src/lib.rs"),
            lib_rs(member.spec_label, member.title, options, &member.uses()),
        ),
        (
            dir.join("src/hooks.rs"),
            format!(
                "// Copied from crates/hss-api/src/hooks.rs by `cargo xtask generate --crate`.\n\n{HOOKS_RS}"
            ),
        ),
    ];
    let uses = member.uses();
    for (module, path, source) in HAND_WRITTEN_TYPES {
        if uses.contains(path) {
            files.push((
                dir.join(format!("src/{module}.rs")),
                format!(
                    "// Copied from crates/hss-api/src/{module}.rs by `cargo xtask generate --crate`.\n\n{source}"
                ),
            ));
        }
    }
    files.push((dir.join("src/generated.rs"), member.generated.to_string()));
    Ok(files)
}

/// The workspace's `Cargo.lock` for `dir`, when `dir` has none yet.
fn lockfile(dir: &Path) -> Option<(PathBuf, String)> {
    let lock = crate::workspace_root().join("Cargo.lock");
    if dir.join("Cargo.lock").exists() {
        return None;
    }
    let text = std::fs::read_to_string(&lock).ok()?;
    Some((dir.join("Cargo.lock"), text))
}

/// The package name: `--crate-name`, or `dir`'s name.
fn crate_name(dir: &Path, name: Option<&str>) -> anyhow::Result<String> {
    let name = match name {
        Some(n) => n.to_string(),
        None => dir
            .file_name()
            .and_then(|n| n.to_str())
            .map(package_name)
            .context("--crate DIR has no usable name; pass --crate-name")?,
    };
    check_package_name(&name)?;
    Ok(name)
}

/// A package's name as Rust code names its crate.
fn rust_name(package: &str) -> String {
    package.replace('-', "_")
}

/// The split client's own package: the parts and the shared crate as
/// dependencies, and the workspace they are members of.
fn facade_manifest(
    name: &str,
    spec_label: &str,
    title: &str,
    shared: &str,
    parts: &[(String, &crate::split::Part)],
) -> String {
    let description =
        toml::Value::String(format!("Generated client for {title}, from {spec_label}"));
    let mut deps = format!("{shared} = {{ path = \"parts/{shared}\" }}\n");
    let mut members = format!("    \"parts/{shared}\",\n");
    for (part, _) in parts {
        deps.push_str(&format!("{part} = {{ path = \"parts/{part}\" }}\n"));
        members.push_str(&format!("    \"parts/{part}\",\n"));
    }
    let serde = workspace_dependency("serde")
        .map(|v| format!("\n# Tests that name serde's traits (the parts derive them).\n[dev-dependencies]\nserde = {v}\n"))
        .unwrap_or_default();
    format!(
        "# @generated by `cargo xtask generate --crate --split` from {spec_label}. DO NOT EDIT: change the spec and regenerate.\n\
         [package]\n\
         name = \"{name}\"\n\
         version = \"0.1.0\"\n\
         description = {description}\n\
         edition = \"2024\"\n\
         publish = false\n\
         \n\
         # The client's crates: cargo checks the parts side by side once the\n\
         # shared one is done.\n\
         [dependencies]\n\
         {deps}{serde}\n\
         [workspace]\n\
         members = [\n{members}]\n"
    )
}

/// The split client's `lib.rs`: its crates re-exported, and a module per
/// tag (the part with that tag's operations).
fn facade_lib_rs(
    spec_label: &str,
    title: &str,
    shared: &str,
    parts: &[(String, &crate::split::Part)],
    shared_types: usize,
) -> String {
    let mut table = String::new();
    let mut uses = format!(
        "/// The types that operations of several tags use ({shared_types} schemas).\npub use {} as shared;\n",
        rust_name(shared)
    );
    let mut taken: BTreeSet<String> = BTreeSet::from(["shared".to_string()]);
    for (k, (part, info)) in parts.iter().enumerate() {
        let module = format!("part_{}", k + 1);
        taken.insert(module.clone());
        table.push_str(&format!(
            "//! | [`{module}`] | {} | {} |\n",
            code_list(&info.tags),
            info.operations.len()
        ));
        uses.push_str(&format!(
            "/// The operations tagged {}.\npub use {} as {module};\n",
            code_list(&info.tags),
            rust_name(part)
        ));
    }
    for (k, (part, info)) in parts.iter().enumerate() {
        for tag in &info.tags {
            let module = tag_module(tag, &taken);
            taken.insert(module.clone());
            uses.push_str(&format!(
                "/// The part with the operations tagged `{tag}` ([`part_{}`]).\npub use {} as {module};\n",
                k + 1,
                rust_name(part)
            ));
        }
    }
    format!(
        "// @generated by `cargo xtask generate --crate --split` from {spec_label}. DO NOT EDIT: change the spec and regenerate.\n\
         \n\
         //! Generated Rust client for {title}, from `{spec_label}`, in {count}\n\
         //! parts and a crate of the types they share, so that cargo checks the\n\
         //! parts side by side. Each part is a client of its own (`Client`,\n\
         //! `Hooks`, `types`), with the operations of its tags; every tag also\n\
         //! has a module here that is its part:\n\
         //!\n\
         //! | part | tags | operations |\n\
         //! | --- | --- | --- |\n\
         {table}\
         \n\
         {uses}",
        count = parts.len(),
    )
}

/// `` `a`, `b` `` for tags `a` and `b`.
fn code_list(tags: &[String]) -> String {
    tags.iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A module name for `tag`, not one of `taken`.
pub(crate) fn tag_module(tag: &str, taken: &BTreeSet<String>) -> String {
    let mut base: String = tag
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    base = base
        .split('_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        base = format!("tag_{base}");
    }
    if syn::parse_str::<syn::Ident>(&base).is_err() {
        base.push_str("_tag");
    }
    let mut module = base.clone();
    let mut n = 2;
    while taken.contains(&module) {
        module = format!("{base}_{n}");
        n += 1;
    }
    module
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

/// hss-api's features but its operation groups.
fn api_features() -> anyhow::Result<toml::Table> {
    let path = crate::workspace_root().join("crates/hss-api/Cargo.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    crate::groups::features_without_groups(&text)
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

fn manifest(member: &Member<'_>) -> anyhow::Result<String> {
    let Member {
        name,
        spec_label,
        title,
        generated,
        shared,
        own_workspace,
        used_elsewhere: _,
    } = *member;
    let workspace = read_toml("Cargo.toml")?;
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
    if let Some(shared) = shared {
        deps.push_str(&format!(
            "# The types several tags share.\n{shared} = {{ path = \"../{shared}\" }}\n"
        ));
    }
    let workspace_line = if own_workspace {
        "\n# A workspace of its own, wherever it is written.\n[workspace]\n"
    } else {
        ""
    };
    let mut features = String::new();
    let table = api_features()?;
    if !table.is_empty() {
        // Its client is one file of every operation: no group features.
        features
            .push_str("\n# The same features as hss-api, but the operation groups.\n[features]\n");
        for (feature, enables) in &table {
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
         {workspace_line}",
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

    /// A standalone crate `probe` with `generated` as its code.
    fn probe(generated: &str) -> Member<'_> {
        Member {
            name: "probe",
            spec_label: "spec.yaml",
            title: "T",
            generated,
            shared: None,
            own_workspace: true,
            used_elsewhere: &[],
        }
    }

    #[test]
    fn a_split_part_depends_on_its_shared_crate_inside_the_clients_workspace() {
        let part = Member {
            shared: Some("probe-shared"),
            own_workspace: false,
            ..probe("")
        };
        let parsed: toml::Table = manifest(&part).unwrap().parse().unwrap();
        assert_eq!(
            parsed["dependencies"]["probe-shared"]["path"].as_str(),
            Some("../probe-shared")
        );
        assert!(
            !parsed.contains_key("workspace"),
            "a member, not a workspace"
        );
    }

    #[test]
    fn tag_modules_are_identifiers_and_distinct() {
        let taken = BTreeSet::from(["shared".to_string(), "part_1".to_string()]);
        assert_eq!(tag_module("asset-management", &taken), "asset_management");
        assert_eq!(tag_module("Shared", &taken), "shared_2");
        assert_eq!(tag_module("3d scans", &taken), "tag_3d_scans");
        assert_eq!(tag_module("type", &taken), "type_tag");
        assert_eq!(tag_module("--", &taken), "tag_");
    }

    #[test]
    fn the_manifest_has_hss_apis_dependencies_as_the_workspace_pins_them() {
        let m = manifest(&probe("")).unwrap();
        let parsed: toml::Table = m.parse().expect("the manifest is valid TOML");
        let deps = parsed["dependencies"].as_table().unwrap();
        let api = read_toml("crates/hss-api/Cargo.toml").unwrap();
        let names: Vec<&String> = deps.keys().collect();
        let want: Vec<&String> = api["dependencies"].as_table().unwrap().keys().collect();
        assert_eq!(names, want, "exactly hss-api's dependencies");
        let features = parsed["features"].as_table().unwrap();
        assert_eq!(features, &api_features().unwrap(), "and its features");
        assert_eq!(
            features["default"],
            toml::Value::Array(vec!["rustls-ring".into()])
        );
        assert!(features.contains_key("rustls-aws-lc-rs"));
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
        let without = manifest(&probe("pub struct A;")).unwrap();
        assert!(!without.contains("regress"), "{without}");
        let code = "static P: LazyLock<::regress::Regex> = todo!();";
        let with: toml::Table = manifest(&probe(code)).unwrap().parse().unwrap();
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
