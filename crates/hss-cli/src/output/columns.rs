//! The columns of every record type the CLI lists, in table and CSV alike.
//!
//! Each listing shows what a security engineer acts on as columns: ids
//! first (to paste into the next command), then names, what is wrong and
//! how bad, then counts and times. Long free text (descriptions, repair
//! commands, URLs) goes to CSV only; JSON and NDJSON always carry the whole
//! record as the service sent it. Values are shown exactly as sent, values
//! this version does not know included; times (milliseconds since the Unix
//! epoch in the API) are shown as UTC to the second, `2023-03-17T08:40:08Z`.

use hss_api::types::{
    HostVulInfo, ShowVulScanPolicyResponse, ShowVulStaticsResponse, VulCve, VulHostInfo, VulInfo,
    VulScanTaskHostInfo, VulScanTaskInfo,
};

use super::{Column, Record};

/// Widest host name in a table, in display columns; longer ones end in `…`.
pub const HOST_NAME_WIDTH: usize = 28;
/// Widest host id in a table; ids are UUIDs (36) in practice.
pub const HOST_ID_WIDTH: usize = 36;
/// Widest vulnerability name in a table.
pub const VUL_NAME_WIDTH: usize = 40;
/// Widest list of CVEs in a table.
pub const CVE_WIDTH: usize = 40;

/// The failure causes of a host as (vulnerability type, reason) pairs:
/// `failed_reasons`, or when that is empty (the API is moving away from
/// it), the `vul_scan_details` entries that carry a `failed_reason`.
pub fn failures(host: &VulScanTaskHostInfo) -> Vec<(Option<&str>, Option<&str>)> {
    if !host.failed_reasons.is_empty() {
        return host
            .failed_reasons
            .iter()
            .map(|r| {
                (
                    r.vul_type.as_ref().map(|t| t.0.as_str()),
                    r.failed_reason.as_deref(),
                )
            })
            .filter(|pair| *pair != (None, None))
            .collect();
    }
    host.vul_scan_details
        .iter()
        .filter(|d| d.failed_reason.is_some())
        .map(|d| {
            (
                d.vul_type.as_ref().map(|t| t.0.as_str()),
                d.failed_reason.as_deref(),
            )
        })
        .collect()
}

