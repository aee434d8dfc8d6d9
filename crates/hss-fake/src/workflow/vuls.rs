//! The vulnerability operations: the three listings and the statistics,
//! all counting the pairs [`VulFilter`] selects, and `ChangeVulStatus`,
//! which changes those pairs for every one of them.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use bytes::Bytes;

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

/// Selections `ListVulHosts` remembers at most.
const VUL_HOSTS_CACHED: usize = 16;

/// Most bytes of rendered `ListVulHosts` pages kept over all selections:
/// every page of the most widespread vulnerability of 100,000 servers
/// (25,000 hosts, about 19 MB) fits a few times.
const VUL_HOSTS_PAGE_BYTES: usize = 64 << 20;

/// The (server, vulnerability) positions `ListVulHosts` selected for a
/// filter, and the pages rendered from them, so that the pages of one
/// listing filter once, not once per page, and a page asked again is
/// not rendered again. An entry holds for the generation of the
/// inventory it was made in only: any status change moves the generation
/// on and every entry made before is dropped unused.
#[derive(Debug, Default)]
pub(crate) struct VulHostsCache {
    entries: Vec<VulHostsEntry>,
}

#[derive(Debug)]
struct VulHostsEntry {
    generation: u64,
    selection: Selection,
    filter: VulFilter,
    selected: Arc<[(u32, u32)]>,
    /// Rendered pages by (offset, limit).
    pages: HashMap<(usize, usize), Bytes>,
    bytes: usize,
}

impl VulHostsCache {
    /// The index of the entry of `filter` in `inventory`'s generation now
    /// (made with `select` when there is none).
    fn entry(
        &mut self,
        inventory: &Inventory,
        selection: &Selection,
        filter: &VulFilter,
        select: impl FnOnce() -> Vec<(u32, u32)>,
    ) -> usize {
        let generation = inventory.generation();
        self.entries.retain(|e| e.generation == generation);
        let found = self
            .entries
            .iter()
            .position(|e| e.selection == *selection && e.filter == *filter);
        match found {
            Some(i) => i,
            None => {
                if self.entries.len() >= VUL_HOSTS_CACHED {
                    self.entries.remove(0);
                }
                self.entries.push(VulHostsEntry {
                    generation,
                    selection: selection.clone(),
                    filter: filter.clone(),
                    selected: select().into(),
                    pages: HashMap::new(),
                    bytes: 0,
                });
                self.entries.len() - 1
            }
        }
    }

    fn page_bytes(&self) -> usize {
        self.entries.iter().map(|e| e.bytes).sum()
    }
}

