//! `--summary`: hosts counted by scan status and by asset value, and
//! failure reasons counted by vulnerability type.
//!
//! The summary replaces the host list (so every format stays one kind of
//! document). Values are counted exactly as sent; known values come first
//! in the API's order, then values this version does not know, then hosts
//! without the field (`null` in JSON, empty in CSV, `-` in a table).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use hss_api::types::VulScanTaskHostInfo;
use hss_ext::{AssetValue, ScanStatus, VulType};
use serde::Serialize;

use crate::args::Format;
use crate::output::table::{Align, Table};
use crate::output::{Sink, cells, failures};

/// Counts over the hosts seen so far.
#[derive(Debug, Default)]
pub struct Summary {
    hosts: u64,
    scan_status: BTreeMap<Option<String>, u64>,
    asset_value: BTreeMap<Option<String>, u64>,
    /// (vulnerability type, reason) → hosts that report it.
    failures: BTreeMap<(Option<String>, Option<String>), u64>,
}

/// One count of the summary.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Count {
    /// The value counted; `None` for hosts without it.
    pub value: Option<String>,
    /// How many hosts have it.
    pub hosts: u64,
}

/// Hosts with one failure reason for one vulnerability type.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct FailureCount {
    /// The vulnerability type.
    pub vul_type: Option<String>,
    /// The reason, exactly as sent.
    pub failed_reason: Option<String>,
    /// How many hosts report it.
    pub hosts: u64,
}

/// The summary in the order it is shown (also its JSON shape).
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Hosts counted.
    pub hosts: u64,
    /// Hosts by scan status.
    pub scan_status: Vec<Count>,
    /// Hosts by asset value.
    pub asset_value: Vec<Count>,
    /// Failure reasons by vulnerability type.
    pub failed_reasons: Vec<FailureCount>,
}

impl Summary {
    /// Counts one host.
    pub fn add(&mut self, host: &VulScanTaskHostInfo) {
        self.hosts += 1;
        *self
            .scan_status
            .entry(host.scan_status.clone())
            .or_default() += 1;
        *self
            .asset_value
            .entry(host.asset_value.clone())
            .or_default() += 1;
        // A host counts once per (type, reason), however often it lists it.
        let pairs: BTreeSet<_> = failures(host)
            .into_iter()
            .map(|(t, r)| (t.map(str::to_owned), r.map(str::to_owned)))
            .collect();
        for pair in pairs {
            *self.failures.entry(pair).or_default() += 1;
        }
    }

    /// Hosts counted so far.
    #[cfg(any(feature = "demo", test))]
    pub fn hosts(&self) -> u64 {
        self.hosts
    }

    /// The counts, ordered for display.
    pub fn report(&self) -> Report {
        let counts = |map: &BTreeMap<Option<String>, u64>, rank: &dyn Fn(&str) -> usize| {
            let mut counts: Vec<Count> = map
                .iter()
                .map(|(value, &hosts)| Count {
                    value: value.clone(),
                    hosts,
                })
                .collect();
            counts.sort_by_key(|c| (value_rank(c.value.as_deref(), rank), c.value.clone()));
            counts
        };
        let mut failed_reasons: Vec<FailureCount> = self
            .failures
            .iter()
            .map(|((vul_type, failed_reason), &hosts)| FailureCount {
                vul_type: vul_type.clone(),
                failed_reason: failed_reason.clone(),
                hosts,
            })
            .collect();
        failed_reasons.sort_by(|a, b| {
            let type_key = |f: &FailureCount| {
                (
                    value_rank(f.vul_type.as_deref(), &vul_type_rank),
                    f.vul_type.clone(),
                )
            };
            type_key(a)
                .cmp(&type_key(b))
                .then(b.hosts.cmp(&a.hosts))
                .then_with(|| a.failed_reason.cmp(&b.failed_reason))
        });
        Report {
            hosts: self.hosts,
            scan_status: counts(&self.scan_status, &scan_status_rank),
            asset_value: counts(&self.asset_value, &asset_value_rank),
            failed_reasons,
        }
    }

