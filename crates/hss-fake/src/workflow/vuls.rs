//! The vulnerability operations: the three listings and the statistics,
//! all counting the pairs [`VulFilter`] selects, and `ChangeVulStatus`,
//! which changes those pairs for every one of them.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::answer::object_body;
use super::catalog::LEVELS;
use super::filter::{VulFilter, listing, names, pairs};
use super::inventory::{HostVul, Inventory, Server};
use super::rows::{host_vul_info, repair_priority, vul_host_info, vul_info};
use super::status::Operate;
use super::{Answer, ApiError, Ctx, Selection};
use crate::data::vul_type;
use crate::json_body::Fields;
use crate::query::{Query, required};

/// Largest number of host IDs one `ListVulnerabilities` row lists.
const MAX_HOST_ID_LIST: usize = 1_000;

/// The vulnerabilities of `type` (default `linux_vul`), each with the
/// selected pairs it has, most severe first.
pub(crate) fn list_vulnerabilities(
    ctx: &Ctx<'_>,
    inventory: &Inventory,
    raw_query: &str,
) -> Result<Answer, ApiError> {
    let (query, paging, selection) = listing(ctx, raw_query, &names::VUL)?;
    let filter = VulFilter::parse(&query, Some(vul_type::LINUX_VUL))?;
    let rows = vulnerability_rows(inventory, &selection, &filter);
    Ok(Answer::page(rows.len(), paging.slice(&rows)))
}

/// The `ListVulnerabilities` rows (also what a `vul` export holds).
pub(crate) fn vulnerability_rows(
    inventory: &Inventory,
    selection: &Selection,
    filter: &VulFilter,
) -> Vec<Value> {
    let mut by_def: BTreeMap<usize, Vec<(&Server, &HostVul)>> = BTreeMap::new();
    for (server, vul) in pairs(inventory, selection, filter) {
        by_def.entry(vul.def).or_default().push((server, vul));
    }
    let mut defs: Vec<usize> = by_def.keys().copied().collect();
    defs.sort_by_key(|&d| (severity_rank(inventory, d), d));
    defs.into_iter()
        .map(|d| {
            let mut row = vul_info(&inventory.catalog[d], &by_def[&d]);
            if let Some(Value::Array(ids)) = row.get_mut("host_id_list") {
                ids.truncate(MAX_HOST_ID_LIST);
            }
            row
        })
        .collect()
}

fn severity_rank(inventory: &Inventory, def: usize) -> usize {
    let severity = inventory.catalog[def].severity();
    LEVELS
        .iter()
        .position(|l| *l == severity)
        .unwrap_or(LEVELS.len())
}

/// The servers that have `vul_id` (both `vul_id` and `type` are
/// required), in server order.
pub(crate) fn list_vul_hosts(
    ctx: &Ctx<'_>,
    inventory: &Inventory,
    raw_query: &str,
) -> Result<Answer, ApiError> {
    const OWN: [&str; 10] = [
        "host_name",
        "host_ip",
        "is_affect_business",
        "cluster_name",
        "cluster_id",
        "is_container",
        "container_name",
        "min_scan_time",
        "max_scan_time",
        "status",
    ];
    let mut known = names::VUL.to_vec();
    known.extend_from_slice(&OWN);
    let (query, paging, selection) = listing(ctx, raw_query, &known)?;
    required(query.string("vul_id", 64)?, "vul_id")?;
    required(query.one_of("type", &vul_type::ALL)?, "type")?;
    let filter = VulFilter::parse(&query, None)?;
    let rows: Vec<Value> = pairs(inventory, &selection, &filter)
        .map(|(server, vul)| vul_host_info(&inventory.catalog[vul.def], server, vul))
        .collect();
    Ok(Answer::page(rows.len(), paging.slice(&rows)))
}

/// The vulnerabilities of one server of `type` (default `linux_vul`),
/// most severe first.
pub(crate) fn list_host_vuls(
    ctx: &Ctx<'_>,
    inventory: &Inventory,
    host_id: &str,
    raw_query: &str,
) -> Result<Answer, ApiError> {
    const OWN: [&str; 3] = ["is_affect_business", "excluded_label_list", "status"];
    let mut known = names::VUL.to_vec();
    known.extend_from_slice(&OWN);
    let (query, paging, selection) = listing(ctx, raw_query, &known)?;
    let filter = VulFilter::parse(&query, Some(vul_type::LINUX_VUL))?;
    let server = inventory
        .server(host_id)
        .filter(|s| selection.contains(&s.ep))
        .ok_or_else(|| ApiError::not_found(&format!("host {host_id} does not exist")))?;
    let mut vuls: Vec<&HostVul> = server
        .vuls
        .iter()
        .filter(|v| filter.matches(&inventory.catalog[v.def], server, v))
        .collect();
    vuls.sort_by_key(|v| (severity_rank(inventory, v.def), v.def));
    let rows: Vec<Value> = vuls
        .into_iter()
        .map(|v| host_vul_info(&inventory.catalog[v.def], server, v))
        .collect();
    Ok(Answer::page(rows.len(), paging.slice(&rows)))
}

