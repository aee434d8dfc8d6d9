//! `hss-api` laid out by operation group, one cargo feature per group.
//!
//! Every operation belongs to a group ([`crate::split::group_of`]: its first
//! tag), and every group is a cargo feature of the crate. progenitor runs
//! once on the whole spec; its output is then cut up:
//!
//! - `generated/GROUP.rs`: the group's `Client` methods, operation builders
//!   (`builder::OpName`), `statuses` consts, and the types (with their typify
//!   builders) that only its operations reach. `mod.rs` declares it under
//!   `#[cfg(feature = "GROUP")]`.
//! - `generated/shared.rs`: the types operations of several groups reach,
//!   each under `#[cfg(any(feature = "a", feature = "b", ...))]`, and
//!   ungated when every group reaches it (or none does: a schema no
//!   operation uses).
//! - `generated/mod.rs`: what every group needs (the `Client` struct,
//!   progenitor's imports, `types::error`) and the public modules `types`,
//!   `types::builder`, `builder` and `statuses`, which re-export the files'
//!   items by glob, so paths are the same whatever the layout.
//!
//! Which groups reach a type is read from the generated code rather than
//! from the spec's `$ref`s: typify also names inline schemas (a property's
//! enum, a request body), which have no component to follow. A type is
//! reached by what names it: an operation's method and builder, another
//! reached type, its typify builder, its serde defaults.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use quote::ToTokens;
use serde_json::Value;

use crate::generate::{self, const_name};
use crate::split::{Case, group_of, rust_name};
use crate::{pointer, spec};

/// The extension on an entry of the spec's `tags:` list naming the groups
/// whose features the group's feature enables (the operations its workflow
/// goes on to use).
pub const GROUP_REQUIRES: &str = "x-group-requires";

/// The lines of `Cargo.toml` between which the group features are written.
pub const FEATURES_BEGIN: &str = "# @generated begin: the operation groups, one feature each, from the spec's `tags` (`cargo xtask generate`; do not edit up to the end marker).";
pub const FEATURES_END: &str = "# @generated end";

/// The feature that enables every group.
pub const FULL: &str = "full";

/// Module names the layout itself uses.
const TAKEN: &[&str] = &[
    "mod", "shared", "types", "builder", "statuses", "prelude", "defaults", "error",
];

/// One operation group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The tag, which is also the cargo feature.
    pub name: String,
    /// The Rust module (and file) of its code.
    pub module: String,
    /// The tag's one-line summary.
    pub description: String,
    /// Groups its feature enables too ([`GROUP_REQUIRES`]).
    pub requires: Vec<String>,
    /// Its operations' ids, in spec order.
    pub operations: Vec<String>,
}

/// The groups of a spec, in name order: the tags its operations have, as
/// the `tags:` list describes them.
pub fn groups(raw: &Value) -> anyhow::Result<Vec<Group>> {
    let mut ops: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for op in pointer::operations(raw) {
        let id = op.id().context("an operation without an operationId")?;
        ops.entry(group_of(&op).to_string())
            .or_default()
            .push(id.to_string());
    }
    let listed: BTreeMap<&str, (usize, &Value)> = raw
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, tag)| Some((tag.get("name")?.as_str()?, (i, tag))))
        .collect();
    let mut problems = Vec::new();
    let mut taken: BTreeSet<String> = TAKEN.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();
    for (name, operations) in ops {
        if !is_feature_name(&name) || name == FULL || name == "default" {
            problems.push(spec::SpecProblem {
                location: "/tags".into(),
                message: format!("the group `{name}` cannot be a cargo feature name (ASCII letters, digits, `-`, `_`; not `default` or `{FULL}`)"),
            });
            continue;
        }
        let Some((i, tag)) = listed.get(name.as_str()) else {
            problems.push(spec::SpecProblem {
                location: "/tags".into(),
                message: format!("operations are tagged `{name}`, but the `tags` list has no entry for it (its description is the feature's)"),
            });
            continue;
        };
        let description = tag
            .get("description")
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or_default();
        if description.is_empty() {
            problems.push(spec::SpecProblem {
                location: format!("/tags/{i}"),
                message: format!("the tag `{name}` has no description (the one-line summary of its cargo feature)"),
            });
        }
        let requires: Vec<String> = tag
            .get(GROUP_REQUIRES)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let module = crate::standalone::tag_module(&name, &taken);
        taken.insert(module.clone());
        out.push(Group {
            name,
            module,
            description: description.to_string(),
            requires,
            operations,
        });
    }
    let names: BTreeSet<&str> = out.iter().map(|g| g.name.as_str()).collect();
    for group in &out {
        for required in &group.requires {
            if !names.contains(required.as_str()) || *required == group.name {
                let (i, _) = listed[group.name.as_str()];
                problems.push(spec::SpecProblem {
                    location: format!("/tags/{i}/{GROUP_REQUIRES}"),
                    message: format!("`{required}` is not another group with operations"),
                });
            }
        }
    }
    if !problems.is_empty() {
        bail!("{}", spec::Problems(problems));
    }
    Ok(out)
}