    /// Writes the summary in `format`.
    pub fn write(&self, format: Format, out: &mut dyn Write) -> io::Result<()> {
        let report = self.report();
        match format {
            Format::Table => write_table(&report, out),
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, &report)?;
                writeln!(out)
            }
            Format::Ndjson => {
                for row in rows(&report) {
                    serde_json::to_writer(&mut *out, &row)?;
                    writeln!(out)?;
                }
                Ok(())
            }
            Format::Csv => {
                let mut csv = csv::Writer::from_writer(out);
                cells::write_row(&mut csv, ["group", "vul_type", "value", "hosts"])?;
                for row in rows(&report) {
                    cells::write_row(
                        &mut csv,
                        [
                            row.group.to_owned(),
                            row.vul_type.unwrap_or_default().to_owned(),
                            row.value.unwrap_or_default().to_owned(),
                            row.hosts.to_string(),
                        ],
                    )?;
                }
                csv.flush()
            }
        }
    }
}

/// Known values first (in the API's order), then unknown ones, then none.
fn value_rank(value: Option<&str>, rank: &dyn Fn(&str) -> usize) -> usize {
    match value {
        Some(v) => rank(v),
        None => usize::MAX,
    }
}

fn scan_status_rank(value: &str) -> usize {
    let parsed = ScanStatus::parse(value);
    ScanStatus::KNOWN
        .iter()
        .position(|k| *k == parsed)
        .unwrap_or(ScanStatus::KNOWN.len())
}

fn asset_value_rank(value: &str) -> usize {
    let parsed = AssetValue::parse(value);
    AssetValue::KNOWN
        .iter()
        .position(|k| *k == parsed)
        .unwrap_or(AssetValue::KNOWN.len())
}

fn vul_type_rank(value: &str) -> usize {
    let parsed = VulType::parse(value);
    VulType::KNOWN
        .iter()
        .position(|k| *k == parsed)
        .unwrap_or(VulType::KNOWN.len())
}

/// A summary line for `ndjson` and `csv`.
#[derive(Debug, Serialize)]
struct Row<'a> {
    group: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vul_type: Option<&'a str>,
    value: Option<&'a str>,
    hosts: u64,
}

fn rows(report: &Report) -> Vec<Row<'_>> {
    let mut rows = vec![Row {
        group: "hosts",
        vul_type: None,
        value: None,
        hosts: report.hosts,
    }];
    for (group, counts) in [
        ("scan_status", &report.scan_status),
        ("asset_value", &report.asset_value),
    ] {
        rows.extend(counts.iter().map(|c| Row {
            group,
            vul_type: None,
            value: c.value.as_deref(),
            hosts: c.hosts,
        }));
    }
    rows.extend(report.failed_reasons.iter().map(|f| Row {
        group: "failed_reason",
        vul_type: Some(f.vul_type.as_deref().unwrap_or("")),
        value: f.failed_reason.as_deref(),
        hosts: f.hosts,
    }));
    rows
}

fn shown(value: Option<&str>) -> &str {
    match value {
        Some(v) if !v.is_empty() => v,
        _ => "-",
    }
}

fn write_table(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let hosts = if report.hosts == 1 { "host" } else { "hosts" };
    writeln!(out, "Summary of {} {hosts}", report.hosts)?;
    for (title, counts) in [
        ("SCAN STATUS", &report.scan_status),
        ("ASSET VALUE", &report.asset_value),
    ] {
        writeln!(out)?;
        let mut table = Table::new([title, "HOSTS"]).align(1, Align::Right);
        for count in counts {
            table.row([shown(count.value.as_deref()), &count.hosts.to_string()]);
        }
        table.write(out)?;
    }
    writeln!(out)?;
    if report.failed_reasons.is_empty() {
        writeln!(out, "No failure reasons.")?;
        return Ok(());
    }
    let mut table = Table::new(["VUL TYPE", "FAILURE REASON", "HOSTS"]).align(2, Align::Right);
    for failure in &report.failed_reasons {
        table.row([
            shown(failure.vul_type.as_deref()),
            shown(failure.failed_reason.as_deref()),
            &failure.hosts.to_string(),
        ]);
    }
    table.write(out)
}

/// A [`Sink`] of hosts that only counts, and writes the summary at the end.
pub struct SummarySink<'a> {
    summary: Summary,
    format: Format,
    out: Box<dyn Write + 'a>,
}

impl<'a> SummarySink<'a> {
    /// Counts hosts and writes their summary in `format` to `out`.
    pub fn new(format: Format, out: Box<dyn Write + 'a>) -> Self {
        SummarySink {
            summary: Summary::default(),
            format,
            out,
        }
    }
}

