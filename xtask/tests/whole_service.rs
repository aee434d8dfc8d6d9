//! `openapi/hss.yaml` is the whole service: exactly what `cargo xtask
//! import` builds from the pinned SDK and definition plus our reviewed
//! operations and groups, with every operation of the SDK on its wire.
//!
//! The test fetches the pinned wheels itself and fails when it cannot;
//! `HSS_SKIP_UPSTREAM=1` skips it on purpose.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use xtask::sdk::{Location, Sdk};
use xtask::{pointer, upstream};

mod support;

fn committed() -> Value {
    let text = std::fs::read_to_string(xtask::default_spec()).unwrap();
    serde_norway::from_str(&text).unwrap()
}

#[test]
fn the_committed_spec_is_what_the_import_builds() {
    let test = "the_committed_spec_is_what_the_import_builds";
    if support::pinned_wheel(&upstream::SDK, test).is_none()
        || support::pinned_wheel(&upstream::DEFINITIONS, test).is_none()
    {
        return;
    }
    let (built, _) = xtask::import::whole_service().unwrap();
    let committed = std::fs::read_to_string(xtask::default_spec()).unwrap();
    assert!(
        built == committed,
        "openapi/hss.yaml is stale: run `cargo xtask import` (then `cargo xtask generate`)"
    );
    // Deterministic: a second build is the same text.
    assert_eq!(xtask::import::whole_service().unwrap().0, built);
}

#[test]
fn every_operation_of_the_sdk_is_in_the_spec_on_its_wire() {
    let Some(wheel) = support::pinned_wheel(
        &upstream::SDK,
        "every_operation_of_the_sdk_is_in_the_spec_on_its_wire",
    ) else {
        return;
    };
    let sdk = Sdk::from_wheel(&wheel).unwrap();
    let doc = committed();
    let ours: BTreeMap<&str, pointer::Operation<'_>> = pointer::operations(&doc)
        .map(|op| (op.id().unwrap(), op))
        .collect();
    assert_eq!(ours.len(), 582);
    assert_eq!(
        ours.keys().copied().collect::<BTreeSet<_>>(),
        sdk.operations.keys().map(String::as_str).collect()
    );
    for (id, op) in &sdk.operations {
        let mine = &ours[id.as_str()];
        assert_eq!(mine.method.to_ascii_uppercase(), op.method, "{id}");
        assert_eq!(mine.path.split('#').next().unwrap(), op.path, "{id}");
        let params: BTreeSet<(String, String)> = mine
            .op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| pointer::deref(&doc, p).unwrap())
            .map(|p| {
                (
                    p["in"].as_str().unwrap().to_string(),
                    p["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for p in op.params.iter().filter(|p| p.location != Location::Form) {
            assert!(
                params.contains(&(p.location.openapi().to_string(), p.wire.clone())),
                "{id}: the SDK's {} parameter `{}` is missing",
                p.location.openapi(),
                p.wire
            );
        }
        assert_eq!(
            mine.op.get("requestBody").is_some(),
            op.body.is_some() || op.params.iter().any(|p| p.location == Location::Form),
            "{id}: a body where the SDK has none, or none where it has one"
        );
    }
}

#[test]
fn every_operation_is_in_exactly_one_group_with_a_summary() {
    let doc = committed();
    let groups: BTreeMap<&str, &Value> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t))
        .collect();
    let mut used = BTreeSet::new();
    for op in pointer::operations(&doc) {
        let tags: Vec<&str> = op.tags().collect();
        assert_eq!(tags.len(), 1, "{:?}: {tags:?}", op.id());
        assert!(groups.contains_key(tags[0]), "{:?}: {}", op.id(), tags[0]);
        used.insert(tags[0]);
        let summary = op.op["summary"].as_str().unwrap_or_default();
        assert!(
            summary.ends_with('.') && summary.is_ascii(),
            "{:?}",
            op.id()
        );
    }
    assert_eq!(used.len(), groups.len(), "a group without operations");
    for (name, tag) in &groups {
        assert!(
            tag["description"].as_str().is_some_and(|d| !d.is_empty()),
            "group {name} has no summary"
        );
    }
    // The vulnerability workflow's export and download calls come with it.
    assert_eq!(
        groups["vulnerability"]["x-group-requires"],
        serde_json::json!(["export"])
    );
    let group_of = |id: &str| {
        pointer::operations(&doc)
            .find(|op| op.id() == Some(id))
            .unwrap()
            .tags()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(group_of("ListVulScanTaskHost"), "vulnerability");
    assert_eq!(group_of("ExportVuls"), "vulnerability");
    assert_eq!(group_of("ListDownloadExportedFile"), "export");
    assert_eq!(group_of("ListHostStatus"), "host-management");
}

#[test]
fn the_reviewed_operations_keep_their_reviewed_form() {
    let text =
        std::fs::read_to_string(xtask::workspace_root().join(xtask::import::REVIEWED)).unwrap();
    let reviewed: Value = serde_norway::from_str(&text).unwrap();
    let doc = committed();
    let mut n = 0;
    for op in pointer::operations(&reviewed) {
        let mut ours = doc
            .pointer(&op.pointer())
            .unwrap_or_else(|| panic!("{:?} is missing", op.id()))
            .clone();
        let mut theirs = op.op.clone();
        // Tags are the groups'.
        ours.as_object_mut().unwrap().remove("tags");
        theirs.as_object_mut().unwrap().remove("tags");
        assert_eq!(ours, theirs, "{:?}", op.id());
        n += 1;
    }
    assert_eq!(n, 13);
    for (name, schema) in reviewed["components"]["schemas"].as_object().unwrap() {
        assert_eq!(&doc["components"]["schemas"][name], schema, "{name}");
    }
}
