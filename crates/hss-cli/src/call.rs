//! `hss call`: any operation of the spec from the shell, driven by the
//! operation table (`hss_operations`) alone, so a new operation costs no
//! line here.
//!
//! After `OPERATION` (its id, `ListHostStatus`, or kebab-case,
//! `list-host-status`), each `--NAME VALUE` is either one of hss's own
//! options ([`CallOptions`]: connection, `--param`, `--body`, `--yes`,
//! `--dry-run`, `-o`) or a parameter of the operation by its wire name
//! (`--enterprise_project_id`, or `--enterprise-project-id`). hss's own
//! options win: a parameter named like one (the `region` header of many
//! operations) goes through `--param region=VALUE`, which takes any
//! parameter. A list parameter repeats its flag. The fields of a form body
//! (`multipart/form-data`, `UploadReportLogo`) are flags too, and `@PATH`
//! sends a file (named as the path's file name). Values are checked against
//! the spec before anything is sent (exit 2, naming the parameter); the
//! answer is written as the service sent it.

use std::io::{self, Read as _, Write};

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser};
use hss_ext::OperationRequest;
use hss_operations::{Location, Method, Operation, Type, check};

use crate::args::{AllArgs, CallArgs, ChangeArgs, ConnectionArgs, Format};
use crate::change::{self, Mode};
use crate::connect;
use crate::exit::UsageError;
use crate::{call_output, listing};

/// hss's own options of `hss call`, read from among the operation's
/// parameters.
#[derive(Debug, Parser)]
#[command(name = "hss call OPERATION", disable_help_flag = true)]
pub struct CallOptions {
    /// A parameter of the operation as NAME=VALUE (any parameter, also one
    /// named like an option of hss).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,

    /// The JSON body: the text itself, @FILE, or - for stdin.
    #[arg(long, value_name = "JSON|@FILE|-")]
    body: Option<String>,

    /// Output: json, the answer as the service sent it (with --all, the
    /// items as one array); ndjson, one item per line; csv or table, the
    /// items' scalar fields.
    #[arg(long, short = 'o', value_name = "FORMAT", value_enum, default_value_t = Format::Json)]
    output: Format,

    /// --all (every page of a listing operation) and how it pages.
    #[command(flatten)]
    pages: AllArgs,

    /// Confirmation and dry run.
    #[command(flatten)]
    change: ChangeArgs,

    /// Project, region and endpoint.
    #[command(flatten)]
    connection: ConnectionArgs,
}

/// What `hss call` answers without sending anything: the list of
/// operations and the help. `None` when it is a call to make.
///
/// `main` asks this before it starts the async runtime, whose threads
/// would cost `hss call --list` more than the listing itself.
pub fn answer_offline(args: &CallArgs) -> Option<Result<()>> {
    if let Some(group) = &args.list {
        return Some(list(Some(group.as_str()).filter(|g| !g.is_empty())));
    }
    if args.help && args.operation.is_none() {
        let mut command = crate::args::Cli::command();
        command.build();
        let call = command
            .find_subcommand_mut("call")
            .expect("hss has a call command");
        return Some(write_out(call.render_long_help().to_string()));
    }
    let Some(name) = &args.operation else {
        return Some(Err(UsageError(
            "name an operation (`hss call ListHostGroups`), or list them with `hss call --list`"
                .into(),
        )
        .into()));
    };
    if args.help || args.args.iter().any(|a| a == "--help" || a == "-h") {
        return Some(find(name).and_then(|op| write_out(describe(op))));
    }
    None
}

/// Runs `hss call`.
pub async fn run(args: &CallArgs) -> Result<()> {
    if let Some(answer) = answer_offline(args) {
        return answer;
    }
    let name = args.operation.as_deref().unwrap_or_default();
    let op = find(name)?;
    let (options, request) = parse(op, &args.args)?;
    let mode = if op.method == Method::Get {
        if options.change.dry_run {
            Mode::DryRun
        } else {
            Mode::Send
        }
    } else {
        change::precheck(&options.change, &format!("send {} ({})", op.id, op.method))?
    };
    request.check()?;
    if options.pages.all && op.list.is_none() {
        return Err(UsageError(format!(
            "--all reads every page of a listing; {} is not paged by offset and limit",
            op.id
        ))
        .into());
    }
    if mode == Mode::DryRun {
        let client = change::dry_run_client(&options.connection)?;
        // The form's parts, by size: a file's bytes are no text to show.
        let form: Vec<String> = request
            .form_fields()
            .map(|(name, file_name, size)| match file_name {
                Some(file_name) => format!("# form field {name}: file {file_name}, {size} bytes\n"),
                None => format!("# form field {name}: text, {size} bytes\n"),
            })
            .collect();
        let mut out = io::stdout().lock();
        change::print_preview(&client, op.id, &mut out, |client| async move {
            client.send_operation(&request).await
        })
        .await?;
        return out
            .write_all(form.concat().as_bytes())
            .and_then(|()| out.flush())
            .context("writing the output");
    }
    let client = connect::client(&options.connection).await?;
    if op.method != Method::Get {
        change::confirm(
            &options.change,
            &client,
            &format!("send {} ({})", op.id, op.method),
        )?;
    }
    let mut out = io::stdout().lock();
    if options.pages.all {
        let pages = client.list_operation_pages(request, listing::all_options(&options.pages));
        let what = format!("listing every page of {}", op.id);
        return call_output::all(options.output, pages, &what, &mut out).await;
    }
    let answer = client
        .send_operation(&request)
        .await
        .with_context(|| op.id.to_owned())?;
    call_output::answer(op, options.output, &answer, &mut out).context("writing the output")
}

