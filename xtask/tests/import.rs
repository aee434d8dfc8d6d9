//! `cargo xtask import` on `fixtures/huawei-quirks.json`, a small definition
//! of our own in the shape of Huawei's published ones that reproduces every
//! quirk listed in shared/reference/upstream-definitions.md.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use xtask::import::{self, PASSES, Selection};
use xtask::upstream::Definition;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn quirks() -> Definition {
    xtask::upstream::definition_file(&fixture("huawei-quirks.json")).unwrap()
}

fn all() -> Selection {
    Selection {
        all: true,
        ..Selection::default()
    }
}

fn imported(selection: &Selection) -> (Value, import::Imported) {
    let out = import::import(&quirks(), selection).expect("imports");
    let doc = xtask::spec::parse_raw(&out.yaml).expect("the output is YAML");
    (doc, out)
}

/// `(pass, upstream pointer, part of the message)` for each quirk.
const EXPECTED: &[(&str, &str, &str)] = &[
    (
        "swagger2-headers",
        "/paths/~1ListWidgets/get/responses/200/headers/X-Request-Id",
        "moved `type` into a `schema`",
    ),
    (
        "parameter-type",
        "/components/parameters/ProjectId/type",
        "removed `type: object`",
    ),
    (
        "dangling-refs",
        "/paths/~1ListWidgets/get/parameters/6",
        "no such parameter",
    ),
    (
        "dangling-refs",
        "/components/schemas/Widget/properties/owner",
        "now any JSON value",
    ),
    (
        "auth-headers",
        "/paths/~1ListWidgets/get/parameters/0",
        "`X-Auth-Token`",
    ),
    (
        "auth-headers",
        "/paths/~1CreateWidget/post/parameters/0",
        "`x-auth-token`",
    ),
    (
        "auth-headers",
        "/paths/~1CreateWidget/post/parameters/1",
        "`X-Security-Token`",
    ),
    (
        "content-type-header",
        "/paths/~1CreateWidget/post/parameters/2",
        "`Content-Type`",
    ),
    (
        "scalar-objects",
        "/components/schemas/Count/type",
        "is `type: integer`: it has `format: int32`",
    ),
    (
        "scalar-objects",
        "/components/schemas/Label/type",
        "is `type: string`: it has `minLength`",
    ),
    (
        "scalar-objects",
        "/components/schemas/Phase/type",
        "is `type: string`: its example is one",
    ),
    (
        "scalar-objects",
        "/components/schemas/IdList/type",
        "is `type: array`: it has `items`",
    ),
    (
        "format-without-type",
        "/components/schemas/Widget/properties/seen_at",
        "added `type: integer`",
    ),
    (
        "boolean-format",
        "/components/schemas/Widget/properties/enabled/format",
        "dropped `format: int64` on a boolean",
    ),
    (
        "file-downloads",
        "/paths/~1DownloadWidgetReport/get/responses/200/content/application~1json/schema",
        "`application/octet-stream`",
    ),
    (
        "timestamps",
        "/components/schemas/Widget/properties/created",
        "millisecond example",
    ),
    (
        "default-types",
        "/paths/~1ListWidgets/get/parameters/4/schema/default",
        "`default: 0` on a `string` is now `\"0\"`",
    ),
    (
        "required-properties",
        "/components/schemas/Widget/required/1",
        "`ghost_field`",
    ),
    (
        "no-op-constraints",
        "/components/schemas/Widget/properties/name/minLength",
        "`minLength: 0`",
    ),
    (
        "no-op-constraints",
        "/components/schemas/Widget/properties/tags/minItems",
        "`minItems: 0`",
    ),
    (
        "no-op-constraints",
        "/components/parameters/XAuthToken/schema/pattern",
        "`pattern: ^.*$`",
    ),
    (
        "upstream-text",
        "/paths/~1ListWidgets/get/summary",
        "replaced by the operation id",
    ),
    (
        "upstream-text",
        "/components/schemas/Widget/properties/note/example",
        "non-ASCII",
    ),
    (
        "response-leniency",
        "/components/schemas/Widget/properties/pid",
        "dropped `minimum: 1`, `maximum: 65535`, `format: int64`",
    ),
    (
        "response-leniency",
        "/components/schemas/Widget/properties/state",
        "closed enum",
    ),
    (
        "response-leniency",
        "/components/schemas/WidgetId",
        "lenient copy `WidgetIdResponse`",
    ),
    (
        "response-leniency",
        "/components/schemas/Tag",
        "lenient copy `TagResponse`",
    ),
    (
        "shared-parameter-schemas",
        "/paths/~1ListWidgets/get/parameters/7/schema",
        "now `$ref: #/components/schemas/Lang`, one schema for the 2 `lang` places that repeat it (its example dropped)",
    ),
    (
        "inline-scalars",
        "/components/schemas/Widget/properties/widget_id",
        "`$ref: #/components/schemas/WidgetIdResponse` (a plain scalar) inlined",
    ),
    (
        "examples",
        "/paths/~1ListWidgets/get/parameters/5/example",
        "500 is greater than the maximum of 200",
    ),
    (
        "examples",
        "/components/schemas/Widget/properties/size/example",
        "\"large\" is not of type \"integer\"",
    ),
    (
        "prune-components",
        "/components/parameters/XAuthToken",
        "no imported operation uses it",
    ),
    (
        "rpc-paths",
        "/paths/~1ListWidgets/get",
        "is `GET /v1/{project_id}/widgets`",
    ),
    (
        "rpc-paths",
        "/paths/~1DownloadWidgetReport/get",
        "`security: []`",
    ),
];

