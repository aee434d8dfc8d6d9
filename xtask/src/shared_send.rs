//! One shared end for every operation's `send()`.
//!
//! progenitor ends each `send()` with the same steps: the hooks before
//! sending, the exchange, the hooks after, then a `match` on the status
//! that reads the body as the success type, as the error type, or not at
//! all. Written out in 582 async functions, those steps are most of each
//! future's await points, and the compiler type-checks, borrow-checks and
//! lays out every copy. [`apply`] replaces them with one call of a generic
//! method written once in `hss-api` (`src/send.rs`): `send_json` for an
//! answer with a JSON body, `send_empty` for one without. The request
//! built before them, and so every byte sent, is untouched; a `send()`
//! whose end differs in any way from the two shapes is left as it is.

use quote::quote;
use syn::visit_mut::{self, VisitMut};

/// Rewrites the end of every `send()` of the two known shapes; returns how
/// many were rewritten and how many `send()`s were left as they are.
pub fn apply(file: &mut syn::File) -> (usize, usize) {
    let mut pass = SharedSend::default();
    pass.visit_file_mut(file);
    (pass.rewritten, pass.left)
}

#[derive(Default)]
struct SharedSend {
    rewritten: usize,
    left: usize,
}

impl VisitMut for SharedSend {
    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        visit_mut::visit_impl_item_fn_mut(self, f);
        if f.sig.ident != "send" || f.sig.asyncness.is_none() {
            return;
        }
        match shared_end(&f.block.stmts) {
            Some((at, call)) => {
                f.block.stmts.truncate(at);
                f.block.stmts.push(syn::Stmt::Expr(call, None));
                self.rewritten += 1;
            }
            None => self.left += 1,
        }
    }
}

