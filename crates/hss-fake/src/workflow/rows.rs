//! The JSON of one row of each vulnerability listing, written from the
//! same state for `ListVulnerabilities`, `ListVulHosts`, `ListHostVuls`
//! and the export, so that they cannot disagree.

use serde_json::{Map, Value, json};

use super::catalog::{LEVELS, VulDef};
use super::inventory::{HostVul, Inventory, Server};
use super::status::VulStatus;
use crate::data::asset_value;

/// How urgent repairing `def` on `server` is: its severity, one level
/// more for an important asset, one less for a test one.
pub(crate) fn repair_priority(def: &VulDef, server: &Server) -> &'static str {
    let severity = def.severity();
    let level = LEVELS.iter().position(|l| *l == severity).unwrap_or(3);
    let level = match server.info.asset_value.as_deref() {
        Some(asset_value::IMPORTANT) => level.saturating_sub(1),
        Some(asset_value::TEST) => (level + 1).min(3),
        _ => level,
    };
    LEVELS[level]
}

fn cve_list(def: &VulDef) -> Value {
    Value::Array(
        def.cves
            .iter()
            .map(|(id, cvss)| json!({"cve_id": id, "cvss": cvss}))
            .collect(),
    )
}

/// The operations the service would refuse for this pair, and why.
fn disabled_operations(status: VulStatus) -> Value {
    let (ops, reason): (&[&str], &str) = match status {
        VulStatus::Ignored => (
            &["ignore", "immediate_repair", "manual_repair"],
            "The vulnerability is ignored.",
        ),
        VulStatus::Fixed => (
            &["immediate_repair", "not_ignore"],
            "The vulnerability is fixed.",
        ),
        VulStatus::Fixing | VulStatus::Verified => (
            &["immediate_repair", "manual_repair", "verify"],
            "An operation on the vulnerability is under way.",
        ),
        _ => (&["not_ignore"], "The vulnerability is not ignored."),
    };
    Value::Array(
        ops.iter()
            .map(|op| json!({"operate_type": op, "reason": reason}))
            .collect(),
    )
}

/// One element of `ListVulnerabilities`' `data_list`: `def` over the
/// selected pairs (never empty).
pub(crate) fn vul_info(def: &VulDef, pairs: &[(&Server, &HostVul)]) -> Value {
    let count = |f: &dyn Fn(&HostVul) -> bool| pairs.iter().filter(|(_, v)| f(v)).count();
    let assets = |a: &str| {
        pairs
            .iter()
            .filter(|(s, _)| s.info.asset_value.as_deref() == Some(a))
            .count()
    };
    let priorities: Vec<Value> = LEVELS
        .iter()
        .filter_map(|level| {
            let n = pairs
                .iter()
                .filter(|(s, _)| repair_priority(def, s) == *level)
                .count();
            (n > 0).then(|| json!({"repair_priority": level, "host_num": n}))
        })
        .collect();
    let top_priority = LEVELS
        .iter()
        .find(|l| pairs.iter().any(|(s, _)| repair_priority(def, s) == **l))
        .copied()
        .unwrap_or("Low");
    let fixed = count(&|v| v.state.status == VulStatus::Fixed);
    json!({
        "vul_name": def.name,
        "vul_id": def.id,
        "label_list": def.labels,
        "repair_necessity": def.severity(),
        "severity_level": def.severity(),
        "host_num": pairs.len(),
        "unhandle_host_num": count(&|v| !v.state.status.handled()),
        "scan_time": pairs.iter().map(|(_, v)| v.scan_ms).max().unwrap_or(0),
        "solution_detail": def.solution,
        "url": def.url(),
        "description": def.description,
        "type": def.vul_type,
        "host_id_list": pairs.iter().map(|(s, _)| s.host_id()).collect::<Vec<_>>(),
        "cve_list": cve_list(def),
        "patch_url": def.url(),
        "repair_priority": top_priority,
        "hosts_num": {
            "important": assets(asset_value::IMPORTANT),
            "common": assets(asset_value::COMMON),
            "test": assets(asset_value::TEST),
        },
        "repair_success_num": fixed,
        "fixed_num": fixed,
        "ignored_num": count(&|v| v.state.status == VulStatus::Ignored),
        "verify_num": count(&|v| v.state.status == VulStatus::Verified),
        "repair_priority_list": priorities,
    })
}