/// The operation named `name`: its id, or the id in kebab-case.
fn find(name: &str) -> Result<&'static Operation> {
    let wanted = name.replace('-', "").to_ascii_lowercase();
    hss_operations::entries()
        .find(|op| op.id == name || op.id.to_ascii_lowercase() == wanted)
        .and_then(|op| hss_operations::operation(op.id))
        .ok_or_else(|| {
            UsageError(format!(
                "no operation {name:?}; `hss call --list` lists them"
            ))
            .into()
        })
}

/// Splits what follows the operation into hss's options and the
/// operation's values.
fn parse(op: &'static Operation, args: &[String]) -> Result<(CallOptions, OperationRequest)> {
    let command = CallOptions::command();
    let own = |flag: &str| {
        command.get_arguments().find(|a| {
            a.get_long() == Some(flag) || a.get_short().is_some_and(|s| flag == s.to_string())
        })
    };
    let mut own_args = vec!["hss call".to_owned()];
    let mut values: Vec<(Value, String)> = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let flag = arg
            .strip_prefix("--")
            .or_else(|| arg.strip_prefix('-').filter(|s| s.len() == 1));
        let Some(flag) = flag else {
            return Err(UsageError(format!(
                "unexpected {arg:?}: give each value after its --NAME (`hss call {} --help` lists them)",
                op.id
            ))
            .into());
        };
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) => (f, Some(v.to_owned())),
            None => (flag, None),
        };
        if let Some(option) = own(flag) {
            own_args.push(arg.clone());
            if inline.is_none() && option.get_action().takes_values() {
                own_args.extend(rest.next().cloned());
            }
            continue;
        }
        let Some(target) = value_of(op, flag) else {
            return Err(UsageError(format!(
                "{} has no parameter --{flag} (`hss call {} --help` lists them)",
                op.id, op.id
            ))
            .into());
        };
        let value = match inline.or_else(|| rest.next().cloned()) {
            Some(value) => value,
            None => return Err(UsageError(format!("--{flag} needs a value")).into()),
        };
        values.push((target, value));
    }
    let options = CallOptions::try_parse_from(&own_args)
        .map_err(|e| UsageError(e.to_string().trim().to_owned()))?;
    for pair in &options.params {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(UsageError(format!("--param {pair:?}: write NAME=VALUE")).into());
        };
        let target = value_of(op, name).ok_or_else(|| {
            UsageError(format!(
                "--param {name}: {} has no such parameter (`hss call {} --help` lists them)",
                op.id, op.id
            ))
        })?;
        values.push((target, value.to_owned()));
    }
    let mut request = OperationRequest::new(op);
    for (target, value) in values {
        request = match target {
            Value::Param(name) => request.param(name, value)?,
            Value::Form(name) => match value.strip_prefix('@') {
                Some(path) => {
                    let bytes = std::fs::read(path)
                        .map_err(|e| UsageError(format!("--{name} @{path}: {e}")))?;
                    let file_name = std::path::Path::new(path)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .ok_or_else(|| UsageError(format!("--{name} @{path}: not a file")))?;
                    request.form_file(name, file_name, bytes)?
                }
                None => request.form_text(name, value)?,
            },
        };
    }
    if let Some(body) = &options.body {
        request = request.json_body(read_body(body)?);
    }
    Ok((options, request))
}