/// Where the shared steps start in `stmts`, and the call replacing them.
fn shared_end(stmts: &[syn::Stmt]) -> Option<(usize, syn::Expr)> {
    let at = stmts.iter().position(|s| operation_info(s).is_some())?;
    let id = operation_info(&stmts[at])?;
    let rest = &stmts[at + 1..];
    let [
        pre,
        exec,
        post,
        take,
        syn::Stmt::Expr(syn::Expr::Match(answer), None),
    ] = rest
    else {
        return None;
    };
    let expected = [
        quote!(client.pre(&mut request, &info).await?;),
        quote!(let result = client.exec(request, &info).await;),
        quote!(client.post(&result, &info).await?;),
        quote!(let response = result?;),
    ];
    let steps = [pre, exec, post, take];
    if steps
        .iter()
        .zip(&expected)
        .any(|(stmt, want)| text(quote!(#stmt)) != text(want.clone()))
    {
        return None;
    }
    let scrutinee = &answer.expr;
    if text(quote!(#scrutinee)) != text(quote!(response.status().as_u16())) {
        return None;
    }
    let [success, errors, other] = &answer.arms[..] else {
        return None;
    };
    let body = |arm: &syn::Arm| text(unblocked(&arm.body));
    let success_status = single_status(&success.pat)?;
    let method = if body(success) == text(quote!(ResponseValue::from_response(response).await)) {
        quote!(send_json)
    } else if body(success) == text(quote!(Ok(ResponseValue::empty(response)))) {
        quote!(send_empty)
    } else {
        return None;
    };
    let error_statuses = statuses(&errors.pat)?;
    let error_body = quote!(Err(Error::ErrorResponse(
        ResponseValue::from_response(response).await?,
    )));
    if body(errors) != text(error_body) {
        return None;
    }
    if !matches!(other.pat, syn::Pat::Wild(_))
        || body(other) != text(quote!(Err(Error::UnexpectedResponse(response))))
        || [success, errors, other]
            .iter()
            .any(|arm| arm.guard.is_some())
    {
        return None;
    }
    let call = syn::parse_quote! {
        client
            .#method(request, OperationInfo { operation_id: #id }, #success_status, &[#(#error_statuses),*])
            .await
    };
    Some((at, call))
}

/// An arm's body as tokens, a block of one expression as that expression
/// (prettyplease puts braces around a long arm; progenitor does not).
fn unblocked(body: &syn::Expr) -> proc_macro2::TokenStream {
    if let syn::Expr::Block(b) = body
        && b.attrs.is_empty()
        && b.label.is_none()
        && let [syn::Stmt::Expr(inner, None)] = &b.block.stmts[..]
    {
        return quote!(#inner);
    }
    quote!(#body)
}

/// Tokens as text, without the trailing commas that do not change code.
fn text(tokens: proc_macro2::TokenStream) -> String {
    let text = tokens.to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ',' {
            let rest: String = chars.clone().take(2).collect();
            if rest.trim_start().starts_with([')', ']', '}']) {
                continue;
            }
        }
        out.push(c);
    }
    out.replace(" )", ")").replace(" ]", "]").replace(" }", "}")
}

/// The operation id of `let info = OperationInfo { operation_id: "..." };`.
fn operation_info(stmt: &syn::Stmt) -> Option<&syn::LitStr> {
    let syn::Stmt::Local(local) = stmt else {
        return None;
    };
    let syn::Pat::Ident(name) = &local.pat else {
        return None;
    };
    if name.ident != "info" {
        return None;
    }
    let syn::Expr::Struct(s) = &*local.init.as_ref()?.expr else {
        return None;
    };
    if !s.path.is_ident("OperationInfo") || s.fields.len() != 1 || s.rest.is_some() {
        return None;
    }
    let field = s.fields.first()?;
    match (&field.member, &field.expr) {
        (
            syn::Member::Named(n),
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(id),
                ..
            }),
        ) if n == "operation_id" => Some(id),
        _ => None,
    }
}

/// The status of a pattern that is one integer literal.
fn single_status(pat: &syn::Pat) -> Option<&syn::LitInt> {
    match pat {
        syn::Pat::Lit(syn::ExprLit {
            lit: syn::Lit::Int(status),
            ..
        }) => Some(status),
        _ => None,
    }
}

/// The statuses of a pattern of integer literals (one, or or-ed).
fn statuses(pat: &syn::Pat) -> Option<Vec<&syn::LitInt>> {
    match pat {
        syn::Pat::Or(or) => or.cases.iter().map(single_status).collect(),
        other => single_status(other).map(|s| vec![s]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send_of(end: proc_macro2::TokenStream) -> syn::File {
        syn::parse_quote! {
            impl<'a> Op<'a> {
                pub async fn send(self) -> Result<ResponseValue<types::R>, Error<types::ErrorBody>> {
                    let Self { client } = self;
                    #[allow(unused_mut)]
                    let mut request = client.client.get("u").build()?;
                    let info = OperationInfo { operation_id: "op" };
                    client.pre(&mut request, &info).await?;
                    let result = client.exec(request, &info).await;
                    client.post(&result, &info).await?;
                    let response = result?;
                    #end
                }
            }
        }
    }

    #[test]
    fn a_json_answer_ends_in_send_json_and_keeps_the_request() {
        let mut file = send_of(quote! {
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 | 404u16 => {
                    Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
                }
                _ => Err(Error::UnexpectedResponse(response)),
            }
        });
        assert_eq!(apply(&mut file), (1, 0));
        let text = quote!(#file).to_string();
        assert!(text.contains("let mut request = client . client . get (\"u\") . build () ?"));
        assert!(text.contains(
            "client . send_json (request , OperationInfo { operation_id : \"op\" } , 200u16 , & [400u16 , 404u16]) . await"
        ));
        assert!(!text.contains("client . pre"));
    }

    #[test]
    fn an_empty_answer_ends_in_send_empty() {
        let mut file = send_of(quote! {
            match response.status().as_u16() {
                200u16 => Ok(ResponseValue::empty(response)),
                400u16 => {
                    Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
                }
                _ => Err(Error::UnexpectedResponse(response)),
            }
        });
        assert_eq!(apply(&mut file), (1, 0));
        assert!(
            quote!(#file)
                .to_string()
                .contains("client . send_empty (request")
        );
    }

    #[test]
    fn any_other_end_is_left_as_it_is() {
        let stream = quote! {
            match response.status().as_u16() {
                200u16 => Ok(ResponseValue::stream(response)),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        };
        let mut file = send_of(stream);
        let before = quote!(#file).to_string();
        assert_eq!(apply(&mut file), (0, 1));
        assert_eq!(quote!(#file).to_string(), before);
    }
}
