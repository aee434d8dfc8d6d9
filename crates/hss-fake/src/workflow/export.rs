//! `ExportVuls`, `ListQueryExportTask` and `ListDownloadExportedFile`: an
//! export renders the rows the vulnerability listings would show into a
//! CSV file when it is asked for (so later changes do not alter it),
//! reports `running` for the configured export duration, then `success`
//! with the file's ID and name; the file downloads as it was rendered.

use std::collections::VecDeque;

use bytes::Bytes;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::answer::object_body;
use super::filter::{VulFilter, names, pairs};
use super::inventory::Inventory;
use super::rows::export_host_row;
use super::vuls::vulnerability_rows;
use super::{Answer, ApiError, Ctx};
use crate::data::mix;
use crate::json_body::Fields;
use crate::query::{Query, required};

const SALT_EXPORT: u64 = 0x6578_706f_7274_0000;

/// How many exports the fake keeps (the oldest and its file go first), so
/// that a client exporting in a loop cannot fill the memory.
const MAX_EXPORTS: usize = 32;

/// The exports asked for, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Exports {
    tasks: VecDeque<ExportTask>,
    created: u64,
}

#[derive(Debug)]
struct ExportTask {
    id: String,
    name: String,
    file_id: String,
    file_name: String,
    ready_at: OffsetDateTime,
    data: Bytes,
}

/// `ExportVuls`: `category` `vul` exports `ListVulnerabilities` rows (of
/// every type unless `type` says one), `host` the (server,
/// vulnerability) rows of `ListHostVuls` with their server's fields;
/// `export_headers` names the columns (`[field, title]`), a field a row
/// lacks gives an empty cell.
pub(crate) fn create(
    ctx: &Ctx<'_>,
    inventory: &Inventory,
    exports: &mut Exports,
    raw_query: &str,
    body: &[u8],
) -> Result<Answer, ApiError> {
    let mut known = vec![
        "enterprise_project_id",
        "host_id",
        "export_size",
        "category",
        "limit",
        "offset",
    ];
    known.extend_from_slice(&names::VUL);
    let query = Query::parse(raw_query, &known)?;
    let selection = ctx.enterprise_project(query.enterprise_project()?)?;
    let op = hss_operations::EXPORT_VULS;
    let size = required(query.int_of(op, "export_size")?, "export_size")? as usize;
    let category = required(query.one_of("category", &["vul", "host"])?, "category")?;
    query.int_of(op, "limit")?;
    let offset = query.int_of(op, "offset")?.unwrap_or(0) as usize;
    let filter = VulFilter::parse(&query, None)?;
    let map = object_body(body)?;
    let mut f = Fields::new("", &map);
    let headers = f.string_pairs("export_headers", (1, 10_000), 512)?;
    let vul_ids = f.strings("vul_id_list", (0, 10_000), (1, 512), None)?;
    let host_ids = f.strings("host_id_list", (0, 10_000), (1, 512), None)?;
    let headers = f.required("export_headers", headers)?;
    f.finish()?;
    let wanted = |list: &Option<Vec<String>>, id: &str| {
        list.as_ref()
            .is_none_or(|l| l.is_empty() || l.iter().any(|x| x == id))
    };
    let rows: Vec<Value> = if category == "vul" {
        vulnerability_rows(inventory, &selection, &filter)
            .into_iter()
            .filter(|r| wanted(&vul_ids, r["vul_id"].as_str().unwrap_or_default()))
            .collect()
    } else {
        pairs(inventory, &selection, &filter)
            .filter(|(s, v)| {
                wanted(&host_ids, s.host_id()) && wanted(&vul_ids, inventory.catalog[v.def].id)
            })
            .map(|(s, v)| export_host_row(inventory, s, v))
            .collect()
    };
    let rows = rows.get(offset..).unwrap_or(&[]);
    let data = csv(&headers, &rows[..rows.len().min(size)]);
    let mut rng = ChaCha8Rng::seed_from_u64(mix(mix(ctx.seed, SALT_EXPORT), exports.created));
    exports.created += 1;
    let hex = |rng: &mut ChaCha8Rng| -> String {
        (0..32)
            .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
            .collect()
    };
    let stamp = ctx.now;
    let file_name = format!(
        "vulnerabilities-{category}-{:04}{:02}{:02}{:02}{:02}{:02}-{}.csv",
        stamp.year(),
        u8::from(stamp.month()),
        stamp.day(),
        stamp.hour(),
        stamp.minute(),
        stamp.second(),
        exports.created
    );
    let task = ExportTask {
        id: hex(&mut rng),
        name: format!("export_vul_{category}"),
        file_id: hex(&mut rng),
        file_name,
        ready_at: super::after(ctx.now, ctx.options.export_duration),
        data: Bytes::from(data),
    };
    let id = task.id.clone();
    if exports.tasks.len() == MAX_EXPORTS {
        exports.tasks.pop_front();
    }
    exports.tasks.push_back(task);
    Ok(Answer::json(&json!({ "task_id": id })))
}

