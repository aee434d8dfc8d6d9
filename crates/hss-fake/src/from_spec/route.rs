//! Which operation of the spec a request names, from the path templates of
//! `hss_operations`: the routes of every operation without a workflow of
//! its own (`crate::routes` has those).

use std::collections::HashMap;
use std::sync::OnceLock;

use hss_operations::{Method, Operation, operations};

use crate::params::decode_id;

/// A request for one operation of the spec, its path parameters decoded
/// (or the `error_msg` of the `HSS.0001` answer that refuses one).
#[derive(Debug)]
pub(crate) struct SpecRoute {
    pub(crate) operation: &'static Operation,
    pub(crate) path_params: Vec<(&'static str, Result<String, String>)>,
}

/// One path template, split at `/`.
struct Template {
    operation: &'static Operation,
    segments: Vec<Segment>,
    /// How many segments are literal: among templates that match, the most
    /// literal wins (`/groups/count` over `/groups/{group_id}`).
    literals: usize,
}

enum Segment {
    Literal(&'static str),
    Param(&'static str),
}

/// The templates by method and segment count: a request compares itself
/// with the few of its own shape, not all 582.
fn templates(method: &http::Method, segments: usize) -> &'static [Template] {
    static TEMPLATES: OnceLock<HashMap<(Method, usize), Vec<Template>>> = OnceLock::new();
    let by_shape = TEMPLATES.get_or_init(|| {
        let mut by_shape: HashMap<(Method, usize), Vec<Template>> = HashMap::new();
        for template in operations().iter().map(|operation| {
            let segments: Vec<Segment> = operation
                .path
                .split('/')
                .map(
                    |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name),
                        None => Segment::Literal(s),
                    },
                )
                .collect();
            let literals = segments
                .iter()
                .filter(|s| matches!(s, Segment::Literal(_)))
                .count();
            Template {
                operation,
                segments,
                literals,
            }
        }) {
            let shape = (template.operation.method, template.segments.len());
            by_shape.entry(shape).or_default().push(template);
        }
        by_shape
    });
    let method = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Options,
        Method::Head,
        Method::Patch,
        Method::Trace,
    ]
    .into_iter()
    .find(|m| m.as_str() == method.as_str());
    method
        .and_then(|m| by_shape.get(&(m, segments)))
        .map_or(&[], Vec::as_slice)
}

/// The operation of `method` on `raw_path`; `None` when the spec has none
/// (the gateway's `APIGW.0101`).
pub(crate) fn match_spec(method: &http::Method, raw_path: &str) -> Option<SpecRoute> {
    let segments: Vec<&str> = raw_path.split('/').collect();
    let template = templates(method, segments.len())
        .iter()
        .filter(|t| {
            t.segments
                .iter()
                .zip(&segments)
                .all(|(template, raw)| match template {
                    Segment::Literal(literal) => literal == raw,
                    // An empty, `.` or `..` segment never reaches the API.
                    Segment::Param(_) => !matches!(*raw, "" | "." | ".."),
                })
        })
        .max_by_key(|t| t.literals)?;
    let path_params = template
        .segments
        .iter()
        .zip(&segments)
        .filter_map(|(template, raw)| match template {
            Segment::Param(name) => Some((*name, decode_id(name, raw))),
            Segment::Literal(_) => None,
        })
        .collect();
    Some(SpecRoute {
        operation: template.operation,
        path_params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_found_by_its_own_method_and_path() {
        for op in operations() {
            let path = op
                .path
                .split('/')
                .map(|s| if s.starts_with('{') { "x%2Fy" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let method = http::Method::from_bytes(op.method.as_str().as_bytes()).unwrap();
            let found = match_spec(&method, &path).unwrap_or_else(|| panic!("{}", op.id));
            // Two operations may share a method and path only if the spec
            // says so; then either may answer.
            assert_eq!(found.operation.path, op.path, "{}", op.id);
            for (_, value) in found.path_params {
                assert_eq!(value.unwrap(), "x/y");
            }
        }
    }

    #[test]
    fn a_literal_segment_wins_over_a_parameter_and_unknown_paths_are_none() {
        assert!(match_spec(&http::Method::GET, "/v5/p/no-such-thing").is_none());
        assert!(match_spec(&http::Method::PATCH, "/v5/p/host-management/groups").is_none());
        let listed = match_spec(&http::Method::GET, "/v5/p/host-management/groups").unwrap();
        assert_eq!(listed.operation.id, "ListHostGroups");
    }
}
