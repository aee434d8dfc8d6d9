//! The operations themselves, for an authenticated request: path
//! parameters, then `ListVulScanTaskHost` from the store (where the page
//! faults change which hosts a good request gets) or every other operation
//! from the workflow, its answer turned into HTTP.

use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};

use super::respond::{hss_error, json_response};
use super::shared::Shared;
use crate::body::FakeBody;
use crate::fault::Fault;
use crate::from_spec::{self, Refusal, Success};
use crate::log::RecordedRequest;
use crate::params;
use crate::routes::{Operation, Route};
use crate::store::{Lookup, effective_ep};
use crate::workflow::{Answer, Call};

/// Frames of a downloaded file.
const DOWNLOAD_CHUNK: usize = 16 * 1024;

pub(super) fn serve(
    shared: &Shared,
    request: &RecordedRequest,
    route: Route,
    fault: Option<&Fault>,
) -> Response<FakeBody> {
    let project_id = match route.project_id {
        Ok(p) => p,
        Err(message) => return hss_error("HSS.0001", &message),
    };
    let id = match route.id.transpose() {
        Ok(id) => id,
        Err(message) => return hss_error("HSS.0001", &message),
    };
    let raw_query = request.raw_query.as_deref().unwrap_or("");
    if route.operation == Operation::ListVulScanTaskHost {
        return list_task_hosts(
            shared,
            raw_query,
            &project_id,
            id.as_deref().unwrap_or_default(),
            fault,
        );
    }
    if shared.store.project_id() != project_id {
        return not_found(&format!("project {project_id} does not exist"));
    }
    let call = Call {
        operation: route.operation,
        id: id.as_deref(),
        raw_query,
        body: &request.body,
        now: shared.clock.now(),
    };
    match shared.workflow.serve(&shared.store, &call) {
        Ok(answer) => respond(answer),
        Err(error) => hss_error(error.code, &error.message),
    }
}

/// An operation without a workflow of its own, answered from the spec.
pub(super) fn serve_from_spec(
    shared: &Shared,
    request: &RecordedRequest,
    route: &from_spec::SpecRoute,
) -> Response<FakeBody> {
    let cx = from_spec::Context {
        seed: shared.workflow.seed(),
        started_ms: shared.workflow.started_ms(),
        added: &shared.added,
        workflow: &shared.workflow,
    };
    let answer = match from_spec::serve(&cx, route, request, &shared.store.project_id()) {
        Ok(answer) => answer,
        Err(Refusal::Invalid(message)) => return hss_error("HSS.0001", &message),
        Err(Refusal::UnknownProject(project)) => {
            return not_found(&format!("project {project} does not exist"));
        }
    };
    let status = |s: u16| StatusCode::from_u16(s).unwrap_or(StatusCode::OK);
    match answer {
        Success::Json(s, body) => json_response(status(s), body),
        Success::Empty(s) => {
            let mut response = Response::new(FakeBody::full(Vec::new()));
            *response.status_mut() = status(s);
            response
        }
        Success::File(s, data) => {
            let mut response = respond(Answer::File {
                name: format!("{}.bin", route.operation.id),
                data: data.into(),
            });
            *response.status_mut() = status(s);
            response
        }
    }
}

fn not_found(what: &str) -> Response<FakeBody> {
    hss_error("HSS.0011", &format!("Resource not found: {what}"))
}

fn respond(answer: Answer) -> Response<FakeBody> {
    match answer {
        Answer::Json(body) => json_response(StatusCode::OK, body),
        Answer::Empty => Response::new(FakeBody::full(Vec::new())),
        Answer::File { name, data } => {
            let mut response = Response::new(FakeBody::chunks(data, DOWNLOAD_CHUNK));
            let headers = response.headers_mut();
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            let disposition = format!(
                "attachment; filename=\"{}\"",
                name.replace(['"', '\\'], "_")
            );
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(CONTENT_DISPOSITION, value);
            }
            response
        }
    }
}

/// `ListVulScanTaskHost`.
fn list_task_hosts(
    shared: &Shared,
    raw_query: &str,
    project_id: &str,
    task_id: &str,
    fault: Option<&Fault>,
) -> Response<FakeBody> {
    let query = match params::parse_query(raw_query) {
        Ok(q) => q,
        Err(message) => return hss_error("HSS.0001", &message),
    };
    let ep = effective_ep(query.enterprise_project_id.as_deref());
    match shared.store.lookup(project_id, task_id, ep) {
        Lookup::UnknownProject => not_found(&format!("project {project_id} does not exist")),
        Lookup::UnknownTask => {
            not_found(&format!("vulnerability scan task {task_id} does not exist"))
        }
        Lookup::UnknownEnterpriseProject => {
            not_found(&format!("enterprise project {ep} does not exist"))
        }
        Lookup::Found(task) => {
            let offset = query.offset.unwrap_or(0) as usize;
            let limit = query.limit.unwrap_or(params::DEFAULT_LIMIT) as usize;
            let (offset, limit) = match fault {
                Some(Fault::OverlongPage { extra }) => (offset, limit + *extra as usize),
                Some(Fault::RepeatedPage) => (offset.saturating_sub(limit), limit),
                _ => (offset, limit),
            };
            // The snapshot of now (due motion steps taken by the lookup):
            // a cached page of it is what rendering it again would give.
            let page = task.page(ep, query.scan_status.as_deref(), offset, limit);
            json_response(StatusCode::OK, page)
        }
    }
}
