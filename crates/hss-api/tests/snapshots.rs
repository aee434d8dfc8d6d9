//! Snapshots of the generated client, so every spec change is a reviewable
//! diff: the whole generated file, and its public surface (signatures only,
//! no bodies or docs), which is what users of this crate depend on.
//!
//! After `cargo xtask generate`, review changes with `cargo insta review`
//! (or `INSTA_UPDATE=always cargo test -p hss-api --test snapshots` and
//! `git diff`).

use syn::visit_mut::{self, VisitMut};

const GENERATED: &str = include_str!("../src/generated.rs");

#[test]
fn generated_code() {
    insta::assert_snapshot!("generated_code", GENERATED);
}

#[test]
fn public_surface() {
    let mut file = syn::parse_file(GENERATED).expect("generated code parses");
    PublicSurface.visit_file_mut(&mut file);
    insta::assert_snapshot!("public_surface", prettyplease::unparse(&file));
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
}
