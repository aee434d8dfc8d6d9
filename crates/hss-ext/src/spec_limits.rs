//! Limits that hand-written checks take from the spec, through
//! `hss_operations`, as constants: a limit the spec drops fails the
//! build (the `const` evaluation panics) instead of leaving a stale number
//! here.

use std::ops::RangeInclusive;

use hss_operations::{Number, Operation, Param};

/// The page sizes (`limit`) an offset/limit listing accepts.
pub(crate) const fn limit_range(op: &Operation) -> RangeInclusive<u32> {
    let paging = op.expect_offset_limit();
    RangeInclusive::new(paging.min_page(), paging.max_page())
}

/// A parameter's `maxLength`.
pub(crate) const fn max_length(op: &Operation, param: &str) -> usize {
    match op.param(param) {
        Some(Param {
            max_length: Some(max),
            ..
        }) => *max as usize,
        _ => panic!("the spec gives the parameter no maxLength"),
    }
}

/// An integer parameter's `maximum`.
pub(crate) const fn maximum(op: &Operation, param: &str) -> u32 {
    match op.param(param) {
        Some(Param {
            maximum: Some(Number::Integer(max)),
            ..
        }) if *max >= 0 && *max <= u32::MAX as i64 => *max as u32,
        _ => panic!("the spec gives the parameter no maximum in u32"),
    }
}
