//! Reading an answer into a page or an [`Error`]: one set of pure
//! functions that every listing shares, typed ([`crate::ListQuery`]) or
//! not ([`crate::RawItem`]).
//!
//! The generated client builds, signs and sends a page request; the
//! answer's body is taken from it (`hooks::take_body`) and decoded here:
//! a typed listing parses the page's count and each item into the
//! generated model in one pass that also finds each item's text, so a
//! page is parsed once and every item keeps the JSON it was sent as
//! ([`Received`]); a listing of [`crate::RawItem`] finds the same text
//! with [`split_page`]. [`decode_page`] is the same decoding for
//! `ListVulScanTaskHost`, as the tests and fuzzers call it without a
//! server.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use hss_api::check::{Checked, Fields as ShapeFields};
use hss_api::types::{ErrorBody, ListVulScanTaskHostResponse, VulScanTaskHostInfo};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_ENCODING, HeaderMap};
use serde::Serialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{Error, ServiceError, TransportKind, snippet};
use crate::hooks::{self, ResponseMeta};
use crate::limit::find_too_large;
use crate::retry::parse_retry_after;

/// One answered page of any listing: the one page type of this crate.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemPage<T> {
    /// Items matching the query on all pages, as this answer reports it.
    pub total_num: Option<u64>,
    /// The items of this page (for a listing: those no earlier page yielded).
    pub items: Vec<T>,
    /// The answer's `X-Request-Id`.
    pub request_id: Option<String>,
    /// The JSON each of [`items`](Self::items) was sent as.
    pub received: Received,
}

impl<T> ItemPage<T> {
    /// A page whose items' JSON is not known (built, not received).
    pub fn new(total_num: Option<u64>, items: Vec<T>, request_id: Option<String>) -> Self {
        ItemPage {
            total_num,
            items,
            request_id,
            received: Received::default(),
        }
    }

    /// Each item with the JSON text it was sent as (`None` for an item of
    /// a page that was built, not received).
    pub fn items_received(&self) -> impl Iterator<Item = (&T, Option<&str>)> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| (item, self.received.item(i)))
    }
}

/// A page's answer, its typed decode done or still ahead: a listing
/// fetches pages ahead on tasks of their own and decodes each where it is
/// consumed, so a page's items are allocated and freed on one thread
/// (freeing them on another thread was a tenth or more of a listing's
/// CPU: docs/benchmark-log.md, "100,000 hosts as ndjson").
pub struct PageAnswer<T>(Answer<T>);

enum Answer<T> {
    Decoded(ItemPage<T>),
    /// A `200` answer's body, decoded when asked.
    Body(Box<dyn Deferred<T>>),
}

/// A body decoded when asked: into the models, or into items kept as
/// text and checked against the models' shapes.
trait Deferred<T>: Send {
    fn typed(self: Box<Self>) -> Result<ItemPage<T>, Error>;
    fn received(self: Box<Self>) -> Result<ItemPage<RawItem>, Error>;
}

/// A typed listing's `200` answer as it arrived.
struct DeferredBody<R, T> {
    status: StatusCode,
    headers: HeaderMap,
    chunks: Vec<bytes::Bytes>,
    shape: PageShape<R, T>,
}

impl<R, T> Deferred<T> for DeferredBody<R, T>
where
    R: DeserializeOwned + 'static,
    T: DeserializeOwned + Serialize + Checked + 'static,
{
    fn typed(self: Box<Self>) -> Result<ItemPage<T>, Error> {
        decode_answer(self.status, &self.headers, joined(self.chunks), self.shape)
    }
    fn received(self: Box<Self>) -> Result<ItemPage<RawItem>, Error> {
        received_answer(self.status, &self.headers, joined(self.chunks), self.shape)
    }
}

/// A page of items kept as text, decoded when asked.
struct Later(Box<dyn FnOnce() -> Result<ItemPage<RawItem>, Error> + Send>);

