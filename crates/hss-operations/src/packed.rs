//! The table as `table.rs` stores it, and its reading into [`Operation`]s.
//!
//! The records hold no pointer: a string is its place in one `STRINGS`
//! text, a list of parameters or names a run of an array, a number an
//! index into a pool. A `&'static` in a `static` is a relocation that the
//! loader of a position-independent program writes at every start: as
//! such data, the 582 operations made every `hss --version` write some 160
//! pages it never read. These arrays stay in read-only pages, read only when used;
//! [`crate::operations`] builds the `&'static` form from them once.

use crate::table::{INTEGERS, NAMES, NUMBERS, OPS, PAGINGS, PARAMS, STRINGS};
use crate::{
    Body, ListFormat, ListShape, Location, Method, Number, OffsetLimit, Operation, Param, Type,
};

/// The string at bytes `.0..(.0 + .1)` of `STRINGS`.
#[derive(Clone, Copy)]
pub(crate) struct S(pub(crate) u32, pub(crate) u32);

impl S {
    /// No string (a parameter without a default).
    pub(crate) const NONE: S = S(u32::MAX, 0);
}

/// The run of `.1` entries from `.0` of `PARAMS` or `NAMES`.
#[derive(Clone, Copy)]
pub(crate) struct R(pub(crate) u16, pub(crate) u16);

/// No entry: an index of `NUMBERS`, `INTEGERS` or `PAGINGS` that is absent.
pub(crate) const NO: u16 = u16::MAX;

/// An [`Operation`]: id, group, method, path, retry safety, parameters,
/// body, index of its paging in `PAGINGS` (or [`NO`]), summary.
pub(crate) struct O(
    pub(crate) S,
    pub(crate) S,
    pub(crate) Method,
    pub(crate) S,
    pub(crate) bool,
    pub(crate) R,
    pub(crate) Option<B>,
    pub(crate) u16,
    pub(crate) S,
);

/// A [`Body`]: media type, required, fields.
pub(crate) struct B(pub(crate) S, pub(crate) bool, pub(crate) R);

/// A [`Param`]: name, location, required, type, then indexes of `NUMBERS`
/// (minimum, maximum) and of `INTEGERS` (min and max length, min and max
/// items), default, known values (a run of `NAMES`), list format.
pub(crate) struct P(
    pub(crate) S,
    pub(crate) Location,
    pub(crate) bool,
    pub(crate) Type,
    pub(crate) u16,
    pub(crate) u16,
    pub(crate) u16,
    pub(crate) u16,
    pub(crate) u16,
    pub(crate) u16,
    pub(crate) S,
    pub(crate) R,
    pub(crate) Option<ListFormat>,
);

/// An [`OffsetLimit`]: item array, total, indexes of `INTEGERS` (limit
/// minimum, maximum, default, offset maximum), item identity (a run of
/// `NAMES`).
pub(crate) struct L(
    pub(crate) S,
    pub(crate) S,
    pub(crate) u16,
    pub(crate) u16,
    pub(crate) u16,
    pub(crate) u16,
    pub(crate) Option<R>,
);

/// The string `s` names.
fn text(s: S) -> &'static str {
    &STRINGS[s.0 as usize..][..s.1 as usize]
}

/// The id of the operation at `index` of the table.
pub(crate) fn id(index: usize) -> &'static str {
    text(OPS[index].0)
}

/// The id, group and summary of the operation at `index`.
pub(crate) fn entry(index: usize) -> crate::Entry {
    let op = &OPS[index];
    crate::Entry {
        id: text(op.0),
        group: text(op.1),
        summary: text(op.8),
    }
}

/// The number of operations.
pub(crate) fn len() -> usize {
    OPS.len()
}

fn integer(at: u16) -> Option<i64> {
    (at != NO).then(|| INTEGERS[usize::from(at)])
}

fn count(at: u16) -> Option<u64> {
    integer(at).and_then(|n| u64::try_from(n).ok())
}

fn number(at: u16) -> Option<Number> {
    (at != NO).then(|| NUMBERS[usize::from(at)])
}

/// Every operation in the `&'static` form, read from the packed arrays;
/// called once, its parts leaked, by [`crate::operations`].
pub(crate) fn unpack() -> &'static [Operation] {
    let names: &'static [&'static str] = NAMES.iter().map(|s| text(*s)).collect::<Vec<_>>().leak();
    let run = |r: R| &names[usize::from(r.0)..][..usize::from(r.1)];
    let params: &'static [Param] = PARAMS
        .iter()
        .map(|p| Param {
            name: text(p.0),
            location: p.1,
            required: p.2,
            ty: p.3,
            minimum: number(p.4),
            maximum: number(p.5),
            min_length: count(p.6),
            max_length: count(p.7),
            min_items: count(p.8),
            max_items: count(p.9),
            default: (p.10.0 != S::NONE.0).then(|| text(p.10)),
            known_values: run(p.11),
            list_format: p.12,
        })
        .collect::<Vec<_>>()
        .leak();
    let params_of = |r: R| &params[usize::from(r.0)..][..usize::from(r.1)];
    OPS.iter()
        .map(|op| Operation {
            id: text(op.0),
            group: text(op.1),
            method: op.2,
            path: text(op.3),
            retry_safe: op.4,
            params: params_of(op.5),
            body: op.6.as_ref().map(|b| Body {
                media_type: text(b.0),
                required: b.1,
                fields: params_of(b.2),
            }),
            list: (op.7 != NO).then(|| {
                let l = &PAGINGS[usize::from(op.7)];
                ListShape::OffsetLimit(OffsetLimit {
                    item_array: text(l.0),
                    total: text(l.1),
                    limit_min: integer(l.2),
                    limit_max: integer(l.3),
                    limit_default: integer(l.4),
                    offset_max: integer(l.5),
                    item_identity: l.6.map(run),
                })
            }),
            summary: text(op.8),
        })
        .collect::<Vec<_>>()
        .leak()
}
