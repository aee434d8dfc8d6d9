//! Every item of any listing operation, as received: the generic face of
//! the listing engine (`listing.rs`), driven by the operation table alone.
//!
//! An operation the spec marks as offset/limit paged
//! ([`hss_operations::OffsetLimit`]) lists through the same engine, with
//! the same promise, as the typed listings: every item exactly once, or
//! [`Error::IncompleteListing`]. Items are told apart by the table's
//! `item_identity`; a listing whose items have none is checked by count
//! alone, and any movement fails it. Items stay the service's JSON text
//! ([`RawItem`]): nothing dropped, nothing re-encoded, no typed model
//! needed.

use std::borrow::Cow;
use std::sync::Arc;

use futures::stream::Stream;
use hss_operations::{OffsetLimit, Operation};
use serde_json::value::RawValue;

use crate::client::HssClient;
pub use crate::decode::fields;
use crate::decode::{ItemPage, PageAnswer, RawItem, Received, span_in, split_page};
use crate::error::Error;
use crate::listing::ListOptions;
use crate::listing::{FetchPage, Listing, Plan};
use crate::operation::{OperationAnswer, OperationRequest};

/// A scalar JSON value as text: a string's content, a number's or a
/// boolean's literal; `None` for `null`, an object or an array.
pub fn scalar_text(value: &RawValue) -> Option<Cow<'_, str>> {
    let text = value.get().trim();
    match text.as_bytes().first()? {
        b'"' => serde_json::from_str::<Cow<'_, str>>(text).ok(),
        b'{' | b'[' | b'n' => None,
        _ => Some(Cow::Borrowed(text)),
    }
}

/// The identity of an item: the values of `names`, joined with NUL;
/// `None` when a field is missing or not a scalar.
fn identity(item: &RawValue, names: &[&str]) -> Option<String> {
    let fields = fields(item.get()).ok()?;
    let mut key = String::new();
    for (i, name) in names.iter().enumerate() {
        let value = fields.iter().find(|(k, _)| k == name)?.1;
        if i > 0 {
            key.push('\0');
        }
        key.push_str(&scalar_text(value)?);
    }
    Some(key)
}

/// One answer of a listing operation as a page: `total` and the item
/// array found by the table's names. An answer without the item array is
/// an empty page.
pub fn page_of_answer(
    operation: &Operation,
    answer: &OperationAnswer,
) -> Result<ItemPage<RawItem>, Error> {
    let paging = offset_limit(operation)?;
    let decode = |reason: String| Error::Decode {
        status: answer.status,
        request_id: answer.request_id.clone(),
        reason,
        snippet: String::new(),
    };
    let text = String::from_utf8(answer.body.to_vec())
        .map_err(|e| decode(format!("the answer is not UTF-8: {e}")))?;
    let split = split_page(&text, paging.total, paging.item_array).map_err(|e| {
        decode(format!(
            "the answer is not a JSON object with {} as an array: {e}",
            paging.item_array
        ))
    })?;
    let total_num = match split.total.map(|v| v.get().trim()) {
        None | Some("null") => None,
        Some(text) => Some(
            text.parse::<u64>()
                .map_err(|_| decode(format!("{} is not a count: {text}", paging.total)))?,
        ),
    };
    let names = paging.item_identity.unwrap_or_default();
    let raws = split.items.flatten().unwrap_or_default();
    let mut items = Vec::with_capacity(raws.len());
    let mut spans = Vec::with_capacity(raws.len());
    for raw in &raws {
        spans.push(span_in(&text, raw));
        items.push((
            (!names.is_empty()).then(|| identity(raw, names)).flatten(),
            span_in(&text, raw),
        ));
    }
    let body = Arc::new(text);
    let items = items
        .into_iter()
        .map(|(identity, span)| RawItem::new(body.clone(), span, identity))
        .collect();
    Ok(ItemPage {
        total_num,
        items,
        request_id: answer.request_id.clone(),
        received: Received::of_body(body, spans),
    })
}

/// The operation's offset/limit paging, or the error that it has none.
fn offset_limit(operation: &Operation) -> Result<&OffsetLimit, Error> {
    operation.offset_limit().ok_or_else(|| {
        Error::invalid(
            "operation",
            format!("{} is not an offset/limit listing", operation.id),
        )
    })
}

