//! Answering one request: faults first, then route, authentication, and
//! the operation (`operations`: parameters, body, lookup), in the order
//! the service checks them. A layer for every request (such as a rate
//! limit) goes into [`route`] between authentication and the operation.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, DATE, HeaderValue, RETRY_AFTER};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use super::operations;
use super::respond::{api_not_found, gateway_flat, html_bad_gateway, json_response};
use super::shared::{Shared, lock};
use crate::aksk::AuthInput;
use crate::auth::Caller;
use crate::body::FakeBody;
use crate::fault::Fault;
use crate::from_spec;
use crate::log::RecordedRequest;
use crate::routes::match_route;
use crate::throttle::Verdict;

/// Largest request body read (the JSON bodies of the operations are far
/// smaller); more gets 413.
const MAX_BODY: usize = 1 << 20;

/// Returned to hyper to drop the connection without an answer.
#[derive(Debug, thiserror::Error)]
#[error("connection reset on purpose by a fault")]
pub(super) struct ConnectionReset;

pub(super) async fn handle(
    shared: Arc<Shared>,
    reset: Arc<AtomicBool>,
    request: Request<Incoming>,
) -> Result<Response<FakeBody>, ConnectionReset> {
    let received_at = SystemTime::now();
    let request_id = shared.ids.next();
    let (parts, body) = request.into_parts();
    let (body, too_large) = read_body(body).await?;
    let decision = lock(&shared.faults).next();
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let mut record = RecordedRequest {
        method: parts.method.clone(),
        raw_path: parts.uri.path().to_owned(),
        raw_query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
        request_id: request_id.clone(),
        status: None,
        caller: None,
        received_at,
    };
    if decision.fault == Some(Fault::ResetConnection) {
        reset.store(true, Ordering::Relaxed);
        tracing::info!(method = %record.method, path = %record.raw_path, %request_id, "fault: connection reset");
        lock(&shared.log).push(record);
        return Err(ConnectionReset);
    }
    let mut response = match fault_answer(decision.fault.as_ref(), &request_id) {
        Some(response) => response,
        None if too_large => gateway_flat(
            StatusCode::PAYLOAD_TOO_LARGE,
            "APIGW.0201",
            "Request entity too large.",
            &request_id,
        ),
        None => {
            let (response, caller) = route(&shared, &record, &request_id, decision.fault.as_ref());
            record.caller = caller;
            response
        }
    };
    reshape_body(&mut response, decision.fault.as_ref());
    let headers = response.headers_mut();
    headers.insert(
        "x-request-id",
        HeaderValue::from_str(&request_id).expect("hex is a valid header value"),
    );
    headers.insert("server", HeaderValue::from_static("api-gateway"));
    // The fake's clock, which may run skewed on purpose, as the gateway's
    // `Date` (hyper adds the system's only when there is none).
    if let Ok(date) = HeaderValue::from_str(&httpdate::fmt_http_date(shared.clock.now().into())) {
        headers.insert(DATE, date);
    }
    record.status = Some(response.status().as_u16());
    tracing::info!(method = %record.method, path = %record.raw_path, status = response.status().as_u16(), %request_id, "request");
    lock(&shared.log).push(record);
    Ok(response)
}

/// The request body, or that it was over [`MAX_BODY`]; `Err` when the
/// client went away while sending it.
async fn read_body(body: Incoming) -> Result<(Bytes, bool), ConnectionReset> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => Ok((collected.to_bytes(), false)),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => Ok((Bytes::new(), true)),
        Err(_) => Err(ConnectionReset),
    }
}

/// The answer of a fault that replaces the service's; `None` for the
/// faults that only change the service's answer (or for no fault).
fn fault_answer(fault: Option<&Fault>, request_id: &str) -> Option<Response<FakeBody>> {
    match fault? {
        Fault::Throttle { retry_after_secs } => {
            let mut r = gateway_flat(
                StatusCode::TOO_MANY_REQUESTS,
                "APIGW.0308",
                "The throttling threshold has been reached: policy user over ratelimit",
                request_id,
            );
            if let Some(secs) = retry_after_secs {
                r.headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(*secs));
            }
            Some(r)
        }
        Fault::ServerError {
            status,
            error_code,
            error_msg,
        } => Some(gateway_flat(
            StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            error_code,
            error_msg,
            request_id,
        )),
        Fault::BadGatewayHtml => Some(html_bad_gateway()),
        _ => None,
    }
}

/// Breaks the body as [`Fault::TruncatedBody`] and [`Fault::SlowBody`] ask.
fn reshape_body(response: &mut Response<FakeBody>, fault: Option<&Fault>) {
    match fault {
        Some(Fault::TruncatedBody) => {
            let full = response.body_mut().take_full().unwrap_or_default();
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(full.len()));
            *response.body_mut() = FakeBody::truncated(full);
        }
        Some(Fault::SlowBody { chunk, interval }) => {
            let full = response.body_mut().take_full().unwrap_or_default();
            *response.body_mut() = FakeBody::dribble(full, *chunk, *interval);
        }
        _ => {}
    }
}

