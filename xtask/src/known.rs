//! Open enums for the spec's `x-known-values` lists: `hss_api::known`.
//!
//! Every list of known values becomes one Rust enum that keeps a value it
//! does not know (`Unknown`), and every model field with such a list gets
//! an accessor of the same name that reads it as that enum
//! (`host.status` is the string as sent, `host.status()` the enum). The
//! model fields stay strings, so no answer fails to decode and a request
//! can carry a value added later.
//!
//! - **One enum per list.** Places with the same values (in any order)
//!   share one enum; its values are in the order of the place that names
//!   it, else of the first place in the document.
//! - **Names.** `x-enum-name` on any place of a list names it (the
//!   reviewed operations name theirs). An unnamed list takes its field's
//!   name in PascalCase when no other list would, else its schema's or
//!   operation's name before the field's. Variants are the values in
//!   PascalCase; a list of three or more values drops the leading words
//!   all of them share (`vul_status_fixed` is `Fixed`).
//! - **Hand-written.** The enums the project was founded with
//!   ([`HAND_WRITTEN`]) are written by hand in `crates/hss-api/src/seeds.rs`
//!   with the same macro; the generated module re-exports them and a
//!   generated test checks their values against the spec.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::{Context, bail};
use heck::{ToPascalCase, ToSnakeCase};
use serde_json::Value;

use crate::pointer;
use crate::spec::KNOWN_VALUES;

/// The extension that names a list's enum.
pub const ENUM_NAME: &str = "x-enum-name";

/// The enums written by hand in `crates/hss-api/src/seeds.rs`.
pub const HAND_WRITTEN: &[&str] = &["ScanStatus", "AssetValue", "VulType"];

/// Where a list of known values is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The JSON pointer of the schema that holds `x-known-values`.
    pub pointer: String,
    /// The component schema or operation id it belongs to.
    pub owner: String,
    /// The property or parameter name, `None` for a whole component schema.
    pub field: Option<String>,
    /// A component schema's own property (`S.properties.P` or its
    /// `items`): one a generated model has a field for.
    pub property_of: Option<String>,
    /// The values are the items of an array field.
    pub array: bool,
}

impl Place {
    /// `Schema.field`, `Schema` or `Operation`'s `param`, for docs.
    fn label(&self) -> String {
        match (&self.field, &self.property_of) {
            (Some(field), Some(_)) => format!("`{}.{field}`", self.owner),
            (Some(field), None) => format!("`{}`'s `{field}`", self.owner),
            (None, _) => format!("`{}`", self.owner),
        }
    }
}

/// One list of known values and its enum.
#[derive(Clone, Debug)]
pub struct KnownSet {
    pub name: String,
    /// `(variant, value)`, in the list's order.
    pub variants: Vec<(String, String)>,
    pub places: Vec<Place>,
    /// Written by hand (re-exported, checked by a generated test).
    pub hand_written: bool,
    /// The description of the place that names it, or of its first place.
    pub description: Option<String>,
}

/// Every list of known values of a spec, by enum name.
#[derive(Clone, Debug, Default)]
pub struct Known {
    pub sets: Vec<KnownSet>,
}

impl Known {
    /// The enum of a component schema's property, and whether the field
    /// is an array of its values.
    pub fn of_property(&self, schema: &str, property: &str) -> Option<(&KnownSet, bool)> {
        self.sets.iter().find_map(|set| {
            set.places
                .iter()
                .find(|p| {
                    p.property_of.as_deref() == Some(schema) && p.field.as_deref() == Some(property)
                })
                .map(|p| (set, p.array))
        })
    }
}

/// A list as read, before it is named.
struct Found {
    place: Place,
    values: Vec<String>,
    name: Option<String>,
    description: Option<String>,
}