impl HssClient {
    /// Every page of the listing operation `request` names, with the
    /// promise of [`list_all_pages`](Self::list_all_pages): each item that
    /// stayed in the list from start to end exactly once, or
    /// [`Error::IncompleteListing`]. The request's `offset` is where the
    /// listing starts; its `limit`, when given, is the page size, else
    /// `options.page_size` brought within the operation's own limits.
    pub fn list_operation_pages(
        &self,
        request: OperationRequest,
        options: ListOptions,
    ) -> impl Stream<Item = Result<ItemPage<RawItem>, Error>> + Send + 'static {
        crate::lists::pages(self.operation_listing(request, options))
    }

    fn operation_listing(
        &self,
        request: OperationRequest,
        options: ListOptions,
    ) -> Result<Listing<RawItem>, Option<Error>> {
        let operation = request.operation();
        let paging = offset_limit(operation)?;
        crate::operation::warn_unknown(operation, &request.check()?);
        crate::lists::check_passes(&options)?;
        let number = |name: &'static str| -> Result<Option<u64>, Error> {
            match request.values(name).next() {
                None => Ok(None),
                Some(text) => text
                    .parse::<u64>()
                    .map(Some)
                    .map_err(|_| Error::invalid(name, format!("must be a count, got {text:?}"))),
            }
        };
        let start = number("offset")?.unwrap_or(0);
        let page_size = match number("limit")? {
            Some(limit) => limit,
            None => {
                let low = paging.limit_min.map_or(1, |n| n.max(1) as u64);
                let high = paging.limit_max.map_or(u64::MAX, |n| n.max(1) as u64);
                u64::from(options.page_size).clamp(low, high.max(low))
            }
        };
        let page_size = u32::try_from(page_size)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| Error::invalid("limit", "a listing needs a page of 1 or more items"))?;
        let client = self.clone().probing(options.adaptive);
        let fetch: FetchPage<RawItem> = Arc::new(move |offset, limit| {
            let request = request
                .clone()
                .replace("offset", offset.to_string())
                .and_then(|r| r.replace("limit", limit.to_string()));
            let client = client.clone();
            Box::pin(async move {
                let request = request?;
                let answer = client.send_checked(&request).await?;
                page_of_answer(request.operation(), &answer).map(PageAnswer::ready)
            })
        });
        let id_field = match paging.item_identity {
            Some([one]) => Cow::Borrowed(*one),
            Some(names) => Cow::Owned(names.join("+")),
            None => Cow::Borrowed("an identity"),
        };
        Ok(Listing::new(Plan {
            fetch,
            id: |item: &RawItem| item.identity().map(Cow::Borrowed),
            names: ("items", id_field),
            start,
            page_size,
            concurrency: options.concurrency.max(1),
            max_passes: options.max_passes,
            max_offset: paging.offset_max.and_then(|n| u64::try_from(n).ok()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_order_and_values_as_received() {
        let fields =
            fields(r#"{"b": 1.50, "a": "x\"y", "c": {"d": [1]}, "e\u0041": null}"#).unwrap();
        let shown: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_ref(), v.get())).collect();
        assert_eq!(
            shown,
            [
                ("b", "1.50"),
                ("a", r#""x\"y""#),
                ("c", r#"{"d": [1]}"#),
                ("eA", "null")
            ]
        );
        assert!(super::fields("[1]").is_err());
        assert!(super::fields(r#"{"a": 1} x"#).is_err());
    }

    #[test]
    fn scalars_are_text_and_structures_are_not() {
        let text = |json: &str| {
            let raw: Box<RawValue> = serde_json::from_str(json).unwrap();
            scalar_text(&raw).map(Cow::into_owned)
        };
        assert_eq!(text(r#""a\nb""#).as_deref(), Some("a\nb"));
        assert_eq!(text("12.0").as_deref(), Some("12.0"));
        assert_eq!(text("false").as_deref(), Some("false"));
        assert_eq!(text("null"), None);
        assert_eq!(text("[1]"), None);
        assert_eq!(text("{}"), None);
    }

    #[test]
    fn identity_joins_fields_and_needs_each() {
        let raw: Box<RawValue> =
            serde_json::from_str(r#"{"vul_id": "V1", "type": "linux", "n": 3}"#).unwrap();
        assert_eq!(
            identity(&raw, &["vul_id", "type"]).as_deref(),
            Some("V1\0linux")
        );
        assert_eq!(identity(&raw, &["n"]).as_deref(), Some("3"));
        assert_eq!(identity(&raw, &["vul_id", "app_path"]), None);
    }
}
