//! Operations whose request body is `multipart/form-data`, which
//! progenitor refuses.
//!
//! [`take`] takes those bodies out of the spec progenitor gets, noting
//! each form's fields, so progenitor generates the operation without a
//! body; [`add`] then gives the generated operation one argument per field
//! and makes it send them as a `reqwest::multipart::Form`:
//!
//! - builder interface: a field and a setter per form field on the
//!   operation's builder (`mod builder`), a required one starting as
//!   "`<name>` was not initialized" as progenitor's required parameters do;
//! - positional interface: one argument per form field after progenitor's.
//!
//! A file field (`type: string, format: binary`) takes a file name and the
//! bytes, sent as a part with that file name; any other field is sent as
//! text. As in the official SDK, text fields come first, then files. The
//! request goes through the client's hooks like every other one.

use std::borrow::Cow;
use std::collections::BTreeMap;

use anyhow::{Context, bail};
use openapiv3::{
    MediaType, OpenAPI, ReferenceOr, RequestBody, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use quote::{format_ident, quote};

use crate::{pointer, spec};

/// The media type this module handles.
pub const MULTIPART: &str = "multipart/form-data";

/// The form of each multipart operation, by operation id.
pub type Forms = BTreeMap<String, Vec<Field>>;

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The name the field has in the form.
    pub name: String,
    /// A file (`format: binary`), sent with a file name, or text.
    pub binary: bool,
    pub required: bool,
    pub description: Option<String>,
}

/// The spec without multipart request bodies (borrowed when it has none),
/// and the forms taken out.
pub fn take(openapi: &OpenAPI) -> anyhow::Result<(Cow<'_, OpenAPI>, Forms)> {
    let mut forms = Forms::new();
    let mut problems = Vec::new();
    let mut without = openapi.clone();
    for (path, item) in without.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("options", &mut item.options),
            ("head", &mut item.head),
            ("patch", &mut item.patch),
            ("trace", &mut item.trace),
        ] {
            let Some(op) = op else { continue };
            let Some(body) = &op.request_body else {
                continue;
            };
            let location = pointer::push(&pointer::push("/paths", path), method) + "/requestBody";
            let Some(body) = resolve_body(openapi, body) else {
                continue;
            };
            let Some(media) = body.content.get(MULTIPART) else {
                continue;
            };
            let Some(id) = &op.operation_id else { continue };
            match fields(openapi, media) {
                Ok(fields) => {
                    forms.insert(id.clone(), fields);
                    op.request_body = None;
                }
                Err(message) => problems.push(spec::SpecProblem {
                    location: pointer::push(&pointer::push(&location, "content"), MULTIPART),
                    message,
                }),
            }
        }
    }
    if !problems.is_empty() {
        bail!(
            "a multipart/form-data body cannot be generated: {}",
            spec::Problems(problems)
        );
    }
    if forms.is_empty() {
        return Ok((Cow::Borrowed(openapi), forms));
    }
    Ok((Cow::Owned(without), forms))
}

fn resolve_body<'a>(
    openapi: &'a OpenAPI,
    body: &'a ReferenceOr<RequestBody>,
) -> Option<&'a RequestBody> {
    match body {
        ReferenceOr::Item(body) => Some(body),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/requestBodies/")?;
            resolve_body(
                openapi,
                openapi.components.as_ref()?.request_bodies.get(name)?,
            )
        }
    }
}

fn resolve_schema<'a>(openapi: &'a OpenAPI, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
    match schema {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => schema_named(openapi, reference),
    }
}

fn schema_named<'a>(openapi: &'a OpenAPI, reference: &str) -> Option<&'a Schema> {
    let name = reference.strip_prefix("#/components/schemas/")?;
    resolve_schema(openapi, openapi.components.as_ref()?.schemas.get(name)?)
}

