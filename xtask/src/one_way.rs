//! One-way serde: a pass over the generated code that keeps only the serde
//! direction each type is used in.
//!
//! progenitor (through typify) derives both `Serialize` and `Deserialize` for
//! every type, but a client only ever serialises what it sends (bodies, query
//! and header parameters) and deserialises what it receives (success and
//! error bodies). serde's derives are most of what `cargo check` spends on
//! the types (docs/benchmark-log.md, "Generator at scale"), so a type reachable only
//! from responses loses `Serialize` and one reachable only from requests
//! loses `Deserialize` (typify's hand-written `impl Deserialize` of
//! validating newtypes included). A type reachable from both sides, or from
//! neither (a component no operation uses), keeps both.
//!
//! Which side a type is on is read from the generated code itself, not the
//! spec, so typify's names for inline schemas need no guessing:
//!
//! - response roots: the `types::*` named in the return type of a function
//!   outside `mod types` (`Result<ResponseValue<T>, Error<E>>`);
//! - request roots: every other `types::*` named outside `mod types`
//!   (parameters, builder fields, conversions in `send`); when in doubt a
//!   type is a request type, which at worst keeps a derive;
//! - then everything the fields and variants of a type name, transitively.

use std::collections::{BTreeMap, BTreeSet};

use syn::visit_mut::VisitMut;

/// What the pass changed: type names, for tests and timings.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sides {
    /// Types that lost `Serialize` (received only).
    pub response_only: BTreeSet<String>,
    /// Types that lost `Deserialize` (sent only).
    pub request_only: BTreeSet<String>,
    /// Types that keep both.
    pub both: BTreeSet<String>,
}

/// Removes the serde direction each type of `mod types` does not need.
pub fn apply(file: &mut syn::File) -> Sides {
    apply_inner(file, None, &Reached::default(), None).0
}

/// Cargo features that bring back the direction [`apply`] drops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gates {
    /// `Serialize` on response-only types (`serialize-responses`).
    pub serialize: &'static str,
    /// `Deserialize` on request-only types (`deserialize-requests`).
    pub deserialize: &'static str,
}

/// [`apply`], except that the dropped direction stays under a cargo
/// feature (`#[cfg_attr(feature = .., derive(..))]`): a dependent that
/// stores answers or loads requests as JSON turns it on, the others do
/// not compile it.
pub fn apply_gated(file: &mut syn::File, gates: Gates) -> Sides {
    apply_inner(file, None, &Reached::default(), Some(gates)).0
}

/// Types of another crate (`{krate}::types::X`, `--split`'s shared crate)
/// that a part's requests and responses reach: the roots of that crate's
/// sides.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reached {
    /// Reached from what is sent.
    pub request: BTreeSet<String>,
    /// Reached from what is received.
    pub response: BTreeSet<String>,
}

impl Reached {
    /// Both sides of `other` added to these.
    pub fn extend(&mut self, other: Reached) {
        self.request.extend(other.request);
        self.response.extend(other.response);
    }
}

/// [`apply`] for a part of a split client: also says which of the shared
/// crate `krate`'s types each side reaches.
pub fn apply_part(file: &mut syn::File, krate: &str) -> (Sides, Reached) {
    apply_inner(file, Some(krate), &Reached::default(), None)
}

/// [`apply`] for the shared crate of a split client, whose own code has no
/// operations: the sides start from what the parts reach.
pub fn apply_shared(file: &mut syn::File, reached: &Reached) -> Sides {
    apply_inner(file, None, reached, None).0
}