impl Deferred<RawItem> for Later {
    fn typed(self: Box<Self>) -> Result<ItemPage<RawItem>, Error> {
        (self.0)()
    }
    fn received(self: Box<Self>) -> Result<ItemPage<RawItem>, Error> {
        (self.0)()
    }
}

impl<T> PageAnswer<T> {
    /// The page, or the error its answer decodes to.
    pub fn decode(self) -> Result<ItemPage<T>, Error> {
        match self.0 {
            Answer::Decoded(page) => Ok(page),
            Answer::Body(body) => body.typed(),
        }
    }

    /// The page with its items as the service sent them, each checked
    /// against its model's shape ([`hss_api::check`]) instead of being
    /// built: the same items and the same errors as
    /// [`decode`](Self::decode), without the models. `paging` names the
    /// identity fields of a page decoded already.
    pub(crate) fn decode_received(
        self,
        paging: &hss_operations::OffsetLimit,
    ) -> Result<ItemPage<RawItem>, Error>
    where
        T: Checked,
    {
        match self.0 {
            Answer::Decoded(page) => Ok(as_received(page, paging)),
            Answer::Body(body) => body.received(),
        }
    }

    /// A page already decoded.
    pub fn ready(page: ItemPage<T>) -> Self {
        PageAnswer(Answer::Decoded(page))
    }

    /// A `200` answer of a typed listing, its body as it arrived, to be
    /// joined and decoded as `shape` says (the joined body, which the
    /// page keeps, is then allocated and freed on one thread too).
    pub(crate) fn deferred<R>(
        status: StatusCode,
        headers: HeaderMap,
        chunks: Vec<bytes::Bytes>,
        shape: PageShape<R, T>,
    ) -> Self
    where
        R: DeserializeOwned + 'static,
        T: DeserializeOwned + Serialize + Checked + 'static,
    {
        PageAnswer(Answer::Body(Box::new(DeferredBody {
            status,
            headers,
            chunks,
            shape,
        })))
    }
}

impl PageAnswer<RawItem> {
    /// A page of items kept as text, decoded by `decode` when asked.
    pub(crate) fn later(
        decode: impl FnOnce() -> Result<ItemPage<RawItem>, Error> + Send + 'static,
    ) -> Self {
        PageAnswer(Answer::Body(Box::new(Later(Box::new(decode)))))
    }
}

impl<T> fmt::Debug for PageAnswer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Answer::Decoded(_) => "PageAnswer(decoded)",
            Answer::Body(_) => "PageAnswer(not yet decoded)",
        })
    }
}

/// A body's chunks as one buffer, copied once.
pub(crate) fn joined(chunks: Vec<bytes::Bytes>) -> Vec<u8> {
    let mut body = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for chunk in chunks {
        body.extend_from_slice(&chunk);
    }
    body
}

/// The JSON text of a page's items as the service sent them: spans into
/// the answer's body, which the page keeps once (shared, not copied per
/// item).
///
/// A body that is UTF-8 and a JSON object (every answer of the service)
/// is kept as received, whitespace and fields this version does not know
/// included. Only an odd body that the generated model still accepts (not
/// UTF-8 outside the fields it reads, or a JSON array in place of the
/// object) has its items encoded again from the typed values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Received {
    text: Arc<String>,
    items: Vec<Range<usize>>,
    /// `text` is the whole answer as received.
    whole: bool,
}

impl fmt::Debug for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries((0..self.items.len()).filter_map(|i| self.item(i)))
            .finish()
    }
}

impl Received {
    /// The text of the page's `index`th item.
    pub fn item(&self, index: usize) -> Option<&str> {
        self.text.get(self.items.get(index)?.clone())
    }

    /// How many items' text is known.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when no item's text is known.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The whole answer's body as received, when this page is one answer
    /// ([`HssClient::list_page`](crate::HssClient::list_page)) whose body
    /// is kept as received; `None` for a listing's pages, whose items are
    /// only those no earlier page yielded.
    pub fn body(&self) -> Option<&str> {
        self.whole.then(|| self.text.as_str())
    }