#[test]
fn every_quirk_is_repaired_by_a_named_pass_and_reported_at_its_upstream_pointer() {
    let (_, out) = imported(&all());
    let report = &out.report;
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    for (pass, ptr, text) in EXPECTED {
        assert!(
            report
                .changes
                .iter()
                .any(|c| c.pass == *pass && c.pointer == *ptr && c.message.contains(text)),
            "no `{pass}` change at {ptr} mentioning {text:?}; {pass} reported:\n{:#?}",
            report
                .changes
                .iter()
                .filter(|c| c.pass == *pass)
                .collect::<Vec<_>>()
        );
    }
    // The fixture exercises every pass, and the summary counts agree.
    for pass in PASSES {
        let summary = report.passes.iter().find(|p| p.name == pass.name).unwrap();
        let counted = report
            .changes
            .iter()
            .filter(|c| c.pass == pass.name)
            .count();
        assert_eq!(summary.changes, counted, "{}", pass.name);
        assert!(counted > 0, "the fixture does not exercise `{}`", pass.name);
    }
    // Every pointer names a place in the upstream document, a place a
    // pass adds (servers, schemes), or a schema an earlier change created.
    let upstream: Value = serde_json::from_str(&quirks().text).unwrap();
    let added = [
        "/servers",
        "/info",
        "/openapi",
        "/components/securitySchemes",
        "/paths",
    ];
    for (i, c) in report.changes.iter().enumerate() {
        let created = c
            .pointer
            .strip_prefix("/components/schemas/")
            .is_some_and(|name| {
                report.changes[..i].iter().any(|earlier| {
                    earlier.message.contains(&format!("`{name}`"))
                        || earlier
                            .message
                            .contains(&format!("#/components/schemas/{name}`"))
                })
            });
        assert!(
            upstream.pointer(&c.pointer).is_some()
                || added.contains(&c.pointer.as_str())
                || created,
            "{c:?} points at nothing upstream"
        );
    }
}

#[test]
fn the_imported_spec_has_real_paths_security_schemes_and_our_words_only() {
    let (doc, out) = imported(&all());
    assert!(
        out.yaml.is_ascii(),
        "upstream (non-ASCII) text reached the output"
    );
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = doc["paths"].as_object().unwrap();
    let keys: Vec<&String> = paths.keys().collect();
    assert_eq!(
        keys,
        [
            "/v1/{project_id}/widgets",
            "/v1/{project_id}/widgets/report"
        ]
    );
    let widgets = &paths["/v1/{project_id}/widgets"];
    assert_eq!(widgets["get"]["operationId"], "ListWidgets");
    assert_eq!(widgets["post"]["operationId"], "CreateWidget");
    assert_eq!(widgets["get"]["summary"], "ListWidgets");
    assert!(widgets["get"].get("description").is_none());
    let names: Vec<&str> = widgets["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap_or("$ref"))
        .collect();
    assert_eq!(
        names,
        ["$ref", "region", "widget_id", "page", "limit", "lang"],
        "auth header and dangling parameter gone"
    );
    assert_eq!(doc["security"], json!([{"token": []}, {"aksk": []}]));
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["name"],
        "X-Auth-Token"
    );
    assert_eq!(
        paths["/v1/{project_id}/widgets/report"]["get"]["security"],
        json!([])
    );
    assert_eq!(
        doc["servers"][0]["url"],
        "https://demo.{region}.example.com"
    );
    assert_eq!(doc["info"]["version"], "2025-01-01");
    // The generator's own checks find nothing left to complain about.
    xtask::spec::load_value(doc).expect("the output passes `generate`'s checks");
}