fn apply_inner(
    file: &mut syn::File,
    krate: Option<&str>,
    extra: &Reached,
    gates: Option<Gates>,
) -> (Sides, Reached) {
    let Some(types) = types_module(&mut file.items) else {
        return (Sides::default(), Reached::default());
    };
    let graph = field_graph(types);
    let external = krate.map(|k| external_graph(types, k)).unwrap_or_default();
    let (mut request_roots, mut response_roots, mut reached) =
        roots(&mut file.items, &graph, krate);
    let known = |names: &BTreeSet<String>| -> Vec<String> {
        names
            .iter()
            .filter(|n| graph.contains_key(*n))
            .cloned()
            .collect()
    };
    request_roots.extend(known(&extra.request));
    response_roots.extend(known(&extra.response));
    let request = closure(&graph, request_roots);
    let response = closure(&graph, response_roots);
    for name in &request {
        reached
            .request
            .extend(external.get(name).into_iter().flatten().cloned());
    }
    for name in &response {
        reached
            .response
            .extend(external.get(name).into_iter().flatten().cloned());
    }

    let mut sides = Sides::default();
    for name in graph.keys() {
        match (request.contains(name), response.contains(name)) {
            (false, true) => sides.response_only.insert(name.clone()),
            (true, false) => sides.request_only.insert(name.clone()),
            _ => sides.both.insert(name.clone()),
        };
    }
    let types = types_module(&mut file.items).expect("found above");
    types.retain_mut(|item| {
        let feature = if impls_trait_for(item, "Serialize", &sides.response_only) {
            gates.map(|g| g.serialize)
        } else if impls_trait_for(item, "Deserialize", &sides.request_only) {
            gates.map(|g| g.deserialize)
        } else {
            return true;
        };
        let (Some(feature), syn::Item::Impl(i)) = (feature, item) else {
            return false;
        };
        i.attrs.push(syn::parse_quote!(#[cfg(feature = #feature)]));
        true
    });
    for item in types.iter_mut() {
        let (ident, attrs) = match item {
            syn::Item::Struct(s) => (&s.ident, &mut s.attrs),
            syn::Item::Enum(e) => (&e.ident, &mut e.attrs),
            _ => continue,
        };
        let name = ident.to_string();
        if sides.response_only.contains(&name) {
            let derived = remove_derive(attrs, "Serialize");
            if let (Some(Gates { serialize, .. }), true) = (gates, derived) {
                attrs.push(syn::parse_quote!(
                    #[cfg_attr(feature = #serialize, derive(::serde::Serialize))]
                ));
            }
        } else if sides.request_only.contains(&name) {
            let derived = remove_derive(attrs, "Deserialize");
            if let (Some(Gates { deserialize, .. }), true) = (gates, derived) {
                attrs.push(syn::parse_quote!(
                    #[cfg_attr(feature = #deserialize, derive(::serde::Deserialize))]
                ));
            }
            // `#[serde(default = "defaults::f")]` only serves
            // deserialisation; without it `f` would be dead code.
            if let syn::Item::Struct(s) = item {
                for field in &mut s.fields {
                    let defaults = remove_default_fns(&mut field.attrs);
                    if let (Some(Gates { deserialize, .. }), false) = (gates, defaults.is_empty()) {
                        field.attrs.push(syn::parse_quote!(
                            #[cfg_attr(feature = #deserialize, serde(#(#defaults),*))]
                        ));
                    }
                }
            }
        }
    }
    prune_defaults(types);
    if let Some(Gates { deserialize, .. }) = gates {
        allow_unused_defaults(types, deserialize);
    }
    (sides, reached)
}

/// Removes `default = "..."` from `#[serde(...)]`, and the attribute when
/// nothing else is left in it; returns what it removed.
fn remove_default_fns(attrs: &mut Vec<syn::Attribute>) -> Vec<syn::Meta> {
    let mut removed = Vec::new();
    attrs.retain_mut(|attr| {
        if !attr.path().is_ident("serde") {
            return true;
        }
        let Ok(metas) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
        ) else {
            return true;
        };
        let (defaults, kept): (Vec<&syn::Meta>, Vec<&syn::Meta>) = metas
            .iter()
            .partition(|m| matches!(m, syn::Meta::NameValue(nv) if nv.path.is_ident("default")));
        if defaults.is_empty() {
            return true;
        }
        removed.extend(defaults.into_iter().cloned());
        if kept.is_empty() {
            return false;
        }
        *attr = syn::parse_quote!(#[serde(#(#kept),*)]);
        true
    });
    removed
}

/// A default function of `mod defaults` may serve only deserialisation
/// that `feature` gates; without the feature it is not called.
fn allow_unused_defaults(types: &mut [syn::Item], feature: &str) {
    for item in types.iter_mut() {
        let syn::Item::Mod(m) = item else { continue };
        if m.ident != "defaults" {
            continue;
        }
        for item in m.content.iter_mut().flat_map(|(_, items)| items.iter_mut()) {
            if let syn::Item::Fn(f) = item {
                f.attrs.push(syn::parse_quote!(
                    #[cfg_attr(not(feature = #feature), allow(dead_code))]
                ));
            }
        }
    }
}

/// Removes the functions of typify's `mod defaults` that nothing in `mod
/// types` names any more (as `defaults::f` in code or in a serde attribute).
fn prune_defaults(types: &mut [syn::Item]) {
    let mut text = String::new();
    for item in types.iter() {
        if !matches!(item, syn::Item::Mod(m) if m.ident == "defaults") {
            text.push_str(&quote_item(item));
        }
    }
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for item in types.iter_mut() {
        let syn::Item::Mod(m) = item else { continue };
        if m.ident != "defaults" {
            continue;
        }
        if let Some((_, items)) = &mut m.content {
            items.retain(|item| match item {
                syn::Item::Fn(f) => text.contains(&format!("defaults::{}", f.sig.ident)),
                _ => true,
            });
        }
    }
}

/// An item's tokens as text.
fn quote_item(item: &syn::Item) -> String {
    quote::ToTokens::to_token_stream(item).to_string()
}

/// The items of `pub mod types { ... }`.
fn types_module(items: &mut [syn::Item]) -> Option<&mut Vec<syn::Item>> {
    items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Each struct and enum of `mod types` (not of its submodules: typify's
/// `builder`, `error`, `defaults`) with the types of the module its fields
/// or variants name.
///
/// (The visitors are `VisitMut`, which xtask's `syn` has, but change
/// nothing.)
fn field_graph(types: &mut [syn::Item]) -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeSet<String> = types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut graph = BTreeMap::new();
    for item in types {
        let (name, mut refs) = match item {
            syn::Item::Struct(s) => {
                let mut refs = TypeRefs::new(&names);
                refs.visit_fields_mut(&mut s.fields);
                (s.ident.to_string(), refs)
            }
            syn::Item::Enum(e) => {
                let mut refs = TypeRefs::new(&names);
                for variant in &mut e.variants {
                    refs.visit_fields_mut(&mut variant.fields);
                }
                (e.ident.to_string(), refs)
            }
            _ => continue,
        };
        refs.found.remove(&name);
        graph.insert(name, refs.found);
    }
    graph
}

/// `(request roots, response roots, the shared crate's types reached)` from
/// the items outside `mod types`.
fn roots(
    items: &mut [syn::Item],
    graph: &BTreeMap<String, BTreeSet<String>>,
    krate: Option<&str>,
) -> (BTreeSet<String>, BTreeSet<String>, Reached) {
    let names: BTreeSet<String> = graph.keys().cloned().collect();
    let mut sides = SideRoots {
        names: &names,
        krate,
        request: BTreeSet::new(),
        response: BTreeSet::new(),
        reached: Reached::default(),
        in_return_type: false,
    };
    for item in items {
        if matches!(item, syn::Item::Mod(m) if m.ident == "types") {
            continue;
        }
        sides.visit_item_mut(item);
    }
    (sides.request, sides.response, sides.reached)
}

/// Each struct and enum of `mod types` with the types of crate `krate`
/// (`krate::types::X`) its fields or variants name.
fn external_graph(types: &mut [syn::Item], krate: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for item in types {
        let mut refs = ExternalRefs {
            krate,
            found: BTreeSet::new(),
        };
        let name = match item {
            syn::Item::Struct(s) => {
                refs.visit_fields_mut(&mut s.fields);
                s.ident.to_string()
            }
            syn::Item::Enum(e) => {
                for variant in &mut e.variants {
                    refs.visit_fields_mut(&mut variant.fields);
                }
                e.ident.to_string()
            }
            _ => continue,
        };
        graph.insert(name, refs.found);
    }
    graph
}

/// The `X` of every `krate::types::X` path the visited code mentions.
struct ExternalRefs<'a> {
    krate: &'a str,
    found: BTreeSet<String>,
}

impl VisitMut for ExternalRefs<'_> {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        if let Some(name) = external_type(path, self.krate) {
            self.found.insert(name);
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

/// `X` when `path` is `krate::types::X` (with or without a leading `::`).
fn external_type(path: &syn::Path, krate: &str) -> Option<String> {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments.as_slice() {
        [first, types, name] if first == krate && types == "types" => Some(name.clone()),
        _ => None,
    }
}

fn closure(
    graph: &BTreeMap<String, BTreeSet<String>>,
    roots: BTreeSet<String>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = roots.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(next) = graph.get(&name) {
            todo.extend(next.iter().filter(|n| !seen.contains(*n)).cloned());
        }
    }
    seen
}

/// The type names of `names` that the visited code mentions (as the last
/// segment of a path: `X`, `super::X`, `types::X`).
struct TypeRefs<'a> {
    names: &'a BTreeSet<String>,
    found: BTreeSet<String>,
}

