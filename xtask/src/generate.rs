//! Spec text in, formatted Rust source out: progenitor (with typify for the
//! models), then prettyplease, whose layout is the file's (the generated
//! module is `#[rustfmt::skip]`, so `cargo fmt` leaves it as written).

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{self, AssertUnwindSafe};

use anyhow::{Context, bail};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use serde_json::Value;

use crate::{pointer, spec};

/// How the client is generated. [`Options::default`] is `hss-api`'s (what
/// `cargo xtask generate` writes to `crates/hss-api`); [`Options::lean`] is
/// a smaller client that `cargo check`s in a fraction of the time, for the
/// standalone `--crate` of a large spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// progenitor's interface style. `Builder` also gives every struct a
    /// typify builder (`types::builder`); `Positional` gives neither
    /// operation nor struct builders.
    pub interface: Interface,
    /// Keep only the serde direction each type is used in
    /// ([`crate::one_way`]).
    pub one_way_serde: bool,
    /// With [`one_way_serde`](Self::one_way_serde): the cargo features
    /// that bring the dropped direction back (`hss-api`'s
    /// `serialize-responses` and `deserialize-requests`); `None` drops it.
    pub serde_gates: Option<crate::one_way::Gates>,
    /// Derive `PartialEq` on every type (typify derives `Serialize`,
    /// `Deserialize`, `Debug`, `Clone` and, on simple enums and string
    /// newtypes, `Eq`, `Ord`, `Hash` by itself; `PartialEq` is ours).
    pub partial_eq: bool,
    /// Keep typify's struct builders (`types::builder::X`, `body_map`) in
    /// the builder interface; without them the client compiles in about
    /// 60 % of the time ([`crate::struct_builders`]).
    pub struct_builders: bool,
    /// End every `send()` in one generic call of `hss-api`'s `src/send.rs`
    /// ([`crate::shared_send`]); only a crate with that file can.
    pub shared_send: bool,
    /// Give each model field with known values an accessor that reads it
    /// as its open enum in `crate::known` ([`crate::known`]); only a crate
    /// with that module (and `src/open_enum.rs`) can.
    pub open_enums: bool,
}

/// progenitor's [`InterfaceStyle`], as a value `clap` can parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Interface {
    /// `client.op().param(v).send()`, with struct builders for bodies.
    Builder,
    /// `client.op(param, ...)`: every parameter in order, bodies as structs.
    Positional,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            interface: Interface::Builder,
            one_way_serde: true,
            serde_gates: Some(crate::one_way::Gates {
                serialize: "serialize-responses",
                deserialize: "deserialize-requests",
            }),
            partial_eq: true,
            struct_builders: false,
            shared_send: true,
            open_enums: true,
        }
    }
}

impl Options {
    /// Positional interface, one-way serde, no `PartialEq`.
    pub fn lean() -> Self {
        Self {
            interface: Interface::Positional,
            one_way_serde: true,
            serde_gates: None,
            partial_eq: false,
            struct_builders: false,
            shared_send: false,
            open_enums: false,
        }
    }
}

/// Generates the client source for the spec text with `hss-api`'s options.
/// `spec_label` is the spec's path as written into the header line of the
/// output.
pub fn generate(spec_text: &str, spec_label: &str) -> anyhow::Result<String> {
    generate_with(spec_text, spec_label, &Options::default())
}

/// [`generate`] with the given options.
pub fn generate_with(
    spec_text: &str,
    spec_label: &str,
    options: &Options,
) -> anyhow::Result<String> {
    let started = std::time::Instant::now();
    let spec =
        spec::load(spec_text).map_err(|problems| anyhow::anyhow!("{spec_label} has {problems}"))?;
    phase("parse and check", started);
    generate_spec_with(&spec, spec_label, options)
}

/// With `XTASK_TIMINGS` set, prints how long a phase took (for
/// BENCHMARKS.md).
pub fn phase(name: &str, since: std::time::Instant) {
    if std::env::var_os("XTASK_TIMINGS").is_some() {
        eprintln!("timing: {name}: {:.2} s", since.elapsed().as_secs_f64());
    }
}