/// Collects and names every list of known values in `raw`.
pub fn collect(raw: &Value) -> anyhow::Result<Known> {
    let mut by_values: BTreeMap<BTreeSet<String>, Vec<Found>> = BTreeMap::new();
    for site in pointer::all_schemas(raw) {
        let Some(schema) = raw.pointer(&site.pointer) else {
            continue;
        };
        let Some(values) = schema.get(KNOWN_VALUES).and_then(Value::as_array) else {
            continue;
        };
        let values: Vec<String> = values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let place = place(raw, &site.pointer)?;
        let name = match schema.get(ENUM_NAME) {
            None => None,
            Some(Value::String(name)) if is_type_name(name) => Some(name.clone()),
            Some(other) => bail!(
                "{}/{ENUM_NAME}: `{other}` is not a Rust type name (PascalCase letters and digits)",
                site.pointer
            ),
        };
        let description = description(raw, &site.pointer, schema);
        by_values
            .entry(values.iter().cloned().collect())
            .or_default()
            .push(Found {
                place,
                values,
                name,
                description,
            });
    }

    // Explicit names first, then the rule for the rest.
    let mut named: Vec<(Option<String>, Vec<Found>)> = Vec::new();
    for (_, found) in by_values {
        let names: BTreeSet<&String> = found.iter().filter_map(|f| f.name.as_ref()).collect();
        if names.len() > 1 {
            bail!(
                "one list of known values has two {ENUM_NAME}s ({}), at {}",
                names.into_iter().cloned().collect::<Vec<_>>().join(", "),
                found
                    .iter()
                    .map(|f| f.place.pointer.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let name = names.into_iter().next().cloned();
        named.push((name, found));
    }
    let explicit: BTreeSet<String> = named.iter().filter_map(|(n, _)| n.clone()).collect();
    let mut wanted: BTreeMap<String, usize> = BTreeMap::new();
    for (name, found) in &named {
        if name.is_none() {
            *wanted.entry(short_name(&found[0].place)).or_default() += 1;
        }
    }
    let mut sets = Vec::new();
    let mut taken = BTreeSet::new();
    for (name, found) in named {
        let first = &found[0].place;
        let name = name.unwrap_or_else(|| {
            let short = short_name(first);
            if wanted[&short] == 1 && !explicit.contains(&short) {
                short
            } else {
                long_name(first)
            }
        });
        if !taken.insert(name.clone()) {
            bail!(
                "two lists of known values are both named `{name}` (one at {}); give one an {ENUM_NAME}",
                first.pointer
            );
        }
        let lead = found.iter().find(|f| f.name.is_some()).unwrap_or(&found[0]);
        let variants = variants(&lead.values)
            .with_context(|| format!("the values at {} (enum `{name}`)", lead.place.pointer))?;
        let description = lead.description.clone();
        sets.push(KnownSet {
            hand_written: HAND_WRITTEN.contains(&name.as_str()),
            name,
            variants,
            places: found.into_iter().map(|f| f.place).collect(),
            description,
        });
    }
    add_uses(raw, &mut sets);
    sets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Known { sets })
}

/// A component schema's property that is a `$ref` to a whole component
/// schema with known values (`vul_type: {$ref: VulType}`), or an array of
/// them: a place of that list too, for its accessor.
fn add_uses(raw: &Value, sets: &mut [KnownSet]) {
    let Some(schemas) = raw
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let target = |node: &Value| -> Option<String> {
        let reference = node.get("$ref")?.as_str()?;
        reference
            .strip_prefix("#/components/schemas/")
            .map(str::to_string)
    };
    for (schema, body) in schemas {
        let Some(properties) = body.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (property, node) in properties {
            let (to, array) = match (target(node), node.get("items").and_then(target)) {
                (Some(to), _) => (to, false),
                (None, Some(to)) => (to, true),
                _ => continue,
            };
            let Some(set) = sets
                .iter_mut()
                .find(|s| s.places.iter().any(|p| p.field.is_none() && p.owner == to))
            else {
                continue;
            };
            let pointer = pointer::push(
                &pointer::push(&pointer::push("/components/schemas", schema), "properties"),
                property,
            );
            set.places.push(Place {
                pointer,
                owner: schema.clone(),
                field: Some(property.clone()),
                property_of: Some(schema.clone()),
                array,
            });
        }
    }
}

fn is_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The pointer's tokens, unescaped.
fn tokens(ptr: &str) -> Vec<String> {
    ptr.split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn place(raw: &Value, ptr: &str) -> anyhow::Result<Place> {
    let t = tokens(ptr);
    let t: Vec<&str> = t.iter().map(String::as_str).collect();
    let place = |owner: &str, field: Option<&str>, property: bool, array: bool| Place {
        pointer: ptr.to_string(),
        owner: owner.to_string(),
        field: field.map(str::to_string),
        property_of: property.then(|| owner.to_string()),
        array,
    };
    Ok(match t.as_slice() {
        ["components", "schemas", s] => place(s, None, false, false),
        ["components", "schemas", s, "properties", p] => place(s, Some(p), true, false),
        ["components", "schemas", s, "properties", p, "items"] => place(s, Some(p), true, true),
        ["components", "schemas", s, .., "properties", p] => place(s, Some(p), false, false),
        ["components", "schemas", s, .., "properties", p, "items"] => {
            place(s, Some(p), false, true)
        }
        ["paths", ..] | ["components", "parameters", ..] if t.ends_with(&["schema"]) => {
            let param_ptr = ptr.strip_suffix("/schema").expect("ends with schema");
            let param = raw.pointer(param_ptr).context("the parameter")?;
            let name = param.get("name").and_then(Value::as_str).with_context(|| {
                format!("{param_ptr}: a parameter with known values and no name")
            })?;
            let owner = match t.as_slice() {
                ["paths", path, method, "parameters", ..] => raw
                    .pointer(&pointer::push(&pointer::push("/paths", path), method))
                    .and_then(|op| op.get("operationId"))
                    .and_then(Value::as_str)
                    .unwrap_or(path),
                [_, _, owner, ..] => owner,
                _ => "",
            };
            place(owner, Some(name), false, false)
        }
        _ => bail!(
            "{ptr}: known values at a place this generator cannot name (a component schema's property, or a parameter)"
        ),
    })
}

/// The description at a place: the schema's, or its parameter's.
fn description(raw: &Value, ptr: &str, schema: &Value) -> Option<String> {
    schema
        .get("description")
        .or_else(|| {
            ptr.strip_suffix("/schema")
                .and_then(|p| raw.pointer(p))
                .filter(|p| p.get("in").is_some())
                .and_then(|p| p.get("description"))
        })
        .and_then(Value::as_str)
        .map(|d| d.trim().to_string())
}

/// The field's name (or a whole schema's), in PascalCase.
fn short_name(place: &Place) -> String {
    pascal(place.field.as_deref().unwrap_or(&place.owner))
}

/// The owner's name before the field's.
fn long_name(place: &Place) -> String {
    match &place.field {
        Some(field) => format!("{}{}", pascal(&place.owner), pascal(field)),
        None => pascal(&place.owner),
    }
}

fn pascal(text: &str) -> String {
    let name = crate::rust_names::words(text).to_pascal_case();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    }
}

/// The variant of each value: PascalCase, without the leading words every
/// value of a list of three or more shares.
fn variants(values: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    let words: Vec<Vec<String>> = values
        .iter()
        .map(|v| {
            crate::rust_names::words(v)
                .to_snake_case()
                .split('_')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect();
    let mut shared = 0;
    if values.len() >= 3 {
        let shortest = words.iter().map(Vec::len).min().unwrap_or(0);
        while shared + 1 < shortest && words.iter().all(|w| w[shared] == words[0][shared]) {
            shared += 1;
        }
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for (value, words) in values.iter().zip(&words) {
        let variant = pascal(&words[shared..].join("_"));
        if variant.is_empty() {
            bail!("`{value}` gives no variant name");
        }
        if variant == "Unknown" {
            bail!(
                "`{value}` would be the variant `Unknown`, which every open enum keeps for values it does not know"
            );
        }
        if let Some((_, other)) = out.iter().find(|(v, _)| *v == variant) {
            bail!("`{value}` and `{other}` would both be the variant `{variant}`");
        }
        out.push((variant, value.clone()));
    }
    Ok(out)
}

/// `hss_api::known`: the generated enums, the hand-written ones
/// re-exported, and the test that holds those to the spec.
///
/// A hand-written enum that names no list is not re-exported (and
/// `hss-api` then fails to build with it unused).
pub fn render(known: &Known, spec_label: &str) -> String {
    let mut out = crate::generate::header(spec_label);
    let hand: Vec<&str> = known
        .sets
        .iter()
        .filter(|s| s.hand_written)
        .map(|s| s.name.as_str())
        .collect();
    out.push_str("pub use crate::open_enum::UnknownValue;\n");
    if !hand.is_empty() {
        let _ = writeln!(out, "pub use crate::seeds::{{{}}};", hand.join(", "));
    }
    out.push_str("use crate::open_enum::open_enum;\n");
    for set in known.sets.iter().filter(|s| !s.hand_written) {
        out.push_str("\nopen_enum! {\n");
        for line in enum_doc(set).lines() {
            if line.is_empty() {
                out.push_str("    ///\n");
            } else {
                let _ = writeln!(out, "    /// {line}");
            }
        }
        let _ = writeln!(out, "    pub enum {} {{", set.name);
        for (variant, value) in &set.variants {
            let _ = writeln!(out, "        /// `{value}`");
            let _ = writeln!(out, "        {variant} => {value:?},");
        }
        out.push_str("    }\n}\n");
    }
    if !hand.is_empty() {
        out.push_str(
            "\n#[cfg(test)]\nmod tests {\n    /// The hand-written enums list exactly the spec's values, in its order.\n    #[test]\n    fn hand_written_enums_have_the_spec_values() {\n",
        );
        for set in known.sets.iter().filter(|s| s.hand_written) {
            let values: Vec<String> = set.variants.iter().map(|(_, v)| format!("{v:?}")).collect();
            let _ = writeln!(
                out,
                "        let known: Vec<&str> = super::{}::KNOWN.iter().map(|v| v.as_str()).collect();\n        assert_eq!(known, [{}]);",
                set.name,
                values.join(", ")
            );
        }
        out.push_str("    }\n}\n");
    }
    out
}

fn enum_doc(set: &KnownSet) -> String {
    const SHOWN: usize = 4;
    let labels: Vec<String> = set.places.iter().map(Place::label).collect();
    let mut doc = String::from("Known values of ");
    match labels.len() {
        1 => doc.push_str(&labels[0]),
        n if n <= SHOWN => {
            doc.push_str(&labels[..n - 1].join(", "));
            doc.push_str(" and ");
            doc.push_str(&labels[n - 1]);
        }
        n => {
            doc.push_str(&labels[..SHOWN].join(", "));
            let _ = write!(doc, " and {} more places", n - SHOWN);
        }
    }
    doc.push('.');
    if let Some(description) = &set.description {
        doc.push_str("\n\n");
        doc.push_str(description);
    }
    doc
}

/// Adds to each model struct with known-values fields an accessor per
/// field that reads it as its enum (`crate::known::X`).
pub fn add_accessors(file: &mut syn::File, known: &Known) -> anyhow::Result<()> {
    let Some(types) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|c| &mut c.1),
        _ => None,
    }) else {
        return Ok(());
    };
    // Each component schema's Rust name, for the places on its properties.
    let mut by_type: BTreeMap<String, &str> = BTreeMap::new();
    for set in &known.sets {
        for place in &set.places {
            if let Some(schema) = &place.property_of {
                by_type.insert(
                    crate::split::rust_name(schema, crate::split::Case::Pascal),
                    schema,
                );
            }
        }
    }
    let mut added = Vec::new();
    for item in types.iter() {
        let syn::Item::Struct(s) = item else { continue };
        let Some(schema) = by_type.get(&s.ident.to_string()) else {
            continue;
        };
        let syn::Fields::Named(fields) = &s.fields else {
            continue;
        };
        let mut methods: Vec<syn::ImplItemFn> = Vec::new();
        for field in &fields.named {
            let ident = field.ident.as_ref().expect("a named field");
            let json = serde_name(field)
                .unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_string());
            let Some((set, array)) = known.of_property(schema, &json) else {
                continue;
            };
            methods.push(
                accessor(ident, &field.ty, set, array, &json)
                    .with_context(|| format!("the accessor of `{}.{json}`", s.ident))?,
            );
        }
        if !methods.is_empty() {
            let ty = &s.ident;
            let generics = &s.generics;
            added.push(syn::Item::Impl(syn::parse_quote! {
                impl #generics #ty #generics {
                    #(#methods)*
                }
            }));
        }
    }
    types.extend(added);
    Ok(())
}

