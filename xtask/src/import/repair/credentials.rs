//! Header parameters the client does not take as arguments: credentials
//! (a request hook applies them) and `Content-Type` (the body's media type
//! says it).

use serde_json::{Value, json};

use super::super::Ctx;
use super::super::places::parameter_lists;
use crate::pointer;

/// Removes the header parameters `matches` accepts from every parameter
/// list; returns `(list pointer, index, name)` of each. A removed entry is
/// left as `null` until `rpc-paths` compacts the lists, so that the pointers
/// later passes report still name places in the upstream document.
fn remove_header_params(
    ctx: &mut Ctx,
    matches: impl Fn(&str) -> bool,
) -> Vec<(String, usize, String)> {
    let mut removed = Vec::new();
    for list in parameter_lists(&ctx.doc) {
        let Some(items) = ctx.doc.pointer(&list).and_then(Value::as_array) else {
            continue;
        };
        let hits: Vec<(usize, String)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let p = pointer::deref(&ctx.doc, p)?;
                let name = p.get("name")?.as_str()?;
                (p.get("in")?.as_str()? == "header" && matches(name)).then(|| (i, name.to_string()))
            })
            .collect();
        if let Some(Value::Array(items)) = ctx.doc.pointer_mut(&list) {
            for (i, _) in &hits {
                items[*i] = Value::Null;
            }
        }
        removed.extend(hits.into_iter().map(|(i, name)| (list.clone(), i, name)));
    }
    removed
}

pub fn auth_headers(ctx: &mut Ctx) {
    let removed = remove_header_params(ctx, |name| {
        name.eq_ignore_ascii_case("x-auth-token") || name.eq_ignore_ascii_case("x-security-token")
    });
    for (list, i, name) in removed {
        let op = list.trim_end_matches("/parameters").to_string();
        let scheme = if name.eq_ignore_ascii_case("x-auth-token") {
            ctx.authenticated.insert(op);
            "the `token` security scheme (or `aksk` signing)"
        } else {
            "`aksk` signing with temporary credentials"
        };
        ctx.change(
            format!("{list}/{i}"),
            format!("removed the header parameter `{name}`: credentials are {scheme}, applied by a request hook"),
        );
    }
}

pub fn content_type_header(ctx: &mut Ctx) {
    let removed = remove_header_params(ctx, |name| name.eq_ignore_ascii_case("content-type"));
    for (list, i, name) in removed {
        ctx.change(
            format!("{list}/{i}"),
            format!("removed the header parameter `{name}`: the request body's media type sets it"),
        );
    }
}

/// The security schemes an imported spec offers, as `openapi/hss.yaml`
/// describes them.
pub(super) fn security_schemes() -> Value {
    json!({
        "token": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Auth-Token",
            "description": "IAM user token: the `X-Subject-Token` response header of IAM `POST /v3/auth/tokens`."
        },
        "aksk": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "AK/SK request signing (`SDK-HMAC-SHA256`) with an `X-Sdk-Date` header; temporary credentials add a signed `X-Security-Token`."
        }
    })
}
