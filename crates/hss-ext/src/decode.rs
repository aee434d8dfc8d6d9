//! Reading an answer into a page or an [`Error`]: one set of pure
//! functions that the client and [`decode_page`] share.
//!
//! The generated client builds, signs and sends the page request; the
//! answer's body is taken from it (`hooks::take_body`) and
//! [`crate::HssClient`] decodes status, headers and body with
//! [`decode_page`], the same function the tests and fuzzers call without
//! a server. The types are the generated ones; only the JSON parser is
//! this crate's choice ([`parse_page`]). Every other operation is decoded
//! by the generated client and its errors mapped with the functions
//! below.

use hss_api::types::{ErrorBody, ListVulScanTaskHostResponse, VulScanTaskHostInfo};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_ENCODING, HeaderMap};

use crate::error::{Error, ServiceError, TransportKind, snippet};
use crate::hooks::{self, ResponseMeta};
use crate::limit::find_too_large;
use crate::retry::parse_retry_after;

/// One page of hosts.
#[derive(Clone, Debug, PartialEq)]
pub struct HostPage {
    /// Hosts matching the query on all pages, as this answer reports it.
    pub total_num: Option<u64>,
    /// The hosts of this page.
    pub hosts: Vec<VulScanTaskHostInfo>,
    /// The answer's `X-Request-Id`.
    pub request_id: Option<String>,
}

/// At most this much of an unexpected answer's body is read for the error.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The error statuses `openapi/hss.yaml` documents for the operation, whose
/// bodies the generated client decodes as `ErrorBody`; any other status is
/// an "unexpected response" to it. Generated from the spec.
pub(crate) const DOCUMENTED_ERROR_STATUSES: &[u16] =
    hss_api::statuses::LIST_VUL_SCAN_TASK_HOST_ERRORS;

/// Decodes one answer of `ListVulScanTaskHost` exactly as
/// [`HssClient`](crate::HssClient) does after receiving it: a page for a
/// `200` with the documented JSON, else the [`Error`] the client would
/// return ([`Error::Service`] for error statuses, [`Error::Decode`] for a
/// body that is not what the status promises).
///
/// It reads nothing but its arguments, never panics, and bounds what it
/// keeps of a body it cannot read to [`BODY_SNIPPET_LIMIT`](crate::BODY_SNIPPET_LIMIT)
/// bytes.
///
/// ```
/// use hss_ext::decode_page;
/// use reqwest::{StatusCode, header::HeaderMap};
///
/// let page = decode_page(StatusCode::OK, &HeaderMap::new(), br#"{"total_num":0,"data_list":[]}"#).unwrap();
/// assert_eq!(page.total_num, Some(0));
/// let err = decode_page(StatusCode::BAD_REQUEST, &HeaderMap::new(), br#"{"error_code":"HSS.0001","error_msg":"bad limit"}"#).unwrap_err();
/// assert_eq!(err.error_code(), Some("HSS.0001"));
/// ```
pub fn decode_page(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<HostPage, Error> {
    let code = status.as_u16();
    if code == 200 {
        match parse_page(body) {
            Ok(parsed) => page_from(status, headers, parsed),
            Err(error) => Err(invalid_payload(status, headers, body, &error)),
        }
    } else if DOCUMENTED_ERROR_STATUSES.contains(&code) {
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(parsed) => Err(service_error(status, headers, Some(parsed), None)),
            Err(error) => Err(invalid_payload(status, headers, body, &error)),
        }
    } else {
        Err(unexpected(
            status,
            headers,
            &body[..body.len().min(ERROR_BODY_LIMIT)],
        ))
    }
}

/// Whether [`decode_page`] reads the whole body of an answer with this
/// status: a page or a documented error. Of any other status it reads at
/// most [`ERROR_BODY_LIMIT`] bytes, so the client stops reading there.
pub(crate) fn reads_whole_body(status: StatusCode) -> bool {
    status.as_u16() == 200 || DOCUMENTED_ERROR_STATUSES.contains(&status.as_u16())
}

