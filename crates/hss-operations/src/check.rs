//! Values checked against what the spec accepts, the one set of rules for
//! whoever checks them: the fake server refusing a request, a command line
//! refusing to send one. A parameter (path, query, header) is checked as
//! the text it travels as; a JSON body by its top-level fields, where a
//! field the spec does not name is refused.
//!
//! ```
//! use hss_operations::{LIST_HOST_GROUPS, check};
//!
//! let limit = LIST_HOST_GROUPS.param("limit").unwrap();
//! let refused = check::text(limit, &["500"]).unwrap_err();
//! assert_eq!(refused.to_string(), "limit must be from 10 to 200, not 500");
//! ```

use std::fmt;

use serde_json::Value;

use crate::{Body, ListFormat, Number, Param, Type};

/// Why a value is refused: the parameter or body field it was for, and
/// what it accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refusal {
    /// The parameter's wire name, or `body` for the body as a whole.
    pub name: String,
    /// What was wrong, to read after the name: `must be from 10 to 200, not 500`.
    pub reason: String,
    /// What kind of wrong it is.
    pub kind: RefusalKind,
}

/// Whether a [`Refusal`] is certain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalKind {
    /// The value breaks a rule of the spec: a type, a range, a length, a
    /// required parameter missing.
    Invalid,
    /// The only thing wrong is a string outside the documented values. The
    /// service may know values added after the spec, so a client sends it
    /// with a warning; a server modelling the service refuses it. Every
    /// [`Invalid`](RefusalKind::Invalid) refusal of a request comes before
    /// any of these.
    UnknownValue,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.reason)
    }
}

impl std::error::Error for Refusal {}

fn refuse(name: &str, reason: String) -> Refusal {
    Refusal {
        name: name.to_owned(),
        reason,
        kind: RefusalKind::Invalid,
    }
}

/// A path, query or header parameter given as `values` (one per time it
/// appears; none when absent). A list parameter is each of its items
/// (`Repeated`) or one comma-joined text (`CommaJoined`).
pub fn text(param: &Param, values: &[&str]) -> Result<(), Refusal> {
    let Some(first) = values.first() else {
        if param.required {
            return Err(refuse(param.name, "is required".into()));
        }
        return Ok(());
    };
    if param.ty != Type::Array {
        if values.len() > 1 {
            return Err(refuse(param.name, "is given more than once".into()));
        }
        return value(param, &text_value(param.ty, first));
    }
    let count = match param.list_format {
        Some(ListFormat::CommaJoined) => first.split(',').count(),
        _ => values.len(),
    };
    items(param, count)
}

/// `raw` as the JSON value of a parameter of type `ty`: a number or a
/// boolean when it reads as one, else a string (which the type check then
/// refuses).
pub fn text_value(ty: Type, raw: &str) -> Value {
    let parsed = match ty {
        Type::Integer => raw.parse::<i64>().ok().map(Value::from),
        Type::Number => raw.parse::<f64>().ok().map(Value::from),
        Type::Boolean => raw.parse::<bool>().ok().map(Value::from),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::from(raw))
}

/// A request body as sent (`raw`, empty when there is none). Only a JSON
/// body is looked into.
pub fn body(body: &Body, raw: &[u8]) -> Result<(), Refusal> {
    if raw.is_empty() {
        if body.required {
            return Err(refuse("body", "is required".into()));
        }
        return Ok(());
    }
    if !body.media_type.contains("json") {
        return Ok(());
    }
    let parsed: Value =
        serde_json::from_slice(raw).map_err(|e| refuse("body", format!("is not JSON ({e})")))?;
    json_body(body, &parsed)
}

/// A JSON request body, parsed.
pub fn json_body(body: &Body, parsed: &Value) -> Result<(), Refusal> {
    if body.fields.is_empty() {
        return Ok(());
    }
    let Some(object) = parsed.as_object() else {
        return Err(refuse("body", "must be a JSON object".into()));
    };
    if let Some(unknown) = object.keys().find(|k| body.field(k).is_none()) {
        let known: Vec<&str> = body.fields.iter().map(|f| f.name).collect();
        return Err(refuse(
            &truncate(unknown),
            format!(
                "is not a field of the body (its fields: {})",
                known.join(", ")
            ),
        ));
    }
    // An unknown value is reported only when no field is invalid.
    let mut unknown = None;
    for field in body.fields {
        match object.get(field.name) {
            None | Some(Value::Null) if field.required => {
                return Err(refuse(field.name, "is required".into()));
            }
            None | Some(Value::Null) => {}
            Some(given) => match value(field, given) {
                Err(r) if r.kind == RefusalKind::UnknownValue => {
                    unknown.get_or_insert(r);
                }
                other => other?,
            },
        }
    }
    unknown.map_or(Ok(()), Err)
}