/// The JSON name a `#[serde(rename = "...")]` gives a field.
pub(crate) fn serde_name(field: &syn::Field) -> Option<String> {
    let mut name = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                name = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    name
}

/// The outer type's name and its one type argument (`Option<String>`).
fn wrapper(ty: &syn::Type) -> Option<(String, &syn::Type)> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) if args.args.len() == 1 => {
            Some((last.ident.to_string(), inner))
        }
        _ => None,
    }
}

fn accessor(
    field: &syn::Ident,
    ty: &syn::Type,
    set: &KnownSet,
    array: bool,
    json: &str,
) -> anyhow::Result<syn::ImplItemFn> {
    let name = syn::Ident::new(&set.name, proc_macro2::Span::call_site());
    let known = quote::quote! { crate::known::#name };
    let doc = format!(" `{json}` as [`{}`](crate::known::{}).", set.name, set.name);
    let outer = wrapper(ty).map(|(w, inner)| (w, wrapper(inner).map(|(w2, _)| w2)));
    let (ret, body): (syn::Type, syn::Expr) = match (outer, array) {
        (Some((o, _)), false) if o == "Option" => (
            syn::parse_quote! { ::std::option::Option<#known> },
            syn::parse_quote! { self.#field.as_deref().map(|v| #known::parse(v)) },
        ),
        (None, false) => (
            syn::parse_quote! { #known },
            syn::parse_quote! { #known::parse(&self.#field) },
        ),
        (Some((o, _)), true) if o == "Vec" => (
            syn::parse_quote! { ::std::vec::Vec<#known> },
            syn::parse_quote! { self.#field.iter().map(|v| #known::parse(v)).collect() },
        ),
        (Some((o, Some(i))), true) if o == "Option" && i == "Vec" => (
            syn::parse_quote! { ::std::option::Option<::std::vec::Vec<#known>> },
            syn::parse_quote! {
                self.#field.as_ref().map(|vs| vs.iter().map(|v| #known::parse(v)).collect())
            },
        ),
        _ => bail!(
            "a field of type `{}` this generator cannot read as `{}`",
            quote::ToTokens::to_token_stream(ty),
            set.name
        ),
    };
    Ok(syn::parse_quote! {
        #[doc = #doc]
        pub fn #field(&self) -> #ret {
            #body
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(schemas: Value, paths: Value) -> Value {
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
               "paths": paths, "components": {"schemas": schemas}})
    }

    #[test]
    fn lists_with_the_same_values_share_one_enum_named_by_the_rule_or_the_spec() {
        let raw = spec(
            json!({
                "Task": {"type": "object", "properties": {
                    "status": {"type": "string", "x-known-values": ["running", "finished"]},
                    "kind": {"type": "string", "x-known-values": ["a", "b"]}
                }},
                "Job": {"type": "object", "properties": {
                    "status": {"type": "string", "x-known-values": ["finished", "running"], "x-enum-name": "ScanTaskStatus"},
                    "state": {"type": "string", "x-known-values": ["on", "off"]},
                    "kinds": {"type": "array", "items": {"type": "string", "x-known-values": ["c"]}}
                }},
                "Other": {"type": "object", "properties": {
                    "state": {"type": "string", "x-known-values": ["up", "down"]},
                    "scan": {"$ref": "#/components/schemas/ScanStatus"},
                    "scans": {"type": "array", "items": {"$ref": "#/components/schemas/ScanStatus"}}
                }},
                "ScanStatus": {"type": "string", "x-known-values": ["x"]},
                "AssetValue": {"type": "string", "x-known-values": ["y"]},
                "VulType": {"type": "string", "x-known-values": ["z"]}
            }),
            json!({"/t": {"get": {"operationId": "ListTasks", "parameters": [
                {"name": "kind", "in": "query", "schema": {"type": "string", "x-known-values": ["b", "a"]}}
            ], "responses": {}}}}),
        );
        let known = collect(&raw).unwrap();
        let names: Vec<&str> = known.sets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "AssetValue",
                "JobState",
                "Kind",
                "Kinds",
                "OtherState",
                "ScanStatus",
                "ScanTaskStatus",
                "VulType"
            ]
        );
        let status = &known.sets[6];
        // The naming place's order wins.
        assert_eq!(
            status.variants,
            [
                ("Finished".into(), "finished".into()),
                ("Running".into(), "running".into())
            ]
        );
        assert_eq!(status.places.len(), 2);
        let kind = &known.sets[2];
        assert_eq!(kind.places.len(), 2, "the parameter and the property share");
        assert_eq!(
            known
                .of_property("Job", "kinds")
                .map(|(s, a)| (s.name.as_str(), a)),
            Some(("Kinds", true))
        );
        assert!(known.sets.iter().filter(|s| s.hand_written).count() == 3);
        // A property that refers to a whole schema with known values reads as its enum.
        assert_eq!(
            known
                .of_property("Other", "scan")
                .map(|(s, a)| (s.name.as_str(), a)),
            Some(("ScanStatus", false))
        );
        assert_eq!(
            known
                .of_property("Other", "scans")
                .map(|(s, a)| (s.name.as_str(), a)),
            Some(("ScanStatus", true))
        );
    }

    #[test]
    fn two_names_for_one_list_or_one_name_for_two_lists_fail() {
        let seeds = json!({
            "ScanStatus": {"type": "string", "x-known-values": ["x"]},
            "AssetValue": {"type": "string", "x-known-values": ["y"]},
            "VulType": {"type": "string", "x-known-values": ["z"]}
        });
        let mut two_names = seeds.clone();
        two_names["A"] = json!({"type": "string", "x-known-values": ["p"], "x-enum-name": "One"});
        two_names["B"] = json!({"type": "string", "x-known-values": ["p"], "x-enum-name": "Two"});
        let err = collect(&spec(two_names, json!({})))
            .unwrap_err()
            .to_string();
        assert!(err.contains("two x-enum-names (One, Two)"), "{err}");

        let mut one_name = seeds.clone();
        one_name["A"] = json!({"type": "string", "x-known-values": ["p"], "x-enum-name": "Same"});
        one_name["B"] = json!({"type": "string", "x-known-values": ["q"], "x-enum-name": "Same"});
        let err = collect(&spec(one_name, json!({}))).unwrap_err().to_string();
        assert!(err.contains("both named `Same`"), "{err}");

        let none = collect(&spec(json!({}), json!({}))).unwrap();
        let text = render(&none, "s.yaml");
        assert!(!text.contains("crate::seeds"), "{text}");
    }

    #[test]
    fn variants_drop_the_words_three_or_more_values_share() {
        let v = |values: &[&str]| -> Vec<String> {
            variants(&values.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap()
                .into_iter()
                .map(|(v, _)| v)
                .collect()
        };
        assert_eq!(
            v(&[
                "vul_status_unfix",
                "vul_status_fix_after_reboot",
                "vul_status_fixed"
            ]),
            ["Unfix", "FixAfterReboot", "Fixed"]
        );
        assert_eq!(v(&["all_vul", "all_host"]), ["AllVul", "AllHost"]);
        assert_eq!(v(&["ACTIVE", "SHUTOFF"]), ["Active", "Shutoff"]);
        assert_eq!(
            v(&["hss.version.null", "hss.version.container.enterprise"]),
            ["HssVersionNull", "HssVersionContainerEnterprise"]
        );
        assert_eq!(
            v(&["a_b", "a_c", "a"]),
            ["AB", "AC", "A"],
            "every value keeps a word"
        );
        assert!(
            variants(&["on".into(), "ON".into()])
                .unwrap_err()
                .to_string()
                .contains("both be the variant `On`")
        );
        assert!(variants(&["unknown".into()]).is_err());
    }

    #[test]
    fn accessors_read_each_field_shape_as_its_enum() {
        let raw = spec(
            json!({
                "Host": {"type": "object", "required": ["kind"], "properties": {
                    "status": {"type": "string", "x-known-values": ["on", "off"], "x-enum-name": "Power"},
                    "kind": {"type": "string", "x-known-values": ["a", "b"]},
                    "tags": {"type": "array", "items": {"type": "string", "x-known-values": ["t"]}}
                }},
                "ScanStatus": {"type": "string", "x-known-values": ["x"]},
                "AssetValue": {"type": "string", "x-known-values": ["y"]},
                "VulType": {"type": "string", "x-known-values": ["z"]}
            }),
            json!({}),
        );
        let known = collect(&raw).unwrap();
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Host {
                    pub kind: ::std::string::String,
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub status: ::std::option::Option<::std::string::String>,
                    #[serde(rename = "tags", default)]
                    pub tags_: ::std::vec::Vec<::std::string::String>,
                }
            }
        };
        add_accessors(&mut file, &known).unwrap();
        let text = prettyplease::unparse(&file);
        assert!(
            text.contains("pub fn kind(&self) -> crate::known::Kind {"),
            "{text}"
        );
        assert!(
            text.contains("pub fn status(&self) -> ::std::option::Option<crate::known::Power> {"),
            "{text}"
        );
        assert!(
            text.contains("pub fn tags_(&self) -> ::std::vec::Vec<crate::known::Tags> {"),
            "{text}"
        );
        let rendered = render(&known, "spec.yaml");
        assert!(
            rendered.contains("pub use crate::seeds::{AssetValue, ScanStatus, VulType};"),
            "{rendered}"
        );
        assert!(
            rendered.contains("    pub enum Power {\n        /// `on`\n        On => \"on\","),
            "{rendered}"
        );
        assert!(
            rendered.contains("assert_eq!(known, [\"x\"]);"),
            "{rendered}"
        );
    }
}