/// [`generate`] for a spec already loaded and checked.
pub fn generate_spec(spec: &spec::Spec, spec_label: &str) -> anyhow::Result<String> {
    generate_spec_with(spec, spec_label, &Options::default())
}

/// [`generate_spec`] with the given options.
pub fn generate_spec_with(
    spec: &spec::Spec,
    spec_label: &str,
    options: &Options,
) -> anyhow::Result<String> {
    generate_member(spec, spec_label, options, None).map(|(code, _)| code)
}

/// What a crate of a split client (`--split`, [`crate::split`]) is, for
/// one-way serde: a part, which names the shared crate's types, or the
/// shared crate, whose types travel the ways the parts use them.
#[derive(Clone, Copy, Debug)]
pub enum SplitRole<'a> {
    Part {
        shared_crate: &'a str,
    },
    Shared {
        reached: &'a crate::one_way::Reached,
    },
}

/// [`generate_spec_with`] for one crate of a split client (or, with no
/// role, a whole one); also returns the shared crate's types a part
/// reaches on each side (empty without one-way serde).
pub fn generate_member(
    spec: &spec::Spec,
    spec_label: &str,
    options: &Options,
    role: Option<SplitRole<'_>>,
) -> anyhow::Result<(String, crate::one_way::Reached)> {
    let (file, reached) = generated_file(spec, spec_label, options, role)?;
    let started = std::time::Instant::now();
    let code = render(&file, spec_label);
    phase("prettyplease", started);
    Ok((code, reached))
}

/// The first line of every generated file: where it comes from.
pub fn header(spec_label: &str) -> String {
    format!(
        "// @generated by `cargo xtask generate` from {spec_label}. DO NOT EDIT: change the spec or xtask and regenerate.\n\n"
    )
}

/// `file` laid out by prettyplease, under the [`header`].
///
/// prettyplease's layout is the file's: no rustfmt pass (the crate marks
/// the module `#[rustfmt::skip]`), so the output depends on nothing but
/// Cargo.lock, not on the toolchain's rustfmt, and generation skips what
/// was 60 % of its time.
pub fn render(file: &syn::File, spec_label: &str) -> String {
    format!("{}{}", header(spec_label), prettyplease::unparse(file))
}

