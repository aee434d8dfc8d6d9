//! A listing item's generated shape (`hss_api::check`) accepts exactly the
//! JSON its model accepts, and keeps the identity fields' values.
//!
//! Each case starts from an item the fake serves (`tests/shapes/*.json`)
//! and changes one place in it: a value swapped for a value of another
//! JSON type, a field dropped, an unknown field added, or a field given
//! twice. The model and the shape must then both accept or both refuse.

use hss_api::check::{Checked, Fields};
use hss_api::types::{HostVulInfo, VulHostInfo, VulInfo, VulScanTaskHostInfo, VulScanTaskInfo};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Whether the model and its shape agree on `json`; the shape's verdict.
fn agree<T: DeserializeOwned + Checked>(json: &str) -> Result<bool, String> {
    let model = serde_json::from_str::<T>(json).is_ok();
    let shape = serde_json::from_str::<T::Shape>(json).is_ok();
    if model == shape {
        Ok(shape)
    } else {
        Err(format!(
            "model accepts: {model}, shape accepts: {shape}: {json}"
        ))
    }
}

/// A JSON value of any type, small.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        "[a-z\\\\\"\u{e9}]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every path to a value in `value` (object keys and array indexes).
fn paths(value: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                at.push(key.clone());
                paths(v, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                at.push(i.to_string());
                paths(v, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn pointer(path: &[String]) -> String {
    path.iter().map(|p| format!("/{p}")).collect()
}

/// One change to one place of a sample item.
#[derive(Debug, Clone)]
enum Change {
    Replace(Value),
    Remove,
    AddUnknown(Value),
    Duplicate,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        4 => any_value().prop_map(Change::Replace),
        1 => Just(Change::Remove),
        1 => any_value().prop_map(Change::AddUnknown),
        1 => Just(Change::Duplicate),
    ]
}

/// The sample with `change` made at its `index`th place, as text.
fn changed(sample: &str, index: usize, change: &Change) -> String {
    let mut value: Value = serde_json::from_str(sample).expect("a sample is JSON");
    let mut all = Vec::new();
    paths(&value, &mut Vec::new(), &mut all);
    let path = &all[index % all.len()];
    let here = pointer(path);
    match change {
        Change::Replace(new) => {
            if let Some(place) = value.pointer_mut(&here) {
                *place = new.clone();
            }
        }
        Change::Remove => {
            if let (Some((last, parent)), false) = (path.split_last(), path.is_empty()) {
                match value.pointer_mut(&pointer(parent)) {
                    Some(Value::Object(map)) => {
                        map.remove(last);
                    }
                    Some(Value::Array(items)) => {
                        if let Ok(i) = last.parse::<usize>() {
                            items.remove(i);
                        }
                    }
                    _ => {}
                }
            }
        }
        Change::AddUnknown(new) => {
            if let Some(Value::Object(map)) = value.pointer_mut(&here) {
                map.insert("zz_not_in_the_model".to_owned(), new.clone());
            }
        }
        Change::Duplicate => {
            // An object's first field written twice: serde_json's `Value`
            // cannot hold that, so it is done on the text.
            if let Some(Value::Object(map)) = value.pointer(&here)
                && let Some((key, v)) = map.iter().next()
            {
                let text = serde_json::to_string(&value).expect("JSON");
                let field = format!("{}:{}", Value::from(key.clone()), v);
                return text.replacen(&field, &format!("{field},{field}"), 1);
            }
        }
    }
    serde_json::to_string(&value).expect("JSON")
}

const HOST: &str = include_str!("shapes/scan_task_host.json");
const TASK: &str = include_str!("shapes/scan_task.json");
const VUL: &str = include_str!("shapes/vulnerability.json");
const VUL_HOST: &str = include_str!("shapes/vul_host.json");
const HOST_VUL: &str = include_str!("shapes/host_vul.json");

#[test]
fn each_sample_is_accepted_by_both_and_its_identity_kept() {
    fn check<T: DeserializeOwned + Checked>(sample: &str, field: &str) {
        assert_eq!(agree::<T>(sample), Ok(true), "{sample}");
        let shape: T::Shape = serde_json::from_str(sample).unwrap();
        let value: Value = serde_json::from_str(sample).unwrap();
        assert_eq!(
            shape.text(field).as_deref(),
            value[field].as_str(),
            "{field} of {sample}"
        );
        assert_eq!(shape.text("not_a_field"), None);
    }
    check::<VulScanTaskHostInfo>(HOST, "host_id");
    check::<VulScanTaskInfo>(TASK, "id");
    check::<VulInfo>(VUL, "vul_id");
    check::<VulInfo>(VUL, "type");
    check::<VulHostInfo>(VUL_HOST, "host_id");
    check::<HostVulInfo>(HOST_VUL, "vul_id");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_shape_accepts_what_the_model_accepts(index in 0usize..10_000, change in change()) {
        for (sample, run) in [
            (HOST, agree::<VulScanTaskHostInfo> as fn(&str) -> Result<bool, String>),
            (TASK, agree::<VulScanTaskInfo>),
            (VUL, agree::<VulInfo>),
            (VUL_HOST, agree::<VulHostInfo>),
            (HOST_VUL, agree::<HostVulInfo>),
        ] {
            let json = changed(sample, index, &change);
            prop_assert!(run(&json).is_ok(), "{}", run(&json).unwrap_err());
        }
    }
}

#[test]
fn some_changes_are_refused_by_both() {
    // Not only agreement: the changes reach what the models refuse.
    let refused = [
        changed(HOST, 1, &Change::Replace(Value::from(7))),
        changed(HOST, 0, &Change::Duplicate),
        {
            let mut host: Value = serde_json::from_str(HOST).unwrap();
            host["vul_scan_details"][0] = Value::from(7);
            host.to_string()
        },
    ];
    for json in refused {
        assert_eq!(agree::<VulScanTaskHostInfo>(&json), Ok(false), "{json}");
    }
}