    /// The items at `indices` (in that order), sharing the text.
    pub(crate) fn select(&self, indices: &[usize]) -> Received {
        Received {
            text: self.text.clone(),
            items: indices
                .iter()
                .filter_map(|&i| self.items.get(i).cloned())
                .collect(),
            whole: self.whole && indices.len() == self.items.len(),
        }
    }

    /// Items encoded again from their typed values, for a body that could
    /// not be kept as received.
    fn encoded<T: Serialize>(items: &[T]) -> Result<Received, serde_json::Error> {
        let mut text = Vec::new();
        let mut spans = Vec::with_capacity(items.len());
        for item in items {
            let start = text.len();
            serde_json::to_writer(&mut text, item)?;
            spans.push(start..text.len());
        }
        // serde_json writes UTF-8.
        let text = String::from_utf8(text).map_err(de::Error::custom)?;
        Ok(Received {
            text: Arc::new(text),
            items: spans,
            whole: false,
        })
    }

    /// Spans of a body kept as received.
    pub(crate) fn of_body(text: Arc<String>, items: Vec<Range<usize>>) -> Received {
        Received {
            text,
            items,
            whole: true,
        }
    }
}

/// One listed item, the JSON text the service sent for it (a span of the
/// answer's body, which the items of a page share).
#[derive(Clone)]
pub struct RawItem {
    body: Arc<String>,
    span: Range<usize>,
    /// The identity fields' values joined with NUL; `None` when the
    /// operation names no identity or the item lacks one of its fields.
    identity: Option<String>,
}

impl fmt::Debug for RawItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawItem")
            .field("json", &self.json())
            .finish()
    }
}

impl RawItem {
    /// The item at `span` of `body`, with its identity.
    pub(crate) fn new(body: Arc<String>, span: Range<usize>, identity: Option<String>) -> Self {
        RawItem {
            body,
            span,
            identity,
        }
    }

    /// The item as received (whitespace included).
    pub fn json(&self) -> &str {
        self.body.get(self.span.clone()).unwrap_or_default()
    }

    /// Its identity (the values of the operation's `item_identity` fields,
    /// joined with NUL), `None` when it has none.
    pub fn identity(&self) -> Option<&str> {
        self.identity.as_deref()
    }

    /// Its top-level fields in the order received, each value as received;
    /// an error when the item is not a JSON object.
    pub fn fields(&self) -> Result<Vec<(Cow<'_, str>, &RawValue)>, serde_json::Error> {
        fields(self.json())
    }
}

/// The top-level fields of a JSON object, in order, values as received.
pub fn fields(json: &str) -> Result<Vec<(Cow<'_, str>, &RawValue)>, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let fields = Fields.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(fields)
}

/// Reads an object's entries in order, keys borrowed where unescaped.
struct Fields;

impl<'de> DeserializeSeed<'de> for Fields {
    type Value = Vec<(Cow<'de, str>, &'de RawValue)>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Fields {
    type Value = Vec<(Cow<'de, str>, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            fields.push((key.0, map.next_value::<&'de RawValue>()?));
        }
        Ok(fields)
    }
}

/// A key, borrowed unless it holds an escape.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// At most this much of an unexpected answer's body is read for the error.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// How a typed page's answer is read: the fields of its count and items,
/// the operation's documented error
/// statuses (whose bodies are `ErrorBody`; any other status is an
/// "unexpected response") and the generated response type `R`, which
/// decides what is accepted, split into its count and items.
pub(crate) struct PageShape<R, T> {
    /// Where the answer holds its count and items (the spec's).
    pub paging: &'static hss_operations::OffsetLimit,
    pub errors: &'static [u16],
    pub parts: fn(R) -> (Option<i64>, Vec<T>),
}

