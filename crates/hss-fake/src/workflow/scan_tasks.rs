//! `CreateVulnerabilityScanTask` and `ListVulScanTask`: a created task is
//! a task of the store (so `ListVulScanTaskHost` lists its hosts) whose
//! hosts start `scanning` and finish over the configured scan duration;
//! the listing shows every task of the store, its counts taken from its
//! hosts, so they always agree with `ListVulScanTaskHost`.

use std::collections::HashMap;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use time::OffsetDateTime;

use super::answer::object_body;
use super::inventory::{Inventory, Server};
use super::{Answer, ApiError, Ctx, millis};
use crate::data::{Host, TaskData, mix, scan_status, scanning_host, vul_type};
use crate::json_body::Fields;
use crate::motion::PlannedScan;
use crate::query::Query;
use crate::store::TaskSnapshot;

/// `ListVulScanTask` documents `limit` from 0 (the other listings from 10).
const MIN_LIMIT: u32 = hss_operations::LIST_VUL_SCAN_TASK
    .expect_offset_limit()
    .min_page();

const SALT_CREATED: u64 = 0x7363_616e_7461_736b;

/// Most tasks the API may create in one fake: each copies its hosts.
const MAX_CREATED: usize = 1_000;

/// How long before the fake started its dataset's tasks started, and how
/// long those that had finished took.
const DATASET_TASK_AGE: time::Duration = time::Duration::hours(1);
const DATASET_TASK_LENGTH: time::Duration = time::Duration::minutes(20);

/// What the fake remembers of the tasks created through the API.
#[derive(Debug, Default)]
pub(crate) struct CreatedTasks {
    types: HashMap<String, Vec<String>>,
    created: u64,
}

