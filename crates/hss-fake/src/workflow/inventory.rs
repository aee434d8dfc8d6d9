//! The project's servers and the vulnerabilities each one has.
//!
//! The servers are the hosts of the dataset the fake started with, across
//! its tasks, the first of each `host_id` (hosts added to a task later are
//! not servers). Server `i` gets its agent ID, whether it affects business
//! and its vulnerabilities from its own RNG seeded with `(seed, i)`, so the
//! same seed gives the same vulnerabilities.

use std::collections::HashMap;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::OffsetDateTime;

use super::catalog::{Os, VulDef, catalog};
use super::status::{HostVulStatus, VulState, VulStatus};
use super::{Selection, millis};
use crate::data::{Dataset, HostInfo, mix, pick_distinct, vul_type};

const SALT_VULS: u64 = 0x7675_6c73_0000_0000;

/// A server of the project.
#[derive(Debug)]
pub(crate) struct Server {
    pub(crate) ep: String,
    pub(crate) info: HostInfo,
    pub(crate) agent_id: String,
    pub(crate) windows: bool,
    pub(crate) affects_business: bool,
    pub(crate) vuls: Vec<HostVul>,
}

impl Server {
    pub(crate) fn host_id(&self) -> &str {
        self.info.host_id.as_deref().unwrap_or_default()
    }

    /// `Windows` or `Linux`, as `os_type` says it.
    pub(crate) fn os_type(&self) -> &'static str {
        if self.windows { "Windows" } else { "Linux" }
    }

    /// The address the vulnerability lists show: the private one.
    pub(crate) fn host_ip(&self) -> &str {
        self.info.private_ip.as_deref().unwrap_or_default()
    }
}

/// One vulnerability on one server.
#[derive(Debug)]
pub(crate) struct HostVul {
    /// Index in the catalog.
    pub(crate) def: usize,
    pub(crate) state: VulState,
    pub(crate) first_scan_ms: i64,
    pub(crate) scan_ms: i64,
}

/// The servers, their vulnerabilities and the catalog they come from.
#[derive(Debug)]
pub(crate) struct Inventory {
    pub(crate) catalog: Vec<VulDef>,
    pub(crate) servers: Vec<Server>,
    by_host: HashMap<String, usize>,
    by_agent: HashMap<String, usize>,
    /// Per `vul_id`, the (server, vulnerability) positions that have it, in
    /// server order: what `ListVulHosts` would find by filtering every
    /// server. Which server has which vulnerability never changes (only
    /// their statuses do, which the filter still checks per request), so
    /// it is built once and never goes stale.
    by_vul: HashMap<&'static str, Vec<(u32, u32)>>,
    /// The earliest time a pending repair or verification settles; `None`
    /// when none is pending, so [`Inventory::settle`] has nothing to do.
    next_due: Option<OffsetDateTime>,
    /// Moves on with every change to a status, so that what was selected
    /// from the statuses before is known to be old.
    generation: u64,
    /// When the vulnerability library was last updated (the fake's start).
    pub(crate) library_updated_ms: i64,
}