/// One value of `param`, as JSON.
pub fn value(param: &Param, given: &Value) -> Result<(), Refusal> {
    let fits = match param.ty {
        Type::String => given.is_string(),
        Type::Integer => given.is_i64() || given.is_u64(),
        Type::Number => given.is_number(),
        Type::Boolean => given.is_boolean(),
        Type::Array => given.is_array(),
        Type::Object => given.is_object(),
        _ => true,
    };
    if !fits {
        return Err(refuse(
            param.name,
            format!("must be {}, not {}", type_name(param.ty), shown(given)),
        ));
    }
    match given {
        Value::String(text) => {
            let len = text.chars().count() as u64;
            let (min, max) = (param.min_length.unwrap_or(0), param.max_length);
            if len < min || max.is_some_and(|max| len > max) {
                return Err(refuse(
                    param.name,
                    format!("must have {min} to {} characters, it has {len}", upper(max)),
                ));
            }
            if !param.known_values.is_empty() && !param.known_values.contains(&text.as_str()) {
                return Err(Refusal {
                    kind: RefusalKind::UnknownValue,
                    ..refuse(
                        param.name,
                        format!(
                            "must be one of {}, not {}",
                            param.known_values.join(", "),
                            shown(given)
                        ),
                    )
                });
            }
        }
        Value::Number(n) => {
            let n = n.as_f64().unwrap_or(f64::NAN);
            let below = param.minimum.is_some_and(|m| n < as_f64(m));
            let above = param.maximum.is_some_and(|m| n > as_f64(m));
            if below || above {
                return Err(refuse(
                    param.name,
                    format!(
                        "must be from {} to {}, not {}",
                        bound(param.minimum),
                        bound(param.maximum),
                        shown(given)
                    ),
                ));
            }
        }
        Value::Array(list) => items(param, list.len())?,
        _ => {}
    }
    Ok(())
}

fn items(param: &Param, count: usize) -> Result<(), Refusal> {
    let count = count as u64;
    let (min, max) = (param.min_items.unwrap_or(0), param.max_items);
    if count < min || max.is_some_and(|max| count > max) {
        return Err(refuse(
            param.name,
            format!("must have {min} to {} items, it has {count}", upper(max)),
        ));
    }
    Ok(())
}

/// A value as a message quotes it: JSON, at most 40 characters.
fn shown(value: &Value) -> String {
    truncate(&value.to_string())
}

fn truncate(text: &str) -> String {
    text.chars().take(40).collect()
}

fn upper(max: Option<u64>) -> String {
    max.map_or_else(|| "any number of".to_owned(), |m| m.to_string())
}

fn as_f64(n: Number) -> f64 {
    match n {
        Number::Integer(i) => i as f64,
        Number::Float(f) => f,
    }
}

/// A limit as a message says it: the number, or `any` without one.
pub fn bound(n: Option<Number>) -> String {
    n.map_or_else(|| "any".to_owned(), |n| n.to_string())
}

fn type_name(ty: Type) -> &'static str {
    match ty {
        Type::String => "a string",
        Type::Integer => "an integer",
        Type::Number => "a number",
        Type::Boolean => "true or false",
        Type::Array => "a list",
        Type::Object => "an object",
        _ => "a value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CHANGE_VUL_STATUS, LIST_HOST_GROUPS};

    #[test]
    fn parameters_are_refused_with_what_they_accept() {
        let limit = LIST_HOST_GROUPS.param("limit").unwrap();
        assert!(text(limit, &["10"]).is_ok());
        assert!(text(limit, &[]).is_ok(), "optional");
        let refused = |values: &[&str]| text(limit, values).unwrap_err().to_string();
        assert_eq!(refused(&["ten"]), "limit must be an integer, not \"ten\"");
        assert_eq!(refused(&["10", "20"]), "limit is given more than once");
        let project = LIST_HOST_GROUPS.param("project_id").unwrap();
        assert_eq!(
            text(project, &[]).unwrap_err().to_string(),
            "project_id is required"
        );
        assert_eq!(
            text(project, &[""]).unwrap_err().to_string(),
            "project_id must have 1 to 256 characters, it has 0"
        );
    }

    #[test]
    fn a_body_is_checked_field_by_field() {
        let body = CHANGE_VUL_STATUS.body.unwrap();
        let refused = |raw: &str| super::body(&body, raw.as_bytes()).unwrap_err();
        assert_eq!(refused(r#"{"nope": 1}"#).name, "nope");
        assert!(
            refused(r#"{"nope": 1}"#)
                .reason
                .contains("not a field of the body")
        );
        assert_eq!(refused("[1]").reason, "must be a JSON object");
        assert!(refused("{").reason.starts_with("is not JSON"));
        let required = body.fields.iter().find(|f| f.required).unwrap();
        assert_eq!(
            refused("{}").to_string(),
            format!("{} is required", required.name)
        );
    }

    #[test]
    fn an_unknown_value_is_its_own_kind_and_any_invalid_field_comes_first() {
        let body = CHANGE_VUL_STATUS.body.unwrap();
        let unknown = super::body(&body, br#"{"operate_type": "snooze"}"#).unwrap_err();
        assert_eq!(unknown.kind, RefusalKind::UnknownValue);
        assert_eq!(unknown.name, "operate_type");
        assert!(unknown.reason.contains("not \"snooze\""), "{unknown}");
        let both =
            super::body(&body, br#"{"operate_type": "snooze", "select_type": 7}"#).unwrap_err();
        assert_eq!(
            (both.name.as_str(), both.kind),
            ("select_type", RefusalKind::Invalid)
        );
        let too_long = "x".repeat(65);
        let long = super::body(
            &body,
            format!(r#"{{"operate_type": "{too_long}"}}"#).as_bytes(),
        )
        .unwrap_err();
        assert_eq!(long.kind, RefusalKind::Invalid, "a length rule is certain");
    }
}