#[test]
fn leniency_relaxes_responses_and_keeps_request_constraints() {
    let (doc, _) = imported(&all());
    let schemas = &doc["components"]["schemas"];
    // Request side: the body and the parameter keep their limits.
    assert_eq!(
        schemas["CreateWidgetBody"]["properties"]["name"]["maxLength"],
        8
    );
    assert_eq!(
        schemas["CreateWidgetBody"]["properties"]["mode"]["enum"],
        json!(["fast", "slow"])
    );
    assert_eq!(schemas["WidgetId"]["maxLength"], 36);
    let limit = &doc["paths"]["/v1/{project_id}/widgets"]["get"]["parameters"][4]["schema"];
    assert_eq!(
        (limit["minimum"].as_i64(), limit["maximum"].as_i64()),
        (Some(10), Some(200))
    );
    // Response side: no limits, no formats, no closed enums.
    let widget = &schemas["Widget"]["properties"];
    assert_eq!(widget["pid"], json!({"type": "integer"}));
    assert!(widget["state"].get("enum").is_none());
    // A shared object is split: requests keep `Tag`, responses use a
    // lenient copy; a shared scalar's lenient copy is inlined.
    assert_eq!(schemas["Tag"]["properties"]["key"]["maxLength"], 8);
    assert_eq!(widget["tag"]["$ref"], "#/components/schemas/TagResponse");
    assert_eq!(
        schemas["TagResponse"]["properties"]["key"],
        json!({"type": "string"})
    );
    assert_eq!(widget["widget_id"], json!({"type": "string"}));
    assert!(
        schemas.get("WidgetIdResponse").is_none(),
        "inlined, then pruned"
    );
    // A constrained parameter schema repeated by two operations is shared.
    assert_eq!(schemas["Lang"], json!({"type": "string", "maxLength": 8}));
}

#[test]
fn the_imported_spec_generates_a_client_that_decodes_what_the_service_sends() {
    let (_, out) = imported(&all());
    let code = xtask::generate::generate(&out.yaml, "quirks.yaml").expect("generates");
    let file = syn::parse_file(&code).unwrap();
    let text = code.replace(char::is_whitespace, "");
    assert!(
        text.contains("pubpid:::std::option::Option<i64>"),
        "pid is a plain i64, not NonZeroU64"
    );
    assert!(text.contains("pubstate:::std::option::Option<::std::string::String>"));
    assert!(
        text.contains("pubcreated:::std::option::Option<i64>"),
        "a millisecond timestamp"
    );
    assert!(!code.contains("chrono"), "no chrono");
    assert!(
        text.contains("ResponseValue<ByteStream>"),
        "the download is a byte stream"
    );
    assert!(!file.items.is_empty());
}

#[test]
fn selection_by_operation_and_tag_and_its_errors() {
    let by_op = import::import(
        &quirks(),
        &Selection {
            operations: vec!["CreateWidget".into()],
            ..Selection::default()
        },
    )
    .unwrap();
    assert_eq!(by_op.report.operations, ["CreateWidget"]);
    let by_tag = import::import(
        &quirks(),
        &Selection {
            tags: vec!["小部件".into()],
            ..Selection::default()
        },
    )
    .unwrap();
    assert_eq!(by_tag.report.operations, ["CreateWidget", "ListWidgets"]);
    let by_english_tag = import::import(
        &quirks(),
        &Selection {
            tags: vec!["tag-2".into()],
            ..Selection::default()
        },
    )
    .unwrap();
    assert_eq!(by_english_tag.report.operations, ["DownloadWidgetReport"]);

    let err = |selection: Selection| {
        import::import(&quirks(), &selection)
            .err()
            .unwrap()
            .to_string()
    };
    let unknown = err(Selection {
        operations: vec!["ListWidget".into(), "Nope".into()],
        ..Selection::default()
    });
    assert!(
        unknown
            .contains("no operation `ListWidget` in the definition; did you mean `ListWidgets`?"),
        "{unknown}"
    );
    assert!(
        unknown.contains("no operation `Nope` in the definition"),
        "{unknown}"
    );
    let tag = err(Selection {
        tags: vec!["nothing".into()],
        ..Selection::default()
    });
    assert!(
        tag.contains(
            "no tag `nothing` in the definition; its tags are tag-1 (小部件), tag-2 (报表)"
        ),
        "{tag}"
    );
    assert!(err(Selection::default()).contains("choose what to import"));
}

#[test]
fn a_definition_that_is_not_json_is_named_with_line_and_column() {
    let def = Definition {
        label: "broken.json".into(),
        text: "{\n  \"paths\": {,\n}".into(),
    };
    let err = import::import(&def, &all()).err().unwrap().to_string();
    assert!(
        err.starts_with("broken.json: line 2 column 13: not valid JSON"),
        "{err}"
    );
}

