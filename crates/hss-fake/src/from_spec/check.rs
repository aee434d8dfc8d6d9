//! A request checked against its operation in the spec, as the service
//! checks it: every parameter (path, query, header) and the body's
//! top-level fields for presence, type, range, length, item count and
//! known values, unknown body fields refused. Every `Err` is the
//! `error_msg` of an `HSS.0001` answer naming what was wrong and what is
//! accepted.

use hss_operations::{ListFormat, Location, Number, Operation, Param, Type};
use serde_json::Value;

use crate::log::RecordedRequest;
use crate::params::truncate;

/// What the answer needs of a checked request.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// The query's pairs, decoded.
    pub(crate) query: Vec<(String, String)>,
}

impl Checked {
    /// The integer query parameter `name`, when given.
    pub(crate) fn int(&self, name: &str) -> Option<i64> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse().ok())
    }
}

/// Checks `request` (its path parameters already decoded into `path`)
/// against `op`.
pub(crate) fn check(
    op: &Operation,
    request: &RecordedRequest,
    path: &[(&'static str, String)],
) -> Result<Checked, String> {
    let query: Vec<(String, String)> =
        form_urlencoded::parse(request.raw_query.as_deref().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    for param in op.params {
        let values: Vec<&str> = match param.location {
            Location::Path => path
                .iter()
                .filter(|(name, _)| *name == param.name)
                .map(|(_, v)| v.as_str())
                .collect(),
            Location::Query => query
                .iter()
                .filter(|(k, _)| k == param.name)
                .map(|(_, v)| v.as_str())
                .collect(),
            Location::Header => request
                .headers
                .get_all(param.name)
                .iter()
                .map(|v| v.to_str().map_err(|_| not_text(param)))
                .collect::<Result<_, _>>()?,
            _ => continue,
        };
        check_text(param, &values)?;
    }
    if let Some(body) = &op.body {
        check_body(body, &request.body)?;
    }
    Ok(Checked { query })
}

fn not_text(param: &Param) -> String {
    format!("Invalid parameter: {} must be text", param.name)
}

/// A path, query or header parameter, given `values` times.
fn check_text(param: &Param, values: &[&str]) -> Result<(), String> {
    let name = param.name;
    let Some(first) = values.first() else {
        if param.required {
            return Err(format!("Invalid parameter: {name} is required"));
        }
        return Ok(());
    };
    if param.ty != Type::Array {
        if values.len() > 1 {
            return Err(format!("Invalid parameter: {name} is given more than once"));
        }
        return check_value(param, &text_value(param.ty, first), first);
    }
    let items: Vec<&str> = match param.list_format {
        Some(ListFormat::CommaJoined) => first.split(',').collect(),
        _ => values.to_vec(),
    };
    check_count(param, items.len())
}

/// `raw` as the JSON value of a parameter of type `ty`: a number or a
/// boolean when it reads as one, else a string (and the type check says
/// what was wrong).
fn text_value(ty: Type, raw: &str) -> Value {
    let parsed = match ty {
        Type::Integer => raw.parse::<i64>().ok().map(Value::from),
        Type::Number => raw.parse::<f64>().ok().map(Value::from),
        Type::Boolean => raw.parse::<bool>().ok().map(Value::from),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::from(raw))
}

/// A JSON body against the operation's body fields.
fn check_body(body: &hss_operations::Body, raw: &[u8]) -> Result<(), String> {
    if raw.is_empty() {
        if body.required {
            return Err("Invalid parameter: the request body is required".into());
        }
        return Ok(());
    }
    if !body.media_type.contains("json") {
        // A form upload: its parts are the client's business.
        return Ok(());
    }
    let value: Value = serde_json::from_slice(raw)
        .map_err(|e| format!("Invalid parameter: the request body is not JSON ({e})"))?;
    if body.fields.is_empty() {
        return Ok(());
    }
    let Some(object) = value.as_object() else {
        return Err("Invalid parameter: the request body must be a JSON object".into());
    };
    if let Some(unknown) = object.keys().find(|k| body.field(k).is_none()) {
        let known: Vec<&str> = body.fields.iter().map(|f| f.name).collect();
        return Err(format!(
            "Invalid parameter: the body has no field {:?} (its fields: {})",
            truncate(unknown),
            known.join(", ")
        ));
    }
    for field in body.fields {
        match object.get(field.name) {
            None | Some(Value::Null) if field.required => {
                return Err(format!("Invalid parameter: {} is required", field.name));
            }
            None | Some(Value::Null) => {}
            Some(value) => check_value(field, value, &value.to_string())?,
        }
    }
    Ok(())
}

/// One value of `param` (`shown` is how the message quotes it).
fn check_value(param: &Param, value: &Value, shown: &str) -> Result<(), String> {
    let name = param.name;
    let fits = match param.ty {
        Type::String => value.is_string(),
        Type::Integer => value.is_i64() || value.is_u64(),
        Type::Number => value.is_number(),
        Type::Boolean => value.is_boolean(),
        Type::Array => value.is_array(),
        Type::Object => value.is_object(),
        _ => true,
    };
    if !fits {
        return Err(format!(
            "Invalid parameter: {name} must be {}, not {:?}",
            type_name(param.ty),
            truncate(shown)
        ));
    }
    match value {
        Value::String(text) => {
            let len = text.chars().count() as u64;
            let (min, max) = (param.min_length.unwrap_or(0), param.max_length);
            if len < min || max.is_some_and(|max| len > max) {
                let max = max.map_or_else(|| "any number of".to_owned(), |m| m.to_string());
                return Err(format!(
                    "Invalid parameter: {name} must have {min} to {max} characters, it has {len}"
                ));
            }
            if !param.known_values.is_empty() && !param.known_values.contains(&text.as_str()) {
                return Err(format!(
                    "Invalid parameter: {name} must be one of {}, not {:?}",
                    param.known_values.join(", "),
                    truncate(text)
                ));
            }
        }
        Value::Number(n) => {
            let n = n.as_f64().unwrap_or(f64::NAN);
            let below = param.minimum.is_some_and(|m| n < as_f64(m));
            let above = param.maximum.is_some_and(|m| n > as_f64(m));
            if below || above {
                return Err(format!(
                    "Invalid parameter: {name} must be from {} to {}, not {}",
                    bound(param.minimum),
                    bound(param.maximum),
                    truncate(shown)
                ));
            }
        }
        Value::Array(items) => check_count(param, items.len())?,
        _ => {}
    }
    Ok(())
}

fn check_count(param: &Param, count: usize) -> Result<(), String> {
    let count = count as u64;
    let (min, max) = (param.min_items.unwrap_or(0), param.max_items);
    if count < min || max.is_some_and(|max| count > max) {
        let max = max.map_or_else(|| "any number of".to_owned(), |m| m.to_string());
        return Err(format!(
            "Invalid parameter: {} must have {min} to {max} items, it has {count}",
            param.name
        ));
    }
    Ok(())
}

fn as_f64(n: Number) -> f64 {
    match n {
        Number::Integer(i) => i as f64,
        Number::Float(f) => f,
    }
}

fn bound(n: Option<Number>) -> String {
    match n {
        Some(Number::Integer(i)) => i.to_string(),
        Some(Number::Float(f)) => f.to_string(),
        None => "any".to_owned(),
    }
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
    use http::HeaderMap;

    fn request(query: &str, body: &str) -> RecordedRequest {
        RecordedRequest {
            method: http::Method::GET,
            raw_path: "/".into(),
            raw_query: Some(query.into()),
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec().into(),
            request_id: String::new(),
            status: None,
            caller: None,
            received_at: std::time::SystemTime::now(),
        }
    }

    fn project() -> Vec<(&'static str, String)> {
        vec![("project_id", "p".to_owned())]
    }

    #[test]
    fn parameters_are_checked_against_the_spec_and_the_message_names_them() {
        let op = hss_operations::operation("ListHostGroups").unwrap();
        assert!(check(op, &request("offset=0&limit=10", ""), &project()).is_ok());
        let paging = op.offset_limit().unwrap();
        let too_big = format!("limit={}", paging.limit_max.unwrap() + 1);
        let err = check(op, &request(&too_big, ""), &project()).unwrap_err();
        assert!(err.contains("limit must be from"), "{err}");
        let err = check(op, &request("limit=ten", ""), &project()).unwrap_err();
        assert!(err.contains("limit must be an integer"), "{err}");
        let err = check(op, &request("limit=10&limit=20", ""), &project()).unwrap_err();
        assert!(err.contains("more than once"), "{err}");
        let err = check(op, &request("", ""), &[]).unwrap_err();
        assert!(err.contains("project_id is required"), "{err}");
    }

    #[test]
    fn a_body_is_checked_field_by_field() {
        let op = &hss_operations::CHANGE_VUL_STATUS;
        let err = check(op, &request("", r#"{"nope": 1}"#), &project()).unwrap_err();
        assert!(err.contains("no field \"nope\""), "{err}");
        let err = check(op, &request("", "[1]"), &project()).unwrap_err();
        assert!(err.contains("JSON object"), "{err}");
        let err = check(op, &request("", "{"), &project()).unwrap_err();
        assert!(err.contains("not JSON"), "{err}");
        let required = op.body.unwrap().fields.iter().find(|f| f.required).unwrap();
        let err = check(op, &request("", "{}"), &project()).unwrap_err();
        assert!(
            err.contains(&format!("{} is required", required.name)),
            "{err}"
        );
    }
}