fn is_feature_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The `[features]` lines of the groups (between the markers). A group
/// with a `multipart/form-data` operation (`forms`) enables reqwest's
/// `multipart`, which no other group needs.
pub fn features_block(groups: &[Group], forms: &crate::multipart::Forms) -> String {
    let mut out = format!("{FEATURES_BEGIN}\n# Every operation group.\n{FULL} = [");
    out.push_str(&quoted(groups.iter().map(|g| g.name.as_str())));
    out.push_str("]\n");
    for group in groups {
        for line in group.description.lines() {
            out.push_str(&format!("# {}\n", line.trim_end()).replace("# \n", "#\n"));
        }
        let multipart = group
            .operations
            .iter()
            .any(|id| forms.contains_key(id))
            .then_some("reqwest/multipart");
        out.push_str(&format!(
            "{} = [{}]\n",
            group.name,
            quoted(group.requires.iter().map(String::as_str).chain(multipart))
        ));
    }
    out.push_str(FEATURES_END);
    out.push('\n');
    out
}

fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `manifest` with the group features written between the markers.
pub fn with_features(manifest: &str, block: &str) -> anyhow::Result<String> {
    let begin = manifest.find(FEATURES_BEGIN).with_context(|| {
        format!("the manifest has no line `{FEATURES_BEGIN}` (put it, and `{FEATURES_END}`, under [features])")
    })?;
    let end = manifest[begin..]
        .find(&format!("{FEATURES_END}\n"))
        .map(|at| begin + at + FEATURES_END.len() + 1)
        .with_context(|| {
            format!("the manifest has no line `{FEATURES_END}` after the begin marker")
        })?;
    let out = format!("{}{block}{}", &manifest[..begin], &manifest[end..]);
    toml::from_str::<toml::Table>(&out)
        .context("with the group features the manifest is not valid TOML (does a group have the name of a feature of its own?)")?;
    Ok(out)
}

/// `manifest`'s features without the groups (the block between the
/// markers, and the groups named in `default`): the features of a crate
/// whose client is one file of every operation (`generate --crate`).
pub fn features_without_groups(manifest: &str) -> anyhow::Result<toml::Table> {
    let whole: toml::Table = manifest.parse().context("the manifest is not valid TOML")?;
    let bare: toml::Table = with_features(manifest, &format!("{FEATURES_BEGIN}\n{FEATURES_END}\n"))
        .unwrap_or_else(|_| manifest.to_string())
        .parse()
        .context("the manifest is not valid TOML")?;
    let mut features = bare
        .get("features")
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default();
    let all = whole.get("features").and_then(toml::Value::as_table);
    let groups: BTreeSet<&String> = all
        .into_iter()
        .flat_map(|t| t.keys())
        .filter(|k| !features.contains_key(*k))
        .collect();
    if let Some(toml::Value::Array(default)) = features.get_mut("default") {
        default.retain(|f| !f.as_str().is_some_and(|f| groups.contains(&f.to_string())));
    }
    Ok(features)
}

/// The files of `src/generated/` (name, text) and the features block.
#[derive(Debug)]
pub struct Layout {
    pub files: Vec<(String, String)>,
    pub features: String,
}

/// The grouped client for a spec already loaded and checked.
pub fn layout(spec: &spec::Spec, spec_label: &str) -> anyhow::Result<Layout> {
    let groups = groups(&spec.raw).with_context(|| format!("the groups of {spec_label}"))?;
    let (file, _) =
        generate::generated_file(spec, spec_label, &generate::Options::default(), None)?;
    let started = std::time::Instant::now();
    let files = cut(file, &groups)?;
    generate::phase("cut by group", started);
    let started = std::time::Instant::now();
    let mut files = files;
    if let Some((_, root)) = files.iter_mut().find(|(name, _)| name == "mod.rs") {
        root.items.push(syn::parse_quote! {
            /// Open enums for every field and parameter with known values: a
            /// value this version does not know parses to `Unknown` and keeps
            /// its text. Model fields stay strings; a field with known values
            /// has an accessor of the same name that reads it as its enum
            /// (`host.status()`).
            pub mod known;
        });
    }
    let mut rendered = render_all(files, spec_label);
    generate::phase("prettyplease", started);
    let known = crate::known::collect(&spec.raw)
        .with_context(|| format!("the known values of {spec_label}"))?;
    rendered.push((
        "known.rs".to_string(),
        crate::known::render(&known, spec_label),
    ));
    let (_, forms) = crate::multipart::take(&spec.openapi)?;
    Ok(Layout {
        files: rendered,
        features: features_block(&groups, &forms),
    })
}

/// Lays the files out with prettyplease. (Syntax trees hold proc-macro2
/// tokens, which cannot cross threads.)
fn render_all(files: Vec<(String, syn::File)>, spec_label: &str) -> Vec<(String, String)> {
    files
        .into_iter()
        .map(|(name, file)| {
            let text = generate::render(&file, spec_label);
            (name, text)
        })
        .collect()
}

