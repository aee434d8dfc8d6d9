//! A cap on how much of a response body is read.
//!
//! The generated client reads a whole body into memory before decoding it,
//! so without a cap a broken or hostile server could make it hold any
//! amount. [`limit_body`] runs in the request hook as soon as a response
//! head arrives: a declared `Content-Length` over the limit fails the body
//! at once without reading it, and a body without one (chunked, or closed
//! by the server) fails as soon as more than the limit has arrived. Either
//! way the read ends in a body error whose source is [`BodyTooLarge`],
//! which the client turns into [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use reqwest::ResponseBuilderExt;
use reqwest::header::CONTENT_LENGTH;

/// The default largest response body, 16 MiB. A page of 200 hosts is
/// about 160 KB; an error body a few hundred bytes.
pub const DEFAULT_MAX_RESPONSE_BODY: u64 = 16 * 1024 * 1024;

/// Why a body was not read to its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(*.limit, *.declared))]
pub(crate) struct BodyTooLarge {
    pub limit: u64,
    /// The `Content-Length` the answer declared, when that was the reason.
    pub declared: Option<u64>,
}

pub(crate) fn describe(limit: u64, declared: Option<u64>) -> String {
    match declared {
        Some(declared) => format!(
            "the body declares {declared} bytes, more than the limit of {limit} bytes; it was not read"
        ),
        None => {
            format!("the body is longer than the limit of {limit} bytes; reading stopped there")
        }
    }
}

/// The same response, its body capped at `limit` bytes.
pub(crate) fn limit_body(response: reqwest::Response, limit: u64) -> reqwest::Response {
    let declared = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .or_else(|| response.content_length());
    map_body(response, |body| {
        reqwest::Body::wrap(match declared {
            // Dropping the body closes the connection without reading on.
            Some(declared) if declared > limit => Limited {
                inner: None,
                read: 0,
                limit,
                error: Some(BodyTooLarge {
                    limit,
                    declared: Some(declared),
                }),
            },
            _ => Limited {
                inner: Some(body),
                read: 0,
                limit,
                error: None,
            },
        })
    })
}

/// The same response (status, headers, URL) with its body replaced by
/// what `f` makes of it.
pub(crate) fn map_body(
    response: reqwest::Response,
    f: impl FnOnce(reqwest::Body) -> reqwest::Body,
) -> reqwest::Response {
    let url = response.url().clone();
    let (mut parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    // `reqwest::Response::from` takes the URL from an extension that only
    // its response builder can set.
    if let Ok(with_url) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(with_url.into_parts().0.extensions);
    }
    reqwest::Response::from(http::Response::from_parts(parts, f(body)))
}

/// A body that fails once more than `limit` bytes of data passed, or at
/// once with `error`.
struct Limited {
    inner: Option<reqwest::Body>,
    read: u64,
    limit: u64,
    error: Option<BodyTooLarge>,
}

impl Body for Limited {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Some(error) = this.error.take() {
            this.inner = None;
            return Poll::Ready(Some(Err(Box::new(error))));
        }
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        match Pin::new(inner).poll_frame(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(Box::new(error)))),
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.read = this.read.saturating_add(data.len() as u64);
                    if this.read > this.limit {
                        // Drop the connection rather than drain the rest.
                        this.inner = None;
                        return Poll::Ready(Some(Err(Box::new(BodyTooLarge {
                            limit: this.limit,
                            declared: None,
                        }))));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.error.is_none() && self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.inner, &self.error) {
            (Some(inner), None) => inner.size_hint(),
            _ => SizeHint::default(),
        }
    }
}

/// The [`BodyTooLarge`] somewhere in an error's chain of sources.
pub(crate) fn find_too_large(error: &(dyn std::error::Error + 'static)) -> Option<BodyTooLarge> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(found) = error.downcast_ref::<BodyTooLarge>() {
            return Some(*found);
        }
        cause = error.source();
    }
    None
}
