//! What the spec says about each operation, as plain data: method, path,
//! group, whether a retry is safe, every parameter with its limits, the
//! request body's fields and, for a listing, how it pages.
//!
//! The table ([`operations`], and one constant per operation such as
//! [`EXPORT_VULS`]) is written by `cargo xtask generate` from
//! `openapi/hss.yaml` into `src/table.rs`; the types are here. It is the one
//! home of these facts for hand-written code: `hss-ext` takes methods, retry
//! safety and page-size limits from it, the fake server its limits, so none
//! of them restate the spec. Naming an operation by its constant makes its
//! removal from the spec a compile error.
//!
//! It is a crate of its own, without dependencies, so that what only reads
//! the table (the fake, a command that sends any operation) compiles none
//! of `hss-api`'s typed client.
//!
//! ```
//! use hss_operations::{ListShape, Method};
//!
//! let op = hss_operations::operation("ListVulScanTaskHost").unwrap();
//! assert_eq!(op.method, Method::Get);
//! assert!(op.retry_safe);
//! let Some(ListShape::OffsetLimit(paging)) = op.list else { panic!("a listing") };
//! assert_eq!((paging.limit_min, paging.limit_max), (Some(10), Some(200)));
//! assert_eq!(paging.item_identity, Some(&["host_id"][..]));
//! ```

#[cfg(feature = "check")]
pub mod check;
mod packed;
#[rustfmt::skip]
mod table;

pub use table::*;

/// Every operation of the spec, sorted by id.
///
/// Read on first use from the table's packed form (see `src/packed.rs`),
/// which a program that never asks carries without touching it; the
/// per-operation constants are the same facts, written by the same
/// generator run.
pub fn operations() -> &'static [Operation] {
    static TABLE: std::sync::OnceLock<&'static [Operation]> = std::sync::OnceLock::new();
    TABLE.get_or_init(packed::unpack)
}

/// The id, group and summary of every operation, sorted by id, read
/// without building the rest of [`operations`]: what a list of the
/// operations or a shell completion needs.
pub fn entries() -> impl ExactSizeIterator<Item = Entry> + Clone {
    (0..packed::len()).map(packed::entry)
}

/// An operation's id, group and summary, from [`entries`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The `operationId`, as [`Operation::id`].
    pub id: &'static str,
    /// As [`Operation::group`].
    pub group: &'static str,
    /// As [`Operation::summary`].
    pub summary: &'static str,
}

/// The success answer of every operation, as JSON text written by `cargo
/// xtask generate` (`src/responses.json`): `{"operations": {id: {"status",
/// "media_type"?, "schema"?}}, "schemas": {name: schema}}`, where a schema
/// is the spec's with prose left out and each `$ref` the bare name of an
/// entry of `schemas`. An operation answering without a body has neither
/// `media_type` nor `schema`.
///
/// Text rather than Rust data: only what answers as the service would (a
/// fake server) reads it, parsed once, and no other dependent pays to
/// compile it.
pub const RESPONSES_JSON: &str = include_str!("responses.json");

/// One operation of the spec.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Operation {
    /// The `operationId`, e.g. `ListVulScanTaskHost`.
    pub id: &'static str,
    /// Its group: the operation's first tag (empty without one).
    pub group: &'static str,
    pub method: Method,
    /// The path template, e.g. `/v5/{project_id}/vul/export`.
    pub path: &'static str,
    /// Whether sending it again after a lost answer cannot do harm: `GET`,
    /// `HEAD` and `OPTIONS` are, other methods only when the spec marks the
    /// operation `x-retry-safe: true` (and a safe method is not when it
    /// says `false`).
    pub retry_safe: bool,
    /// Path, query and header parameters, in the spec's order.
    pub params: &'static [Param],
    /// The request body, if it has one.
    pub body: Option<Body>,
    /// How a listing pages; `None` when the operation is not paged.
    pub list: Option<ListShape>,
    /// The spec's one-line summary.
    pub summary: &'static str,
}

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// The method as sent: `GET`, `POST`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One parameter, or one top-level field of a request body.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Param {
    /// The name on the wire.
    pub name: &'static str,
    pub location: Location,
    pub required: bool,
    /// The JSON type of its schema (`$ref`s resolved).
    pub ty: Type,
    /// `minimum` (an exclusive integer bound is turned inclusive).
    pub minimum: Option<Number>,
    /// `maximum` (an exclusive integer bound is turned inclusive).
    pub maximum: Option<Number>,
    /// `minLength`, in characters.
    pub min_length: Option<u64>,
    /// `maxLength`, in characters.
    pub max_length: Option<u64>,
    /// `minItems` of an array.
    pub min_items: Option<u64>,
    /// `maxItems` of an array.
    pub max_items: Option<u64>,
    /// The default the service applies when it is absent, as JSON text
    /// (strings unquoted).
    pub default: Option<&'static str>,
    /// The documented values of an enumerated string (`x-known-values`,
    /// see `openapi/README.md`); the service may send or accept others.
    pub known_values: &'static [&'static str],
    /// How an array travels in a query or header; `None` for other types.
    /// (A list the spec documents as comma-joined text is a `String`.)
    pub list_format: Option<ListFormat>,
}