/// What the host rows share: the pair's status and its dates.
fn pair_fields(out: &mut Map<String, Value>, def: &VulDef, server: &Server, vul: &HostVul) {
    let mut put = |k: &str, v: Value| {
        out.insert(k.to_owned(), v);
    };
    put("severity_level", json!(def.severity()));
    put("repair_necessity", json!(def.severity()));
    put("status", json!(vul.state.status.as_str()));
    put("is_affect_business", json!(server.affects_business));
    put("first_scan_time", json!(vul.first_scan_ms));
    put("scan_time", json!(vul.scan_ms));
    put("support_restore", json!(false));
    put(
        "disabled_operate_types",
        disabled_operations(vul.state.status),
    );
    put("repair_priority", json!(repair_priority(def, server)));
    put("version", json!("hss.version.enterprise"));
    if let Some(cmd) = def.repair_cmd() {
        put("repair_cmd", json!(cmd));
    }
    if let Some(path) = def.app_path() {
        put("app_path", json!(path));
    }
}

/// One element of `ListVulHosts`' `data_list`.
pub(crate) fn vul_host_info(def: &VulDef, server: &Server, vul: &HostVul) -> Value {
    let mut out = Map::new();
    let info = &server.info;
    out.insert("host_id".into(), json!(server.host_id()));
    out.insert("agent_id".into(), json!(server.agent_id));
    out.insert(
        "host_name".into(),
        json!(info.host_name.as_deref().unwrap_or_default()),
    );
    out.insert("host_ip".into(), json!(server.host_ip()));
    out.insert("private_ip".into(), json!(server.host_ip()));
    out.insert(
        "public_ip".into(),
        json!(info.public_ip.as_deref().unwrap_or_default()),
    );
    out.insert(
        "asset_value".into(),
        json!(info.asset_value.as_deref().unwrap_or(asset_value::COMMON)),
    );
    out.insert("os_type".into(), json!(server.os_type()));
    out.insert("cve_num".into(), json!(def.cves.len()));
    out.insert(
        "cve_id_list".into(),
        json!(def.cves.iter().map(|c| c.0).collect::<Vec<_>>()),
    );
    if let Some(remark) = &vul.state.remark {
        out.insert("remark".into(), json!(remark));
    }
    pair_fields(&mut out, def, server, vul);
    Value::Object(out)
}

/// One element of `ListHostVuls`' `data_list`.
pub(crate) fn host_vul_info(def: &VulDef, server: &Server, vul: &HostVul) -> Value {
    let mut out = Map::new();
    out.insert("vul_name".into(), json!(def.name));
    out.insert("vul_id".into(), json!(def.id));
    out.insert("label_list".into(), json!(def.labels));
    out.insert("type".into(), json!(def.vul_type));
    out.insert("solution_detail".into(), json!(def.solution));
    out.insert("url".into(), json!(def.url()));
    out.insert("description".into(), json!(def.description));
    out.insert("repair_success_num".into(), json!(0));
    out.insert("cve_list".into(), cve_list(def));
    if let Some((name, version, fixed)) = def.app {
        let mut app = Map::new();
        app.insert("app_name".into(), json!(name));
        app.insert("app_version".into(), json!(version));
        app.insert("upgrade_version".into(), json!(fixed));
        if let Some(path) = def.app_path() {
            app.insert("app_path".into(), json!(path));
        }
        out.insert("app_list".into(), Value::Array(vec![Value::Object(app)]));
        out.insert("app_name".into(), json!(name));
    } else {
        out.insert("app_list".into(), json!([]));
    }
    pair_fields(&mut out, def, server, vul);
    Value::Object(out)
}

/// One row of a host-category export: the host's and the pair's fields.
pub(crate) fn export_host_row(inventory: &Inventory, server: &Server, vul: &HostVul) -> Value {
    let def = &inventory.catalog[vul.def];
    let mut row = host_vul_info(def, server, vul);
    if let (Value::Object(row), Value::Object(host)) = (&mut row, vul_host_info(def, server, vul)) {
        for (k, v) in host {
            row.entry(k).or_insert(v);
        }
    }
    row
}