/// progenitor's output for the spec as a syntax tree, checked for clashing
/// type names, with `mod statuses` added and one doc line per attribute;
/// also the shared crate's types a part reaches (see [`generate_member`]).
pub fn generated_file(
    spec: &spec::Spec,
    spec_label: &str,
    options: &Options,
    role: Option<SplitRole<'_>>,
) -> anyhow::Result<(syn::File, crate::one_way::Reached)> {
    // The listings the shapes need (the whole spec's operations, as the
    // table reads them) are found beside progenitor, on another thread.
    std::thread::scope(|scope| {
        let listings = scope.spawn(|| {
            options
                .open_enums
                .then(|| crate::metadata::extract(&spec.raw))
                .transpose()
        });
        let mut reached = crate::one_way::Reached::default();
        let started = std::time::Instant::now();
        let (openapi, forms) = crate::multipart::take(&spec.openapi)?;
        let tokens = match run_progenitor_with(&openapi, options) {
            Ok(tokens) => tokens,
            Err(whole) => {
                let problems = isolate_failures(&spec.raw, &whole, options);
                bail!(
                    "progenitor cannot generate a client for {spec_label}: {}",
                    spec::Problems(problems)
                );
            }
        };
        phase("progenitor", started);
        let started = std::time::Instant::now();
        let mut file: syn::File =
            syn::parse2(tokens).context("progenitor produced code that does not parse")?;
        let clashes = duplicate_types(&file.items, "");
        if !clashes.is_empty() {
            let problems = clashes
                .into_iter()
                .map(|(path, name)| {
                    let component = pointer::push("/components/schemas", &name);
                    let location = if spec.raw.pointer(&component).is_some() { component } else { "/components/schemas".to_string() };
                    spec::SpecProblem {
                        location,
                        message: format!(
                            "typify gives two types the name `{path}{name}` (it names inline schemas after their parent and property, and one such name equals another type's); the code would not compile: rename the component"
                        ),
                    }
                })
                .collect();
            bail!(
                "the client for {spec_label} would not compile: {}",
                spec::Problems(problems)
            );
        }
        phase("syn: parse", started);
        if options.interface == Interface::Builder && !options.struct_builders {
            crate::struct_builders::remove(&mut file);
        }
        crate::multipart::add(&mut file, &forms)?;
        crate::merge_arms::apply(&mut file);
        let pass = std::time::Instant::now();
        if options.shared_send {
            crate::shared_send::apply(&mut file);
        }
        phase("syn: shared_send", pass);
        let pass = std::time::Instant::now();
        if options.one_way_serde {
            match role {
                None => match options.serde_gates {
                    Some(gates) => {
                        crate::one_way::apply_gated(&mut file, gates);
                    }
                    None => {
                        crate::one_way::apply(&mut file);
                    }
                },
                Some(SplitRole::Part { shared_crate }) => {
                    reached = crate::one_way::apply_part(&mut file, shared_crate).1;
                }
                Some(SplitRole::Shared { reached }) => {
                    crate::one_way::apply_shared(&mut file, reached);
                }
            }
        }
        phase("syn: one_way", pass);
        if options.open_enums {
            let pass = std::time::Instant::now();
            let known = crate::known::collect(&spec.raw)
                .with_context(|| format!("the known values of {spec_label}"))?;
            crate::known::add_accessors(&mut file, &known)?;
            phase("syn: known values", pass);
            let pass = std::time::Instant::now();
            let listings = listings
                .join()
                .expect("the listings' thread does not panic")?
                .unwrap_or_default();
            crate::shapes::add(&mut file, &listings)
                .with_context(|| format!("the listing items' shapes of {spec_label}"))?;
            phase("syn: shapes", pass);
        }
        if matches!(role, Some(SplitRole::Shared { .. })) {
            allow_unused_builder_imports(&mut file);
        }
        file.items.push(statuses_module(&spec.openapi)?);
        syn::visit_mut::VisitMut::visit_file_mut(&mut OneDocLinePerAttribute, &mut file);
        phase("syn", started);
        Ok((file, reached))
    })
}