/// Where a value given by name goes.
enum Value {
    /// A path, query or header parameter, by wire name.
    Param(&'static str),
    /// A field of a form body.
    Form(&'static str),
}

/// What `op`'s `name` (a wire name or its kebab-case form) is: one of its
/// parameters, or a field of its form body.
fn value_of(op: &'static Operation, name: &str) -> Option<Value> {
    let named = |wire: &str| wire == name || wire.replace('_', "-") == name;
    if let Some(param) = op.params.iter().find(|p| named(p.name)) {
        return Some(Value::Param(param.name));
    }
    op.body
        .filter(|b| b.media_type == FORM)?
        .fields
        .iter()
        .find(|f| named(f.name))
        .map(|f| Value::Form(f.name))
}

/// The media type of a body given as fields.
const FORM: &str = "multipart/form-data";

/// `--body`: the JSON text, `@FILE` or `-` (stdin).
fn read_body(body: &str) -> Result<Vec<u8>> {
    if body == "-" {
        let mut text = Vec::new();
        io::stdin()
            .read_to_end(&mut text)
            .context("reading the body from stdin")?;
        return Ok(text);
    }
    if let Some(path) = body.strip_prefix('@') {
        return std::fs::read(path).map_err(|e| UsageError(format!("--body @{path}: {e}")).into());
    }
    Ok(body.as_bytes().to_vec())
}

/// `hss call --list [GROUP]`: each operation with its summary.
fn list(group: Option<&str>) -> Result<()> {
    // The entries, not the operations: listing builds none of the rest.
    let chosen = || hss_operations::entries().filter(|op| group.is_none_or(|g| op.group == g));
    let Some(width) = chosen().map(|op| op.id.len()).max() else {
        let mut groups: Vec<&str> = hss_operations::entries().map(|op| op.group).collect();
        groups.dedup();
        groups.sort_unstable();
        groups.dedup();
        return Err(UsageError(format!(
            "no group {:?}; the groups: {}",
            group.unwrap_or_default(),
            groups.join(", ")
        ))
        .into());
    };
    // One buffer of the exact size, padded by hand: `format!`'s padding
    // writes a character at a time (this is most of what `--list` costs).
    let line = |op: &hss_operations::Entry| width + 2 + op.summary.len() + 1;
    let mut text = Vec::with_capacity(chosen().map(|op| line(&op)).sum());
    for op in chosen() {
        text.extend_from_slice(op.id.as_bytes());
        text.resize(text.len() + width - op.id.len() + 2, b' ');
        text.extend_from_slice(op.summary.as_bytes());
        text.push(b'\n');
    }
    write_out(&text)
}

/// `hss call OPERATION --help`: method, path and every parameter.
fn describe(op: &Operation) -> String {
    let mut text = format!(
        "{}: {}\n\n  {} {}   (group {}{})\n\nParameters:\n",
        op.id,
        op.summary,
        op.method,
        op.path,
        op.group,
        if op.retry_safe {
            "; retried when it fails"
        } else {
            ""
        }
    );
    let mut example = format!("hss call {}", op.id);
    let command = CallOptions::command();
    let is_own = |name: &str| command.get_arguments().any(|a| a.get_long() == Some(name));
    for param in op.params {
        let place = match param.location {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            _ => "other",
        };
        let mut about = vec![format!("{place}, {}", type_text(param.ty))];
        if param.name == "project_id" && param.location == Location::Path {
            about.push("the client's unless given".into());
        } else if param.required {
            about.push("required".into());
        }
        if param.minimum.is_some() || param.maximum.is_some() {
            about.push(format!(
                "{} to {}",
                check::bound(param.minimum),
                check::bound(param.maximum)
            ));
        }
        if let Some(max) = param.max_length {
            about.push(format!(
                "{} to {max} characters",
                param.min_length.unwrap_or(0)
            ));
        }
        if !param.known_values.is_empty() {
            about.push(format!("one of {}", param.known_values.join(", ")));
        }
        let flag = if is_own(param.name) {
            format!("--param {}=VALUE", param.name)
        } else {
            format!("--{}", param.name)
        };
        text.push_str(&format!("  {flag}  ({})\n", about.join("; ")));
        if param.required && param.name != "project_id" {
            example.push_str(&format!(" --{} VALUE", param.name));
        }
    }
    if let Some(body) = op.body.filter(|b| b.media_type == FORM) {
        text.push_str(&format!(
            "\nForm fields ({FORM}), each --NAME VALUE, or --NAME @PATH for a file:\n"
        ));
        for field in body.fields {
            let required = if field.required { ", required" } else { "" };
            text.push_str(&format!(
                "  --{}  ({}{required})\n",
                field.name,
                type_text(field.ty)
            ));
        }
        let first = body.fields.first().map_or("NAME", |f| f.name);
        example.push_str(&format!(" --{first} @PATH"));
    } else if let Some(body) = &op.body {
        text.push_str(&format!(
            "\nBody ({}), with --body JSON|@FILE|-:\n",
            body.media_type
        ));
        for field in body.fields {
            let required = if field.required { ", required" } else { "" };
            let ty = match field.ty {
                Type::Array => "JSON list",
                other => type_text(other),
            };
            text.push_str(&format!("  {}  ({ty}{required})\n", field.name));
        }
        example.push_str(" --body @body.json");
    }
    let mut examples = vec![example.clone()];
    if let Some(paging) = op.offset_limit() {
        let by = match paging.item_identity {
            Some(names) => format!("told apart by {}", names.join(" and ")),
            None => "checked by count (the spec names no identity)".to_owned(),
        };
        text.push_str(&format!(
            "\nA listing: --all reads every page, its items ({}) {by}.\n",
            paging.item_array
        ));
        examples.push(format!("{example} --all -o ndjson"));
    }
    text.push_str(&format!("\nExample:\n  {}\n", examples.join("\n  ")));
    text
}

fn type_text(ty: Type) -> &'static str {
    match ty {
        Type::String => "string",
        Type::Integer => "integer",
        Type::Number => "number",
        Type::Boolean => "boolean",
        Type::Array => "list (repeat the flag)",
        Type::Object => "JSON object",
        _ => "any JSON",
    }
}

fn write_out(text: impl AsRef<[u8]>) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_ref())
        .and_then(|()| out.flush())
        .context("writing the output")
}
