//! The bodies of the fake's answers: pages, HSS errors, the gateway's two
//! error shapes and a proxy's HTML page.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};
use serde_json::json;

use crate::body::FakeBody;

const JSON: &str = "application/json;charset=UTF-8";

pub(super) fn json_response(status: StatusCode, body: impl Into<Bytes>) -> Response<FakeBody> {
    let mut r = Response::new(FakeBody::full(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    r
}

fn to_vec(body: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(body).expect("a JSON value serializes")
}

/// `{"error_code": ..., "error_msg": ...}` with status 400, as HSS answers.
pub(super) fn hss_error(code: &str, message: &str) -> Response<FakeBody> {
    let body = json!({"error_code": code, "error_msg": message});
    json_response(StatusCode::BAD_REQUEST, to_vec(&body))
}

/// `{"error_msg": ..., "error_code": ..., "request_id": ...}`, the flat gateway shape.
pub(super) fn gateway_flat(
    status: StatusCode,
    code: &str,
    message: &str,
    request_id: &str,
) -> Response<FakeBody> {
    let body = json!({"error_msg": message, "error_code": code, "request_id": request_id});
    json_response(status, to_vec(&body))
}

/// 404 `APIGW.0101` in the nested gateway shape `{"error": {...}}`.
pub(super) fn api_not_found(request_id: &str) -> Response<FakeBody> {
    let message = "The API does not exist or has not been published in the environment";
    let body = json!({"error": {
        "code": "APIGW.0101",
        "message": message,
        "error_code": "APIGW.0101",
        "error_msg": message,
        "request_id": request_id,
    }});
    json_response(StatusCode::NOT_FOUND, to_vec(&body))
}

/// The page a reverse proxy sends when the gateway behind it is gone.
const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

pub(super) fn html_bad_gateway() -> Response<FakeBody> {
    let mut r = Response::new(FakeBody::full(Bytes::from_static(
        BAD_GATEWAY_HTML.as_bytes(),
    )));
    *r.status_mut() = StatusCode::BAD_GATEWAY;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    r
}
