//! One source of truth for enumerated values: the spec's `x-known-values`.
//! Each typed enum's `KNOWN` must be exactly the list the spec documents
//! for every field it types, and every field of the operations hss-ext
//! covers (the reviewed ones, `openapi/reviewed.yaml`, which
//! `openapi/hss.yaml` holds as they are) with `x-known-values` must be
//! typed by one of them, so that neither the spec nor the enums can change
//! without the other.

use std::collections::BTreeMap;

use hss_ext::*;
use serde_norway::Value;

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/reviewed.yaml");
    let text = std::fs::read_to_string(path).expect("openapi/reviewed.yaml is readable");
    serde_norway::from_str(&text).expect("openapi/reviewed.yaml is YAML")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .expect("x-known-values is a list")
        .iter()
        .map(|v| v.as_str().expect("known values are strings").to_owned())
        .collect()
}

/// Every `x-known-values` list in the spec, by a readable location:
/// `Schema`, `Schema.field`, `Schema.field[]` (the items), or
/// `METHOD /path ?parameter` for an inline parameter schema.
fn known_values(spec: &Value) -> BTreeMap<String, Vec<String>> {
    let mut found = BTreeMap::new();
    let schemas = spec["components"]["schemas"]
        .as_mapping()
        .expect("components.schemas");
    for (name, schema) in schemas {
        let name = name.as_str().unwrap();
        if let Some(values) = schema.get("x-known-values") {
            found.insert(name.to_owned(), strings(values));
        }
        let Some(properties) = schema.get("properties").and_then(Value::as_mapping) else {
            continue;
        };
        for (field, property) in properties {
            let at = format!("{name}.{}", field.as_str().unwrap());
            if let Some(values) = property.get("x-known-values") {
                found.insert(at.clone(), strings(values));
            }
            if let Some(values) = property.get("items").and_then(|i| i.get("x-known-values")) {
                found.insert(format!("{at}[]"), strings(values));
            }
        }
    }
    for (path, item) in spec["paths"].as_mapping().expect("paths") {
        for (method, operation) in item.as_mapping().unwrap() {
            let Some(parameters) = operation.get("parameters").and_then(Value::as_sequence) else {
                continue;
            };
            for parameter in parameters {
                let (Some(name), Some(values)) = (
                    parameter.get("name"),
                    parameter
                        .get("schema")
                        .and_then(|s| s.get("x-known-values")),
                ) else {
                    continue;
                };
                found.insert(
                    format!(
                        "{} {} ?{}",
                        method.as_str().unwrap().to_uppercase(),
                        path.as_str().unwrap(),
                        name.as_str().unwrap()
                    ),
                    strings(values),
                );
            }
        }
    }
    found
}

fn texts<T: AsRef<str>>(known: &[T]) -> Vec<String> {
    known.iter().map(|v| v.as_ref().to_owned()).collect()
}