/// The fields of a form: the properties of its object schema, each a file
/// or a scalar sent as text.
fn fields(openapi: &OpenAPI, media: &MediaType) -> Result<Vec<Field>, String> {
    let schema = media
        .schema
        .as_ref()
        .and_then(|s| resolve_schema(openapi, s))
        .ok_or("the form has no schema")?;
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
        return Err("the form's schema is not an object with properties".into());
    };
    let mut out = Vec::new();
    for (name, property) in &object.properties {
        let property = match property {
            ReferenceOr::Item(schema) => Some(&**schema),
            ReferenceOr::Reference { reference } => schema_named(openapi, reference),
        }
        .ok_or_else(|| format!("form field `{name}`: its schema does not resolve"))?;
        let binary = match &property.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                matches!(
                    s.format,
                    VariantOrUnknownOrEmpty::Item(StringFormat::Binary)
                )
            }
            SchemaKind::Type(Type::Integer(_) | Type::Number(_) | Type::Boolean(_)) => false,
            _ => {
                return Err(format!(
                    "form field `{name}` is neither a file (`type: string, format: binary`) nor a string, number or boolean"
                ));
            }
        };
        out.push(Field {
            name: name.clone(),
            binary,
            required: object.required.contains(name),
            description: property.schema_data.description.clone(),
        });
    }
    // Text fields first, then files, as the official SDK sends them.
    out.sort_by_key(|f| f.binary);
    Ok(out)
}

/// Gives each multipart operation of progenitor's output (builder or
/// positional interface) its form fields; see the module documentation.
pub fn add(file: &mut syn::File, forms: &Forms) -> anyhow::Result<()> {
    for (id, fields) in forms {
        let struct_name = crate::rust_names::progenitor(id, heck::ToPascalCase::to_pascal_case);
        let method = crate::rust_names::progenitor(id, heck::ToSnakeCase::to_snake_case);
        let added = match builder_items(file, &struct_name) {
            Some((def, imp)) => add_to_builder(def, imp, fields).map(|()| {
                add_to_usage_sketch(file, &method, fields);
            }),
            None => add_to_method(file, &method, fields),
        };
        added.with_context(|| format!("operation `{id}`"))?;
    }
    Ok(())
}

/// Adds the form's setters to the usage sketch in the doc comment of the
/// operation's method on `Client` (builder interface), before `.send()`.
fn add_to_usage_sketch(file: &mut syn::File, method: &str, fields: &[Field]) {
    let Some(function) = client_method(file, method) else {
        return;
    };
    let calls: String = fields
        .iter()
        .map(|f| {
            let ident = field_ident(f);
            if f.binary {
                format!("\n    .{ident}(file_name, bytes)")
            } else {
                format!("\n    .{ident}({ident})")
            }
        })
        .collect();
    for attr in &mut function.attrs {
        let syn::Meta::NameValue(meta) = &mut attr.meta else {
            continue;
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) = &meta.value
        else {
            continue;
        };
        let doc = text.value();
        if let Some(at) = doc.find("\n    .send()") {
            let doc = format!("{}{calls}{}", &doc[..at], &doc[at..]);
            meta.value = syn::parse_quote!(#doc);
        }
    }
}

/// The operation's method on `Client`.
fn client_method<'a>(file: &'a mut syn::File, method: &str) -> Option<&'a mut syn::ImplItemFn> {
    file.items
        .iter_mut()
        .filter_map(|item| match item {
            syn::Item::Impl(i) if i.trait_.is_none() && is_type(&i.self_ty, "Client") => Some(i),
            _ => None,
        })
        .flat_map(|i| i.items.iter_mut())
        .find_map(|item| match item {
            syn::ImplItem::Fn(f) if f.sig.ident == method => Some(f),
            _ => None,
        })
}

/// The Rust name of a form field.
fn field_ident(field: &Field) -> syn::Ident {
    format_ident!(
        "{}",
        crate::rust_names::progenitor(&field.name, heck::ToSnakeCase::to_snake_case)
    )
}

