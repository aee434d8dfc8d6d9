//! The check-only shape of every listing's item model (`hss_api::check`).
//!
//! For each offset/limit listing, the item model `X` (the element type of
//! the answer's item array) gets `XShape`: a struct with the same fields
//! and the same serde attributes, deriving only `Deserialize`, whose
//! strings are `check::Str`, arrays `check::Seq`, `serde_json::Value`
//! `IgnoredAny` and nested models their own shapes. The fields of the
//! listing's `item_identity` keep the model's type and are read back
//! through `check::Fields`. `impl check::Checked for X` names the shape.
//! All of it is behind the crate's `shapes` feature, so a program that
//! builds models does not compile their shapes.
//!
//! A struct is shaped only when every serde attribute it carries is one
//! whose meaning does not depend on the field's type (`rename`, `alias`,
//! `default`, `flatten`, `deny_unknown_fields`, and serialization-only
//! ones, dropped); otherwise it is used at its own type, which accepts the
//! same JSON by definition.

use std::collections::{BTreeMap, BTreeSet};

use quote::{format_ident, quote};

use crate::known::serde_name;

/// Adds the shapes of the listings among `operations` to the generated
/// file's `types` module.
pub fn add(file: &mut syn::File, operations: &[crate::metadata::Operation]) -> anyhow::Result<()> {
    let added = shapes(types_of(file), operations);
    if let Some(types) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|c| &mut c.1),
        _ => None,
    }) {
        types.extend(added);
    }
    Ok(())
}

/// The items of the file's `types` module.
fn types_of(file: &syn::File) -> &[syn::Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|c| c.1.as_slice()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The shapes, their `Fields` and the `Checked` impls for `types`.
fn shapes(types: &[syn::Item], operations: &[crate::metadata::Operation]) -> Vec<syn::Item> {
    let structs: BTreeMap<String, &syn::ItemStruct> = types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) if derives_deserialize(s) => Some((s.ident.to_string(), s)),
            _ => None,
        })
        .collect();
    // The item model of each listing, and the fields that identify items.
    let mut items: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for op in operations {
        let Some(list) = &op.list else { continue };
        let Some(answer) = structs.get(&format!("{}Response", op.id)) else {
            continue;
        };
        let Some(item) = field_of(answer, &list.item_array).and_then(|f| vec_element(&f.ty)) else {
            continue;
        };
        if !structs.contains_key(&item) {
            continue;
        }
        items
            .entry(item)
            .or_default()
            .extend(list.item_identity.iter().flatten().cloned());
    }
    // Every struct an item model reaches that can be shaped.
    let shapeable: BTreeSet<String> = structs
        .iter()
        .filter(|(_, s)| attributes_allow_a_shape(s))
        .map(|(name, _)| name.clone())
        .collect();
    let mut shaped: BTreeSet<String> = BTreeSet::new();
    let mut todo: Vec<String> = items
        .keys()
        .filter(|n| shapeable.contains(*n))
        .cloned()
        .collect();
    while let Some(name) = todo.pop() {
        if !shaped.insert(name.clone()) {
            continue;
        }
        let syn::Fields::Named(fields) = &structs[&name].fields else {
            continue;
        };
        for field in &fields.named {
            let mut named = Vec::new();
            type_names(&field.ty, &mut named);
            todo.extend(
                named
                    .into_iter()
                    .filter(|n| shapeable.contains(n) && !shaped.contains(n)),
            );
        }
    }
    let mut added: Vec<syn::Item> = Vec::new();
    for name in &shaped {
        let kept = items.get(name).cloned().unwrap_or_default();
        added.extend(shape(structs[name], &kept, &shaped));
        if items.contains_key(name) {
            let ty = format_ident!("{name}");
            let shape = format_ident!("{name}Shape");
            added.push(syn::parse_quote! {
                #[cfg(feature = "shapes")]
                impl crate::check::Checked for #ty {
                    type Shape = #shape;
                }
            });
        }
    }
    added
}

/// `#[derive(..., ::serde::Deserialize, ...)]` on the struct itself (not
/// behind a `cfg_attr`: those only requests use).
fn derives_deserialize(s: &syn::ItemStruct) -> bool {
    s.attrs.iter().any(|a| {
        a.path().is_ident("derive")
            && quote!(#a)
                .to_string()
                .replace(' ', "")
                .contains("::serde::Deserialize")
    })
}

/// The field whose JSON name is `json`.
fn field_of<'s>(s: &'s syn::ItemStruct, json: &str) -> Option<&'s syn::Field> {
    let syn::Fields::Named(fields) = &s.fields else {
        return None;
    };
    fields.named.iter().find(|f| json_name(f) == json)
}

fn json_name(field: &syn::Field) -> String {
    serde_name(field).unwrap_or_else(|| {
        let ident = field
            .ident
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        ident.trim_start_matches("r#").to_string()
    })
}