/// The shared crate of a split client has no operations, so the builder
/// interface's `mod builder` imports `types` for nothing.
fn allow_unused_builder_imports(file: &mut syn::File) {
    for item in &mut file.items {
        let syn::Item::Mod(m) = item else { continue };
        if m.ident != "builder" {
            continue;
        }
        for inner in m.content.iter_mut().flat_map(|(_, items)| items.iter_mut()) {
            if let syn::Item::Use(u) = inner {
                u.attrs.push(syn::parse_quote!(#[allow(unused_imports)]));
            }
        }
    }
}

/// `mod statuses`: the error statuses each operation documents, so that
/// hand-written code classifying answers (hss-ext) reads them from the
/// generated crate instead of restating the spec.
fn statuses_module(openapi: &openapiv3::OpenAPI) -> anyhow::Result<syn::Item> {
    let mut consts = String::new();
    for (_, method, op) in openapi.operations() {
        let Some(id) = &op.operation_id else { continue };
        let codes: BTreeSet<u16> = op
            .responses
            .responses
            .keys()
            .filter_map(|status| match status {
                openapiv3::StatusCode::Code(code) if *code >= 400 => Some(*code),
                _ => None,
            })
            .collect();
        let list = codes
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        consts.push_str(&format!(
            "/// `{id}` ({method}): the error statuses it documents one by one, whose bodies the client decodes as its error type.\npub const {}: &[u16] = &[{list}];\n",
            const_name(id)
        ));
    }
    let module = format!(
        "/// The error statuses each operation of the spec documents (ranges such as `4XX` are not listed).\npub mod statuses {{\n{consts}}}"
    );
    syn::parse_str(&module).context("the statuses module does not parse")
}

/// `ListVulScanTaskHost` -> `LIST_VUL_SCAN_TASK_HOST_ERRORS`.
pub fn const_name(operation_id: &str) -> String {
    let mut name = screaming_snake(operation_id);
    name.push_str("_ERRORS");
    name
}

/// `ListVulScanTaskHost` -> `LIST_VUL_SCAN_TASK_HOST`: an operation's
/// name among Rust constants.
pub fn screaming_snake(operation_id: &str) -> String {
    let mut name = String::new();
    let mut previous: Option<char> = None;
    for c in operation_id.chars() {
        if !c.is_ascii_alphanumeric() {
            name.push('_');
        } else {
            if c.is_ascii_uppercase()
                && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
            {
                name.push('_');
            }
            name.push(c.to_ascii_uppercase());
        }
        previous = Some(c);
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// Type names defined twice in one module: `(module path, name)`.
fn duplicate_types(items: &[syn::Item], path: &str) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for item in items {
        let name = match item {
            syn::Item::Struct(s) => s.ident.to_string(),
            syn::Item::Enum(e) => e.ident.to_string(),
            syn::Item::Type(t) => t.ident.to_string(),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    out.extend(duplicate_types(inner, &format!("{path}{}::", m.ident)));
                }
                continue;
            }
            _ => continue,
        };
        if !seen.insert(name.clone()) {
            out.push((path.to_string(), name));
        }
    }
    out
}

/// Splits each multi-line `#[doc = "..."]` into one attribute per line.
///
/// prettyplease prints a multi-line doc string as a `/** */` block whose
/// continuation lines it indents to the item's depth; rustdoc then reads
/// lines indented by four spaces or more as code blocks and runs them as
/// doctests. One `///` line per doc line keeps the text as written.
/// progenitor's ```` ```ignore ```` usage sketches become ```` ```text ````.
struct OneDocLinePerAttribute;

impl syn::visit_mut::VisitMut for OneDocLinePerAttribute {
    fn visit_attributes_mut(&mut self, attrs: &mut Vec<syn::Attribute>) {
        let mut split = Vec::with_capacity(attrs.len());
        for attr in attrs.drain(..) {
            match doc_text(&attr) {
                Some(text) if text.contains('\n') => {
                    let lines: Vec<&str> = text.trim_end().lines().collect();
                    for line in lines {
                        // progenitor's usage sketches do not compile on
                        // their own; as `ignore` blocks they would show up
                        // as ignored tests.
                        let line = line.replace("```ignore", "```text");
                        let line = if line.is_empty() || line.starts_with(' ') {
                            line.to_string()
                        } else {
                            format!(" {line}")
                        };
                        let mut one = attr.clone();
                        one.meta = syn::parse_quote!(doc = #line);
                        split.push(one);
                    }
                }
                _ => split.push(attr),
            }
        }
        *attrs = split;
    }
}

/// The text of a `#[doc = "..."]` attribute.
fn doc_text(attr: &syn::Attribute) -> Option<String> {
    let syn::Meta::NameValue(meta) = &attr.meta else {
        return None;
    };
    if !meta.path.is_ident("doc") {
        return None;
    }
    match &meta.value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => Some(text.value()),
        _ => None,
    }
}

/// The extension by which a component schema names the hand-written
/// Rust type used for it instead of a generated one (a path in the
/// generated crate, e.g. `crate::ResourceId`).
pub const HAND_WRITTEN: &str = "x-hand-written";

/// The component schemas of `spec` that name a hand-written type, with
/// that type's path.
fn hand_written(spec: &openapiv3::OpenAPI) -> Vec<(String, String)> {
    let Some(components) = &spec.components else {
        return Vec::new();
    };
    components
        .schemas
        .iter()
        .filter_map(|(name, schema)| {
            let schema = schema.as_item()?;
            let path = schema.schema_data.extensions.get(HAND_WRITTEN)?.as_str()?;
            Some((name.clone(), path.to_owned()))
        })
        .collect()
}

/// The generator settings of this project, in one place.
fn settings(spec: &openapiv3::OpenAPI, options: &Options) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    for (name, path) in hand_written(spec) {
        settings.with_replacement(
            name,
            path,
            [TypeImpl::FromStr, TypeImpl::Display].into_iter(),
        );
    }
    settings
        .with_interface(match options.interface {
            Interface::Builder => InterfaceStyle::Builder,
            Interface::Positional => InterfaceStyle::Positional,
        })
        .with_tag(TagStyle::Merged)
        // Every request passes through `hss_api::Hooks`, the one place where
        // hand-written code (signing, tracing) meets the generated client.
        .with_inner_type("crate::Hooks".parse().expect("a valid Rust path"))
        .with_hooks(HooksMode::Expected);
    if options.partial_eq {
        settings.with_derive("PartialEq");
    }
    settings
}

