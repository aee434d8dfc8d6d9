//! What `cargo xtask generate` says about a spec progenitor or typify
//! cannot handle: every failing part, named by operation and JSON pointer,
//! in one run.

use std::process::Command;

const SPEC: &str = r##"openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      operationId: GetA
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: string}}}}
        default: {description: other, content: {text/plain: {schema: {type: string}}}}
  /fine:
    get:
      operationId: GetFine
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Fine'}}}}
  /x:
    get:
      operationId: GetX
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Uses'}}}}
  /c:
    get:
      operationId: GetC
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: integer}}}}
        default: {description: other, content: {text/plain: {schema: {type: string}}}}
components:
  schemas:
    Fine: {type: object, properties: {x: {type: string}}}
    Bad: {type: integer, enum: [1.5]}
    Uses: {type: object, properties: {bad: {$ref: '#/components/schemas/Bad'}}}
"##;

#[test]
fn every_part_progenitor_fails_on_is_named_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, SPEC).unwrap();
    // A standalone crate: the spec needs no groups for it.
    let out = dir.path().join("client");
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["generate", "--spec"])
        .arg(&spec)
        .arg("--crate")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        !err.contains("panicked at"),
        "a raw panic reached the user: {err}"
    );
    assert!(err.contains("4 problem(s):"), "{err}");
    for expected in [
        "/components/schemas/Bad: progenitor refused it: type error value does not conform to the given schema",
        "/paths/~1a/get: operation `GetA`: progenitor panicked (a construct it does not support): assertion failed: response_types.len() <= 1",
        "/paths/~1c/get: operation `GetC`: progenitor panicked",
        "/paths/~1x/get: operation `GetX` cannot be generated: it uses `/components/schemas/Bad`, reported above",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    // The schema that only references the broken one is not blamed, and
    // neither is the operation that works.
    assert!(!err.contains("/components/schemas/Uses:"), "{err}");
    assert!(!err.contains("GetFine"), "{err}");
    assert!(!out.exists());
}

#[test]
fn two_types_typify_would_give_one_name_are_reported_not_left_to_rustc() {
    // typify names `HostIdList`'s items `HostIdListItem`: the component of
    // that name clashes with it.
    let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    HostIdList: {type: array, items: {type: string, maxLength: 8}}\n    HostIdListItem: {type: string, maxLength: 9}\n";
    let err = xtask::generate::generate(spec, "dup.yaml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("/components/schemas/HostIdListItem: typify gives two types the name `types::HostIdListItem`"),
        "{err}"
    );
}