/// Parses a page body into the generated type.
///
/// The UTF-8 of the whole body is checked once, then `serde_json` parses
/// the text without checking each string again, as `from_slice` does:
/// about a fifth less time (docs/benchmark-log.md, "Micro"). A body that is not
/// UTF-8 goes to `from_slice`, so every body gives exactly the value or
/// error it gave before (`from_slice` skips the strings of unknown fields
/// without checking them).
pub(crate) fn parse_page(body: &[u8]) -> Result<ListVulScanTaskHostResponse, serde_json::Error> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
}

/// A decoded `200` answer as a page.
pub(crate) fn page_from(
    status: StatusCode,
    headers: &HeaderMap,
    body: ListVulScanTaskHostResponse,
) -> Result<HostPage, Error> {
    let request_id = hooks::request_id(headers).map(str::to_owned);
    let total_num = match body.total_num {
        None => None,
        Some(n) => Some(u64::try_from(n).map_err(|_| Error::Decode {
            status,
            request_id: request_id.clone(),
            reason: format!("total_num is negative ({n})"),
            snippet: String::new(),
        })?),
    };
    Ok(HostPage {
        total_num,
        hosts: body.data_list,
        request_id,
    })
}

/// A documented status whose body did not decode: for an error status a
/// service error that keeps the start of the body, for a success a decode
/// error.
pub(crate) fn invalid_payload(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    decode_error: &dyn std::fmt::Display,
) -> Error {
    if !status.is_success() {
        // An error status whose body is not the JSON error shape.
        return service_error(status, headers, None, Some(body));
    }
    let mut reason = decode_error.to_string();
    if let Some(encoding) = content_encoding(headers) {
        // reqwest is built without decompression and asks for none, so an
        // encoded body arrives as it was sent.
        reason = format!(
            "the body is sent with Content-Encoding {encoding:?}, which this client neither asks for nor decodes ({reason})"
        );
    }
    Error::Decode {
        status,
        request_id: hooks::request_id(headers).map(str::to_owned),
        reason,
        snippet: snippet(body),
    }
}

/// A status the API does not document, with the start of its body.
pub(crate) fn unexpected(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    if status.is_success() {
        return Error::Decode {
            status,
            request_id: hooks::request_id(headers).map(str::to_owned),
            reason: "a success status the API does not document".into(),
            snippet: snippet(body),
        };
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) if parsed != ErrorBody::default() => {
            service_error(status, headers, Some(parsed), None)
        }
        _ => service_error(status, headers, None, Some(body)),
    }
}

/// A `Content-Encoding` other than `identity`, as text.
fn content_encoding(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_ENCODING)?;
    let text = String::from_utf8_lossy(value.as_bytes()).trim().to_owned();
    (!text.is_empty() && !text.eq_ignore_ascii_case("identity")).then_some(text)
}

/// Builds a service error from whatever the answer had: a decoded error
/// body (flat or nested gateway shape), or raw bytes that were not one.
pub(crate) fn service_error(
    status: StatusCode,
    headers: &HeaderMap,
    body: Option<ErrorBody>,
    raw: Option<&[u8]>,
) -> Error {
    let body = body.unwrap_or_default();
    let nested = body.error.clone().unwrap_or_default();
    let request_id = hooks::request_id(headers)
        .map(str::to_owned)
        .or(body.request_id)
        .or(nested.request_id);
    let retry_after = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let raw_snippet = raw.filter(|b| !b.is_empty()).map(snippet);
    Error::Service(Box::new(ServiceError {
        status,
        error_code: body.error_code.or(nested.error_code).or(nested.code),
        error_msg: body.error_msg.or(nested.error_msg).or(nested.message),
        request_id,
        encoded_authorization_message: body.encoded_authorization_message,
        retry_after,
        body_snippet: raw_snippet,
    }))
}