/// `X` of `Vec<X>` (or `Option<Vec<X>>`), when `X` is a plain name.
fn vec_element(ty: &syn::Type) -> Option<String> {
    match outer(ty)? {
        ("Vec", inner) => plain_name(inner),
        ("Option", inner) => vec_element(inner),
        _ => None,
    }
}

/// The last segment's name and its one type argument.
fn outer(ty: &syn::Type) -> Option<(&'static str, &syn::Type)> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let [syn::GenericArgument::Type(inner)] = args.args.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let name = match last.ident.to_string().as_str() {
        "Vec" => "Vec",
        "Option" => "Option",
        "Box" => "Box",
        _ => return None,
    };
    Some((name, inner))
}

/// `X` when the type is the one-segment path `X`.
fn plain_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    match (path.qself.is_none(), path.path.segments.len()) {
        (true, 1) => {
            let segment = &path.path.segments[0];
            matches!(segment.arguments, syn::PathArguments::None).then(|| segment.ident.to_string())
        }
        _ => None,
    }
}

/// Every plain name inside a type.
fn type_names(ty: &syn::Type, out: &mut Vec<String>) {
    match outer(ty) {
        Some((_, inner)) => type_names(inner, out),
        None => out.extend(plain_name(ty)),
    }
}

/// Serde attributes whose meaning does not depend on a field's type, or
/// that only serialization reads.
const FIELD_KEYS: &[&str] = &[
    "rename",
    "alias",
    "default",
    "flatten",
    "skip_serializing_if",
];
const CONTAINER_KEYS: &[&str] = &["rename", "deny_unknown_fields", "default"];

fn attributes_allow_a_shape(s: &syn::ItemStruct) -> bool {
    let syn::Fields::Named(fields) = &s.fields else {
        return false;
    };
    serde_keys(&s.attrs)
        .iter()
        .all(|k| CONTAINER_KEYS.contains(&k.as_str()))
        && fields.named.iter().all(|f| {
            serde_keys(&f.attrs)
                .iter()
                .all(|k| FIELD_KEYS.contains(&k.as_str()))
        })
}

