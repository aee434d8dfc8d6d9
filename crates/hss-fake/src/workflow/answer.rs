//! What the workflow answers, before it is HTTP: a JSON body, nothing, or
//! a file; or an HSS error (status 400 with `error_code` and `error_msg`,
//! the shape the rest of the fake sends).

use bytes::Bytes;
use serde::Serialize;

/// A successful answer.
#[derive(Debug)]
pub(crate) enum Answer {
    /// A JSON body (shared: it may be a page rendered before).
    Json(Bytes),
    /// 200 and no body, as the service answers the operations that change
    /// state and return nothing.
    Empty,
    /// A file to download, streamed.
    File {
        /// The name for `Content-Disposition`.
        name: String,
        /// Its bytes.
        data: Bytes,
    },
}

impl Answer {
    /// `value` as JSON.
    pub(crate) fn json(value: &impl Serialize) -> Answer {
        Answer::Json(
            serde_json::to_vec(value)
                .expect("answers always serialize")
                .into(),
        )
    }

    /// A page of a listing: `total_num` and `data_list`, as every listing
    /// of the API answers.
    pub(crate) fn page<T: Serialize>(total: usize, items: &[T]) -> Answer {
        #[derive(Serialize)]
        struct Page<'a, T> {
            total_num: usize,
            data_list: &'a [T],
        }
        Answer::json(&Page {
            total_num: total,
            data_list: items,
        })
    }
}

/// An HSS error: status 400, `error_code` and `error_msg`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl ApiError {
    /// `HSS.0001`: a parameter or field is invalid (the message names it).
    pub(crate) fn invalid(message: String) -> ApiError {
        ApiError {
            code: "HSS.0001",
            message,
        }
    }

    /// `HSS.0002`: the body could not be parsed at all.
    pub(crate) fn unparsable(message: String) -> ApiError {
        ApiError {
            code: "HSS.0002",
            message,
        }
    }

    /// `HSS.0011`: something the request names does not exist.
    pub(crate) fn not_found(what: &str) -> ApiError {
        ApiError {
            code: "HSS.0011",
            message: format!("Resource not found: {what}"),
        }
    }
}

impl From<String> for ApiError {
    /// A parameter or field message from `query` or `json_body`.
    fn from(message: String) -> ApiError {
        ApiError::invalid(message)
    }
}

/// Parses a JSON object body: `HSS.0002` when it is not one.
pub(crate) fn object_body(
    body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    crate::json_body::parse_object(body).map_err(ApiError::unparsable)
}
