//! Every operation of the spec that has no workflow of its own, answered
//! from the spec and its metadata alone (`hss_operations`): the request is
//! routed by the operation's path template ([`route`]), checked against its
//! parameters and body fields ([`check`]), and answered with a value of its
//! response schema ([`answer`]). Nothing here is written per operation; an
//! operation added to the spec is served once the table is regenerated.
//!
//! These answers keep no state: a mutation answers its documented success
//! shape and changes no list.

mod answer;
mod check;
mod route;

pub(crate) use answer::{Context, Success};
pub(crate) use route::{SpecRoute, match_spec};

use crate::log::RecordedRequest;

/// Why a request for a spec operation gets no success answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `HSS.0001`: a parameter or body field the spec does not accept.
    Invalid(String),
    /// `HSS.0011`: the project is not the fake's.
    UnknownProject(String),
}

/// Answers `request` for `route`'s operation in `project_id`'s project.
pub(crate) fn serve(
    cx: &Context<'_>,
    route: &SpecRoute,
    request: &RecordedRequest,
    project_id: &str,
) -> Result<Success, Refusal> {
    let mut path = Vec::with_capacity(route.path_params.len());
    for (name, value) in &route.path_params {
        path.push((*name, value.clone().map_err(Refusal::Invalid)?));
    }
    let checked = check::check(route.operation, request, &path).map_err(Refusal::Invalid)?;
    if let Some((_, given)) = path.iter().find(|(name, _)| *name == "project_id")
        && given != project_id
    {
        return Err(Refusal::UnknownProject(given.clone()));
    }
    Ok(answer::success(
        cx,
        route.operation,
        checked.int("offset"),
        checked.int("limit"),
    ))
}
