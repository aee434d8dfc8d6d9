//! Every operation of the spec that has no workflow of its own, answered
//! from the spec and its metadata alone (`hss_operations`): the request is
//! routed by the operation's path template ([`route`]), checked against its
//! parameters and body fields ([`check`]), and answered with a value of its
//! response schema ([`answer`]). Nothing here is written per operation; an
//! operation added to the spec is served once the table is regenerated.
//!
//! One kind of change shows: what an `Add…` or `Create…` operation posts to
//! the path of a listing (`AddHostsGroup` and `ListHostGroups`, both
//! `/host-management/groups`) is listed after the generated items
//! ([`Added`]). Every other mutation answers its documented success shape
//! and changes nothing.

mod answer;
mod check;
mod route;

use std::collections::HashMap;
use std::sync::Mutex;

pub(crate) use answer::{Context, Success};
use hss_operations::{Method, Operation, operations};
pub(crate) use route::{SpecRoute, match_spec};
use serde_json::{Map, Value};

use crate::log::RecordedRequest;

/// What `Add…`/`Create…` operations posted, per listing that shows it.
#[derive(Debug, Default)]
pub(crate) struct Added {
    by_listing: Mutex<HashMap<&'static str, Vec<Map<String, Value>>>>,
}

impl Added {
    /// The bodies posted for the listing `id`, in order.
    pub(crate) fn of(&self, id: &str) -> Vec<Map<String, Value>> {
        let lists = self.by_listing.lock().unwrap_or_else(|e| e.into_inner());
        lists.get(id).cloned().unwrap_or_default()
    }

    /// Keeps `body` for the listing `op` adds to, if it is one that does.
    fn record(&self, op: &Operation, body: &[u8]) {
        let Some(listing) = listing_of(op) else {
            return;
        };
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
            return;
        };
        let mut lists = self.by_listing.lock().unwrap_or_else(|e| e.into_inner());
        lists.entry(listing.id).or_default().push(fields);
    }
}

/// The listing an `Add…`/`Create…` `POST` adds to: the `GET` listing on
/// the same path.
pub(crate) fn listing_of(op: &Operation) -> Option<&'static Operation> {
    if op.method != Method::Post || !(op.id.starts_with("Add") || op.id.starts_with("Create")) {
        return None;
    }
    operations()
        .iter()
        .find(|o| o.method == Method::Get && o.path == op.path && o.offset_limit().is_some())
}

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
    cx.added.record(route.operation, &request.body);
    Ok(answer::success(
        cx,
        route.operation,
        checked.int("offset"),
        checked.int("limit"),
    ))
}