/// Turns what the generated client returned into this crate's error,
/// using the status and headers the hook kept when progenitor lost them.
pub(crate) async fn convert_error(
    error: hss_api::Error<ErrorBody>,
    meta: Option<ResponseMeta>,
) -> Error {
    use hss_api::Error as Api;
    let meta_request_id = meta
        .as_ref()
        .and_then(|m| hooks::request_id(&m.headers))
        .map(str::to_owned);
    match error {
        Api::InvalidRequest(message) => Error::InvalidInput {
            parameter: "request",
            reason: message,
        },
        Api::Custom(message) => Error::Refused { message },
        Api::CommunicationError(source)
        | Api::ResponseBodyError(source)
        | Api::InvalidUpgrade(source) => {
            let status = meta.as_ref().map(|m| m.status).or(source.status());
            match (find_too_large(&source), status) {
                (Some(too_large), Some(status)) => Error::ResponseTooLarge {
                    status,
                    request_id: meta_request_id,
                    limit: too_large.limit,
                    declared: too_large.declared,
                },
                _ => Error::Transport {
                    kind: transport_kind(&source),
                    status,
                    request_id: meta_request_id,
                    source,
                },
            }
        }
        Api::ErrorResponse(response) => {
            let (status, headers) = (response.status(), response.headers().clone());
            service_error(status, &headers, Some(response.into_inner()), None)
        }
        Api::InvalidResponsePayload(body, decode_error) => match meta {
            Some(meta) => invalid_payload(meta.status, &meta.headers, &body, &decode_error),
            None => invalid_payload(StatusCode::OK, &HeaderMap::new(), &body, &decode_error),
        },
        Api::UnexpectedResponse(response) => {
            let (status, headers) = (response.status(), response.headers().clone());
            let body = read_bounded(response, ERROR_BODY_LIMIT).await;
            unexpected(status, &headers, &body)
        }
    }
}

fn transport_kind(error: &reqwest::Error) -> TransportKind {
    if error.is_timeout() {
        TransportKind::Timeout
    } else if error.is_connect() {
        TransportKind::Connect
    } else if error.is_body() || error.is_decode() {
        TransportKind::Body
    } else {
        TransportKind::Other
    }
}

/// Reads at most `limit` bytes of a body; a broken body yields what arrived.
pub(crate) async fn read_bounded(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk[..chunk.len().min(limit - body.len())])
            }
            _ => break,
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn a_page_and_its_request_id() {
        let page = decode_page(
            StatusCode::OK,
            &headers(&[("x-request-id", "r-1")]),
            br#"{"total_num":1,"data_list":[{"host_id":"h"}]}"#,
        )
        .unwrap();
        assert_eq!(page.total_num, Some(1));
        assert_eq!(page.hosts.len(), 1);
        assert_eq!(page.request_id.as_deref(), Some("r-1"));
    }

    #[test]
    fn each_kind_of_answer_maps_to_its_error() {
        let none = HeaderMap::new();
        let err = decode_page(StatusCode::OK, &none, br#"{"total_num":-1}"#).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        let err = decode_page(StatusCode::OK, &none, b"").unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        let err = decode_page(StatusCode::CREATED, &none, b"{}").unwrap_err();
        assert!(err.to_string().contains("does not document"), "{err}");
        let err = decode_page(StatusCode::BAD_GATEWAY, &none, b"<html>").unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
        assert!(err.to_string().contains("<html>"), "{err}");
        let err = decode_page(
            StatusCode::IM_A_TEAPOT,
            &none,
            br#"{"error":{"code":"APIGW.0101","message":"no such API"}}"#,
        )
        .unwrap_err();
        assert_eq!(err.error_code(), Some("APIGW.0101"));
        assert_eq!(err.error_msg(), Some("no such API"));
    }

    #[test]
    fn an_encoded_body_says_so() {
        let gzip = [0x1f, 0x8b, 0x08, 0x00, 0x00];
        let err = decode_page(
            StatusCode::OK,
            &headers(&[("content-encoding", "gzip")]),
            &gzip,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        assert!(
            err.to_string().contains("Content-Encoding \"gzip\""),
            "{err}"
        );
    }
}