/// Where each part of progenitor's output goes.
#[derive(Default)]
struct Parts {
    /// Everything of `types` by the type it belongs to (in order).
    types: Vec<(String, syn::Item)>,
    type_builders: Vec<(String, syn::Item)>,
    defaults: Vec<syn::ItemFn>,
    /// `mod builder`'s imports.
    builder_uses: Vec<syn::Item>,
    methods: Vec<(String, syn::ImplItemFn)>,
    op_builders: Vec<(String, syn::Item)>,
    statuses: Vec<(String, syn::Item)>,
    /// The attributes of the impl block of the operations' methods.
    methods_attrs: Vec<syn::Attribute>,
}

/// Cuts progenitor's output into `mod.rs`, `shared.rs` and a file per group.
fn cut(mut file: syn::File, groups: &[Group]) -> anyhow::Result<Vec<(String, syn::File)>> {
    let mut ops: BTreeMap<String, (String, &str)> = BTreeMap::new(); // Rust name -> (op id, group)
    for group in groups {
        for id in &group.operations {
            for name in [
                rust_name(id, Case::Pascal),
                rust_name(id, Case::Snake),
                const_name(id),
            ] {
                ops.insert(name, (id.clone(), group.name.as_str()));
            }
        }
    }
    let op_of = |name: &str, what: &str| -> anyhow::Result<(String, &str)> {
        ops.get(name).cloned().with_context(|| {
            format!("cannot tell which operation progenitor's {what} `{name}` is for (a naming this generator does not know)")
        })
    };

    let mut parts = Parts::default();
    let mut scaffold = Vec::new();
    let mut types_attrs = None;
    let mut types_scaffold = Vec::new();
    let mut builder_attrs = None;
    let mut statuses_attrs = None;
    for item in std::mem::take(&mut file.items) {
        match item {
            syn::Item::Mod(m) if m.ident == "types" => {
                let (attrs, items) = (m.attrs, m.content.map(|c| c.1).unwrap_or_default());
                types_attrs = Some(attrs);
                let names: BTreeSet<String> = items.iter().filter_map(defined_type).collect();
                for item in items {
                    match item {
                        syn::Item::Mod(inner) if inner.ident == "builder" => {
                            for b in inner.content.map(|c| c.1).unwrap_or_default() {
                                match owner(&b, &names) {
                                    Some(o) => parts.type_builders.push((o, b)),
                                    None => bail!(
                                        "a typify builder item of no known type: {}",
                                        b.to_token_stream()
                                    ),
                                }
                            }
                        }
                        syn::Item::Mod(inner) if inner.ident == "defaults" => {
                            for d in inner.content.map(|c| c.1).unwrap_or_default() {
                                match d {
                                    syn::Item::Fn(f) => parts.defaults.push(f),
                                    other => bail!(
                                        "an unexpected item in typify's defaults: {}",
                                        other.to_token_stream()
                                    ),
                                }
                            }
                        }
                        syn::Item::Mod(inner) if inner.ident == "error" => {
                            types_scaffold.push(syn::Item::Mod(inner))
                        }
                        other => match owner(&other, &names) {
                            Some(o) => parts.types.push((o, other)),
                            None => types_scaffold.push(other),
                        },
                    }
                }
            }
            syn::Item::Impl(imp)
                if imp.trait_.is_none() && is_client(&imp.self_ty) && !has_fn(&imp, "new") =>
            {
                parts.methods_attrs = imp.attrs.clone();
                for i in imp.items {
                    match i {
                        syn::ImplItem::Fn(f) => {
                            let (id, _) = op_of(&f.sig.ident.to_string(), "method")?;
                            parts.methods.push((id, f));
                        }
                        other => bail!(
                            "an unexpected item among the client's methods: {}",
                            other.to_token_stream()
                        ),
                    }
                }
            }
            syn::Item::Mod(m) if m.ident == "builder" => {
                builder_attrs = Some(m.attrs);
                for b in m.content.map(|c| c.1).unwrap_or_default() {
                    if matches!(b, syn::Item::Use(_)) {
                        parts.builder_uses.push(b);
                        continue;
                    }
                    let name =
                        first_ident(&b).context("an operation builder item without a name")?;
                    let (id, _) = op_of(&name, "builder")?;
                    parts.op_builders.push((id, b));
                }
            }
            syn::Item::Mod(m) if m.ident == "statuses" => {
                statuses_attrs = Some(m.attrs);
                for c in m.content.map(|c| c.1).unwrap_or_default() {
                    let name = first_ident(&c).context("a statuses item without a name")?;
                    let (id, _) = op_of(&name, "statuses const")?;
                    parts.statuses.push((id, c));
                }
            }
            other => scaffold.push(other),
        }
    }
    let group_of_op: BTreeMap<&str, &str> = ops.values().map(|(id, g)| (id.as_str(), *g)).collect();
    let named = type_idents(&parts);
    let reach = reach(&parts, &named, &group_of_op);

    // Which file each type goes to, and under which gate.
    let all: BTreeSet<String> = groups.iter().map(|g| g.name.clone()).collect();
    let home = |ty: &str| -> Home {
        match reach.get(ty) {
            Some(set) if set.len() == 1 => Home::Group(set.iter().next().expect("one").to_string()),
            Some(set) if *set != all && !set.is_empty() => {
                Home::Shared(Some(set.iter().map(|s| s.to_string()).collect()))
            }
            _ => Home::Shared(None),
        }
    };
    let defaults_owner = defaults_owners(&parts, &named);

    let mut files: BTreeMap<String, GroupFile> = groups
        .iter()
        .map(|g| (g.name.clone(), GroupFile::default()))
        .collect();
    let mut shared = GroupFile::default();
    fn place<'f>(
        home: Home,
        files: &'f mut BTreeMap<String, GroupFile>,
        shared: &'f mut GroupFile,
    ) -> (&'f mut GroupFile, Option<syn::Attribute>) {
        match home {
            Home::Group(g) => (files.get_mut(&g).expect("a known group"), None),
            Home::Shared(gate) => (shared, gate.map(|g| cfg_any(&g))),
        }
    }
    for (ty, mut item) in parts.types {
        let (f, gate) = place(home(&ty), &mut files, &mut shared);
        gated(&mut item, gate);
        f.types.push(item);
    }
    for (ty, mut item) in parts.type_builders {
        let (f, gate) = place(home(&ty), &mut files, &mut shared);
        gated(&mut item, gate);
        f.type_builders.push(item);
    }
    // A serde default function goes into the file of each type that names
    // it: one type's own default, or typify's generic ones
    // (`default_u64::<T, V>`) that types of many files use. In
    // `shared.rs` it is built with any of the types that name it.
    for function in parts.defaults {
        let name = function.sig.ident.to_string();
        let owners = defaults_owner.get(&name).cloned().unwrap_or_default();
        let mut in_groups = BTreeSet::new();
        let mut shared_gate: Option<BTreeSet<String>> = None;
        let mut in_shared = false;
        for ty in &owners {
            match home(ty) {
                Home::Group(g) => {
                    in_groups.insert(g);
                }
                Home::Shared(gate) => {
                    shared_gate = match (in_shared, shared_gate, gate) {
                        (false, _, Some(g)) => Some(g.into_iter().collect()),
                        (true, Some(mut acc), Some(g)) => {
                            acc.extend(g);
                            Some(acc)
                        }
                        _ => None,
                    };
                    in_shared = true;
                }
            }
        }
        for g in in_groups {
            let f = files.get_mut(&g).expect("a known group");
            f.defaults.push(syn::Item::Fn(function.clone()));
        }
        if in_shared || owners.is_empty() {
            let mut function = function;
            if let Some(gate) = shared_gate {
                function
                    .attrs
                    .insert(0, cfg_any(&gate.into_iter().collect::<Vec<_>>()));
            } else if owners.is_empty() {
                function
                    .attrs
                    .insert(0, syn::parse_quote!(#[allow(dead_code)]));
            }
            shared.defaults.push(syn::Item::Fn(function));
        }
    }
    let file_of = |id: &str| group_of_op[id].to_string();
    for (id, m) in parts.methods {
        files
            .get_mut(&file_of(&id))
            .expect("a known group")
            .methods
            .push(m);
    }
    for (id, b) in parts.op_builders {
        files
            .get_mut(&file_of(&id))
            .expect("a known group")
            .op_builders
            .push(b);
    }
    for (id, c) in parts.statuses {
        files
            .get_mut(&file_of(&id))
            .expect("a known group")
            .statuses
            .push(c);
    }

    // mod.rs: the scaffolding, the facades, the files' declarations.
    let modules: Vec<(&str, &str)> = groups
        .iter()
        .map(|g| (g.name.as_str(), g.module.as_str()))
        .collect();
    let mut facade_types: Vec<syn::Item> = vec![glob("super::shared::types", None)];
    let mut facade_type_builders = vec![glob("super::super::shared::types::builder", None)];
    let mut facade_builders = Vec::new();
    let mut facade_statuses = Vec::new();
    for (name, module) in &modules {
        let gate = Some(cfg_any(&[name.to_string()]));
        facade_types.push(glob(&format!("super::{module}::types"), gate.clone()));
        facade_type_builders.push(glob(
            &format!("super::super::{module}::types::builder"),
            gate.clone(),
        ));
        facade_builders.push(glob(&format!("super::{module}::builder"), gate.clone()));
        facade_statuses.push(glob(&format!("super::{module}::statuses"), gate));
    }
    facade_types.push(syn::parse_quote! {
        /// Types for composing complex structures.
        pub mod builder { #(#facade_type_builders)* }
    });
    facade_types.extend(types_scaffold);
    let mut root = Vec::new();
    for item in scaffold {
        root.push(item);
    }
    let types_attrs = types_attrs.unwrap_or_default();
    root.insert(
        root.iter()
            .position(|i| !matches!(i, syn::Item::Use(_)))
            .unwrap_or(root.len()),
        syn::parse_quote! { #(#types_attrs)* pub mod types { #(#facade_types)* } },
    );
    let builder_attrs = builder_attrs.unwrap_or_default();
    root.push(syn::parse_quote! { #(#builder_attrs)* pub mod builder { #(#facade_builders)* } });
    let statuses_attrs = statuses_attrs.unwrap_or_default();
    root.push(syn::parse_quote! { #(#statuses_attrs)* pub mod statuses { #(#facade_statuses)* } });
    root.push(syn::parse_quote! {
        /// The types operations of several groups use, each under the features of those groups.
        mod shared;
    });
    for group in groups {
        let (name, module) = (
            &group.name,
            syn::Ident::new(&group.module, proc_macro2::Span::call_site()),
        );
        let doc = format!(
            " The `{name}` group: {}",
            group.description.lines().next().unwrap_or_default()
        );
        root.push(syn::parse_quote! {
            #[doc = #doc]
            #[cfg(feature = #name)]
            mod #module;
        });
    }

    let builder_uses: Vec<syn::Item> = parts
        .builder_uses
        .into_iter()
        .map(|mut u| {
            if let syn::Item::Use(u) = &mut u {
                one_level_down(&mut u.tree);
            }
            u
        })
        .collect();
    let mut out = vec![(
        "mod.rs".to_string(),
        syn::File {
            shebang: None,
            attrs: file.attrs,
            items: root,
        },
    )];
    out.push((
        "shared.rs".to_string(),
        shared.into_file(&builder_uses, &[]),
    ));
    for group in groups {
        let f = files.remove(&group.name).expect("a known group");
        out.push((
            format!("{}.rs", group.module),
            f.into_file(&builder_uses, &parts.methods_attrs),
        ));
    }
    Ok(out)
}

enum Home {
    Group(String),
    /// With the groups of its gate; none when ungated.
    Shared(Option<Vec<String>>),
}

/// What one file holds.
#[derive(Default)]
struct GroupFile {
    types: Vec<syn::Item>,
    type_builders: Vec<syn::Item>,
    defaults: Vec<syn::Item>,
    methods: Vec<syn::ImplItemFn>,
    op_builders: Vec<syn::Item>,
    statuses: Vec<syn::Item>,
}

impl GroupFile {
    fn into_file(self, builder_uses: &[syn::Item], methods_attrs: &[syn::Attribute]) -> syn::File {
        let GroupFile {
            types,
            type_builders,
            defaults,
            methods,
            op_builders,
            statuses,
        } = self;
        let mut types_items: Vec<syn::Item> = vec![syn::parse_quote! {
            #[allow(unused_imports)]
            use super::super::types::*;
        }];
        types_items.extend(types);
        types_items.push(module(Vec::new(), true, "builder", type_builders));
        if !defaults.is_empty() {
            // Private, so that the facade's glob re-exports of several
            // files' `types` do not all export a `defaults`.
            types_items.push(module(Vec::new(), false, "defaults", defaults));
        }
        let mut items: Vec<syn::Item> = vec![
            syn::parse_quote! { #[allow(unused_imports)] use super::*; },
            module(Vec::new(), true, "types", types_items),
        ];
        if !methods.is_empty() {
            let mut imp: syn::ItemImpl = syn::parse_quote! { impl Client {} };
            imp.attrs = methods_attrs.to_vec();
            imp.items = methods.into_iter().map(syn::ImplItem::Fn).collect();
            items.push(syn::Item::Impl(imp));
        }
        if !op_builders.is_empty() {
            let mut all = builder_uses.to_vec();
            all.extend(op_builders);
            items.push(module(Vec::new(), true, "builder", all));
        }
        if !statuses.is_empty() {
            items.push(module(Vec::new(), true, "statuses", statuses));
        }
        syn::File {
            shebang: None,
            attrs: Vec::new(),
            items,
        }
    }
}

/// `ATTRS pub mod NAME { ITEMS }`, built without reparsing the items (a
/// group's whole file would go through the parser again).
fn module(
    attrs: Vec<syn::Attribute>,
    public: bool,
    name: &str,
    items: Vec<syn::Item>,
) -> syn::Item {
    let ident = syn::Ident::new(name, proc_macro2::Span::call_site());
    let mut m: syn::ItemMod = if public {
        syn::parse_quote!(pub mod #ident {})
    } else {
        syn::parse_quote!(mod #ident {})
    };
    m.attrs = attrs;
    m.content.as_mut().expect("an inline module").1 = items;
    syn::Item::Mod(m)
}

/// `#[allow(unused_imports)] pub use PATH::*;`, under `gate`.
fn glob(path: &str, gate: Option<syn::Attribute>) -> syn::Item {
    let path: syn::Path = syn::parse_str(path).expect("a valid path");
    let gate = gate.into_iter();
    syn::parse_quote! {
        #(#gate)*
        #[allow(unused_imports)]
        pub use #path::*;
    }
}

/// `#[cfg(feature = "a")]` or `#[cfg(any(feature = "a", feature = "b"))]`.
fn cfg_any(groups: &[String]) -> syn::Attribute {
    match groups {
        [one] => syn::parse_quote!(#[cfg(feature = #one)]),
        many => syn::parse_quote!(#[cfg(any(#(feature = #many),*))]),
    }
}

fn gated(item: &mut syn::Item, gate: Option<syn::Attribute>) {
    let Some(gate) = gate else { return };
    let attrs = match item {
        syn::Item::Struct(i) => &mut i.attrs,
        syn::Item::Enum(i) => &mut i.attrs,
        syn::Item::Impl(i) => &mut i.attrs,
        syn::Item::Type(i) => &mut i.attrs,
        syn::Item::Fn(i) => &mut i.attrs,
        syn::Item::Const(i) => &mut i.attrs,
        syn::Item::Use(i) => &mut i.attrs,
        syn::Item::Mod(i) => &mut i.attrs,
        syn::Item::Trait(i) => &mut i.attrs,
        _ => return,
    };
    attrs.insert(0, gate);
}

/// `super::x` -> `super::super::x`: progenitor's `mod builder` imports,
/// one module deeper in a group's file.
fn one_level_down(tree: &mut syn::UseTree) {
    if let syn::UseTree::Path(p) = tree
        && p.ident == "super"
    {
        let inner = std::mem::replace(
            &mut *p.tree,
            syn::UseTree::Glob(syn::UseGlob {
                star_token: Default::default(),
            }),
        );
        *p.tree = syn::UseTree::Path(syn::UsePath {
            ident: syn::Ident::new("super", proc_macro2::Span::call_site()),
            colon2_token: Default::default(),
            tree: Box::new(inner),
        });
    }
}

fn is_client(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.is_ident("Client"))
}

fn has_fn(imp: &syn::ItemImpl, name: &str) -> bool {
    imp.items
        .iter()
        .any(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == name))
}

/// The type a `types` item defines.
fn defined_type(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(i) => Some(i.ident.to_string()),
        syn::Item::Enum(i) => Some(i.ident.to_string()),
        syn::Item::Type(i) => Some(i.ident.to_string()),
        _ => None,
    }
}

/// The name an item defines, or an impl's type (`impl<'a> X<'a>`).
fn first_ident(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Impl(i) => idents(&i.self_ty).into_iter().find(|n| n != "super"),
        syn::Item::Const(i) => Some(i.ident.to_string()),
        other => defined_type(other),
    }
}

/// The type of `names` an item of `types` or `types::builder` belongs to:
/// the one it defines, or an impl's type (`impl X`, `impl From<X> for
/// String`).
fn owner(item: &syn::Item, names: &BTreeSet<String>) -> Option<String> {
    if let Some(name) = defined_type(item) {
        return Some(name);
    }
    let syn::Item::Impl(imp) = item else {
        return None;
    };
    let in_names = |tokens: Vec<String>| tokens.into_iter().find(|t| names.contains(t));
    in_names(idents(&imp.self_ty)).or_else(|| {
        imp.trait_
            .as_ref()
            .and_then(|(_, path, _)| in_names(idents(path)))
    })
}

/// Every identifier in `tokens`, and the paths written in string literals
/// (serde's `default = "defaults::f"`), split at `::`.
fn idents(tokens: &impl ToTokens) -> Vec<String> {
    fn walk(stream: proc_macro2::TokenStream, out: &mut Vec<String>) {
        for tree in stream {
            match tree {
                proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), out),
                proc_macro2::TokenTree::Literal(l) => {
                    let text = l.to_string();
                    if text.starts_with('"') && text.contains("::") {
                        out.extend(text.trim_matches('"').split("::").map(str::to_string));
                    }
                }
                proc_macro2::TokenTree::Punct(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(tokens.to_token_stream(), &mut out);
    out
}

/// Every identifier each type's items (in `types` and `types::builder`)
/// name.
fn type_idents(parts: &Parts) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (ty, item) in parts.types.iter().chain(&parts.type_builders) {
        out.entry(ty.clone()).or_default().extend(idents(item));
    }
    out
}

/// The types whose items name each serde-default function.
fn defaults_owners(
    parts: &Parts,
    named: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for function in &parts.defaults {
        let name = function.sig.ident.to_string();
        let owners = named
            .iter()
            .filter(|(_, idents)| idents.contains(&name))
            .map(|(ty, _)| ty.clone())
            .collect();
        out.insert(name, owners);
    }
    out
}

/// The groups whose operations reach each type.
fn reach(
    parts: &Parts,
    named: &BTreeMap<String, BTreeSet<String>>,
    group_of_op: &BTreeMap<&str, &str>,
) -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeSet<&str> = parts.types.iter().map(|(t, _)| t.as_str()).collect();
    let functions: BTreeMap<String, &syn::ItemFn> = parts
        .defaults
        .iter()
        .map(|f| (f.sig.ident.to_string(), f))
        .collect();
    let mut edges: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (ty, idents_of) in named {
        let entry = edges.entry(ty.as_str()).or_default();
        for name in idents_of {
            if let Some(function) = functions.get(name) {
                entry.extend(
                    idents(*function)
                        .into_iter()
                        .filter(|n| names.contains(n.as_str())),
                );
            }
            if names.contains(name.as_str()) && name != ty {
                entry.insert(name.clone());
            }
        }
    }
    let mut roots: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut add_roots = |id: &str, found: Vec<String>| {
        let group = group_of_op[id];
        roots
            .entry(group)
            .or_default()
            .extend(found.into_iter().filter(|n| names.contains(n.as_str())));
    };
    for (id, m) in &parts.methods {
        add_roots(id, idents(m));
    }
    for (id, b) in &parts.op_builders {
        add_roots(id, idents(b));
    }
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (group, starts) in roots {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut todo: Vec<String> = starts.into_iter().collect();
        while let Some(ty) = todo.pop() {
            if !seen.insert(ty.clone()) {
                continue;
            }
            if let Some(next) = edges.get(ty.as_str()) {
                todo.extend(next.iter().filter(|n| !seen.contains(*n)).cloned());
            }
        }
        for ty in seen {
            out.entry(ty).or_default().insert(group.to_string());
        }
    }
    out
}

/// The files under `dir` (`src/generated/`) and the manifest `Cargo.toml`
/// of the crate in `crate_dir`, as they should be: `(path, text)`; and the
/// files present there that should not be (a group that is gone, the
/// one-file layout's `src/generated.rs`).
pub fn crate_files(layout: &Layout, crate_dir: &Path) -> anyhow::Result<CrateFiles> {
    let dir = crate_dir.join("src/generated");
    let mut files: Vec<(PathBuf, String)> = layout
        .files
        .iter()
        .map(|(name, text)| (dir.join(name), text.clone()))
        .collect();
    let manifest_path = crate_dir.join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("reading {}", manifest_path.display()))?;
    files.push((
        manifest_path.clone(),
        with_features(&manifest, &layout.features)
            .with_context(|| format!("the features of {}", manifest_path.display()))?,
    ));
    let wanted: BTreeSet<&PathBuf> = files.iter().map(|(p, _)| p).collect();
    let mut extra = Vec::new();
    let single = crate_dir.join("src/generated.rs");
    if single.exists() {
        extra.push(single);
    }
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries {
            let path = entry?.path();
            if !wanted.contains(&path) {
                extra.push(path);
            }
        }
    }
    extra.sort();
    Ok(CrateFiles { files, extra })
}

/// What `generate` writes into a crate, and what it removes.
#[derive(Debug)]
pub struct CrateFiles {
    /// `(path, text)`.
    pub files: Vec<(PathBuf, String)>,
    /// Files that are there and should not be.
    pub extra: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(id: &str, tag: &str, schema: &str) -> Value {
        json!({
            "operationId": id,
            "tags": [tag],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": format!("#/components/schemas/{schema}")}
            }}}}
        })
    }

    fn fixture() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "tags": [
                {"name": "alpha", "description": "The first group.", GROUP_REQUIRES: ["beta"]},
                {"name": "beta", "description": "The second group."},
                {"name": "gamma", "description": "The third group."}
            ],
            "paths": {
                "/a": {"get": op("GetA", "alpha", "AResponse")},
                "/b": {"get": op("GetB", "beta", "BResponse")},
                "/c": {"get": op("GetC", "gamma", "Everywhere")}
            },
            "components": {
                "schemas": {
                    "AResponse": {"type": "object", "properties": {
                        "c": {"$ref": "#/components/schemas/Common"},
                        "e": {"$ref": "#/components/schemas/Everywhere"},
                        "kind": {"type": "string", "enum": ["x", "y"]},
                        "limit": {"type": "integer", "format": "int32", "default": 10}
                    }},
                    "BResponse": {"type": "object", "properties": {
                        "c": {"$ref": "#/components/schemas/Common"},
                        "e": {"$ref": "#/components/schemas/Everywhere"},
                        "limit": {"type": "integer", "format": "int32", "default": 20}
                    }},
                    "Common": {"type": "object", "properties": {"n": {"type": "integer"}}},
                    "Everywhere": {"type": "object", "properties": {"m": {"type": "string"}}}
                }
            }
        })
    }

    fn laid_out(raw: Value) -> anyhow::Result<BTreeMap<String, syn::File>> {
        let loaded = spec::load_value(raw).map_err(|p| anyhow::anyhow!("{p}"))?;
        Ok(layout(&loaded, "t.yaml")?
            .files
            .into_iter()
            .map(|(name, text)| (name, syn::parse_file(&text).expect("parses")))
            .collect())
    }

    /// The `cfg` attributes of the item of `module` named `name` (a type,
    /// module, or the first fn of that name in an impl), as text; `None`
    /// when the file has no such item.
    fn gate(file: &syn::File, module: &[&str], name: &str) -> Option<Vec<String>> {
        let mut items = &file.items;
        for m in module {
            items = items.iter().find_map(|i| match i {
                syn::Item::Mod(inner) if inner.ident == m => inner.content.as_ref().map(|c| &c.1),
                _ => None,
            })?;
        }
        let cfgs = |attrs: &[syn::Attribute]| {
            attrs
                .iter()
                .filter(|a| a.path().is_ident("cfg"))
                .map(|a| a.to_token_stream().to_string())
                .collect::<Vec<_>>()
        };
        items.iter().find_map(|i| match i {
            syn::Item::Struct(s) if s.ident == name => Some(cfgs(&s.attrs)),
            syn::Item::Enum(s) if s.ident == name => Some(cfgs(&s.attrs)),
            syn::Item::Mod(s) if s.ident == name => Some(cfgs(&s.attrs)),
            syn::Item::Impl(imp) => imp.items.iter().find_map(|f| match f {
                syn::ImplItem::Fn(f) if f.sig.ident == name => Some(cfgs(&imp.attrs)),
                _ => None,
            }),
            _ => None,
        })
    }

    #[test]
    fn a_schema_two_groups_reach_is_shared_under_both_features() {
        let files = laid_out(fixture()).unwrap();
        let shared = &files["shared.rs"];
        let both = vec![r#"# [cfg (any (feature = "alpha" , feature = "beta"))]"#.to_string()];
        assert_eq!(gate(shared, &["types"], "Common"), Some(both));
        // Every group reaches it: no gate.
        assert_eq!(gate(shared, &["types"], "Everywhere"), Some(vec![]));
        assert_eq!(gate(shared, &["types"], "AResponse"), None);
    }

    #[test]
    fn an_operation_and_what_only_it_reaches_are_in_its_group_file_under_its_feature() {
        let files = laid_out(fixture()).unwrap();
        let alpha = &files["alpha.rs"];
        assert!(gate(alpha, &["types"], "AResponse").is_some());
        // The inline enum of one of its properties goes with it.
        assert!(gate(alpha, &["types"], "AResponseKind").is_some());
        assert!(gate(alpha, &["builder"], "GetA").is_some());
        assert!(gate(alpha, &[], "get_a").is_some());
        assert!(gate(&files["beta.rs"], &["types"], "AResponse").is_none());
        let root = &files["mod.rs"];
        assert_eq!(
            gate(root, &[], "alpha"),
            Some(vec![r#"# [cfg (feature = "alpha")]"#.to_string()])
        );
        assert_eq!(gate(root, &[], "shared"), Some(vec![]));
        let text = files["alpha.rs"].to_token_stream().to_string();
        assert!(text.contains("GET_A_ERRORS"), "{text}");
    }

    #[test]
    fn a_serde_default_function_goes_with_every_file_that_uses_it() {
        let files = laid_out(fixture()).unwrap();
        for name in ["alpha.rs", "beta.rs"] {
            let text = prettyplease::unparse(&files[name]);
            let uses = text.matches("defaults::default_").count();
            let defines = text.matches("fn default_").count();
            assert!(uses > 0 && defines > 0, "{name}: {text}");
        }
    }

    #[test]
    fn a_group_that_requires_another_enables_its_feature() {
        let groups = groups(&fixture()).unwrap();
        let block = features_block(&groups, &Default::default());
        assert!(
            block.contains("# The first group.\nalpha = [\"beta\"]\n"),
            "{block}"
        );
        assert!(
            block.contains("# The second group.\nbeta = []\n"),
            "{block}"
        );
        assert!(
            block.contains("full = [\"alpha\", \"beta\", \"gamma\"]\n"),
            "{block}"
        );
        let manifest = format!(
            "[package]\nname = \"x\"\n[features]\ndefault = [\"alpha\"]\n{FEATURES_BEGIN}\nold = []\n{FEATURES_END}\n"
        );
        let written = with_features(&manifest, &block).unwrap();
        assert!(!written.contains("old ="), "{written}");
        assert!(
            written.starts_with("[package]\nname = \"x\"\n[features]\ndefault = [\"alpha\"]\n")
        );
        let clash = format!("[features]\nalpha = []\n{FEATURES_BEGIN}\n{FEATURES_END}\n");
        assert!(with_features(&clash, &block).is_err());
    }

    #[test]
    fn a_group_without_a_description_or_requiring_an_unknown_group_is_an_error() {
        let mut raw = fixture();
        raw["tags"][1]["description"] = json!("");
        raw["tags"][0][GROUP_REQUIRES] = json!(["delta"]);
        let e = groups(&raw).unwrap_err().to_string();
        assert!(
            e.contains("/tags/1: the tag `beta` has no description"),
            "{e}"
        );
        assert!(
            e.contains("/tags/0/x-group-requires: `delta` is not another group"),
            "{e}"
        );
        raw["tags"] = json!([]);
        let e = groups(&raw).unwrap_err().to_string();
        assert!(e.contains("the `tags` list has no entry for it"), "{e}");
    }
}