/// `linux_vul: reason; web_cms: reason`; empty when the host has none.
pub fn failure_text(host: &VulScanTaskHostInfo) -> String {
    failures(host)
        .into_iter()
        .map(|pair| match pair {
            (Some(t), Some(r)) => format!("{t}: {r}"),
            (Some(t), None) => t.to_owned(),
            (None, Some(r)) => r.to_owned(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn some(text: &Option<String>) -> Option<String> {
    text.clone()
}

fn number<N: ToString>(n: &Option<N>) -> Option<String> {
    n.as_ref().map(ToString::to_string)
}

fn flag(b: &Option<bool>) -> Option<String> {
    b.map(|b| b.to_string())
}

fn list(items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| items.join(", "))
}

/// `CVE-2021-33909 (7.8), CVE-2021-3156`.
pub fn cves(list: &[VulCve]) -> Option<String> {
    let text: Vec<String> = list
        .iter()
        .filter_map(|c| {
            let id = c.cve_id.as_deref()?;
            Some(match c.cvss {
                // Scores have one decimal; the service's float may carry noise.
                Some(score) => format!("{id} ({score:.1})"),
                None => id.to_owned(),
            })
        })
        .collect();
    (!text.is_empty()).then(|| text.join(", "))
}

/// Milliseconds since the Unix epoch as UTC, `2023-03-17T08:40:08Z`;
/// with `millis`, `2023-03-17T08:40:08.195Z`. A value out of range (the
/// service sent something odd) is shown as the number.
pub fn utc(ms: i64, millis: bool) -> String {
    // Years 0 to 9999.
    if !(-62_167_219_200_000..=253_402_300_799_999).contains(&ms) {
        return ms.to_string();
    }
    let seconds = ms.div_euclid(1000);
    let fraction = ms.rem_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let in_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let (h, m, s) = (in_day / 3600, in_day % 3600 / 60, in_day % 60);
    if millis {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{fraction:03}Z")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a date of
/// the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A time to the second, in tables and CSV alike (JSON keeps the
/// milliseconds).
fn time(ms: &Option<i64>) -> Option<String> {
    ms.map(|ms| utc(ms, false))
}

impl Record for VulScanTaskHostInfo {
    const SINGULAR: &'static str = "host";
    const PLURAL: &'static str = "hosts";
    fn columns() -> &'static [Column<Self>] {
        const COLUMNS: &[Column<VulScanTaskHostInfo>] = &[
            Column::<VulScanTaskHostInfo>::text("HOST ID", "host_id", |h| some(&h.host_id))
                .width(HOST_ID_WIDTH),
            Column::<VulScanTaskHostInfo>::text("HOST NAME", "host_name", |h| some(&h.host_name))
                .width(HOST_NAME_WIDTH),
            Column::<VulScanTaskHostInfo>::text("PUBLIC IP", "public_ip", |h| some(&h.public_ip)),
            Column::<VulScanTaskHostInfo>::text("PRIVATE IP", "private_ip", |h| {
                some(&h.private_ip)
            }),
            Column::<VulScanTaskHostInfo>::text("ASSET", "asset_value", |h| some(&h.asset_value)),
            Column::<VulScanTaskHostInfo>::text("STATUS", "scan_status", |h| some(&h.scan_status)),
            Column::<VulScanTaskHostInfo>::text("FAILURE REASONS", "failed_reasons", |h| {
                Some(failure_text(h))
            }),
        ];
        COLUMNS
    }
}

impl Record for VulScanTaskInfo {
    const SINGULAR: &'static str = "scan task";
    const PLURAL: &'static str = "scan tasks";
    fn columns() -> &'static [Column<Self>] {
        const COLUMNS: &[Column<VulScanTaskInfo>] = &[
            Column::<VulScanTaskInfo>::text("TASK ID", "id", |t| some(&t.id)),
            Column::<VulScanTaskInfo>::text("TYPE", "scan_type", |t| some(&t.scan_type)),
            Column::<VulScanTaskInfo>::text("STATUS", "status", |t| some(&t.status)),
            Column::<VulScanTaskInfo>::text("STARTED", "start_time", |t| time(&t.start_time)),
            Column::<VulScanTaskInfo>::text("ENDED", "end_time", |t| time(&t.end_time)),
            Column::<VulScanTaskInfo>::text("VUL TYPES", "scan_vul_types", |t| {
                list(&t.scan_vul_types)
            }),
            Column::<VulScanTaskInfo>::number("SCANNING", "scanning_host_num", |t| {
                number(&t.scanning_host_num)
            }),
            Column::<VulScanTaskInfo>::number("SUCCEEDED", "success_host_num", |t| {
                number(&t.success_host_num)
            }),
            Column::<VulScanTaskInfo>::number("FAILED", "failed_host_num", |t| {
                number(&t.failed_host_num)
            }),
            Column::<VulScanTaskInfo>::number("ESTIMATED", "estimated_time", |t| {
                number(&t.estimated_time)
            }),
        ];
        COLUMNS
    }
}

impl Record for VulInfo {
    const SINGULAR: &'static str = "vulnerability";
    const PLURAL: &'static str = "vulnerabilities";
    fn columns() -> &'static [Column<Self>] {
        const COLUMNS: &[Column<VulInfo>] = &[
            Column::<VulInfo>::text("VUL ID", "vul_id", |v| some(&v.vul_id)),
            Column::<VulInfo>::text("NAME", "vul_name", |v| some(&v.vul_name))
                .width(VUL_NAME_WIDTH),
            Column::<VulInfo>::text("TYPE", "type", |v| some(&v.type_)),
            Column::<VulInfo>::text("SEVERITY", "severity_level", |v| some(&v.severity_level)),
            Column::<VulInfo>::text("PRIORITY", "repair_priority", |v| some(&v.repair_priority)),
            Column::<VulInfo>::text("CVES", "cve_list", |v| cves(&v.cve_list)).width(CVE_WIDTH),
            Column::<VulInfo>::number("HOSTS", "host_num", |v| number(&v.host_num)),
            Column::<VulInfo>::number("UNHANDLED", "unhandle_host_num", |v| {
                number(&v.unhandle_host_num)
            }),
            Column::<VulInfo>::number("FIXED", "fixed_num", |v| number(&v.fixed_num)),
            Column::<VulInfo>::number("IGNORED", "ignored_num", |v| number(&v.ignored_num)),
            Column::<VulInfo>::text("LABELS", "label_list", |v| list(&v.label_list)),
            Column::<VulInfo>::text("SCANNED", "scan_time", |v| time(&v.scan_time)),
            Column::<VulInfo>::text("NECESSITY", "repair_necessity", |v| {
                some(&v.repair_necessity)
            })
            .csv_only(),
            Column::<VulInfo>::number("VERIFIED", "verify_num", |v| number(&v.verify_num))
                .csv_only(),
            Column::<VulInfo>::number("REPAIRED", "repair_success_num", |v| {
                number(&v.repair_success_num)
            })
            .csv_only(),
            Column::<VulInfo>::text("HOST IDS", "host_id_list", |v| list(&v.host_id_list))
                .csv_only(),
            Column::<VulInfo>::text("DESCRIPTION", "description", |v| some(&v.description))
                .csv_only(),
            Column::<VulInfo>::text("SOLUTION", "solution_detail", |v| some(&v.solution_detail))
                .csv_only(),
            Column::<VulInfo>::text("URL", "url", |v| some(&v.url)).csv_only(),
            Column::<VulInfo>::text("PATCH URL", "patch_url", |v| some(&v.patch_url)).csv_only(),
        ];
        COLUMNS
    }
}

impl Record for VulHostInfo {
    const SINGULAR: &'static str = "host";
    const PLURAL: &'static str = "hosts";
    fn columns() -> &'static [Column<Self>] {
        const COLUMNS: &[Column<VulHostInfo>] = &[
            Column::<VulHostInfo>::text("HOST ID", "host_id", |h| some(&h.host_id))
                .width(HOST_ID_WIDTH),
            Column::<VulHostInfo>::text("HOST NAME", "host_name", |h| some(&h.host_name))
                .width(HOST_NAME_WIDTH),
            Column::<VulHostInfo>::text("HOST IP", "host_ip", |h| some(&h.host_ip)),
            Column::<VulHostInfo>::text("ASSET", "asset_value", |h| some(&h.asset_value)),
            Column::<VulHostInfo>::text("STATUS", "status", |h| some(&h.status)),
            Column::<VulHostInfo>::text("SEVERITY", "severity_level", |h| some(&h.severity_level)),
            Column::<VulHostInfo>::text("PRIORITY", "repair_priority", |h| {
                some(&h.repair_priority)
            }),
            Column::<VulHostInfo>::number("CVES", "cve_num", |h| number(&h.cve_num)),
            Column::<VulHostInfo>::text("OS", "os_name", |h| os(&h.os_name, &h.os_version)),
            Column::<VulHostInfo>::text("AGENT", "agent_status", |h| some(&h.agent_status)),
            Column::<VulHostInfo>::text("SCANNED", "scan_time", |h| time(&h.scan_time)),
            Column::<VulHostInfo>::text("FAILED REASON", "failed_reason", |h| {
                some(&h.failed_reason)
            }),
            Column::<VulHostInfo>::text("AGENT ID", "agent_id", |h| some(&h.agent_id)).csv_only(),
            Column::<VulHostInfo>::text("PUBLIC IP", "public_ip", |h| some(&h.public_ip))
                .csv_only(),
            Column::<VulHostInfo>::text("PRIVATE IP", "private_ip", |h| some(&h.private_ip))
                .csv_only(),
            Column::<VulHostInfo>::text("HOST STATUS", "host_status", |h| some(&h.host_status))
                .csv_only(),
            Column::<VulHostInfo>::text("GROUP", "group_name", |h| some(&h.group_name)).csv_only(),
            Column::<VulHostInfo>::text("OS TYPE", "os_type", |h| some(&h.os_type)).csv_only(),
            Column::<VulHostInfo>::text("OS VERSION", "os_version", |h| some(&h.os_version))
                .csv_only(),
            Column::<VulHostInfo>::text("KERNEL", "os_kernel", |h| some(&h.os_kernel)).csv_only(),
            Column::<VulHostInfo>::text("CVE IDS", "cve_id_list", |h| list(&h.cve_id_list))
                .csv_only(),
            Column::<VulHostInfo>::text("NECESSITY", "repair_necessity", |h| {
                some(&h.repair_necessity)
            })
            .csv_only(),
            Column::<VulHostInfo>::text("AFFECTS BUSINESS", "is_affect_business", |h| {
                flag(&h.is_affect_business)
            })
            .csv_only(),
            Column::<VulHostInfo>::text("APP PATH", "app_path", |h| some(&h.app_path)).csv_only(),
            Column::<VulHostInfo>::text("VERSION", "version", |h| some(&h.version)).csv_only(),
            Column::<VulHostInfo>::text("REPAIR COMMAND", "repair_cmd", |h| some(&h.repair_cmd))
                .csv_only(),
            Column::<VulHostInfo>::text("FIRST SCANNED", "first_scan_time", |h| {
                time(&h.first_scan_time)
            })
            .csv_only(),
            Column::<VulHostInfo>::text("REMARK", "remark", |h| some(&h.remark)).csv_only(),
            Column::<VulHostInfo>::text("REGION", "region_name", |h| some(&h.region_name))
                .csv_only(),
            Column::<VulHostInfo>::text("NODE TYPE", "node_type", |h| some(&h.node_type))
                .csv_only(),
        ];
        COLUMNS
    }
}

impl Record for HostVulInfo {
    const SINGULAR: &'static str = "vulnerability";
    const PLURAL: &'static str = "vulnerabilities";
    fn columns() -> &'static [Column<Self>] {
        const COLUMNS: &[Column<HostVulInfo>] = &[
            Column::<HostVulInfo>::text("VUL ID", "vul_id", |v| some(&v.vul_id)),
            Column::<HostVulInfo>::text("NAME", "vul_name", |v| some(&v.vul_name))
                .width(VUL_NAME_WIDTH),
            Column::<HostVulInfo>::text("TYPE", "type", |v| some(&v.type_)),
            Column::<HostVulInfo>::text("SEVERITY", "severity_level", |v| some(&v.severity_level)),
            Column::<HostVulInfo>::text("PRIORITY", "repair_priority", |v| {
                some(&v.repair_priority)
            }),
            Column::<HostVulInfo>::text("STATUS", "status", |v| some(&v.status)),
            Column::<HostVulInfo>::text("CVES", "cve_list", |v| cves(&v.cve_list)).width(CVE_WIDTH),
            Column::<HostVulInfo>::text("APP", "app_name", |v| app(&v.app_name, &v.app_version)),
            Column::<HostVulInfo>::text("SCANNED", "scan_time", |v| time(&v.scan_time)),
            Column::<HostVulInfo>::text("FAILED REASON", "failed_reason", |v| {
                some(&v.failed_reason)
            }),
            Column::<HostVulInfo>::text("NECESSITY", "repair_necessity", |v| {
                some(&v.repair_necessity)
            })
            .csv_only(),
            Column::<HostVulInfo>::text("LABELS", "label_list", |v| list(&v.label_list)).csv_only(),
            Column::<HostVulInfo>::text("AFFECTS BUSINESS", "is_affect_business", |v| {
                flag(&v.is_affect_business)
            })
            .csv_only(),
            Column::<HostVulInfo>::text("APP VERSION", "app_version", |v| some(&v.app_version))
                .csv_only(),
            Column::<HostVulInfo>::text("APP PATH", "app_path", |v| some(&v.app_path)).csv_only(),
            Column::<HostVulInfo>::text("REPAIR COMMAND", "repair_cmd", |v| some(&v.repair_cmd))
                .csv_only(),
            Column::<HostVulInfo>::text("FIRST SCANNED", "first_scan_time", |v| {
                time(&v.first_scan_time)
            })
            .csv_only(),
            Column::<HostVulInfo>::text("DESCRIPTION", "description", |v| some(&v.description))
                .csv_only(),
            Column::<HostVulInfo>::text("SOLUTION", "solution_detail", |v| {
                some(&v.solution_detail)
            })
            .csv_only(),
            Column::<HostVulInfo>::text("URL", "url", |v| some(&v.url)).csv_only(),
        ];
        COLUMNS
    }
}

