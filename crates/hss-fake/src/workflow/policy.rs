//! The vulnerability scan policy (`ShowVulScanPolicy` /
//! `ChangeVulScanPolicy`): one record per project, what was set is what
//! is shown; `total_host_num` counts the servers the policy covers.

use serde_json::json;

use super::answer::object_body;
use super::inventory::Inventory;
use super::{Answer, ApiError, Ctx};
use crate::data::vul_type;
use crate::json_body::Fields;
use crate::query::Query;

const PERIODS: [&str; 4] = ["one_day", "three_day", "one_week", "one_month"];
const RANGES: [&str; 2] = ["all_host", "specific_host"];

/// The policy as set.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Policy {
    scan_period: String,
    scan_vul_types: Vec<String>,
    scan_range_type: String,
    host_ids: Vec<String>,
    status: String,
    time: Time,
}

/// When the scan runs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
struct Time {
    day_part: Vec<i64>,
    hour_part: i64,
    minute_part: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_scan_time: Option<i64>,
    timezone_offset: i64,
}

impl Default for Time {
    /// 02:00 at GMT+8, every day of the period.
    fn default() -> Self {
        Time {
            day_part: Vec::new(),
            hour_part: 2,
            minute_part: 0,
            next_scan_time: None,
            timezone_offset: -480,
        }
    }
}

impl Default for Policy {
    /// A daily scan of every type but emergency vulnerabilities on every
    /// host, on: what a new account has.
    fn default() -> Self {
        Policy {
            scan_period: "one_day".to_owned(),
            scan_vul_types: [
                vul_type::LINUX_VUL,
                vul_type::WINDOWS_VUL,
                vul_type::WEB_CMS,
                vul_type::APP_VUL,
            ]
            .map(str::to_owned)
            .into(),
            scan_range_type: "all_host".to_owned(),
            host_ids: Vec::new(),
            status: "open".to_owned(),
            time: Time::default(),
        }
    }
}

/// `ShowVulScanPolicy`.
pub(crate) fn show(
    ctx: &Ctx<'_>,
    policy: &Policy,
    inventory: &Inventory,
    raw_query: &str,
) -> Result<Answer, ApiError> {
    let query = Query::parse(raw_query, &["enterprise_project_id"])?;
    let selection = ctx.enterprise_project(query.enterprise_project()?)?;
    let total = if policy.scan_range_type == "all_host" {
        inventory.visible(&selection).count()
    } else {
        policy.host_ids.len()
    };
    Ok(Answer::json(&json!({
        "scan_period": policy.scan_period,
        "scan_vul_types": policy.scan_vul_types,
        "scan_range_type": policy.scan_range_type,
        "host_ids": policy.host_ids,
        "total_host_num": total,
        "status": policy.status,
        "time": policy.time,
    })))
}

/// `ChangeVulScanPolicy`: `scan_period`, `scan_range_type` and `status`
/// are required, `host_ids` too for `specific_host` (each a server of the
/// project).
pub(crate) fn change(
    ctx: &Ctx<'_>,
    policy: &mut Policy,
    inventory: &Inventory,
    raw_query: &str,
    body: &[u8],
) -> Result<Answer, ApiError> {
    let query = Query::parse(raw_query, &["enterprise_project_id"])?;
    ctx.enterprise_project(query.enterprise_project()?)?;
    let map = object_body(body)?;
    let mut f = Fields::new("", &map);
    let period = f.one_of("scan_period", &PERIODS)?;
    let range = f.one_of("scan_range_type", &RANGES)?;
    let status = f.one_of("status", &["open", "close"])?;
    let host_ids = f.strings("host_ids", (0, 20_000), (1, 128), None)?;
    let types = f.strings("scan_vul_types", (0, 5), (1, 32), Some(&vul_type::ALL))?;
    let time = match f.object("time")? {
        None => None,
        Some(mut t) => {
            let old = &policy.time;
            let time = Time {
                day_part: t
                    .ints("day_part", (0, 31), 0, 31)?
                    .unwrap_or_else(|| old.day_part.clone()),
                hour_part: t.int("hour_part", 0, 23)?.unwrap_or(old.hour_part),
                minute_part: t.int("minute_part", 0, 59)?.unwrap_or(old.minute_part),
                next_scan_time: t.int("next_scan_time", 0, i64::MAX)?.or(old.next_scan_time),
                timezone_offset: t
                    .int("timezone_offset", -840, 720)?
                    .unwrap_or(old.timezone_offset),
            };
            t.finish()?;
            Some(time)
        }
    };
    let period = f.required("scan_period", period)?;
    let range = f.required("scan_range_type", range)?;
    let status = f.required("status", status)?;
    let host_ids_given = host_ids.filter(|h| !h.is_empty());
    f.finish()?;
    let host_ids = if range == "specific_host" {
        let ids = host_ids_given.ok_or_else(|| {
            ApiError::invalid(
                "Invalid request body: host_ids is required for specific_host".to_owned(),
            )
        })?;
        if let Some(unknown) = ids.iter().find(|id| inventory.server(id).is_none()) {
            return Err(ApiError::not_found(&format!(
                "host {unknown} does not exist"
            )));
        }
        ids
    } else {
        Vec::new()
    };
    *policy = Policy {
        scan_period: period,
        scan_vul_types: types.unwrap_or_else(|| policy.scan_vul_types.clone()),
        scan_range_type: range,
        host_ids,
        status,
        time: time.unwrap_or_else(|| policy.time.clone()),
    };
    Ok(Answer::Empty)
}