/// The query parameters of `ListVulHosts` besides the vulnerability
/// filters (`names::VUL`).
const VUL_HOSTS_OWN: [&str; 10] = [
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

/// The servers that have `vul_id` (both `vul_id` and `type` are
/// required), in server order.
pub(crate) fn list_vul_hosts(
    ctx: &Ctx<'_>,
    inventory: &Inventory,
    cache: &mut VulHostsCache,
    raw_query: &str,
) -> Result<Answer, ApiError> {
    let mut known = names::VUL.to_vec();
    known.extend_from_slice(&VUL_HOSTS_OWN);
    let (query, paging, selection) = listing(ctx, raw_query, &known)?;
    required(query.string("vul_id", 64)?, "vul_id")?;
    required(query.one_of("type", &vul_type::ALL)?, "type")?;
    let filter = VulFilter::parse(&query, None)?;
    // The index narrows to the servers with `vul_id`; the filter (the
    // statuses, the enterprise project, ...) is checked as for any
    // listing, once per generation, and only the page's rows are written.
    let i = cache.entry(inventory, &selection, &filter, || {
        let vul_id = filter.vul_id.as_deref().unwrap_or_default();
        inventory
            .with_vul_positions(vul_id)
            .filter(|&(s, v)| {
                let server = &inventory.servers[s as usize];
                let vul = &server.vuls[v as usize];
                selection.contains(&server.ep)
                    && filter.matches(&inventory.catalog[vul.def], server, vul)
            })
            .collect()
    });
    let key = (paging.offset, paging.limit);
    if let Some(page) = cache.entries[i].pages.get(&key) {
        return Ok(Answer::Json(page.clone()));
    }
    let selected = Arc::clone(&cache.entries[i].selected);
    let rows: Vec<Value> = paging
        .slice(&selected)
        .iter()
        .map(|&(s, v)| {
            let server = &inventory.servers[s as usize];
            let vul = &server.vuls[v as usize];
            vul_host_info(&inventory.catalog[vul.def], server, vul)
        })
        .collect();
    let answer = Answer::page(selected.len(), &rows);
    if let Answer::Json(body) = &answer
        && cache.page_bytes() + body.len() <= VUL_HOSTS_PAGE_BYTES
    {
        let entry = &mut cache.entries[i];
        entry.bytes += body.len();
        entry.pages.insert(key, body.clone());
    }
    Ok(answer)
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
    inventory.note_changes();
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use time::OffsetDateTime;

    use super::*;
    use crate::data::{Dataset, GenerateOptions};
    use crate::motion::Motion;
    use crate::store::Store;
    use crate::workflow::WorkflowOptions;

    /// `ListVulHosts` as it was before the index: every server filtered,
    /// every row written, then the page sliced out. The reference the
    /// indexed listing must equal byte for byte.
    fn reference(ctx: &Ctx<'_>, inventory: &Inventory, raw_query: &str) -> Vec<u8> {
        let mut known = names::VUL.to_vec();
        known.extend_from_slice(&VUL_HOSTS_OWN);
        let (query, paging, selection) = listing(ctx, raw_query, &known).unwrap();
        let filter = VulFilter::parse(&query, None).unwrap();
        let rows: Vec<Value> = pairs(inventory, &selection, &filter)
            .map(|(server, vul)| vul_host_info(&inventory.catalog[vul.def], server, vul))
            .collect();
        match Answer::page(rows.len(), paging.slice(&rows)) {
            Answer::Json(body) => body.to_vec(),
            other => panic!("{other:?}"),
        }
    }

    fn body(answer: Result<Answer, ApiError>) -> Vec<u8> {
        match answer {
            Ok(Answer::Json(body)) => body.to_vec(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn indexed_vul_hosts_equal_filtering_every_server() {
        let dataset = Dataset::generate(&GenerateOptions {
            seed: 11,
            hosts_per_task: 3_000,
            enterprise_projects: 3,
            ..GenerateOptions::default()
        });
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(500);
        let mut inventory = Inventory::build(&dataset, 11, now);
        let eps = dataset.enterprise_projects.clone();
        let clock = Arc::new(hss_auth::FixedClock::new(now));
        let store = Store::new(dataset, 11, Motion::new(None, None, clock));
        let options = WorkflowOptions {
            operation_duration: Duration::from_secs(5),
            ..WorkflowOptions::default()
        };
        let ctx_at = |now| Ctx {
            store: &store,
            options: &options,
            seed: 11,
            now,
        };
        // The most widespread vulnerability of each type, a rare one and
        // one no server has.
        let mut counts: std::collections::HashMap<usize, usize> = Default::default();
        for vul in inventory.servers.iter().flat_map(|s| &s.vuls) {
            *counts.entry(vul.def).or_default() += 1;
        }
        let mut chosen: Vec<usize> = Vec::new();
        for t in vul_type::ALL {
            if let Some((&d, _)) = counts
                .iter()
                .filter(|(d, _)| inventory.catalog[**d].vul_type == t)
                .max_by_key(|(d, n)| (**n, **d))
            {
                chosen.push(d);
            }
        }
        if let Some((&d, _)) = counts.iter().min_by_key(|(d, n)| (**n, **d)) {
            chosen.push(d);
        }
        assert!(chosen.len() >= 5, "{chosen:?}");
        let mut queries: Vec<String> = Vec::new();
        for &d in &chosen {
            let def = &inventory.catalog[d];
            let base = format!("vul_id={}&type={}", def.id, def.vul_type);
            for extra in [
                "",
                "&offset=0&limit=200",
                "&offset=200&limit=200",
                "&offset=37&limit=10",
                "&offset=100000&limit=10",
                "&handle_status=unhandled",
                "&status=vul_status_fixing&limit=50",
                "&status=vul_status_ignored",
                "&enterprise_project_id=all_granted_eps&limit=200&offset=400",
                "&is_affect_business=true&asset_value=important",
                "&host_name=1&repair_priority=Critical,High",
            ] {
                queries.push(format!("{base}{extra}"));
            }
            queries.push(format!("{base}&enterprise_project_id={}", eps[1]));
        }
        queries.push("vul_id=no-such-vul&type=linux_vul".into());
        // A type that does not fit the vulnerability selects nothing.
        let d = chosen[0];
        queries.push(format!("vul_id={}&type=web_cms", inventory.catalog[d].id));
        const ALL: &str = "enterprise_project_id=all_granted_eps";
        // One cache for every check: twice each, so the second answer of
        // each query comes from it, and kept across the changes below.
        let mut cache = VulHostsCache::default();
        let mut check = |inventory: &Inventory, at| {
            let ctx = ctx_at(at);
            for q in queries.iter().chain(&queries) {
                let got = body(list_vul_hosts(&ctx, inventory, &mut cache, q));
                let want = reference(&ctx, inventory, q);
                assert!(
                    got == want,
                    "{q}:\n{}\n{}",
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&want)
                );
            }
        };
        check(&inventory, now);

        // After status changes (some settling later), still the same.
        let vul_id = inventory.catalog[chosen[0]].id;
        let hosts: Vec<String> = inventory
            .with_vul_positions(vul_id)
            .step_by(3)
            .take(100)
            .map(|(s, _)| inventory.servers[s as usize].host_id().to_owned())
            .collect();
        assert_eq!(hosts.len(), 100);
        for (op, hosts) in [("immediate_repair", &hosts[..50]), ("ignore", &hosts[50..])] {
            let change = json!({"operate_type": op, "data_list": [{"vul_id": vul_id, "host_id_list": hosts}]});
            let body = serde_json::to_vec(&change).unwrap();
            let answer = change_status(&ctx_at(now), &mut inventory, ALL, &body).unwrap();
            assert!(matches!(answer, Answer::Empty));
        }
        check(&inventory, now);
        let fixing = format!(
            "vul_id={vul_id}&type={}&status=vul_status_fixing&{ALL}",
            inventory.catalog[chosen[0]].vul_type
        );
        let total = |inventory: &Inventory, at| {
            let page = body(list_vul_hosts(
                &ctx_at(at),
                inventory,
                &mut VulHostsCache::default(),
                &fixing,
            ));
            serde_json::from_slice::<Value>(&page).unwrap()["total_num"].clone()
        };
        // Those already fixed stay so; the others are being repaired.
        let running = total(&inventory, now).as_u64().unwrap();
        assert!((25..=50).contains(&running), "{running}");
        let later = now + time::Duration::seconds(6);
        inventory.settle(later);
        check(&inventory, later);
        assert_eq!(total(&inventory, later), 0, "and are done");
    }
}