impl Record for ShowVulStaticsResponse {
    const SINGULAR: &'static str = "statistics";
    const PLURAL: &'static str = "statistics";
    fn columns() -> &'static [Column<Self>] {
        const COLUMNS: &[Column<ShowVulStaticsResponse>] = &[
            Column::<ShowVulStaticsResponse>::number(
                "VULNERABLE HOSTS",
                "existed_vul_hosts",
                |s| number(&s.existed_vul_hosts),
            ),
            Column::<ShowVulStaticsResponse>::number("UNREPAIRED", "unrepair", |s| {
                number(&s.unrepair)
            }),
            Column::<ShowVulStaticsResponse>::number("URGENT", "need_urgent_repair", |s| {
                number(&s.need_urgent_repair)
            }),
            Column::<ShowVulStaticsResponse>::number("HANDLED TODAY", "today_handle", |s| {
                number(&s.today_handle)
            }),
            Column::<ShowVulStaticsResponse>::number("HANDLED", "all_handle", |s| {
                number(&s.all_handle)
            }),
            Column::<ShowVulStaticsResponse>::number("SUPPORTED", "supported", |s| {
                number(&s.supported)
            }),
            Column::<ShowVulStaticsResponse>::text(
                "LIBRARY UPDATED",
                "vul_library_update_time",
                |s| time(&s.vul_library_update_time),
            ),
        ];
        COLUMNS
    }
}