impl<'a> TypeRefs<'a> {
    fn new(names: &'a BTreeSet<String>) -> Self {
        Self {
            names,
            found: BTreeSet::new(),
        }
    }
}

impl VisitMut for TypeRefs<'_> {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        if let Some(last) = path.segments.last() {
            let ident = last.ident.to_string();
            if self.names.contains(&ident) {
                self.found.insert(ident);
            }
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

/// Outside `mod types`: `types::X` in a function's return type is a
/// response root, anywhere else a request root. `types::builder::X` (typify's
/// struct builders, which only request bodies go through) is always a
/// request root.
struct SideRoots<'a> {
    names: &'a BTreeSet<String>,
    /// The shared crate of a split client, whose types are recorded in
    /// `reached`.
    krate: Option<&'a str>,
    request: BTreeSet<String>,
    response: BTreeSet<String>,
    reached: Reached,
    in_return_type: bool,
}

impl VisitMut for SideRoots<'_> {
    fn visit_signature_mut(&mut self, sig: &mut syn::Signature) {
        self.visit_generics_mut(&mut sig.generics);
        for input in &mut sig.inputs {
            self.visit_fn_arg_mut(input);
        }
        let outer = std::mem::replace(&mut self.in_return_type, true);
        self.visit_return_type_mut(&mut sig.output);
        self.in_return_type = outer;
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        if let Some(name) = self.krate.and_then(|k| external_type(path, k)) {
            if self.in_return_type {
                self.reached.response.insert(name);
            } else {
                self.reached.request.insert(name);
            }
        }
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(position) = segments.iter().position(|s| s == "types")
            && let Some(last) = segments.last()
            && position + 1 < segments.len()
            && self.names.contains(last)
        {
            let through_builder = segments[position + 1..].iter().any(|s| s == "builder");
            if self.in_return_type && !through_builder {
                self.response.insert(last.clone());
            } else {
                self.request.insert(last.clone());
            }
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

/// Whether `item` is `impl ... serde::<trait_name> for X` with `X` in `names`.
fn impls_trait_for(item: &syn::Item, trait_name: &str, names: &BTreeSet<String>) -> bool {
    let syn::Item::Impl(imp) = item else {
        return false;
    };
    let Some((_, trait_path, _)) = &imp.trait_ else {
        return false;
    };
    let is_serde_trait = trait_path.segments.len() >= 2
        && trait_path.segments.iter().any(|s| s.ident == "serde")
        && trait_path
            .segments
            .last()
            .is_some_and(|s| s.ident == trait_name);
    if !is_serde_trait {
        return false;
    }
    match &*imp.self_ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| names.contains(&s.ident.to_string())),
        _ => false,
    }
}

