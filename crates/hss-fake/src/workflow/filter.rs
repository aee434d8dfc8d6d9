//! The filters of the vulnerability listings (and of the export, which
//! takes the same ones): parsed from the query once, matched against a
//! server and one of its vulnerabilities, so that every listing counts
//! the same pairs the same way.

use super::catalog::{LEVELS, VulDef};
use super::inventory::{HostVul, Inventory, Server};
use super::rows::repair_priority;
use super::status::{HANDLE_STATUSES, VulStatus};
use super::{ApiError, Ctx, Selection};
use crate::data::{asset_value, vul_type};
use crate::query::Query;

/// Which (server, vulnerability) pairs a request selects (comparable, so
/// that a selection can be remembered per filter).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct VulFilter {
    pub(crate) vul_type: Option<String>,
    pub(crate) vul_id: Option<String>,
    vul_name: Option<String>,
    cve_id: Option<String>,
    labels: Option<Vec<String>>,
    excluded_labels: Option<Vec<String>>,
    repair_priority: Option<Vec<String>>,
    severity: Option<Vec<String>>,
    handled: Option<bool>,
    status: Option<VulStatus>,
    asset_value: Option<String>,
    group_name: Option<String>,
    affects_business: Option<bool>,
    host_name: Option<String>,
    host_ip: Option<String>,
    /// A filter that no server of the fake matches (containers, CCE nodes).
    nothing: bool,
    pub(crate) host_id: Option<String>,
}

/// The filter parameters every vulnerability listing takes; each
/// operation adds its own.
pub(crate) mod names {
    pub(crate) const VUL: [&str; 12] = [
        "type",
        "vul_id",
        "vul_name",
        "repair_priority",
        "handle_status",
        "cve_id",
        "label_list",
        "status",
        "asset_value",
        "group_name",
        "node_type",
        "severity_level",
    ];
}

impl VulFilter {
    /// Reads the filters `query` has; `default_type` applies when `type`
    /// is absent.
    pub(crate) fn parse(query: &Query, default_type: Option<&str>) -> Result<VulFilter, String> {
        let split =
            |v: Option<String>| v.map(|s| s.split(',').map(str::to_owned).collect::<Vec<_>>());
        let node_type = query.one_of("node_type", &["cce", "not_cce"])?;
        let container = query.boolean("is_container")?.unwrap_or(false);
        let cluster = query.string("cluster_name", 64)?.is_some()
            || query.string("cluster_id", 64)?.is_some();
        let container_name = query.string("container_name", 128)?.is_some();
        query.int64("min_scan_time", 0, i64::MAX)?;
        query.int64("max_scan_time", 0, i64::MAX)?;
        Ok(VulFilter {
            vul_type: query
                .one_of("type", &vul_type::ALL)?
                .or(default_type.map(str::to_owned)),
            vul_id: query.string("vul_id", 256)?,
            vul_name: query.string("vul_name", 256)?.map(|n| n.to_lowercase()),
            cve_id: query.string("cve_id", 32)?,
            labels: split(query.string("label_list", 128)?),
            excluded_labels: split(query.string("excluded_label_list", 128)?),
            repair_priority: query.any_of("repair_priority", &LEVELS)?,
            severity: query.any_of("severity_level", &LEVELS)?,
            handled: query
                .one_of("handle_status", &HANDLE_STATUSES)?
                .map(|h| h == "handled"),
            status: query
                .one_of("status", &VulStatus::NAMES)?
                .and_then(|s| VulStatus::parse(&s)),
            asset_value: query.one_of("asset_value", &asset_value::ALL)?,
            group_name: query.string("group_name", 256)?,
            affects_business: query.boolean("is_affect_business")?,
            host_name: query.string("host_name", 256)?.map(|n| n.to_lowercase()),
            host_ip: query.string("host_ip", 256)?,
            nothing: node_type.as_deref() == Some("cce") || container || cluster || container_name,
            host_id: query.string("host_id", 256)?,
        })
    }

    /// Whether the pair is selected. What a filter compares is only read
    /// (or computed, like the repair priority) when the filter is set:
    /// this runs for every pair a listing considers.
    pub(crate) fn matches(&self, def: &VulDef, server: &Server, vul: &HostVul) -> bool {
        fn has<'a>(want: &Option<String>, got: impl FnOnce() -> &'a str) -> bool {
            want.as_deref().is_none_or(|w| w == got())
        }
        fn contains<'a>(want: &Option<String>, got: impl FnOnce() -> &'a str) -> bool {
            want.as_deref()
                .is_none_or(|w| got().to_lowercase().contains(w))
        }
        fn any<'a>(want: &Option<Vec<String>>, got: impl FnOnce() -> &'a str) -> bool {
            want.as_ref().is_none_or(|w| {
                let got = got();
                w.iter().any(|x| x == got)
            })
        }
        !self.nothing
            && self.group_name.is_none()
            && has(&self.vul_type, || def.vul_type)
            && has(&self.vul_id, || def.id)
            && contains(&self.vul_name, || def.name)
            && self
                .cve_id
                .as_deref()
                .is_none_or(|c| def.cves.iter().any(|(id, _)| *id == c))
            && self
                .labels
                .as_ref()
                .is_none_or(|ls| ls.iter().any(|l| def.labels.contains(&l.as_str())))
            && self
                .excluded_labels
                .as_ref()
                .is_none_or(|ls| !ls.iter().any(|l| def.labels.contains(&l.as_str())))
            && any(&self.repair_priority, || repair_priority(def, server))
            && any(&self.severity, || def.severity())
            && self.handled.is_none_or(|h| h == vul.state.status.handled())
            && self.status.is_none_or(|s| s == vul.state.status)
            && has(&self.asset_value, || {
                server.info.asset_value.as_deref().unwrap_or_default()
            })
            && self
                .affects_business
                .is_none_or(|a| a == server.affects_business)
            && contains(&self.host_name, || {
                server.info.host_name.as_deref().unwrap_or_default()
            })
            && self.host_ip.as_deref().is_none_or(|ip| {
                [&server.info.private_ip, &server.info.public_ip]
                    .iter()
                    .any(|a| a.as_deref() == Some(ip))
            })
            && has(&self.host_id, || server.host_id())
    }
}

/// Every selected pair among the servers `selection` sees, in server
/// order, as (server, vulnerability) indexes.
pub(crate) fn pairs<'a>(
    inventory: &'a Inventory,
    selection: &'a Selection,
    filter: &'a VulFilter,
) -> impl Iterator<Item = (&'a Server, &'a HostVul)> + 'a {
    inventory.visible(selection).flat_map(move |server| {
        server
            .vuls
            .iter()
            .filter(move |v| filter.matches(&inventory.catalog[v.def], server, v))
            .map(move |v| (server, v))
    })
}

/// The query, the paging and the enterprise projects of a listing.
pub(crate) fn listing(
    ctx: &Ctx<'_>,
    raw_query: &str,
    own: &[&str],
) -> Result<(Query, crate::query::Paging, Selection), ApiError> {
    let mut known: Vec<&str> = crate::query::PAGING.to_vec();
    known.extend_from_slice(own);
    let query = Query::parse(raw_query, &known)?;
    let paging = query.paging()?;
    let selection = ctx.enterprise_project(query.enterprise_project()?)?;
    Ok((query, paging, selection))
}