/// `ListQueryExportTask`.
pub(crate) fn query(
    ctx: &Ctx<'_>,
    exports: &Exports,
    task_id: &str,
    raw_query: &str,
) -> Result<Answer, ApiError> {
    let query = Query::parse(raw_query, &["enterprise_project_id"])?;
    ctx.enterprise_project(query.enterprise_project()?)?;
    let task = exports
        .tasks
        .iter()
        .find(|t| t.id == task_id)
        .ok_or_else(|| ApiError::not_found(&format!("export task {task_id} does not exist")))?;
    let mut out = Map::new();
    out.insert("task_id".into(), json!(task.id));
    out.insert("task_name".into(), json!(task.name));
    if task.ready_at <= ctx.now {
        out.insert("task_status".into(), json!("success"));
        out.insert("file_id".into(), json!(task.file_id));
        out.insert("file_name".into(), json!(task.file_name));
    } else {
        out.insert("task_status".into(), json!("running"));
    }
    Ok(Answer::json(&Value::Object(out)))
}

/// `ListDownloadExportedFile`: the file of a finished export.
pub(crate) fn download(
    ctx: &Ctx<'_>,
    exports: &Exports,
    file_id: &str,
    raw_query: &str,
) -> Result<Answer, ApiError> {
    let query = Query::parse(raw_query, &["enterprise_project_id"])?;
    ctx.enterprise_project(query.enterprise_project()?)?;
    let task = exports
        .tasks
        .iter()
        .find(|t| t.file_id == file_id && t.ready_at <= ctx.now)
        .ok_or_else(|| ApiError::not_found(&format!("file {file_id} does not exist")))?;
    Ok(Answer::File {
        name: task.file_name.clone(),
        data: task.data.clone(),
    })
}

/// The CSV of `rows` under `headers` (RFC 4180: CRLF, fields quoted when
/// they need it). A cell that a spreadsheet would run as a formula (`=`,
/// `+`, `-`, `@`, tab, CR first) gets a leading `'`, so an exported name
/// cannot execute when the report is opened.
fn csv(headers: &[(String, String)], rows: &[Value]) -> Vec<u8> {
    let mut out = String::new();
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = String>| {
        let cells: Vec<String> = cells.map(|c| cell(&c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(
        &mut out,
        &mut headers.iter().map(|(_, title)| title.clone()),
    );
    for row in rows {
        line(
            &mut out,
            &mut headers.iter().map(|(field, _)| text(row.get(field))),
        );
    }
    out.into_bytes()
}

fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::Object(_) => i.to_string(),
                other => text(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(";"),
        Some(other) => other.to_string(),
    }
}

fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_neutralises() {
        let headers = vec![
            ("a".to_owned(), "A".to_owned()),
            ("b".to_owned(), "B, too".to_owned()),
        ];
        let rows = vec![
            json!({"a": "plain", "b": ["x", "y"]}),
            json!({"a": "=cmd()", "b": "say \"hi\""}),
            json!({"a": 3}),
        ];
        let text = String::from_utf8(csv(&headers, &rows)).unwrap();
        assert_eq!(
            text,
            "A,\"B, too\"\r\nplain,x;y\r\n'=cmd(),\"say \"\"hi\"\"\"\r\n3,\r\n"
        );
    }
}