impl Sink<VulScanTaskHostInfo> for SummarySink<'_> {
    fn record(&mut self, host: &VulScanTaskHostInfo, _: Option<&str>) -> io::Result<()> {
        self.summary.add(host);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.summary.write(self.format, &mut self.out)?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hss_api::types::FailedReason;

    fn host(status: Option<&str>, asset: &str, reasons: &[(&str, &str)]) -> VulScanTaskHostInfo {
        VulScanTaskHostInfo {
            scan_status: status.map(Into::into),
            asset_value: Some(asset.into()),
            failed_reasons: reasons
                .iter()
                .map(|(t, r)| FailedReason {
                    vul_type: Some(hss_api::types::VulType((*t).into())),
                    failed_reason: Some((*r).into()),
                })
                .collect(),
            ..Default::default()
        }
    }

    fn sample() -> Summary {
        let mut summary = Summary::default();
        for h in [
            host(Some("success"), "common", &[]),
            host(Some("paused"), "critical", &[]),
            host(None, "test", &[]),
            host(
                Some("failed"),
                "important",
                &[("web_cms", "timed out"), ("linux_vul", "offline")],
            ),
            host(
                Some("failed"),
                "common",
                &[("linux_vul", "offline"), ("linux_vul", "offline")],
            ),
            host(Some("failed"), "common", &[("linux_vul", "disk full")]),
            host(Some("scanning"), "common", &[("container_vul", "new")]),
        ] {
            summary.add(&h);
        }
        summary
    }

    #[test]
    fn counts_are_ordered_known_unknown_missing() {
        let report = sample().report();
        assert_eq!(report.hosts, 7);
        let values = |c: &[Count]| {
            c.iter()
                .map(|c| (c.value.clone().unwrap_or("<none>".into()), c.hosts))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            values(&report.scan_status),
            [
                ("scanning".into(), 1),
                ("success".into(), 1),
                ("failed".into(), 3),
                ("paused".into(), 1),
                ("<none>".into(), 1)
            ]
        );
        assert_eq!(
            values(&report.asset_value),
            [
                ("important".into(), 1),
                ("common".into(), 4),
                ("test".into(), 1),
                ("critical".into(), 1)
            ]
        );
        let failures: Vec<_> = report
            .failed_reasons
            .iter()
            .map(|f| {
                (
                    f.vul_type.clone().unwrap(),
                    f.failed_reason.clone().unwrap(),
                    f.hosts,
                )
            })
            .collect();
        assert_eq!(
            failures,
            [
                ("linux_vul".into(), "offline".into(), 2),
                ("linux_vul".into(), "disk full".into(), 1),
                ("web_cms".into(), "timed out".into(), 1),
                ("container_vul".into(), "new".into(), 1),
            ]
        );
    }

    #[test]
    fn table_layout() {
        let mut out = Vec::new();
        sample().write(Format::Table, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Summary of 7 hosts

SCAN STATUS  HOSTS
scanning         1
success          1
failed           3
paused           1
-                1

ASSET VALUE  HOSTS
important        1
common           4
test             1
critical         1

VUL TYPE       FAILURE REASON  HOSTS
linux_vul      offline             2
linux_vul      disk full           1
web_cms        timed out           1
container_vul  new                 1
"
        );
    }

    #[test]
    fn csv_and_ndjson_have_one_row_per_count() {
        let mut out = Vec::new();
        sample().write(Format::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "group,vul_type,value,hosts");
        assert_eq!(lines[1], "hosts,,,7");
        assert!(lines.contains(&"scan_status,,paused,1"));
        assert!(lines.contains(&"failed_reason,linux_vul,offline,2"));
        assert_eq!(lines.len(), 1 + 1 + 5 + 4 + 4);

        let mut out = Vec::new();
        sample().write(Format::Ndjson, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(
            first,
            serde_json::json!({"group": "hosts", "value": null, "hosts": 7})
        );
        assert_eq!(text.lines().count(), 14);
    }

    #[test]
    fn csv_cells_from_the_service_cannot_be_formulas() {
        let mut summary = Summary::default();
        summary.add(&host(Some("=1+1"), "@x", &[("-t", "+reason")]));
        let mut out = Vec::new();
        summary.write(Format::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.contains(&"scan_status,,'=1+1,1"), "{text}");
        assert!(lines.contains(&"asset_value,,'@x,1"), "{text}");
        assert!(lines.contains(&"failed_reason,'-t,'+reason,1"), "{text}");
    }

    #[test]
    fn no_failures_say_so() {
        let mut summary = Summary::default();
        summary.add(&host(Some("success"), "common", &[]));
        let mut out = Vec::new();
        summary.write(Format::Table, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("Summary of 1 host\n"), "{text}");
        assert!(text.ends_with("\nNo failure reasons.\n"), "{text}");
        assert_eq!(summary.hosts(), 1);
    }
}