/// The keys of every `#[serde(...)]` attribute.
fn serde_keys(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut keys = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let parsed = attr.parse_nested_meta(|meta| {
            keys.push(
                meta.path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            );
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        if parsed.is_err() {
            keys.push(String::new());
        }
    }
    keys
}

/// `XShape` for the struct `X`, and its `check::Fields`.
fn shape(
    s: &syn::ItemStruct,
    kept: &BTreeSet<String>,
    shaped: &BTreeSet<String>,
) -> Vec<syn::Item> {
    let name = &s.ident;
    let shape = format_ident!("{name}Shape");
    let syn::Fields::Named(fields) = &s.fields else {
        return Vec::new();
    };
    let container = serde_attrs(&s.attrs, CONTAINER_KEYS);
    let default = serde_keys(&s.attrs).iter().any(|k| k == "default");
    let derive = if default {
        quote!(#[derive(::serde::Deserialize, Default)])
    } else {
        quote!(#[derive(::serde::Deserialize)])
    };
    let mut out_fields = Vec::new();
    let mut arms = Vec::new();
    for field in &fields.named {
        let ident = field.ident.as_ref().expect("a named field");
        let json = json_name(field);
        let attrs = serde_attrs(&field.attrs, &["rename", "alias", "default", "flatten"]);
        let ty = if kept.contains(&json) {
            arms.push(quote!(#json => crate::check::AsText::as_text(&self.#ident),));
            field.ty.clone()
        } else {
            shaped_type(&field.ty, shaped)
        };
        out_fields.push(quote!(#(#attrs)* #ident: #ty,));
    }
    let doc = format!(
        " What [`{name}`] accepts, kept only as far as `check::Fields` reads (`hss_api::check`)."
    );
    let item: syn::ItemStruct = syn::parse_quote! {
        #[doc = #doc]
        #[cfg(feature = "shapes")]
        #derive
        #(#container)*
        #[allow(dead_code)]
        pub struct #shape {
            #(#out_fields)*
        }
    };
    let fields_impl: syn::ItemImpl = syn::parse_quote! {
        #[cfg(feature = "shapes")]
        impl crate::check::Fields for #shape {
            fn text(&self, name: &str) -> ::std::option::Option<::std::borrow::Cow<'_, str>> {
                match name {
                    #(#arms)*
                    _ => ::std::option::Option::None,
                }
            }
        }
    };
    vec![syn::Item::Struct(item), syn::Item::Impl(fields_impl)]
}

/// The `#[serde(...)]` attributes with only the keys in `keep`, a
/// `default = "path"` read as plain `default` (absence is accepted
/// either way; the shape keeps no value).
fn serde_attrs(attrs: &[syn::Attribute], keep: &[&str]) -> Vec<proc_macro2::TokenStream> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let mut parts = Vec::new();
        let _ = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let value = if meta.input.peek(syn::Token![=]) {
                Some(meta.value()?.parse::<syn::Expr>()?)
            } else {
                None
            };
            if !keep.contains(&key.as_str()) {
                return Ok(());
            }
            let path = &meta.path;
            parts.push(match (key.as_str(), value) {
                ("default", _) | (_, None) => quote!(#path),
                (_, Some(value)) => quote!(#path = #value),
            });
            Ok(())
        });
        if !parts.is_empty() {
            out.push(quote!(#[serde(#(#parts),*)]));
        }
    }
    out
}

/// The shape's type for a field of type `ty`.
fn shaped_type(ty: &syn::Type, shaped: &BTreeSet<String>) -> syn::Type {
    if let Some((outer_name, inner)) = outer(ty) {
        let inner = shaped_type(inner, shaped);
        return match outer_name {
            "Vec" => syn::parse_quote!(crate::check::Seq<#inner>),
            "Option" => syn::parse_quote!(::std::option::Option<#inner>),
            _ => syn::parse_quote!(::std::boxed::Box<#inner>),
        };
    }
    let text = quote!(#ty).to_string().replace(' ', "");
    match text.as_str() {
        "::std::string::String" | "String" => syn::parse_quote!(crate::check::Str),
        "::serde_json::Value" | "serde_json::Value" => syn::parse_quote!(::serde::de::IgnoredAny),
        _ => match plain_name(ty) {
            Some(name) if shaped.contains(&name) => {
                let shape = format_ident!("{name}Shape");
                syn::parse_quote!(#shape)
            }
            _ => ty.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /v1/things:
    get:
      operationId: ListThings
      parameters:
        - {name: offset, in: query, schema: {type: integer}}
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  total_num: {type: integer}
                  data_list:
                    type: array
                    items:
                      type: object
                      properties:
                        thing_id: {type: string}
"#;

    /// The shapes generated for a `types` module of `items`, as text.
    fn shapes_of(items: proc_macro2::TokenStream) -> String {
        let raw: Value = serde_norway::from_str(SPEC).unwrap();
        let mut file: syn::File = syn::parse_quote! {
            pub mod types { #items }
        };
        add(&mut file, &crate::metadata::extract(&raw).unwrap()).unwrap();
        prettyplease::unparse(&file)
    }

    #[test]
    fn an_item_model_and_what_it_nests_get_shapes_keeping_the_identity() {
        let text = shapes_of(quote! {
            #[derive(::serde::Deserialize, Debug)]
            pub struct ListThingsResponse {
                pub total_num: ::std::option::Option<i64>,
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub data_list: ::std::vec::Vec<Thing>,
            }
            #[derive(::serde::Deserialize, Debug)]
            pub struct Thing {
                pub thing_id: ::std::option::Option<::std::string::String>,
                #[serde(rename = "type", default = "defaults::kind")]
                pub type_: ::std::vec::Vec<::std::string::String>,
                pub extra: ::std::option::Option<::serde_json::Value>,
                pub part: ::std::option::Option<Part>,
                pub odd: ::std::option::Option<Odd>,
            }
            #[derive(::serde::Deserialize, Debug)]
            pub struct Part { pub size: i64 }
            #[derive(::serde::Deserialize, Debug)]
            pub struct Odd {
                #[serde(deserialize_with = "f")]
                pub x: ::std::string::String,
            }
        });
        let text: String = text.split_whitespace().collect();
        assert!(
            text.contains("implcrate::check::CheckedforThing{typeShape=ThingShape;}"),
            "{text}"
        );
        assert!(
            text.contains("thing_id:::std::option::Option<::std::string::String>,"),
            "kept: {text}"
        );
        assert!(
            text.contains("\"thing_id\"=>crate::check::AsText::as_text(&self.thing_id)"),
            "{text}"
        );
        assert!(
            text.contains(
                "#[serde(rename=\"type\",default)]type_:crate::check::Seq<crate::check::Str>"
            ),
            "{text}"
        );
        assert!(
            text.contains("extra:::std::option::Option<::serde::de::IgnoredAny>"),
            "{text}"
        );
        assert!(
            text.contains("part:::std::option::Option<PartShape>"),
            "{text}"
        );
        assert!(
            text.contains("odd:::std::option::Option<Odd>"),
            "not shaped, used as is: {text}"
        );
        assert!(!text.contains("structOddShape"), "{text}");
        assert!(
            !text.contains("ListThingsResponseShape"),
            "only items: {text}"
        );
        assert_eq!(
            text.matches("#[cfg(feature=\"shapes\")]").count(),
            5,
            "{text}"
        );
    }
}
