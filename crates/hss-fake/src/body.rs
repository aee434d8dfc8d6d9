//! Response bodies, including the broken ones faults need.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

/// Why a body stopped early (only ever seen by hyper, which then drops the
/// connection).
#[derive(Debug, thiserror::Error)]
#[error("response body truncated on purpose by a fault")]
pub(crate) struct Truncated;

/// The body of every response the fake sends.
#[derive(Debug)]
pub(crate) struct FakeBody {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Full(Option<Bytes>),
    /// Sends `data` in `chunk`-sized frames as fast as the client reads
    /// (a file download, never copied whole into one frame).
    Chunks {
        data: Bytes,
        chunk: usize,
    },
    /// Sends `data[..]` in `chunk`-sized frames, each after `interval`.
    Dribble {
        data: Bytes,
        chunk: usize,
        interval: Duration,
        sleep: Option<Pin<Box<Sleep>>>,
    },
    /// Sends `head`, pauses so that hyper flushes it, then fails.
    Truncated {
        head: Option<Bytes>,
        pause: Option<Pin<Box<Sleep>>>,
    },
}

impl FakeBody {
    pub(crate) fn full(data: impl Into<Bytes>) -> FakeBody {
        let data = data.into();
        FakeBody {
            kind: Kind::Full((!data.is_empty()).then_some(data)),
        }
    }

    /// `data` streamed in frames of `chunk` bytes.
    pub(crate) fn chunks(data: Bytes, chunk: usize) -> FakeBody {
        FakeBody {
            kind: Kind::Chunks {
                data,
                chunk: chunk.max(1),
            },
        }
    }

    /// The whole body of this response, if it is a plain or a streamed one.
    pub(crate) fn take_full(&mut self) -> Option<Bytes> {
        match &mut self.kind {
            Kind::Full(data) => Some(data.take().unwrap_or_default()),
            Kind::Chunks { data, .. } => Some(std::mem::take(data)),
            _ => None,
        }
    }

    pub(crate) fn dribble(data: Bytes, chunk: usize, interval: Duration) -> FakeBody {
        FakeBody {
            kind: Kind::Dribble {
                data,
                chunk: chunk.max(1),
                interval,
                sleep: None,
            },
        }
    }

    /// The first half of `data` (at least one byte when `data` has two or
    /// more), then an error.
    pub(crate) fn truncated(data: Bytes) -> FakeBody {
        let half = data.len() / 2;
        let half = if data.len() >= 2 { half.max(1) } else { 0 };
        FakeBody {
            kind: Kind::Truncated {
                head: Some(data.slice(..half)).filter(|h| !h.is_empty()),
                pause: None,
            },
        }
    }
}

impl Body for FakeBody {
    type Data = Bytes;
    type Error = Truncated;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Truncated>>> {
        let this = self.get_mut();
        match &mut this.kind {
            Kind::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            Kind::Chunks { data, chunk } => {
                if data.is_empty() {
                    return Poll::Ready(None);
                }
                let n = (*chunk).min(data.len());
                Poll::Ready(Some(Ok(Frame::data(data.split_to(n)))))
            }
            Kind::Dribble {
                data,
                chunk,
                interval,
                sleep,
            } => {
                if data.is_empty() {
                    return Poll::Ready(None);
                }
                let timer = sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep(*interval)));
                if timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                *sleep = None;
                let n = (*chunk).min(data.len());
                Poll::Ready(Some(Ok(Frame::data(data.split_to(n)))))
            }
            Kind::Truncated { head, pause } => {
                if let Some(h) = head.take() {
                    return Poll::Ready(Some(Ok(Frame::data(h))));
                }
                let timer = pause
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(20))));
                if timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                Poll::Ready(Some(Err(Truncated)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full(data) => data.is_none(),
            Kind::Chunks { data, .. } => data.is_empty(),
            Kind::Dribble { data, .. } => data.is_empty(),
            Kind::Truncated { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(data) => SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64)),
            Kind::Dribble { data, .. } | Kind::Chunks { data, .. } => {
                SizeHint::with_exact(data.len() as u64)
            }
            // Not exact, so that hyper keeps the Content-Length header we set.
            Kind::Truncated { .. } => SizeHint::default(),
        }
    }
}