/// Answers a request that no fault took over; also says who it
/// authenticated as.
fn route(
    shared: &Shared,
    request: &RecordedRequest,
    request_id: &str,
    fault: Option<&Fault>,
) -> (Response<FakeBody>, Option<Caller>) {
    if let Some(response) = metadata(shared, request) {
        return (response, None);
    }
    if request.method == Method::GET && request.raw_path == hss_auth::iam::PROJECTS_PATH {
        return match authenticate(shared, request, request_id) {
            Ok(caller) => (list_projects(shared, request), Some(caller)),
            Err(response) => (*response, None),
        };
    }
    // The spec decides which operation a path names (its most literal
    // template: `.../host/hosts` is not `.../host/{host_id}`); the
    // workflow answers its own operations.
    let Some(spec) = from_spec::match_spec(&request.method, &request.raw_path) else {
        return (api_not_found(request_id), None);
    };
    let route = match match_route(&request.method, &request.raw_path) {
        Some(route) if route.operation.spec().id == spec.operation.id => Routed::Workflow(route),
        _ => Routed::Spec(spec),
    };
    let caller = match authenticate(shared, request, request_id) {
        Ok(caller) => caller,
        Err(response) => return (*response, None),
    };
    if let Some(throttled) = throttle(shared, &caller, request_id) {
        return (throttled, Some(caller));
    }
    let response = match route {
        Routed::Workflow(route) => operations::serve(shared, request, route, fault),
        Routed::Spec(route) => operations::serve_from_spec(shared, request, &route),
    };
    (response, Some(caller))
}

/// Who answers a request: a workflow operation, or the spec.
enum Routed {
    Workflow(crate::routes::Route),
    Spec(from_spec::SpecRoute),
}

/// The gateway's `429` when `caller` is over its rate limit (`crate::throttle`).
fn throttle(shared: &Shared, caller: &Caller, request_id: &str) -> Option<Response<FakeBody>> {
    match shared.throttle.check(caller, shared.clock.now()) {
        Verdict::Allowed => None,
        Verdict::Throttled { retry_after_secs } => fault_answer(
            Some(&Fault::Throttle {
                retry_after_secs: Some(retry_after_secs),
            }),
            request_id,
        ),
    }
}

/// The metadata service's answer, for its two paths (no authentication:
/// the real one answers whoever runs on the server).
fn metadata(shared: &Shared, request: &RecordedRequest) -> Option<Response<FakeBody>> {
    use hss_auth::metadata::{
        SECURITY_KEY_PATH, TOKEN_PATH, X_METADATA_TOKEN, X_METADATA_TOKEN_TTL_SECONDS,
    };
    let answer = match (&request.method, request.raw_path.as_str()) {
        (&Method::PUT, TOKEN_PATH) => shared
            .metadata
            .token(request.header(X_METADATA_TOKEN_TTL_SECONDS)),
        (&Method::GET, SECURITY_KEY_PATH) => shared
            .metadata
            .security_key(request.header(X_METADATA_TOKEN), shared.clock.now()),
        _ => return None,
    };
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if answer.json {
        return Some(json_response(status, answer.body));
    }
    let mut response = Response::new(FakeBody::full(answer.body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain"),
    );
    Some(response)
}

/// The gateway's check of who sent `request`; `Err` is its 401 answer.
fn authenticate(
    shared: &Shared,
    request: &RecordedRequest,
    request_id: &str,
) -> Result<Caller, Box<Response<FakeBody>>> {
    let input = AuthInput {
        method: request.method.as_str(),
        raw_path: &request.raw_path,
        raw_query: request.raw_query.as_deref().unwrap_or(""),
        headers: &request.headers,
        body: &request.body,
        now: shared.clock.now(),
    };
    shared.auth.check(&input).map_err(|message| {
        Box::new(gateway_flat(
            StatusCode::UNAUTHORIZED,
            "APIGW.0301",
            &message,
            request_id,
        ))
    })
}

/// IAM's `GET /v3/projects[?name=...]` for an authenticated request, with
/// the `X-IAM-Trace-Id` IAM sends.
fn list_projects(shared: &Shared, request: &RecordedRequest) -> Response<FakeBody> {
    let pairs = request.query_pairs();
    let name = pairs
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.as_str());
    let body = lock(&shared.iam).list_json(name, &shared.base_url, &shared.domain_id);
    let mut response = json_response(StatusCode::OK, body);
    if let Ok(trace) = HeaderValue::from_str(&shared.ids.next()) {
        response
            .headers_mut()
            .insert(hss_auth::iam::TRACE_ID_HEADER, trace);
    }
    response
}