impl<R, T> Clone for PageShape<R, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R, T> Copy for PageShape<R, T> {}

/// `ListVulScanTaskHost`'s answers.
pub(crate) const HOST_PAGE: PageShape<ListVulScanTaskHostResponse, VulScanTaskHostInfo> =
    PageShape {
        paging: hss_operations::LIST_VUL_SCAN_TASK_HOST.expect_offset_limit(),
        errors: hss_api::statuses::LIST_VUL_SCAN_TASK_HOST_ERRORS,
        parts: |r| (r.total_num, r.data_list),
    };

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
/// let body = br#"{"total_num":1,"data_list":[{"host_id":"h","new":1}]}"#;
/// let page = decode_page(StatusCode::OK, &HeaderMap::new(), body).unwrap();
/// assert_eq!(page.total_num, Some(1));
/// assert_eq!(page.received.item(0), Some(r#"{"host_id":"h","new":1}"#));
/// let err = decode_page(StatusCode::BAD_REQUEST, &HeaderMap::new(), br#"{"error_code":"HSS.0001","error_msg":"bad limit"}"#).unwrap_err();
/// assert_eq!(err.error_code(), Some("HSS.0001"));
/// ```
pub fn decode_page(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<ItemPage<VulScanTaskHostInfo>, Error> {
    decode_answer(status, headers, body.to_vec(), HOST_PAGE)
}

/// Decodes one answer of a typed listing (see [`decode_page`]).
pub(crate) fn decode_answer<R, T>(
    status: StatusCode,
    headers: &HeaderMap,
    body: Vec<u8>,
    shape: PageShape<R, T>,
) -> Result<ItemPage<T>, Error>
where
    R: DeserializeOwned,
    T: DeserializeOwned + Serialize,
{
    let code = status.as_u16();
    if code == 200 {
        match parse_page(body, shape) {
            Ok((total, items, received)) => page_from(status, headers, total, items, received),
            Err((error, body)) => Err(invalid_payload(status, headers, &body, &error)),
        }
    } else if shape.errors.contains(&code) {
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(parsed) => Err(service_error(status, headers, Some(parsed), None)),
            Err(error) => Err(invalid_payload(status, headers, &body, &error)),
        }
    } else {
        Err(unexpected(
            status,
            headers,
            &body[..body.len().min(ERROR_BODY_LIMIT)],
        ))
    }
}

/// Whether [`decode_answer`] reads the whole body of an answer with this
/// status: a page or a documented error. Of any other status it reads at
/// most [`ERROR_BODY_LIMIT`] bytes, so the client stops reading there.
pub(crate) fn reads_whole_body(status: StatusCode, errors: &[u16]) -> bool {
    status.as_u16() == 200 || errors.contains(&status.as_u16())
}

/// A page's count and items, typed, with each item's text.
type Parsed<T> = (Option<i64>, Vec<T>, Received);

/// Parses a page body: exactly what `serde_json::from_slice` into the
/// generated response type `R` accepts, and the same values.
///
/// The UTF-8 of the whole body is checked once; [`typed_items`] then
/// parses the page in one pass without checking its strings again
/// (docs/benchmark-log.md, "100,000 hosts as ndjson"). Any body this path
/// refuses goes to `R` itself, which decides (and words the error), so
/// every body gives exactly the value or error the generated type gives.
fn parse_page<R, T>(
    body: Vec<u8>,
    shape: PageShape<R, T>,
) -> Result<Parsed<T>, (serde_json::Error, Vec<u8>)>
where
    R: DeserializeOwned,
    T: DeserializeOwned + Serialize,
{
    let parts = shape.parts;
    let text = match String::from_utf8(body) {
        Ok(text) => text,
        Err(not_utf8) => {
            // `from_slice` skips the strings of unknown fields unchecked.
            let body = not_utf8.into_bytes();
            return match serde_json::from_slice::<R>(&body) {
                Ok(whole) => reencoded(parts(whole)).map_err(|e| (e, body)),
                Err(error) => Err((error, body)),
            };
        }
    };
    match typed_items::<T>(&text, shape.paging) {
        Ok((total, items, spans)) => Ok((total, items, Received::of_body(Arc::new(text), spans))),
        Err(_) => match serde_json::from_str::<R>(&text) {
            Ok(whole) => reencoded(parts(whole)).map_err(|e| (e, text.into_bytes())),
            Err(error) => Err((error, text.into_bytes())),
        },
    }
}