/// Where a [`Param`] goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Location {
    Path,
    Query,
    Header,
    Cookie,
    /// A top-level field of the JSON request body ([`Body::fields`]).
    Body,
}

/// The JSON type of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Type {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
    /// No `type`: any JSON value.
    Any,
}

/// A numeric bound.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    Integer(i64),
    Float(f64),
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Number::Integer(n) => write!(f, "{n}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

/// How an array parameter is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListFormat {
    /// `name=a&name=b` (`explode: true`, OpenAPI's default for a query).
    Repeated,
    /// `name=a,b` (`explode: false`).
    CommaJoined,
}

/// A request body.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Body {
    /// Its media type, e.g. `application/json`.
    pub media_type: &'static str,
    pub required: bool,
    /// The top-level properties of an object body.
    pub fields: &'static [Param],
}

/// How a listing operation pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListShape {
    /// `offset` and `limit` query parameters; the answer is an object with
    /// an integer count of all matches and one array of items.
    OffsetLimit(OffsetLimit),
}

/// The facts of an [`ListShape::OffsetLimit`] listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OffsetLimit {
    /// The answer's field holding the page's items (`data_list`).
    pub item_array: &'static str,
    /// The answer's field counting every match (`total_num`).
    pub total: &'static str,
    /// `limit`'s `minimum`.
    pub limit_min: Option<i64>,
    /// `limit`'s `maximum`: the largest page.
    pub limit_max: Option<i64>,
    /// `limit`'s `default`.
    pub limit_default: Option<i64>,
    /// `offset`'s `maximum`: the service pages no further.
    pub offset_max: Option<i64>,
    /// The item fields that together tell one item from another: the
    /// spec's `x-item-identity`, else the item's single `id` or `<noun>_id`
    /// field; `None` when neither names one (items are then matched by
    /// count only).
    pub item_identity: Option<&'static [&'static str]>,
}

impl Body {
    /// The top-level field with this name.
    pub const fn field(&self, name: &str) -> Option<&'static Param> {
        find(self.fields, name)
    }
}

/// The entry of `params` named `name`.
const fn find(params: &'static [Param], name: &str) -> Option<&'static Param> {
    let mut i = 0;
    while i < params.len() {
        if same(params[i].name.as_bytes(), name.as_bytes()) {
            return Some(&params[i]);
        }
        i += 1;
    }
    None
}

/// `a == b`, in a `const fn`.
const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The operation with this `operationId`.
pub fn operation(id: &str) -> Option<&'static Operation> {
    let mut range = 0..packed::len();
    // A binary search over the packed ids: a wrong id builds nothing.
    while range.start < range.end {
        let mid = range.start + (range.end - range.start) / 2;
        match packed::id(mid).cmp(id) {
            std::cmp::Ordering::Less => range.start = mid + 1,
            std::cmp::Ordering::Greater => range.end = mid,
            std::cmp::Ordering::Equal => return Some(&operations()[mid]),
        }
    }
    None
}

impl Param {
    /// What the table leaves out of a parameter: no limits, no default,
    /// no known values.
    pub(crate) const NONE: Param = Param {
        name: "",
        location: Location::Query,
        required: false,
        ty: Type::Any,
        minimum: None,
        maximum: None,
        min_length: None,
        max_length: None,
        min_items: None,
        max_items: None,
        default: None,
        known_values: &[],
        list_format: None,
    };
}

