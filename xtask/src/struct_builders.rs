//! The builder interface without typify's struct builders.
//!
//! progenitor's builder interface makes typify write a builder for every
//! struct (`types::builder::X`, with `X::builder()`), which the operation
//! builders use for one thing: `body_map`, editing a body in place. For the
//! whole service that is 40 % of the generated lines, and so about that
//! share of the time `hss-api` takes to compile, for a convenience the
//! struct literal already gives (every field of a generated struct is
//! public, and structs whose fields are all optional derive `Default`).
//! [`remove`] takes them out and makes the operation builders hold the body
//! itself:
//!
//! - `types::builder` and every `X::builder()` go;
//! - an operation builder's `body` is `Result<types::X, String>`, set by
//!   `.body(value)` (anything `TryInto<types::X>`), starting as
//!   `X::default()` where `X` derives `Default` and as "not initialized"
//!   otherwise (as a required parameter does);
//! - `body_map` goes.

use std::collections::BTreeSet;

use syn::visit_mut::{self, VisitMut};

/// Removes typify's struct builders from a progenitor builder-interface
/// client (see the module documentation).
pub fn remove(file: &mut syn::File) {
    let mut with_default = BTreeSet::new();
    for item in &mut file.items {
        let syn::Item::Mod(m) = item else { continue };
        let Some((_, items)) = m.content.as_mut() else {
            continue;
        };
        if m.ident == "types" {
            items.retain(|i| !matches!(i, syn::Item::Mod(inner) if inner.ident == "builder"));
            for inner in items.iter_mut() {
                match inner {
                    syn::Item::Struct(s) if derives(&s.attrs, "Default") => {
                        with_default.insert(s.ident.to_string());
                    }
                    syn::Item::Impl(i) => i
                        .items
                        .retain(|f| !matches!(f, syn::ImplItem::Fn(f) if f.sig.ident == "builder")),
                    _ => {}
                }
            }
            items.retain(|i| !matches!(i, syn::Item::Impl(imp) if imp.items.is_empty() && imp.trait_.is_none()));
        }
    }
    for item in &mut file.items {
        let syn::Item::Mod(m) = item else { continue };
        if m.ident == "builder" {
            OperationBuilders {
                with_default: &with_default,
                body: None,
            }
            .visit_item_mod_mut(m);
        }
    }
}

fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive")
            && a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|paths| paths.iter().any(|p| p.is_ident(name)))
    })
}

/// Rewrites progenitor's operation builders.
struct OperationBuilders<'a> {
    with_default: &'a BTreeSet<String>,
    /// The body type of the builder being visited.
    body: Option<String>,
}

impl VisitMut for OperationBuilders<'_> {
    fn visit_item_impl_mut(&mut self, i: &mut syn::ItemImpl) {
        i.items
            .retain(|f| !matches!(f, syn::ImplItem::Fn(f) if f.sig.ident == "body_map"));
        visit_mut::visit_item_impl_mut(self, i);
    }

    /// `types::builder::X` -> `types::X`, noting `X`.
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(at) = names
            .windows(2)
            .position(|w| w[0] == "types" && w[1] == "builder")
        {
            let segments: Vec<syn::PathSegment> = path.segments.iter().cloned().collect();
            path.segments = segments
                .into_iter()
                .enumerate()
                .filter(|(n, _)| *n != at + 1)
                .map(|(_, s)| s)
                .collect();
            if let Some(last) = path.segments.last() {
                self.body = Some(last.ident.to_string());
            }
        }
        visit_mut::visit_path_mut(self, path);
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::MethodCall(call) = expr else {
            return;
        };
        let method = call.method.to_string();
        // `value.try_into().map(From::from)`: the builder conversion.
        let converts = method == "map"
            && matches!(call.args.first(), Some(syn::Expr::Path(p)) if quote::quote!(#p).to_string().replace(' ', "") == "From::from");
        // `body.and_then(|v| types::X::try_from(v)...)`: the builder's check.
        let checks = method == "and_then"
            && matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("body"));
        if converts || checks {
            *expr = (*call.receiver).clone();
        }
    }

    /// `body: Ok(Default::default())` in `new()`: kept where the body type
    /// derives `Default`.
    fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
        visit_mut::visit_field_value_mut(self, field);
        let syn::Member::Named(name) = &field.member else {
            return;
        };
        if name != "body" {
            return;
        }
        let default_ok = quote::quote!(Ok(::std::default::Default::default())).to_string();
        let value = &field.expr;
        if quote::quote!(#value).to_string() == default_ok {
            let keeps = self
                .body
                .as_ref()
                .is_some_and(|b| self.with_default.contains(b));
            if !keeps {
                field.expr = syn::parse_quote!(Err("body was not initialized".to_string()));
            }
        }
    }
}