fn reencoded<T: Serialize>(
    (total, items): (Option<i64>, Vec<T>),
) -> Result<Parsed<T>, serde_json::Error> {
    let received = Received::encoded(&items)?;
    Ok((total, items, received))
}

/// Decodes one answer of a typed listing as [`decode_answer`] does, its
/// items kept as text: a `200` page in the usual shape is read in one
/// pass, each item checked by its model's shape and only its identity
/// kept; any other answer goes through [`decode_answer`], so the errors,
/// and the items of an odd body, are exactly the typed decode's.
pub(crate) fn received_answer<R, T>(
    status: StatusCode,
    headers: &HeaderMap,
    body: Vec<u8>,
    shape: PageShape<R, T>,
) -> Result<ItemPage<RawItem>, Error>
where
    R: DeserializeOwned,
    T: DeserializeOwned + Serialize + Checked,
{
    let names = shape.paging.item_identity.unwrap_or_default();
    let body = match (status.as_u16(), String::from_utf8(body)) {
        (200, Ok(text)) => {
            let read = |cursor: &mut Cursor<'_>| {
                let item: T::Shape = cursor.value()?;
                Ok(identity_of(&item, names))
            };
            match page_items(&text, shape.paging, read) {
                Ok((total, identities, spans)) => {
                    let text = Arc::new(text);
                    let items = identities
                        .into_iter()
                        .zip(&spans)
                        .map(|(identity, span)| RawItem::new(text.clone(), span.clone(), identity))
                        .collect();
                    return page_from(
                        status,
                        headers,
                        total,
                        items,
                        Received::of_body(text, spans),
                    );
                }
                Err(_) => text.into_bytes(),
            }
        }
        (_, Ok(text)) => text.into_bytes(),
        (_, Err(not_utf8)) => not_utf8.into_bytes(),
    };
    decode_answer(status, headers, body, shape).map(|page| as_received(page, shape.paging))
}

/// A typed page's items as text: each item's text in the page's
/// [`Received`], its identity read from that text by the item's shape.
fn as_received<T: Checked>(
    page: ItemPage<T>,
    paging: &hss_operations::OffsetLimit,
) -> ItemPage<RawItem> {
    let received = page.received;
    let names = paging.item_identity.unwrap_or_default();
    let items = received
        .items
        .iter()
        .map(|span| {
            let text = received.text.get(span.clone()).unwrap_or_default();
            let identity = serde_json::from_str::<T::Shape>(text)
                .ok()
                .and_then(|item| identity_of(&item, names));
            RawItem::new(received.text.clone(), span.clone(), identity)
        })
        .collect();
    ItemPage {
        total_num: page.total_num,
        items,
        request_id: page.request_id,
        received,
    }
}

/// An item's identity from the fields `names`: the first field's text,
/// then each further one that is present and not empty, joined with NUL
/// (as the typed queries' identities are); `None` without the first.
fn identity_of(item: &impl ShapeFields, names: &[&str]) -> Option<String> {
    let (first, rest) = names.split_first()?;
    let mut key = item.text(first)?.into_owned();
    for name in rest {
        if let Some(value) = item.text(name).filter(|v| !v.is_empty()) {
            key.push('\0');
            key.push_str(&value);
        }
    }
    Some(key)
}

/// A page's count and typed items with each item's span in the body.
type Spanned<T> = (Option<i64>, Vec<T>, Vec<Range<usize>>);

