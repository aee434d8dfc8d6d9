//! The official Python SDK (`huaweicloudsdkhss` 3.1.219) read as facts:
//! every operation with its method, path and parameters, and the models.
//! The counts are those of shared/reference/upstream-definitions.md.
//!
//! The test fetches the pinned wheel itself (as `cargo xtask upstream`
//! does) and fails when it cannot; `HSS_SKIP_UPSTREAM=1` skips it on
//! purpose.

use std::collections::BTreeMap;

use xtask::sdk::{Location, Sdk};
use xtask::upstream;

mod support;

#[test]
fn every_operation_of_the_pinned_sdk_is_read() {
    let Some(wheel) =
        support::pinned_wheel(&upstream::SDK, "every_operation_of_the_pinned_sdk_is_read")
    else {
        return;
    };
    let sdk = Sdk::from_wheel(&wheel).unwrap();
    let mut methods: BTreeMap<&str, usize> = BTreeMap::new();
    let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
    for op in sdk.operations.values() {
        *methods.entry(op.method.as_str()).or_default() += 1;
        *groups.entry(op.group()).or_default() += 1;
    }
    // Header names are case-insensitive (the SDK writes `x-language`).
    let with_header = |name: &str| {
        sdk.operations
            .values()
            .filter(|op| {
                op.params
                    .iter()
                    .any(|p| p.location == Location::Header && p.wire.eq_ignore_ascii_case(name))
            })
            .count()
    };
    let mut by_size: Vec<(&&str, &usize)> = groups.iter().collect();
    by_size.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    eprintln!(
        "{} operations, {} models; methods {methods:?}; {} groups: {by_size:?}",
        sdk.operations.len(),
        sdk.models.len(),
        groups.len()
    );
    assert_eq!(sdk.operations.len(), 582);
    assert_eq!(
        methods,
        BTreeMap::from([("DELETE", 30), ("GET", 359), ("POST", 133), ("PUT", 60)])
    );
    assert_eq!(with_header("region"), 110);
    assert_eq!(with_header("X-Language"), 2);
    // Every operation's request model and every parameter's type are known.
    for op in sdk.operations.values() {
        for p in &op.params {
            assert!(
                sdk.param_type(op, &p.attribute).is_some(),
                "{}: no type for `{}`",
                op.id(),
                p.attribute
            );
        }
        assert!(
            sdk.models.contains_key(&op.response),
            "{}: no model {}",
            op.id(),
            op.response
        );
    }
    assert_eq!(groups["vulnerability"], 43);
    assert_eq!(groups["image"], 76);
}