/// The builder struct `name` in `mod builder` and its inherent impl.
fn builder_items<'a>(
    file: &'a mut syn::File,
    name: &str,
) -> Option<(&'a mut syn::ItemStruct, &'a mut syn::ItemImpl)> {
    let module = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })?;
    let mut def = None;
    let mut imp = None;
    for item in module.iter_mut() {
        match item {
            syn::Item::Struct(s) if s.ident == name => def = Some(s),
            syn::Item::Impl(i) if i.trait_.is_none() && is_type(&i.self_ty, name) => {
                imp = Some(i);
            }
            _ => {}
        }
    }
    Some((def?, imp?))
}

fn is_type(ty: &syn::Type, name: &str) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

/// The Rust type holding a field's value.
fn value_type(field: &Field) -> syn::Type {
    if field.binary {
        syn::parse_quote!((::std::string::String, ::std::vec::Vec<u8>))
    } else {
        syn::parse_quote!(::std::string::String)
    }
}

fn add_to_builder(
    def: &mut syn::ItemStruct,
    imp: &mut syn::ItemImpl,
    fields: &[Field],
) -> anyhow::Result<()> {
    let syn::Fields::Named(named) = &mut def.fields else {
        bail!("its builder is not a struct with named fields");
    };
    for field in fields {
        let ident = field_ident(field);
        if named.named.iter().any(|f| f.ident.as_ref() == Some(&ident)) {
            bail!(
                "form field `{}` has the Rust name of one of its parameters, `{ident}`",
                field.name
            );
        }
        let value = value_type(field);
        named.named.push(if field.required {
            syn::parse_quote!(#ident: ::std::result::Result<#value, ::std::string::String>)
        } else {
            syn::parse_quote!(#ident: ::std::result::Result<::std::option::Option<#value>, ::std::string::String>)
        });
    }
    let mut setters = Vec::new();
    let mut found_new = false;
    let mut found_send = false;
    for item in &mut imp.items {
        let syn::ImplItem::Fn(f) = item else { continue };
        if f.sig.ident == "new" {
            found_new = init_fields(&mut f.block, fields);
        } else if f.sig.ident == "send" {
            found_send =
                destructure_fields(&mut f.block, fields) && attach_form(&mut f.block, fields, true);
        }
    }
    if !found_new || !found_send {
        bail!("its builder's `new` or `send` is not as progenitor writes them");
    }
    for field in fields {
        setters.push(setter(field));
    }
    let at = imp
        .items
        .iter()
        .position(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "send"))
        .unwrap_or(imp.items.len());
    imp.items.splice(at..at, setters);
    Ok(())
}

/// Adds each field's initial value to `Self { ... }` in `new()`.
fn init_fields(block: &mut syn::Block, fields: &[Field]) -> bool {
    let Some(syn::Stmt::Expr(syn::Expr::Struct(init), None)) = block.stmts.last_mut() else {
        return false;
    };
    for field in fields {
        let ident = field_ident(field);
        let missing = format!("{ident} was not initialized");
        init.fields.push(if field.required {
            syn::parse_quote!(#ident: Err(#missing.to_string()))
        } else {
            syn::parse_quote!(#ident: Ok(None))
        });
    }
    true
}

/// Adds the fields to `let Self { ... } = self;` in `send()`.
fn destructure_fields(block: &mut syn::Block, fields: &[Field]) -> bool {
    for stmt in &mut block.stmts {
        let syn::Stmt::Local(local) = stmt else {
            continue;
        };
        let syn::Pat::Struct(pattern) = &mut local.pat else {
            continue;
        };
        for field in fields {
            let ident = field_ident(field);
            pattern.fields.push(syn::FieldPat {
                attrs: Vec::new(),
                member: syn::Member::Named(ident.clone()),
                colon_token: None,
                pat: Box::new(syn::parse_quote!(#ident)),
            });
        }
        return true;
    }
    false
}

/// Before `let mut request = ...build()?;`: checks each field (builder
/// interface) and builds the form; then adds `.multipart(form)` before
/// `.build()`.
fn attach_form(block: &mut syn::Block, fields: &[Field], builder: bool) -> bool {
    let Some(at) = block.stmts.iter().position(|s| {
        matches!(s, syn::Stmt::Local(l) if matches!(&l.pat, syn::Pat::Ident(p) if p.ident == "request"))
    }) else {
        return false;
    };
    let syn::Stmt::Local(local) = &mut block.stmts[at] else {
        unreachable!("found above")
    };
    let Some(init) = &mut local.init else {
        return false;
    };
    if !insert_before_build(&mut init.expr) {
        return false;
    }
    let mut form: Vec<syn::Stmt> = Vec::new();
    if builder {
        for field in fields {
            let ident = field_ident(field);
            form.push(syn::parse_quote!(let #ident = #ident.map_err(Error::InvalidRequest)?;));
        }
    }
    form.push(syn::parse_quote!(let mut form = ::reqwest::multipart::Form::new();));
    for field in fields {
        let ident = field_ident(field);
        let name = &field.name;
        let add = if field.binary {
            quote!(form = form.part(#name, ::reqwest::multipart::Part::bytes(bytes).file_name(file_name));)
        } else {
            quote!(form = form.text(#name, value);)
        };
        let bind = if field.binary {
            quote!((file_name, bytes))
        } else {
            quote!(value)
        };
        form.push(if field.required {
            syn::parse_quote!({ let #bind = #ident; #add })
        } else {
            syn::parse_quote!(if let Some(#bind) = #ident { #add })
        });
    }
    block.stmts.splice(at..at, form);
    true
}

/// `x.build()?` -> `x.multipart(form).build()?`.
fn insert_before_build(expr: &mut syn::Expr) -> bool {
    match expr {
        syn::Expr::Try(t) => insert_before_build(&mut t.expr),
        syn::Expr::MethodCall(call) if call.method == "build" => {
            let receiver = &call.receiver;
            *call.receiver = syn::parse_quote!(#receiver.multipart(form));
            true
        }
        _ => false,
    }
}

fn setter(field: &Field) -> syn::ImplItem {
    let ident = field_ident(field);
    let name = &field.name;
    let mut doc: Vec<String> = field
        .description
        .iter()
        .flat_map(|d| d.lines().map(|l| format!(" {l}").trim_end().to_owned()))
        .collect();
    if !doc.is_empty() {
        doc.push(String::new());
    }
    let wrap = |value: proc_macro2::TokenStream| {
        if field.required {
            quote!(Ok(#value))
        } else {
            quote!(Ok(Some(#value)))
        }
    };
    if field.binary {
        doc.push(format!(
            " Sends `bytes` as the file of the form field `{name}`, named `file_name` (the part's `filename`)."
        ));
        doc.push(
            " The bytes are held in memory, so the request has a known length (its `Content-Length`) and can be signed and sent again."
                .to_owned(),
        );
        let value = wrap(quote!((file_name.into(), bytes.into())));
        syn::parse_quote! {
            #(#[doc = #doc])*
            pub fn #ident<N, B>(mut self, file_name: N, bytes: B) -> Self
            where
                N: ::std::convert::Into<::std::string::String>,
                B: ::std::convert::Into<::std::vec::Vec<u8>>,
            {
                self.#ident = #value;
                self
            }
        }
    } else {
        doc.push(format!(
            " Sends `value` as the text of the form field `{name}`."
        ));
        let value = wrap(quote!(value.to_string()));
        syn::parse_quote! {
            #(#[doc = #doc])*
            pub fn #ident<V>(mut self, value: V) -> Self
            where
                V: ::std::fmt::Display,
            {
                self.#ident = #value;
                self
            }
        }
    }
}

/// Positional interface: appends one argument per field to the operation's
/// method on `Client` and sends them.
fn add_to_method(file: &mut syn::File, method: &str, fields: &[Field]) -> anyhow::Result<()> {
    let function = client_method(file, method)
        .context("progenitor generated neither its builder nor its method")?;
    for field in fields {
        let ident = field_ident(field);
        if function.sig.inputs.iter().any(|input| {
            matches!(input, syn::FnArg::Typed(t) if matches!(&*t.pat, syn::Pat::Ident(p) if p.ident == ident))
        }) {
            bail!(
                "form field `{}` has the Rust name of one of its parameters, `{ident}`",
                field.name
            );
        }
        let value = value_type(field);
        function.sig.inputs.push(if field.required {
            syn::parse_quote!(#ident: #value)
        } else {
            syn::parse_quote!(#ident: ::std::option::Option<#value>)
        });
    }
    let described: Vec<String> = fields
        .iter()
        .map(|f| {
            let ident = field_ident(f);
            if f.binary {
                format!(
                    " - `{ident}`: form field `{}`, a file: (file name, bytes)",
                    f.name
                )
            } else {
                format!(" - `{ident}`: form field `{}`, sent as text", f.name)
            }
        })
        .collect();
    function.attrs.extend(
        described
            .iter()
            .map(|line| -> syn::Attribute { syn::parse_quote!(#[doc = #line]) }),
    );
    if !attach_form(&mut function.block, fields, false) {
        bail!("its method does not build its request as progenitor writes it");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::generate::{Options, generate_with};

    /// One operation with a path parameter and a form of a required file
    /// and an optional number.
    const SPEC: &str = r"openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /v1/{project_id}/logo:
    post:
      operationId: UploadLogo
      parameters:
      - {name: project_id, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [image]
              properties:
                image: {type: string, format: binary}
                size: {type: integer}
      responses:
        '200': {description: ok}
";

    #[test]
    fn a_builder_gets_a_setter_per_form_field_and_sends_a_multipart_form() {
        let code = generate_with(SPEC, "mp.yaml", &Options::default()).unwrap();
        let flat = code.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "pub fn image<N, B>(mut self, file_name: N, bytes: B) -> Self",
            "self.image = Ok((file_name.into(), bytes.into()));",
            "image: Err(\"image was not initialized\".to_string())",
            "pub fn size<V>(mut self, value: V) -> Self",
            "size: Ok(None)",
            "let Self { client, project_id, size, image } = self;",
            "form = form.text(\"size\", value);",
            "::reqwest::multipart::Part::bytes(bytes).file_name(file_name)",
            ".multipart(form) .build()?;",
            "client.pre(&mut request, &info).await?;",
            ".image(file_name, bytes) /// .send()",
        ] {
            assert!(flat.contains(expected), "missing {expected:?} in:\n{code}");
        }
        // The text field comes before the file, as the official SDK sends them.
        assert!(flat.find("form.text(\"size\"") < flat.find("form .part( \"image\""));
        syn::parse_file(&code).expect("the generated code parses");
    }

    #[test]
    fn a_positional_method_takes_the_form_fields_after_its_parameters() {
        let code = generate_with(SPEC, "mp.yaml", &Options::lean()).unwrap();
        let flat = code.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "size: ::std::option::Option<::std::string::String>, image: (::std::string::String, ::std::vec::Vec<u8>), )",
            ".multipart(form) .build()?;",
        ] {
            assert!(flat.contains(expected), "missing {expected:?} in:\n{code}");
        }
    }

    #[test]
    fn a_form_field_that_is_neither_file_nor_scalar_is_reported_where_it_is() {
        let spec = SPEC.replace(
            "size: {type: integer}",
            "size: {type: array, items: {type: string}}",
        );
        let err = generate_with(&spec, "mp.yaml", &Options::default()).unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("/paths/~1v1~1{project_id}~1logo/post/requestBody/content/multipart~1form-data: form field `size` is neither a file"),
            "{text}"
        );
    }

    #[test]
    fn a_form_field_named_like_a_parameter_is_an_error_not_a_clash() {
        let spec = SPEC.replace("size: {type: integer}", "project_id: {type: string}");
        let err = generate_with(&spec, "mp.yaml", &Options::default()).unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("operation `UploadLogo`: form field `project_id` has the Rust name of one of its parameters"),
            "{text}"
        );
    }
}