/// `ShowVulStatics`: counts over every type of the servers the request
/// sees; `unrepair` is the sum over the types of `ListVulnerabilities`
/// with `handle_status=unhandled`, `existed_vul_hosts` the servers with
/// something to handle.
pub(crate) fn statistics(
    ctx: &Ctx<'_>,
    inventory: &Inventory,
    raw_query: &str,
) -> Result<Answer, ApiError> {
    let query = Query::parse(raw_query, &["enterprise_project_id"])?;
    let selection = ctx.enterprise_project(query.enterprise_project()?)?;
    let today = ctx.now.date();
    let mut unrepaired = std::collections::BTreeSet::new();
    let mut urgent = std::collections::BTreeSet::new();
    let (mut hosts, mut today_handle, mut all_handle) = (0, 0, 0);
    for server in inventory.visible(&selection) {
        let mut open = false;
        for vul in &server.vuls {
            let status = vul.state.status;
            if vul.state.handled_at.is_some_and(|at| at.date() == today) {
                today_handle += 1;
            }
            if status.handled() {
                all_handle += 1;
                continue;
            }
            open = true;
            unrepaired.insert(vul.def);
            if repair_priority(&inventory.catalog[vul.def], server) == "Critical" {
                urgent.insert(vul.def);
            }
        }
        hosts += usize::from(open);
    }
    Ok(Answer::json(&json!({
        "need_urgent_repair": urgent.len(),
        "unrepair": unrepaired.len(),
        "existed_vul_hosts": hosts,
        "today_handle": today_handle,
        "all_handle": all_handle,
        "supported": inventory.catalog.len(),
        "vul_library_update_time": inventory.library_updated_ms,
    })))
}

/// `ChangeVulStatus`: applies `operate_type` to the named pairs (or, with
/// `select_type`, to every pair of `type` or of every type), all or none.
pub(crate) fn change_status(
    ctx: &Ctx<'_>,
    inventory: &mut Inventory,
    raw_query: &str,
    body: &[u8],
) -> Result<Answer, ApiError> {
    let query = Query::parse(raw_query, &["enterprise_project_id"])?;
    let selection = ctx.enterprise_project(query.enterprise_project()?)?;
    let map = object_body(body)?;
    let mut f = Fields::new("", &map);
    let op = f.one_of("operate_type", &Operate::NAMES)?;
    let op = f.required("operate_type", op)?;
    let op = Operate::parse(&op).expect("checked against the names");
    let remark = f.string("remark", 0, 512)?;
    let select = f.one_of("select_type", &["all_vul", "all_host"])?;
    let vtype = f
        .one_of("type", &vul_type::ALL)?
        .unwrap_or_else(|| vul_type::LINUX_VUL.to_owned());
    let mut named: Vec<(String, String)> = Vec::new();
    for mut item in f.objects("data_list", (1, 500))?.unwrap_or_default() {
        let vul_id = item.string("vul_id", 1, 64)?;
        let vul_id = item.required("vul_id", vul_id)?;
        let hosts = item.strings("host_id_list", (1, 500), (1, 64), None)?;
        for host in item.required("host_id_list", hosts)? {
            named.push((host, vul_id.clone()));
        }
        item.finish()?;
    }
    for mut item in f.objects("host_data_list", (1, 500))?.unwrap_or_default() {
        let host_id = item.string("host_id", 1, 64)?;
        let host_id = item.required("host_id", host_id)?;
        let vuls = item.strings("vul_id_list", (1, 500), (1, 64), None)?;
        for vul in item.required("vul_id_list", vuls)? {
            named.push((host_id.clone(), vul));
        }
        item.finish()?;
    }
    f.string("backup_info_id", 1, 128)?;
    for mut item in f
        .objects("custom_backup_hosts", (1, 50))?
        .unwrap_or_default()
    {
        item.string("host_id", 1, 128)?;
        item.string("vault_id", 1, 128)?;
        item.string("backup_name", 1, 64)?;
        item.finish()?;
    }
    f.finish()?;
    let targets = targets(inventory, &selection, select.as_deref(), &vtype, &named)?;
    let takes = ctx.options.operation_duration;
    for (s, v) in targets {
        inventory.servers[s].vuls[v]
            .state
            .apply(op, remark.as_deref(), ctx.now, takes);
    }
    Ok(Answer::Empty)
}

/// The (server, vulnerability) positions an operation changes; `Err` when
/// a named pair does not exist, so nothing changes.
fn targets(
    inventory: &Inventory,
    selection: &Selection,
    select: Option<&str>,
    vtype: &str,
    named: &[(String, String)],
) -> Result<Vec<(usize, usize)>, ApiError> {
    let mut out = Vec::new();
    if let Some(select) = select {
        for (s, server) in inventory.servers.iter().enumerate() {
            if !selection.contains(&server.ep) {
                continue;
            }
            for (v, vul) in server.vuls.iter().enumerate() {
                if select == "all_host" || inventory.catalog[vul.def].vul_type == vtype {
                    out.push((s, v));
                }
            }
        }
    } else if named.is_empty() {
        return Err(ApiError::invalid(
            "Invalid request body: data_list, host_data_list or select_type is required".to_owned(),
        ));
    }
    for (host_id, vul_id) in named {
        let s = inventory
            .server_index(host_id)
            .filter(|&s| selection.contains(&inventory.servers[s].ep))
            .ok_or_else(|| ApiError::not_found(&format!("host {host_id} does not exist")))?;
        let v = inventory.servers[s]
            .vuls
            .iter()
            .position(|v| inventory.catalog[v.def].id == vul_id)
            .ok_or_else(|| {
                ApiError::not_found(&format!(
                    "vulnerability {vul_id} on host {host_id} does not exist"
                ))
            })?;
        out.push((s, v));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}