impl Inventory {
    pub(crate) fn build(dataset: &Dataset, seed: u64, now: OffsetDateTime) -> Inventory {
        let catalog = catalog();
        let now_ms = millis(now);
        let mut servers = Vec::new();
        let mut by_host = HashMap::new();
        let mut by_agent = HashMap::new();
        for host in dataset.tasks.iter().flat_map(|t| &t.hosts) {
            let Some(host_id) = host.info.host_id.clone() else {
                continue;
            };
            if by_host.contains_key(&host_id) {
                continue;
            }
            let index = servers.len();
            let mut rng = ChaCha8Rng::seed_from_u64(mix(mix(seed, SALT_VULS), index as u64));
            let windows = is_windows(&host.info);
            let agent_id: String = (0..64)
                .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
                .collect();
            let affects_business = rng.random_bool(0.3);
            let vuls = generate_vuls(&mut rng, &catalog, windows, now_ms);
            by_host.insert(host_id, index);
            by_agent.insert(agent_id.clone(), index);
            servers.push(Server {
                ep: host.enterprise_project_id.clone(),
                info: host.info.clone(),
                agent_id,
                windows,
                affects_business,
                vuls,
            });
        }
        let mut by_vul: HashMap<&'static str, Vec<(u32, u32)>> = HashMap::new();
        for (s, server) in servers.iter().enumerate() {
            for (v, vul) in server.vuls.iter().enumerate() {
                // Positions fit: at most u32::MAX hosts (see the store) and
                // a handful of vulnerabilities each.
                by_vul
                    .entry(catalog[vul.def].id)
                    .or_default()
                    .push((s as u32, v as u32));
            }
        }
        let mut inventory = Inventory {
            catalog,
            servers,
            by_host,
            by_agent,
            by_vul,
            next_due: None,
            generation: 0,
            library_updated_ms: now_ms,
        };
        inventory.note_changes();
        inventory
    }

    /// Takes every repair or verification that is due at `now`; costs
    /// nothing until the earliest pending one is due.
    pub(crate) fn settle(&mut self, now: OffsetDateTime) {
        if self.next_due.is_none_or(|due| due > now) {
            return;
        }
        for vul in self.servers.iter_mut().flat_map(|s| &mut s.vuls) {
            vul.state.settle(now);
        }
        self.note_changes();
    }

    /// Call after changing any status (`ChangeVulStatus`, settling): moves
    /// the generation on and recomputes when the next pending change
    /// settles.
    pub(crate) fn note_changes(&mut self) {
        self.generation += 1;
        self.next_due = self
            .servers
            .iter()
            .flat_map(|s| &s.vuls)
            .filter_map(|v| v.state.pending.map(|(at, _)| at))
            .min();
    }

    /// Which state the statuses are in: equal generations, equal statuses.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// The (server, vulnerability) positions with `vul_id`, in server
    /// order, whatever their status.
    pub(crate) fn with_vul_positions(&self, vul_id: &str) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.by_vul
            .get(vul_id)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .copied()
    }

    pub(crate) fn server(&self, host_id: &str) -> Option<&Server> {
        self.by_host.get(host_id).map(|&i| &self.servers[i])
    }

    pub(crate) fn server_index(&self, host_id: &str) -> Option<usize> {
        self.by_host.get(host_id).copied()
    }

    pub(crate) fn by_agent(&self, agent_id: &str) -> Option<&Server> {
        self.by_agent.get(agent_id).map(|&i| &self.servers[i])
    }

    /// The servers an enterprise-project selection sees, in order.
    pub(crate) fn visible<'a>(
        &'a self,
        selection: &'a Selection,
    ) -> impl Iterator<Item = &'a Server> + 'a {
        self.servers
            .iter()
            .filter(move |s| selection.contains(&s.ep))
    }

    pub(crate) fn server_ids(&self) -> Vec<String> {
        self.servers
            .iter()
            .map(|s| s.host_id().to_owned())
            .collect()
    }

    pub(crate) fn agent_id(&self, host_id: &str) -> Option<String> {
        self.server(host_id).map(|s| s.agent_id.clone())
    }

    pub(crate) fn host_vuls(&self, host_id: &str) -> Option<Vec<HostVulStatus>> {
        let server = self.server(host_id)?;
        Some(
            server
                .vuls
                .iter()
                .map(|v| {
                    let def = &self.catalog[v.def];
                    HostVulStatus {
                        vul_id: def.id.to_owned(),
                        vul_type: def.vul_type.to_owned(),
                        status: v.state.status.as_str().to_owned(),
                        severity_level: def.severity().to_owned(),
                    }
                })
                .collect(),
        )
    }
}

/// A host is a Windows server when it was scanned for Windows
/// vulnerabilities (or, without details, when its name says so).
fn is_windows(info: &HostInfo) -> bool {
    match &info.vul_scan_details {
        Some(details) if !details.is_empty() => details
            .iter()
            .any(|d| d.vul_type.as_deref() == Some(vul_type::WINDOWS_VUL)),
        _ => info.host_name.as_deref().is_some_and(|n| n.contains("win")),
    }
}