#[test]
fn the_cli_writes_the_spec_and_a_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let (out, report) = (dir.path().join("spec.yaml"), dir.path().join("report.json"));
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["import", "--definition"])
        .arg(fixture("huawei-quirks.json"))
        .args(["--operation", "ListWidgets", "--out"])
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("pass auth-headers: 1 change(s)"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("/paths/~1ListWidgets/get/parameters/0:"),
        "with --report, stderr has the summary only: {stderr}"
    );
    assert!(stderr.contains("wrote "), "{stderr}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["operations"], json!(["ListWidgets"]));
    assert!(report["changes"].as_array().unwrap().contains(&json!({
        "pass": "auth-headers",
        "pointer": "/paths/~1ListWidgets/get/parameters/0",
        "message": "removed the header parameter `X-Auth-Token`: credentials are the `token` security scheme (or `aksk` signing), applied by a request hook"
    })));
    let spec = std::fs::read_to_string(&out).unwrap();
    assert!(
        spec.starts_with("# Imported by `cargo xtask import` from "),
        "{spec}"
    );
}

#[test]
fn the_raw_definition_fed_to_generate_reports_every_problem_in_one_run() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["generate", "--spec"])
        .arg(fixture("huawei-quirks.json"))
        .arg("--out")
        .arg(tempfile::tempdir().unwrap().path().join("x.rs"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for expected in [
        "/paths/~1ListWidgets/get/parameters/6: $ref `#/components/parameters/ListWidgetsColour` does not resolve",
        "/components/schemas/Count/format: `type: object` with `format: int32` describes a scalar",
        "/components/schemas/IdList/items: `type: object` with `items` describes an array",
        "/components/schemas/Label: `type: object` with `minLength`, `maxLength` describes a string or number",
        "/components/schemas/Widget/properties/enabled/format: `format: int64` does not apply to `type: boolean`",
        "/components/schemas/Widget/properties/seen_at/format: `format: int64` without a `type`",
        "/components/schemas/Widget/properties/created/format: `format: date-time` becomes `chrono::DateTime<chrono::Utc>`",
        "/components/schemas/Widget/required/1: `ghost_field` is required but is not a property",
        "/components/schemas/Widget/properties/name/minLength: `minLength: 0` constrains nothing",
        "/paths/~1ListWidgets/get/parameters/4/schema/default: default does not match its schema",
        "/paths/~1ListWidgets/get/parameters/5/example: example does not match its schema",
        "/paths/~1DownloadWidgetReport/get/responses/200/content/application~1json/schema/type: `type: file` is not an OpenAPI 3.0 type",
        "/paths/~1ListWidgets/get/responses/200/headers/X-Request-Id: not OpenAPI 3.0: ",
        "/paths/~1CreateWidget: this is an RPC-style Huawei definition (3 path item(s)",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

/// Operations that share one method and path upstream (ECS's server
/// actions) each keep their name: their path keys carry a fragment naming
/// the operation, which the generated client does not send. A path
/// variable upstream declares no parameter for gets one.
#[test]
fn operations_sharing_a_method_and_path_keep_their_names() {
    let op = |id: &str, body: &str| {
        json!({
            "post": {
                "operationId": id,
                "parameters": [{"name": "project_id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {body: {"type": "object"}}}}}},
                "responses": {"200": {"description": "ok"}}
            },
            "x-method": "POST",
            "x-url": "{endpoint}/v1/{project_id}/servers/{server_id}/action"
        })
    };
    let definition = json!({
        "openapi": "3.0.0",
        "info": {"title": "ECS", "version": "1", "x-host": "ecs.{region}.example.com"},
        "paths": {"/StartServer": op("StartServer", "os-start"), "/StopServer": op("StopServer", "os-stop")}
    });
    let def = Definition {
        label: "ecs.json".into(),
        text: definition.to_string(),
    };
    let out = import::import(&def, &all()).expect("imports");
    assert!(out.report.problems.is_empty(), "{:#?}", out.report.problems);
    let doc = xtask::spec::parse_raw(&out.yaml).unwrap();
    let keys: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "/v1/{project_id}/servers/{server_id}/action#StartServer",
            "/v1/{project_id}/servers/{server_id}/action#StopServer"
        ]
    );
    let start = &doc["paths"]["/v1/{project_id}/servers/{server_id}/action#StartServer"]["post"];
    assert_eq!(start["parameters"][1]["name"], "server_id");
    assert!(out.report.changes.iter().any(|c| c.pass == "rpc-paths"
        && c.pointer == "/paths/~1StopServer/post"
        && c.message.contains(
            "one of 2 operations on `POST /v1/{project_id}/servers/{server_id}/action`"
        )));
    let code = xtask::generate::generate(&out.yaml, "ecs.yaml").expect("generates");
    assert!(
        !code.contains("#StartServer"),
        "the fragment reached the code"
    );
    assert_eq!(
        code.matches("\"{}/v1/{}/servers/{}/action\"").count(),
        2,
        "both operations format the real path"
    );
}
