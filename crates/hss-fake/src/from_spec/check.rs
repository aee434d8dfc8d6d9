//! A request checked against its operation in the spec, as the service
//! checks it, by the rules of `hss_operations::check`: every parameter
//! (path, query, header) and the body's top-level fields. Every `Err` is
//! the `error_msg` of an `HSS.0001` answer naming what was wrong and what
//! is accepted.

use hss_operations::{Location, Operation, check};

use crate::log::RecordedRequest;

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
    let invalid = |refusal: check::Refusal| format!("Invalid parameter: {refusal}");
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
                .map(|v| {
                    v.to_str()
                        .map_err(|_| format!("Invalid parameter: {} must be text", param.name))
                })
                .collect::<Result<_, _>>()?,
            _ => continue,
        };
        check::text(param, &values).map_err(invalid)?;
    }
    if let Some(body) = &op.body {
        check::body(body, &request.body).map_err(invalid)?;
    }
    Ok(Checked { query })
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
    fn the_message_names_the_parameter_of_the_path_query_or_body() {
        let op = hss_operations::LIST_HOST_GROUPS;
        assert!(check(op, &request("offset=0&limit=10", ""), &project()).is_ok());
        let err = check(op, &request("limit=9", ""), &project()).unwrap_err();
        assert_eq!(
            err,
            "Invalid parameter: limit must be from 10 to 200, not 9"
        );
        let err = check(op, &request("", ""), &[]).unwrap_err();
        assert_eq!(err, "Invalid parameter: project_id is required");
        let op = hss_operations::CHANGE_VUL_STATUS;
        let err = check(op, &request("", r#"{"nope": 1}"#), &project()).unwrap_err();
        assert!(
            err.starts_with("Invalid parameter: nope is not a field"),
            "{err}"
        );
    }
}