/// `CreateVulnerabilityScanTask`.
pub(crate) fn create(
    ctx: &Ctx<'_>,
    inventory: &Inventory,
    tasks: &mut CreatedTasks,
    raw_query: &str,
    body: &[u8],
) -> Result<Answer, ApiError> {
    let query = Query::parse(raw_query, &["enterprise_project_id"])?;
    let selection = ctx.enterprise_project(query.enterprise_project()?)?;
    let map = object_body(body)?;
    let mut f = Fields::new("", &map);
    let types = f.strings("manual_scan_type", (1, 200), (1, 32), Some(&vul_type::ALL))?;
    let mut types = f.required("manual_scan_type", types)?;
    types.dedup();
    let batch = f.boolean("batch_flag")?.unwrap_or(false);
    let range = f.one_of("range_type", &["all_host", "specific_host"])?;
    let agents = f.strings("agent_id_list", (1, 200), (1, 64), None)?;
    let urgent = f.strings("urgent_vul_id_list", (1, 200), (1, 32), None)?;
    let all = match range.as_deref() {
        Some("all_host") => true,
        Some(_) => false,
        None => batch,
    };
    let servers: Vec<&Server> = if all {
        inventory.visible(&selection).collect()
    } else {
        let agents = f.required("agent_id_list", agents)?;
        let mut servers: Vec<&Server> = Vec::new();
        for agent in &agents {
            let server = inventory
                .by_agent(agent)
                .filter(|s| selection.contains(&s.ep))
                .ok_or_else(|| ApiError::not_found(&format!("agent {agent} does not exist")))?;
            if !servers.iter().any(|s| s.agent_id == server.agent_id) {
                servers.push(server);
            }
        }
        servers
    };
    f.finish()?;
    if servers.is_empty() {
        return Err(ApiError::not_found(
            "no host to scan in the enterprise project",
        ));
    }
    if tasks.types.len() >= MAX_CREATED {
        return Err(ApiError::invalid(format!(
            "Invalid request: at most {MAX_CREATED} scan tasks can be created"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(mix(mix(ctx.seed, SALT_CREATED), tasks.created));
    tasks.created += 1;
    let task_id: String = (0..32)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect();
    let hosts: Vec<Host> = servers
        .iter()
        .map(|s| Host {
            enterprise_project_id: s.ep.clone(),
            info: scanning_host(&s.info, &types, urgent.as_deref(), s.windows),
        })
        .collect();
    let planned = PlannedScan::new(
        hosts.len(),
        ctx.options.scan_duration,
        ctx.options.scan_failed_percent,
    );
    ctx.store.insert_planned_task(
        TaskData {
            task_id: task_id.clone(),
            hosts,
        },
        planned,
        ctx.now,
    );
    tasks.types.insert(task_id.clone(), types);
    Ok(Answer::json(&serde_json::json!({ "task_id": task_id })))
}

/// One element of `ListVulScanTask`'s `data_list`.
#[derive(Debug, Serialize)]
struct TaskInfo {
    id: String,
    scan_type: &'static str,
    start_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time: Option<i64>,
    scan_vul_types: Vec<String>,
    status: &'static str,
    scanning_host_num: usize,
    success_host_num: usize,
    failed_host_num: usize,
    estimated_time: u64,
}

/// `ListVulScanTask`: newest first.
pub(crate) fn list(
    ctx: &Ctx<'_>,
    tasks: &CreatedTasks,
    raw_query: &str,
) -> Result<Answer, ApiError> {
    let mut known = crate::query::PAGING.to_vec();
    known.extend(["scan_type", "task_id", "min_start_time", "max_start_time"]);
    let query = Query::parse(raw_query, &known)?;
    let paging = query.paging_from(MIN_LIMIT)?;
    let selection = ctx.enterprise_project(query.enterprise_project()?)?;
    let scan_type = query.one_of("scan_type", &["manual", "schedule"])?;
    let task_id = query.string("task_id", 256)?;
    let min = query.int64("min_start_time", 0, 9_999_999_999_999)?;
    let max = query.int64("max_start_time", 0, 9_999_999_999_999)?;
    let mut rows: Vec<TaskInfo> = ctx
        .store
        .task_ids()
        .into_iter()
        .filter(|id| task_id.as_ref().is_none_or(|t| t == id))
        .filter_map(|id| {
            let snapshot = ctx.store.task(&id)?;
            Some(task_info(
                ctx.now,
                &id,
                &snapshot,
                tasks.types.get(&id),
                selection.as_store_key(),
            ))
        })
        .filter(|t| scan_type.as_deref().is_none_or(|s| s == t.scan_type))
        .filter(|t| min.is_none_or(|m| t.start_time >= m) && max.is_none_or(|m| t.start_time <= m))
        .collect();
    rows.sort_by_key(|t| std::cmp::Reverse(t.start_time));
    Ok(Answer::page(rows.len(), paging.slice(&rows)))
}

fn task_info(
    now: OffsetDateTime,
    id: &str,
    task: &TaskSnapshot,
    created_types: Option<&Vec<String>>,
    ep: &str,
) -> TaskInfo {
    let count = |status| task.select(ep, Some(status)).len();
    let scanning = count(scan_status::SCANNING);
    let timeline = task.timeline();
    let origin = timeline.origin();
    let created = created_types.is_some();
    let start = if created {
        origin
    } else {
        origin - DATASET_TASK_AGE
    };
    let end = match timeline.ended_at() {
        _ if scanning > 0 => None,
        // Finished before the fake started.
        Some(end) if !created && end == origin => Some(start.saturating_add(DATASET_TASK_LENGTH)),
        end => end,
    };
    TaskInfo {
        id: id.to_owned(),
        scan_type: if created { "manual" } else { "schedule" },
        start_time: millis(start),
        end_time: end.map(millis),
        scan_vul_types: created_types
            .cloned()
            .unwrap_or_else(|| types_of(task.hosts())),
        status: if scanning > 0 { "running" } else { "finished" },
        scanning_host_num: scanning,
        success_host_num: count(scan_status::SUCCESS),
        failed_host_num: count(scan_status::FAILED),
        estimated_time: if scanning > 0 {
            timeline.remaining_secs(now).unwrap_or(0)
        } else {
            0
        },
    }
}

/// The types a task scanned, from its first hosts' details.
fn types_of(hosts: &[Host]) -> Vec<String> {
    let mut seen = [false; vul_type::ALL.len()];
    for detail in hosts
        .iter()
        .take(2_000)
        .flat_map(|h| h.info.vul_scan_details.iter().flatten())
    {
        if let Some(i) = vul_type::ALL
            .iter()
            .position(|t| Some(*t) == detail.vul_type.as_deref())
        {
            seen[i] = true;
        }
    }
    vul_type::ALL
        .iter()
        .zip(seen)
        .filter(|(_, s)| *s)
        .map(|(t, _)| (*t).to_owned())
        .collect()
}
