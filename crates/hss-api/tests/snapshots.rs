//! Snapshots of the generated client's public surface (signatures only,
//! no bodies or docs), which is what users of this crate depend on: one per
//! file of `src/generated/`, so a spec change shows as a diff in the group
//! it touches (`vulnerability`, `shared`, ...). The files are read as
//! source, so every group is covered whatever features the test is built
//! with. The generated code itself is checked in, file by file, and
//! `cargo xtask generate --check` keeps it equal to what the spec gives.
//!
//! After `cargo xtask generate`, review changes with `cargo insta review`
//! (or `INSTA_UPDATE=always cargo test -p hss-api --test snapshots` and
//! `git diff`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use syn::visit_mut::{self, VisitMut};

/// The files of `src/generated/`, by stem (`mod`, `shared`, a group).
fn generated_files() -> Vec<(String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/generated");
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("src/generated exists")
        .map(|entry| entry.expect("a readable directory").path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .map(|path| {
            let stem = path
                .file_stem()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            (stem, path)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn public_surface_of_each_generated_file() {
    let files = generated_files();
    assert!(
        files.iter().any(|(stem, _)| stem == "mod") && files.len() > 2,
        "src/generated should hold mod.rs, shared.rs and a file per group: {files:?}"
    );
    for (stem, path) in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let mut file = syn::parse_file(&text).expect("generated code parses");
        PublicSurface.visit_file_mut(&mut file);
        insta::assert_snapshot!(
            format!("public_surface_{stem}"),
            prettyplease::unparse(&file)
        );
    }
}

/// A group that is gone leaves no snapshot behind to review by mistake.
#[test]
fn every_snapshot_is_of_a_generated_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let expected: BTreeSet<String> = generated_files()
        .into_iter()
        .map(|(stem, _)| format!("snapshots__public_surface_{stem}.snap"))
        .collect();
    let present: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("tests/snapshots exists")
        .map(|entry| {
            entry
                .expect("readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".snap"))
        .collect();
    let stale: Vec<&String> = present.difference(&expected).collect();
    assert!(
        stale.is_empty(),
        "snapshots of no generated file: {stale:?}; delete them"
    );
}

/// Strips a file down to what other crates can name: public items and
/// fields, function signatures without bodies, trait impls as headers.
struct PublicSurface;

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn keep_item(item: &syn::Item) -> bool {
    match item {
        syn::Item::Struct(i) => is_pub(&i.vis),
        syn::Item::Enum(i) => is_pub(&i.vis),
        syn::Item::Fn(i) => is_pub(&i.vis),
        syn::Item::Mod(i) => is_pub(&i.vis),
        syn::Item::Use(i) => is_pub(&i.vis),
        syn::Item::Type(i) => is_pub(&i.vis),
        syn::Item::Const(i) => is_pub(&i.vis),
        syn::Item::Trait(i) => is_pub(&i.vis),
        syn::Item::Impl(_) => true,
        // `open_enum! { pub enum X { V => "v", ... } }`: the values are the
        // surface of `known`.
        syn::Item::Macro(i) => i.mac.path.is_ident("open_enum"),
        _ => false,
    }
}

impl VisitMut for PublicSurface {
    fn visit_attributes_mut(&mut self, attrs: &mut Vec<syn::Attribute>) {
        // Docs and lint allowances are not part of the surface; derives and
        // serde attributes are.
        attrs.retain(|a| !a.path().is_ident("doc") && !a.path().is_ident("allow"));
    }

    fn visit_file_mut(&mut self, file: &mut syn::File) {
        file.items.retain(keep_item);
        visit_mut::visit_file_mut(self, file);
    }

    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        if let Some((_, items)) = &mut module.content {
            items.retain(keep_item);
        }
        visit_mut::visit_item_mod_mut(self, module);
    }

    fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
        if let syn::Fields::Named(fields) = &mut item.fields {
            fields.named = fields
                .named
                .clone()
                .into_iter()
                .filter(|f| is_pub(&f.vis))
                .collect();
        }
        visit_mut::visit_item_struct_mut(self, item);
    }

    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        if item.trait_.is_some() {
            // The trait is the surface; its method bodies are not.
            item.items.clear();
        } else {
            item.items.retain(|i| match i {
                syn::ImplItem::Fn(f) => is_pub(&f.vis),
                syn::ImplItem::Const(c) => is_pub(&c.vis),
                _ => false,
            });
        }
        visit_mut::visit_item_impl_mut(self, item);
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        block.stmts.clear();
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        mac.tokens = without_docs(std::mem::take(&mut mac.tokens));
    }
}

/// `tokens` without `#[doc = "..."]` attributes, at any depth.
fn without_docs(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Group, TokenTree};
    let mut out = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                let is_doc = matches!(trees.peek(), Some(TokenTree::Group(g))
                    if g.stream().into_iter().next().is_some_and(|t| t.to_string() == "doc"));
                if is_doc {
                    trees.next();
                } else {
                    out.push(TokenTree::Punct(p));
                }
            }
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), without_docs(g.stream()));
                inner.set_span(g.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}