impl Operation {
    /// The parameter (not a body field) with this wire name. A `const fn`,
    /// so that a limit can be a constant of hand-written code.
    pub const fn param(&self, name: &str) -> Option<&'static Param> {
        find(self.params, name)
    }

    /// Its offset/limit paging, when it has one.
    pub const fn offset_limit(&self) -> Option<&OffsetLimit> {
        match &self.list {
            Some(ListShape::OffsetLimit(paging)) => Some(paging),
            None => None,
        }
    }

    /// Its offset/limit paging, for a constant of hand-written code: panics
    /// when it has none, which in a `const` fails the build.
    pub const fn expect_offset_limit(&self) -> &OffsetLimit {
        match self.offset_limit() {
            Some(paging) => paging,
            None => panic!("the spec has no offset/limit paging for this operation"),
        }
    }
}

/// The limits of an [`OffsetLimit`] as `u32`, for constants of
/// hand-written code: each panics when the spec lacks the limit (or it is
/// negative or too large), which in a `const` fails the build.
impl OffsetLimit {
    /// The smallest page, `limit`'s `minimum`.
    pub const fn min_page(&self) -> u32 {
        expect_u32(self.limit_min, "limit has no minimum")
    }

    /// The largest page, `limit`'s `maximum`.
    pub const fn max_page(&self) -> u32 {
        expect_u32(self.limit_max, "limit has no maximum")
    }

    /// The page the service answers without `limit`, its `default`.
    pub const fn default_page(&self) -> u32 {
        expect_u32(self.limit_default, "limit has no default")
    }

    /// The largest `offset`.
    pub const fn max_offset(&self) -> u32 {
        expect_u32(self.offset_max, "offset has no maximum")
    }
}

const fn expect_u32(limit: Option<i64>, missing: &'static str) -> u32 {
    match limit {
        Some(n) if n >= 0 && n <= u32::MAX as i64 => n as u32,
        Some(_) => panic!("a paging limit outside u32"),
        None => panic!("{}", missing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_by_unique_id_so_lookups_find_every_operation() {
        let all = operations();
        assert!(
            all.windows(2).all(|w| w[0].id < w[1].id),
            "not strictly sorted by id"
        );
        for op in all {
            assert_eq!(operation(op.id).map(|o| o.id), Some(op.id));
        }
        assert!(operation("NoSuchOperation").is_none());
        assert!(operation("").is_none());
        assert!(operation("ZzzAfterEveryOperation").is_none());
    }

    #[test]
    fn the_packed_table_says_what_the_constants_say() {
        let all = operations();
        assert_eq!(all.len(), CONSTANTS.len());
        for (packed, constant) in all.iter().zip(CONSTANTS) {
            assert_eq!(packed, *constant, "{}", constant.id);
        }
    }

    #[test]
    fn entries_are_the_operations_ids_groups_and_summaries() {
        assert_eq!(entries().len(), operations().len());
        for (entry, op) in entries().zip(operations()) {
            assert_eq!(
                (entry.id, entry.group, entry.summary),
                (op.id, op.group, op.summary)
            );
        }
    }

    #[test]
    fn a_listing_has_the_spec_paging_limits() {
        let op = operation("ListVulScanTaskHost").unwrap();
        assert_eq!(op.group, "vulnerability");
        assert_eq!(op.method, Method::Get);
        assert!(op.retry_safe);
        assert_eq!(
            op.list,
            Some(ListShape::OffsetLimit(OffsetLimit {
                item_array: "data_list",
                total: "total_num",
                limit_min: Some(10),
                limit_max: Some(200),
                limit_default: Some(10),
                offset_max: Some(2_000_000),
                item_identity: Some(&["host_id"]),
            }))
        );
        let status = op.param("scan_status").unwrap();
        assert_eq!(status.location, Location::Query);
        assert_eq!(status.known_values, ["scanning", "success", "failed"]);
        assert_eq!(status.max_length, Some(32));
        let task = op.param("task_id").unwrap();
        assert!(task.required);
        assert_eq!((task.min_length, task.max_length), (Some(1), Some(256)));
    }

    #[test]
    fn posts_are_not_retry_safe_and_their_bodies_are_described() {
        let export = EXPORT_VULS;
        assert_eq!(export.method, Method::Post);
        assert!(!export.retry_safe);
        assert!(export.list.is_none());
        let body = export.body.unwrap();
        assert_eq!(body.media_type, "application/json");
        let headers = body
            .fields
            .iter()
            .find(|f| f.name == "export_headers")
            .unwrap();
        assert!(headers.required);
        assert_eq!(headers.ty, Type::Array);
        let size = export.param("export_size").unwrap();
        assert_eq!(
            (size.minimum, size.maximum),
            (Some(Number::Integer(1)), Some(Number::Integer(200_000)))
        );
    }
}