/// Runs progenitor, turning its panics (it asserts on specs it cannot
/// express) into an error message, without the default panic message on
/// stderr.
fn run_progenitor_with(
    spec: &openapiv3::OpenAPI,
    options: &Options,
) -> Result<proc_macro2::TokenStream, String> {
    quietly(|| {
        panic::catch_unwind(AssertUnwindSafe(|| {
            Generator::new(&settings(spec, options)).generate_tokens(spec)
        }))
    })
    .map_err(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        format!("progenitor panicked (a construct it does not support): {message}")
    })?
    .map_err(|e| format!("progenitor refused it: {e}"))
    .map(|tokens| without_fragments(tokens, spec))
}

/// Removes the `#OperationId` fragment of path keys (the key of one of
/// several operations on the same method and path, see
/// `import/repair/paths.rs`) from the generated code: from the URL each
/// operation formats and from the doc lines that name its path, so the
/// client states and builds the real path and nothing downstream (request
/// signing, logs) ever sees the fragment.
fn without_fragments(
    tokens: proc_macro2::TokenStream,
    spec: &openapiv3::OpenAPI,
) -> proc_macro2::TokenStream {
    let fragments: Vec<String> = spec
        .paths
        .paths
        .keys()
        .filter_map(|key| key.split_once('#').map(|(_, f)| format!("#{f}")))
        .collect();
    if fragments.is_empty() {
        return tokens;
    }
    strip_fragments(tokens, &fragments)
}

fn strip_fragments(
    tokens: proc_macro2::TokenStream,
    fragments: &[String],
) -> proc_macro2::TokenStream {
    use proc_macro2::{Group, Literal, TokenTree};
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), strip_fragments(g.stream(), fragments));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            TokenTree::Literal(lit) => {
                let text = lit.to_string();
                if !text.starts_with('"') || !text.contains('#') {
                    return TokenTree::Literal(lit);
                }
                let mut out = text.clone();
                for f in fragments {
                    // The URL literal ends with the fragment; a doc line
                    // has it before the closing backquote.
                    out = out
                        .replace(&format!("{f}\""), "\"")
                        .replace(&format!("{f}`"), "`");
                }
                match (out != text).then(|| out.parse::<Literal>()) {
                    Some(Ok(mut new)) => {
                        new.set_span(lit.span());
                        TokenTree::Literal(new)
                    }
                    _ => TokenTree::Literal(lit),
                }
            }
            other => other,
        })
        .collect()
}

/// Runs `f` with panic messages silenced (progenitor's panics are caught and
/// reported as problems instead).
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    let previous_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let out = f();
    panic::set_hook(previous_hook);
    out
}