impl Record for ShowVulScanPolicyResponse {
    const SINGULAR: &'static str = "policy";
    const PLURAL: &'static str = "policies";
    fn columns() -> &'static [Column<Self>] {
        const COLUMNS: &[Column<ShowVulScanPolicyResponse>] = &[
            Column::<ShowVulScanPolicyResponse>::text("STATUS", "status", |p| some(&p.status)),
            Column::<ShowVulScanPolicyResponse>::text("PERIOD", "scan_period", |p| {
                some(&p.scan_period)
            }),
            Column::<ShowVulScanPolicyResponse>::text("VUL TYPES", "scan_vul_types", |p| {
                list(&p.scan_vul_types)
            }),
            Column::<ShowVulScanPolicyResponse>::text("RANGE", "scan_range_type", |p| {
                some(&p.scan_range_type)
            }),
            Column::<ShowVulScanPolicyResponse>::number("HOSTS", "total_host_num", |p| {
                number(&p.total_host_num)
            }),
            Column::<ShowVulScanPolicyResponse>::text("HOST IDS", "host_ids", |p| {
                list(&p.host_ids)
            }),
            Column::<ShowVulScanPolicyResponse>::text("DAYS", "time.day_part", |p| {
                let days = &p.time.as_ref()?.day_part;
                (!days.is_empty()).then(|| {
                    days.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
            }),
            Column::<ShowVulScanPolicyResponse>::text("AT", "time.hour_part:minute_part", |p| {
                let time = p.time.as_ref()?;
                Some(format!(
                    "{:02}:{:02}",
                    time.hour_part?,
                    time.minute_part.unwrap_or(0)
                ))
            }),
            Column::<ShowVulScanPolicyResponse>::number(
                "TIMEZONE OFFSET",
                "time.timezone_offset",
                |p| number(&p.time.as_ref()?.timezone_offset),
            ),
            Column::<ShowVulScanPolicyResponse>::text("NEXT SCAN", "time.next_scan_time", |p| {
                time(&p.time.as_ref()?.next_scan_time)
            }),
        ];
        COLUMNS
    }
}

fn os(name: &Option<String>, version: &Option<String>) -> Option<String> {
    match (name.as_deref(), version.as_deref()) {
        (Some(n), Some(v)) if !v.is_empty() && !n.contains(v) => Some(format!("{n} {v}")),
        (Some(n), _) => Some(n.to_owned()),
        (None, v) => v.map(str::to_owned),
    }
}

fn app(name: &Option<String>, version: &Option<String>) -> Option<String> {
    match (name.as_deref(), version.as_deref()) {
        (Some(n), Some(v)) if !v.is_empty() => Some(format!("{n} {v}")),
        (n, _) => n.map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::csv_header;

    #[test]
    fn times_are_utc() {
        assert_eq!(utc(0, false), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_679_042_408_195, false), "2023-03-17T08:40:08Z");
        assert_eq!(utc(1_679_042_408_195, true), "2023-03-17T08:40:08.195Z");
        assert_eq!(utc(951_782_400_000, false), "2000-02-29T00:00:00Z");
        assert_eq!(utc(-1, true), "1969-12-31T23:59:59.999Z");
        assert_eq!(utc(i64::MAX, false), i64::MAX.to_string());
        assert_eq!(utc(i64::MIN, true), i64::MIN.to_string());
    }

    #[test]
    fn cves_show_their_scores() {
        let list = [
            VulCve {
                cve_id: Some("CVE-1".into()),
                cvss: Some(7.8),
            },
            VulCve {
                cve_id: Some("CVE-2".into()),
                cvss: None,
            },
            VulCve::default(),
        ];
        assert_eq!(cves(&list).as_deref(), Some("CVE-1 (7.8), CVE-2"));
        assert_eq!(cves(&[]), None);
    }

    fn check<T: Record + 'static>() {
        let names = csv_header::<T>();
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        let titles: Vec<_> = T::columns().iter().map(|c| c.title).collect();
        let unique: std::collections::BTreeSet<_> = titles.iter().collect();
        assert_eq!(unique.len(), titles.len(), "{titles:?}");
        assert!(T::columns().iter().any(|c| !c.csv_only));
    }

    #[test]
    fn every_record_type_has_distinct_columns() {
        check::<VulScanTaskHostInfo>();
        check::<VulScanTaskInfo>();
        check::<VulInfo>();
        check::<VulHostInfo>();
        check::<HostVulInfo>();
        check::<ShowVulStaticsResponse>();
        check::<ShowVulScanPolicyResponse>();
    }

    #[test]
    fn an_empty_record_has_no_cells() {
        let v = VulInfo::default();
        assert!(VulInfo::columns().iter().all(|c| (c.value)(&v).is_none()));
        let h = HostVulInfo::default();
        assert!(
            HostVulInfo::columns()
                .iter()
                .all(|c| (c.value)(&h).is_none())
        );
    }
}