#[test]
fn every_enum_is_the_spec_list_of_every_field_it_types() {
    let spec = spec();
    let found = known_values(&spec);
    let vul_types = texts(VulType::KNOWN);
    let severity = texts(Severity::KNOWN);
    let table: Vec<(&str, Vec<String>)> = vec![
        ("VulScanTaskHostInfo.scan_status", texts(ScanStatus::KNOWN)),
        ("VulScanDetail.status", texts(ScanStatus::KNOWN)),
        ("ScanVul.status", texts(ScanStatus::KNOWN)),
        (
            "GET /v5/{project_id}/vulnerability/scan-task/{task_id}/hosts ?scan_status",
            texts(ScanStatus::KNOWN),
        ),
        ("VulScanTaskHostInfo.asset_value", texts(AssetValue::KNOWN)),
        ("AssetValueFilter", texts(AssetValue::KNOWN)),
        ("VulHostInfo.asset_value", texts(AssetValue::KNOWN)),
        ("VulType", vul_types.clone()),
        (
            "GET /v5/{project_id}/vulnerability/hosts ?type",
            vul_types.clone(),
        ),
        (
            "GET /v5/{project_id}/vulnerability/host/{host_id} ?type",
            vul_types.clone(),
        ),
        ("POST /v5/{project_id}/vul/export ?type", vul_types.clone()),
        (
            "CreateVulnerabilityScanTaskBody.manual_scan_type[]",
            vul_types.clone(),
        ),
        ("VulScanTaskInfo.scan_vul_types[]", vul_types.clone()),
        ("VulInfo.type", vul_types.clone()),
        ("HostVulInfo.type", vul_types.clone()),
        ("ChangeVulStatusBody.type", vul_types.clone()),
        (
            "ShowVulScanPolicyResponse.scan_vul_types[]",
            vul_types.clone(),
        ),
        (
            "ChangeVulScanPolicyBody.scan_vul_types[]",
            vul_types.clone(),
        ),
        // The one documented exception: ListVulnerabilities' filter has no
        // `urgent_vul` (openapi/README.md says so, as the SDK does).
        (
            "GET /v5/{project_id}/vulnerability/vulnerabilities ?type",
            vul_types
                .iter()
                .filter(|t| *t != "urgent_vul")
                .cloned()
                .collect(),
        ),
        (
            "GET /v5/{project_id}/vulnerability/scan-tasks ?scan_type",
            texts(ScanType::KNOWN),
        ),
        ("VulScanTaskInfo.scan_type", texts(ScanType::KNOWN)),
        ("VulScanTaskInfo.status", texts(ScanTaskStatus::KNOWN)),
        ("RepairPriorityFilter", severity.clone()),
        ("SeverityLevelFilter", severity.clone()),
        ("VulInfo.repair_necessity", severity.clone()),
        ("VulInfo.severity_level", severity.clone()),
        ("VulInfo.repair_priority", severity.clone()),
        ("RepairPriorityHostCount.repair_priority", severity.clone()),
        ("VulHostInfo.repair_necessity", severity.clone()),
        ("VulHostInfo.severity_level", severity.clone()),
        ("VulHostInfo.repair_priority", severity.clone()),
        ("HostVulInfo.repair_necessity", severity.clone()),
        ("HostVulInfo.severity_level", severity.clone()),
        ("HostVulInfo.repair_priority", severity.clone()),
        ("HandleStatusFilter", texts(HandleStatus::KNOWN)),
        ("VulStatusFilter", texts(VulStatus::KNOWN)),
        ("VulHostInfo.status", texts(VulStatus::KNOWN)),
        ("HostVulInfo.status", texts(VulStatus::KNOWN)),
        ("NodeTypeFilter", texts(NodeType::KNOWN)),
        ("VulHostInfo.node_type", texts(NodeType::KNOWN)),
        (
            "CreateVulnerabilityScanTaskBody.range_type",
            texts(ScanRange::KNOWN),
        ),
        (
            "ShowVulScanPolicyResponse.scan_range_type",
            texts(ScanRange::KNOWN),
        ),
        (
            "ChangeVulScanPolicyBody.scan_range_type",
            texts(ScanRange::KNOWN),
        ),
        ("VulHostInfo.os_type", texts(OsType::KNOWN)),
        ("VulHostInfo.host_status", texts(HostStatus::KNOWN)),
        ("VulHostInfo.agent_status", texts(AgentStatus::KNOWN)),
        (
            "ChangeVulStatusBody.operate_type",
            texts(VulOperation::KNOWN),
        ),
        (
            "DisabledOperateType.operate_type",
            texts(VulOperation::KNOWN),
        ),
        (
            "ChangeVulStatusBody.select_type",
            texts(VulSelection::KNOWN),
        ),
        (
            "ShowVulScanPolicyResponse.scan_period",
            texts(ScanPeriod::KNOWN),
        ),
        (
            "ChangeVulScanPolicyBody.scan_period",
            texts(ScanPeriod::KNOWN),
        ),
        (
            "ShowVulScanPolicyResponse.status",
            texts(PolicyStatus::KNOWN),
        ),
        ("ChangeVulScanPolicyBody.status", texts(PolicyStatus::KNOWN)),
        (
            "ListQueryExportTaskResponse.task_status",
            texts(ExportStatus::KNOWN),
        ),
        (
            "POST /v5/{project_id}/vul/export ?category",
            texts(ExportCategory::KNOWN),
        ),
    ];
    let mut mismatches = Vec::new();
    for (at, known) in &table {
        match found.get(*at) {
            None => mismatches.push(format!("{at}: no x-known-values in the spec")),
            Some(spec_values) if spec_values != known => {
                mismatches.push(format!("{at}: spec {spec_values:?}, enum {known:?}"))
            }
            Some(_) => {}
        }
    }
    let typed: Vec<&str> = table.iter().map(|(at, _)| *at).collect();
    for at in found.keys() {
        if !typed.contains(&at.as_str()) {
            mismatches.push(format!(
                "{at}: documented in the spec but typed by no enum (add it to this table)"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn every_known_value_round_trips() {
    fn check<T>(known: &[T])
    where
        T: AsRef<str> + std::fmt::Display + std::str::FromStr + PartialEq + std::fmt::Debug,
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        for value in known {
            let text = value.as_ref();
            assert_eq!(value.to_string(), text);
            assert_eq!(text.parse::<T>().ok().as_ref(), Some(value));
            let json = serde_json::to_string(value).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value);
        }
    }
    check(ScanType::KNOWN);
    check(ScanTaskStatus::KNOWN);
    check(Severity::KNOWN);
    check(HandleStatus::KNOWN);
    check(VulStatus::KNOWN);
    check(NodeType::KNOWN);
    check(ScanRange::KNOWN);
    check(OsType::KNOWN);
    check(HostStatus::KNOWN);
    check(AgentStatus::KNOWN);
    check(VulOperation::KNOWN);
    check(VulSelection::KNOWN);
    check(ScanPeriod::KNOWN);
    check(PolicyStatus::KNOWN);
    check(ExportStatus::KNOWN);
    check(ExportCategory::KNOWN);
    // A value added later is kept exactly.
    let later: VulStatus = serde_json::from_str("\"vul_status_quarantined\"").unwrap();
    assert!(!later.is_known());
    assert_eq!(later.as_str(), "vul_status_quarantined");
}