/// The vulnerabilities of one server: up to four of its OS, maybe a
/// Web-CMS one, up to two application ones and now and then an emergency
/// one, mostly still to handle.
fn generate_vuls(
    rng: &mut ChaCha8Rng,
    catalog: &[VulDef],
    windows: bool,
    now_ms: i64,
) -> Vec<HostVul> {
    let fits = |d: &VulDef| match d.os {
        Os::Any => true,
        Os::Windows => windows,
        Os::Linux => !windows,
    };
    let os_type = if windows {
        vul_type::WINDOWS_VUL
    } else {
        vul_type::LINUX_VUL
    };
    let plan = [
        (os_type, rng.random_range(0..=4usize)),
        (vul_type::WEB_CMS, usize::from(rng.random_bool(0.25))),
        (
            vul_type::APP_VUL,
            if rng.random_bool(0.4) {
                rng.random_range(1..=2)
            } else {
                0
            },
        ),
        (vul_type::URGENT_VUL, usize::from(rng.random_bool(0.15))),
    ];
    let mut vuls = Vec::new();
    for (vtype, count) in plan {
        let candidates: Vec<usize> = (0..catalog.len())
            .filter(|&i| catalog[i].vul_type == vtype && fits(&catalog[i]))
            .collect();
        let mut chosen: Vec<usize> = pick_distinct(rng, candidates.len(), count)
            .into_iter()
            .map(|k| candidates[k])
            .collect();
        chosen.sort_unstable();
        for def in chosen {
            let status = match rng.random_range(0..100u8) {
                0..72 => VulStatus::Unfix,
                72..80 => VulStatus::Ignored,
                80..92 => VulStatus::Fixed,
                92..96 => VulStatus::Failed,
                96..98 => VulStatus::Reboot,
                _ => VulStatus::FixAfterReboot,
            };
            let day = 86_400_000;
            let first_scan_ms = now_ms - rng.random_range(day..90 * day);
            let scan_ms = now_ms - rng.random_range(0..day);
            vuls.push(HostVul {
                def,
                state: VulState::new(status),
                first_scan_ms,
                scan_ms,
            });
        }
    }
    vuls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::GenerateOptions;

    #[test]
    fn servers_are_the_dataset_hosts_with_seeded_vulnerabilities() {
        let data = Dataset::generate(&GenerateOptions {
            seed: 5,
            hosts_per_task: 300,
            ..GenerateOptions::default()
        });
        let a = Inventory::build(
            &data,
            5,
            OffsetDateTime::UNIX_EPOCH + time::Duration::days(400),
        );
        let b = Inventory::build(
            &data,
            5,
            OffsetDateTime::UNIX_EPOCH + time::Duration::days(400),
        );
        assert_eq!(a.servers.len(), 300);
        let statuses = |i: &Inventory| -> Vec<(usize, VulStatus)> {
            i.servers
                .iter()
                .flat_map(|s| s.vuls.iter().map(|v| (v.def, v.state.status)))
                .collect()
        };
        assert_eq!(statuses(&a), statuses(&b));
        assert!(a.servers.iter().any(|s| s.windows));
        for s in &a.servers {
            for v in &s.vuls {
                let def = &a.catalog[v.def];
                let os_ok = match def.os {
                    Os::Any => true,
                    Os::Windows => s.windows,
                    Os::Linux => !s.windows,
                };
                assert!(os_ok, "{} on {}", def.id, s.host_id());
            }
            assert_eq!(a.by_agent(&s.agent_id).unwrap().host_id(), s.host_id());
        }
        let types: std::collections::HashSet<_> = a
            .servers
            .iter()
            .flat_map(|s| s.vuls.iter().map(|v| a.catalog[v.def].vul_type))
            .collect();
        assert_eq!(types.len(), 5, "{types:?}");
    }
}