/// After progenitor failed on the whole document, finds every part that
/// fails on its own: each component schema with what it references, and
/// each operation with what it references. A schema is reported only when
/// none of the schemas it references fails (the first broken link, not
/// every schema that leads to it); an operation is reported with the
/// failing schemas it uses, or on its own when none does.
fn isolate_failures(raw: &Value, whole: &str, options: &Options) -> Vec<spec::SpecProblem> {
    let mut schema_failures: BTreeMap<String, String> = BTreeMap::new();
    let names: Vec<String> = raw
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for name in &names {
        let ptr = pointer::push("/components/schemas", name);
        let closure = pointer::ref_closure(raw, [ptr.clone()]);
        if let Err(e) = try_part(raw, &closure, None, options) {
            schema_failures.insert(ptr, e);
        }
    }
    let mut problems = Vec::new();
    let mut roots = BTreeSet::new();
    for (ptr, message) in &schema_failures {
        let closure = pointer::ref_closure(raw, [ptr.clone()]);
        let caused_elsewhere = closure
            .iter()
            .any(|other| other != ptr && schema_failures.contains_key(other));
        if !caused_elsewhere {
            roots.insert(ptr.clone());
            problems.push(spec::SpecProblem {
                location: ptr.clone(),
                message: message.clone(),
            });
        }
    }
    for (path, method, op_id) in operations(raw) {
        let op_ptr = pointer::push(&pointer::push("/paths", &path), &method);
        let closure = pointer::ref_closure(raw, [op_ptr.clone()]);
        let failing: Vec<&String> = closure.iter().filter(|p| roots.contains(*p)).collect();
        if !failing.is_empty() {
            let list: Vec<String> = failing.iter().map(|p| format!("`{p}`")).collect();
            problems.push(spec::SpecProblem {
                location: op_ptr,
                message: format!(
                    "operation `{op_id}` cannot be generated: it uses {}, reported above",
                    list.join(", ")
                ),
            });
        } else if let Err(e) = try_part(raw, &closure, Some((&path, &method)), options) {
            problems.push(spec::SpecProblem {
                location: op_ptr,
                message: format!("operation `{op_id}`: {e}"),
            });
        }
    }
    if problems.is_empty() {
        // Every part generates on its own: the parts clash (for example two
        // types with one name).
        problems.push(spec::SpecProblem {
            location: "/".to_string(),
            message: format!("{whole} (every operation and schema generates on its own, so they conflict with each other)"),
        });
    }
    problems
}

/// `(path, method, operationId)` of every operation.
fn operations(raw: &Value) -> Vec<(String, String, String)> {
    pointer::operations(raw)
        .map(|op| {
            let id = op.id().unwrap_or("?");
            (op.path.to_string(), op.method.to_string(), id.to_string())
        })
        .collect()
}

/// Generates a document made of the given components (pointers) and, when
/// given, one operation.
fn try_part(
    raw: &Value,
    closure: &BTreeSet<String>,
    op: Option<(&str, &str)>,
    options: &Options,
) -> Result<(), String> {
    let mut doc = serde_json::Map::new();
    for key in ["openapi", "info"] {
        if let Some(v) = raw.get(key) {
            doc.insert(key.into(), v.clone());
        }
    }
    let mut paths = serde_json::Map::new();
    if let Some((path, method)) = op {
        let item = &raw["paths"][path];
        let mut one = serde_json::Map::new();
        one.insert(method.to_string(), item[method].clone());
        if let Some(shared) = item.get("parameters") {
            one.insert("parameters".into(), shared.clone());
        }
        paths.insert(path.to_string(), Value::Object(one));
    }
    doc.insert("paths".into(), Value::Object(paths));
    let mut components = serde_json::Map::new();
    for ptr in closure {
        let mut tokens = ptr.trim_start_matches('/').splitn(3, '/');
        let (Some("components"), Some(kind), Some(name)) =
            (tokens.next(), tokens.next(), tokens.next())
        else {
            continue;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        if let Some(v) = raw.pointer(ptr) {
            let entry = components
                .entry(kind.to_string())
                .or_insert_with(|| Value::Object(Default::default()));
            entry[name] = v.clone();
        }
    }
    doc.insert("components".into(), Value::Object(components));
    let openapi: openapiv3::OpenAPI = serde_json::from_value(Value::Object(doc))
        .map_err(|e| format!("not OpenAPI 3.0 on its own: {e}"))?;
    let (openapi, _) = crate::multipart::take(&openapi).map_err(|e| format!("{e:#}"))?;
    run_progenitor_with(&openapi, options).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fragment_naming_one_of_several_operations_is_not_in_the_code() {
        let tokens = quote::quote! {
            #[doc = "Sends a `POST` request to `/a/{id}/action#Start`"]
            fn start() { let _ = format!("{}/a/{}/action#Start", base, id); }
            fn other() { let _ = "#Started"; }
        };
        let text = strip_fragments(tokens, &["#Start".to_string()]).to_string();
        assert!(
            text.contains("\"Sends a `POST` request to `/a/{id}/action`\""),
            "{text}"
        );
        assert!(text.contains("\"{}/a/{}/action\""), "{text}");
        assert!(text.contains("\"#Started\""), "{text}");
    }
}