/// The count and typed items of a page body in the usual shape, with each
/// item's span; any error means "let the generated type decide".
///
/// The body is read once: the object's punctuation is checked here and
/// every value is parsed by serde_json where it starts, so an item's
/// typed parse also finds where it ends. Only the usual shape is taken (a
/// JSON object, plain keys, each of the two fields at most once, the item
/// array an array); anything else is refused, not guessed at.
fn typed_items<T: DeserializeOwned>(
    text: &str,
    paging: &hss_operations::OffsetLimit,
) -> Result<Spanned<T>, serde_json::Error> {
    page_items(text, paging, Cursor::value::<T>)
}

/// [`typed_items`] with `item` reading each item where it starts.
fn page_items<'a, V>(
    text: &'a str,
    paging: &hss_operations::OffsetLimit,
    mut item: impl FnMut(&mut Cursor<'a>) -> Result<V, serde_json::Error>,
) -> Result<Spanned<V>, serde_json::Error> {
    let mut body = Cursor { text, pos: 0 };
    let (mut total, mut items, mut spans) = (None, None, Vec::new());
    body.expect(b'{')?;
    if !body.eat(b'}') {
        loop {
            // A key with an escape is refused (borrowing fails) and left
            // to the generated type.
            let key: &str = body.value()?;
            body.expect(b':')?;
            if key == paging.total {
                if total.is_some() {
                    return Err(de::Error::duplicate_field("total"));
                }
                total = Some(body.value::<Option<i64>>()?);
            } else if key == paging.item_array {
                if items.is_some() {
                    return Err(de::Error::duplicate_field("items"));
                }
                // `null` in place of the array is refused here too: the
                // generated type's `Vec` takes no `null`.
                body.expect(b'[')?;
                let mut list = Vec::new();
                if !body.eat(b']') {
                    loop {
                        body.skip_whitespace();
                        let start = body.pos;
                        list.push(item(&mut body)?);
                        spans.push(start..body.pos);
                        if list.len() == 1 {
                            // Room for as many items as the first one's
                            // length suggests (at most a page's worth), so
                            // the typed items are not moved again and
                            // again as the list grows.
                            let guess = (text.len() - start) / (body.pos - start).max(1);
                            let guess = guess.min(ITEMS_GUESS_MAX);
                            list.reserve(guess);
                            spans.reserve(guess);
                        }
                        if !body.eat(b',') {
                            body.expect(b']')?;
                            break;
                        }
                    }
                }
                items = Some(list);
            } else {
                body.value::<IgnoredAny>()?;
            }
            if !body.eat(b',') {
                body.expect(b'}')?;
                break;
            }
        }
    }
    body.skip_whitespace();
    if body.pos != text.len() {
        return Err(de::Error::custom("text after the page"));
    }
    Ok((total.flatten(), items.unwrap_or_default(), spans))
}

/// The most items [`typed_items`] makes room for at once: the API's
/// largest page is 1,000 (most take 200), and a body whose first item is
/// short and the rest long must not reserve memory for millions.
const ITEMS_GUESS_MAX: usize = 1000;

/// A position in a page body that [`typed_items`] reads left to right.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// Steps over JSON whitespace (RFC 8259's four bytes).
    fn skip_whitespace(&mut self) {
        let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
        self.pos += rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
            .count();
    }

    /// Steps over whitespace and `byte` when `byte` comes next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let found = self.text.as_bytes().get(self.pos) == Some(&byte);
        self.pos += usize::from(found);
        found
    }

    /// Steps over whitespace and `byte`, which must come next.
    fn expect(&mut self, byte: u8) -> Result<(), serde_json::Error> {
        match self.eat(byte) {
            true => Ok(()),
            false => Err(de::Error::custom(format_args!(
                "expected {:?}",
                char::from(byte)
            ))),
        }
    }

    /// Parses the JSON value that starts here (after whitespace) and steps
    /// over it.
    fn value<V: de::Deserialize<'a>>(&mut self) -> Result<V, serde_json::Error> {
        let rest = self.text.get(self.pos..).unwrap_or_default();
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<V>();
        let value = values
            .next()
            .unwrap_or_else(|| Err(de::Error::custom("expected a value")))?;
        self.pos += values.byte_offset();
        Ok(value)
    }
}