/// Removes `::serde::<name>` (or `serde::<name>`) from `#[derive(...)]`;
/// whether there was one.
fn remove_derive(attrs: &mut [syn::Attribute], name: &str) -> bool {
    let mut removed = false;
    for attr in attrs.iter_mut() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|p| {
                let is_it = p.segments.last().is_some_and(|s| s.ident == name)
                    && p.segments.iter().any(|s| s.ident == "serde");
                !is_it
            })
            .collect();
        if kept.len() != paths.len() {
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
            removed = true;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(src: &str) -> syn::File {
        syn::parse_str(src).unwrap()
    }

    #[test]
    fn a_gated_response_type_keeps_serialize_under_the_feature() {
        let mut f = file(
            r#"
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Resp { pub x: i64 }
                #[derive(::serde::Deserialize, Clone, Debug)]
                pub struct Kind(String);
                impl ::serde::Serialize for Kind {
                    fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { todo!() }
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Req { pub y: i64 }
            }
            impl Client {
                pub async fn op<'a>(&'a self, body: &'a types::Req) -> Result<ResponseValue<types::Resp>, Error<types::Kind>> { todo!() }
            }
            "#,
        );
        apply_gated(
            &mut f,
            Gates {
                serialize: "serialize-responses",
                deserialize: "deserialize-requests",
            },
        );
        let text = quote::quote!(#f).to_string();
        let gate = "cfg_attr (feature = \"serialize-responses\" , derive (:: serde :: Serialize))";
        let resp = text.find("pub struct Resp").unwrap();
        assert!(text[..resp].contains(gate), "{text}");
        assert!(
            text.contains(
                "# [cfg (feature = \"serialize-responses\")] impl :: serde :: Serialize for Kind"
            ),
            "{text}"
        );
        // What is sent keeps Serialize and has Deserialize under its feature.
        let req = text.find("pub struct Req").unwrap();
        let req_attrs = &text[text[..req].rfind("# [derive").unwrap()..req];
        assert!(
            req_attrs.starts_with("# [derive (:: serde :: Serialize , Clone , Debug)]")
                && req_attrs.contains(
                    "cfg_attr (feature = \"deserialize-requests\" , derive (:: serde :: Deserialize))"
                ),
            "{req_attrs}"
        );
    }

    #[test]
    fn sides_follow_signatures_and_fields() {
        let mut f = file(
            r#"
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Req { pub shared: Shared, pub name: Name }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Resp { pub items: ::std::vec::Vec<Item>, pub shared: Option<Shared> }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Item { pub x: i64 }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub enum Shared { A, B }
                #[derive(::serde::Serialize, Clone, Debug)]
                #[serde(transparent)]
                pub struct Name(String);
                impl<'de> ::serde::Deserialize<'de> for Name {
                    fn deserialize<D>(d: D) -> Result<Self, D::Error> where D: ::serde::Deserializer<'de> { todo!() }
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Unused { pub x: i64 }
            }
            impl Client {
                pub async fn op<'a>(&'a self, body: &'a types::Req) -> Result<ResponseValue<types::Resp>, Error<()>> { todo!() }
            }
            "#,
        );
        let sides = apply(&mut f);
        let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(sides.request_only, set(&["Name", "Req"]));
        assert_eq!(sides.response_only, set(&["Item", "Resp"]));
        assert_eq!(sides.both, set(&["Shared", "Unused"]));
        let text = prettyplease::unparse(&f);
        assert!(!text.contains("Deserialize<'de> for Name"), "{text}");
        assert!(
            text.contains("#[derive(::serde::Serialize, Clone, Debug)]\n    pub struct Req"),
            "{text}"
        );
        assert!(
            text.contains("#[derive(::serde::Deserialize, Clone, Debug)]\n    pub struct Resp"),
            "{text}"
        );
        assert!(text.contains("#[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]\n    pub enum Shared"), "{text}");
    }

    #[test]
    fn a_split_client_gives_its_shared_crate_the_sides_its_parts_use() {
        let mut part = file(
            r#"
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Req { pub a: x_shared::types::Sent }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Resp { pub b: ::std::vec::Vec<x_shared::types::Got> }
            }
            impl Client {
                pub async fn op<'a>(&'a self, p: &'a x_shared::types::Param, body: &'a types::Req)
                    -> Result<ResponseValue<types::Resp>, Error<()>> { todo!() }
                pub async fn other<'a>(&'a self) -> Result<ResponseValue<x_shared::types::Both>, Error<()>> { todo!() }
                pub async fn third<'a>(&'a self, b: &'a x_shared::types::Both) -> Result<ResponseValue<()>, Error<()>> { todo!() }
            }
            "#,
        );
        let (sides, reached) = apply_part(&mut part, "x_shared");
        let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(sides.request_only, set(&["Req"]));
        assert_eq!(sides.response_only, set(&["Resp"]));
        assert_eq!(reached.request, set(&["Both", "Param", "Sent"]));
        assert_eq!(reached.response, set(&["Both", "Got"]));

        let mut shared = file(
            r#"
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Sent { pub inner: Inner }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Inner { pub x: i64 }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Got { pub x: i64 }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Both { pub x: i64 }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Param(String);
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Unused { pub x: i64 }
            }
            "#,
        );
        let sides = apply_shared(&mut shared, &reached);
        assert_eq!(sides.request_only, set(&["Inner", "Param", "Sent"]));
        assert_eq!(sides.response_only, set(&["Got"]));
        assert_eq!(sides.both, set(&["Both", "Unused"]));
    }

    #[test]
    fn builder_types_and_error_bodies_count() {
        let mut f = file(
            r#"
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Body { pub x: i64 }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Fault { pub code: String }
                pub mod builder {
                    pub struct Body { x: Result<i64, String> }
                }
            }
            pub mod builder {
                pub struct Op<'a> { body: Result<types::builder::Body, String> }
                impl<'a> Op<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<types::Fault>> { todo!() }
                }
            }
            "#,
        );
        let sides = apply(&mut f);
        assert!(sides.request_only.contains("Body"));
        assert!(sides.response_only.contains("Fault"));
    }

    #[test]
    fn default_functions_only_deserialisation_used_go_with_it() {
        let mut f = file(
            r#"
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Sent {
                    #[serde(default = "defaults::sent_kind")]
                    pub kind: String,
                    #[serde(default = "defaults::kept", skip_serializing_if = "Option::is_none")]
                    pub other: Option<String>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Received {
                    #[serde(default = "defaults::received_kind")]
                    pub kind: String,
                }
                pub mod defaults {
                    pub(super) fn sent_kind() -> String { "a".to_string() }
                    pub(super) fn kept() -> Option<String> { None }
                    pub(super) fn received_kind() -> String { "b".to_string() }
                }
            }
            impl Client {
                pub async fn op(&self, body: &types::Sent) -> Result<ResponseValue<types::Received>, Error<()>> { todo!() }
            }
            "#,
        );
        apply(&mut f);
        let text = prettyplease::unparse(&f);
        assert!(!text.contains("fn sent_kind"), "{text}");
        assert!(!text.contains("fn kept"), "{text}");
        assert!(
            text.contains("#[serde(skip_serializing_if = \"Option::is_none\")]"),
            "{text}"
        );
        assert!(text.contains("fn received_kind"), "{text}");
        assert!(
            text.contains("#[serde(default = \"defaults::received_kind\")]"),
            "{text}"
        );
    }
}