/// Where `part` (borrowed from `text`) is in `text`.
pub(crate) fn span_in(text: &str, part: &RawValue) -> Range<usize> {
    let start = (part.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    start..start + part.get().len()
}

/// A page body's count and items, each the text it was sent as.
pub(crate) struct Split<'a> {
    /// The count field, when present.
    pub total: Option<&'a RawValue>,
    /// The item array: `None` when absent, `Some(None)` when `null`.
    pub items: Option<Option<Vec<&'a RawValue>>>,
}

/// Reads a page body, a JSON object, in one pass: the `total` field and
/// each element of the `items` array as the text it was sent as, other
/// fields skipped. Either field twice is an error (as for a derived
/// type).
pub(crate) fn split_page<'a>(
    text: &'a str,
    total: &str,
    items: &str,
) -> Result<Split<'a>, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let split = SplitSeed { total, items }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(split)
}

struct SplitSeed<'n> {
    total: &'n str,
    items: &'n str,
}

impl<'de> DeserializeSeed<'de> for SplitSeed<'_> {
    type Value = Split<'de>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Split<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SplitSeed<'_> {
    type Value = Split<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Split<'de>, A::Error> {
        let mut split = Split {
            total: None,
            items: None,
        };
        let names = [self.total, self.items];
        while let Some(key) = map.next_key_seed(KeyOf(&names))? {
            match key {
                Some(0) if split.total.is_some() => {
                    return Err(de::Error::duplicate_field("total"));
                }
                Some(0) => split.total = Some(map.next_value()?),
                Some(_) if split.items.is_some() => {
                    return Err(de::Error::duplicate_field("items"));
                }
                Some(_) => split.items = Some(map.next_value()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(split)
    }
}

/// A key as its index among the names sought, `None` for another.
struct KeyOf<'a, 'n>(&'a [&'n str; 2]);

impl<'de> DeserializeSeed<'de> for KeyOf<'_, '_> {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyOf<'_, '_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|name| *name == key))
    }
}

/// A decoded `200` answer as a page: `total_num` checked to be
/// non-negative.
pub(crate) fn page_from<T>(
    status: StatusCode,
    headers: &HeaderMap,
    total_num: Option<i64>,
    items: Vec<T>,
    received: Received,
) -> Result<ItemPage<T>, Error> {
    let request_id = hooks::request_id(headers).map(str::to_owned);
    let total_num = match total_num {
        None => None,
        Some(n) => Some(u64::try_from(n).map_err(|_| Error::Decode {
            status,
            request_id: request_id.clone(),
            reason: format!("total_num is negative ({n})"),
            snippet: String::new(),
        })?),
    };
    Ok(ItemPage {
        total_num,
        items,
        request_id,
        received,
    })
}

/// A typed answer the generated code decoded itself (no hook took its
/// body) as a page, its items encoded again.
pub(crate) fn page_of_value<R, T: Serialize>(
    status: StatusCode,
    headers: &HeaderMap,
    value: R,
    parts: fn(R) -> (Option<i64>, Vec<T>),
) -> Result<ItemPage<T>, Error> {
    let (total, items) = parts(value);
    let received = Received::encoded(&items).map_err(|e| Error::Decode {
        status,
        request_id: hooks::request_id(headers).map(str::to_owned),
        reason: e.to_string(),
        snippet: String::new(),
    })?;
    page_from(status, headers, total, items, received)
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
                    kind: TransportKind::of(&source),
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
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.received.item(0), Some(r#"{"host_id":"h"}"#));
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
