//! `cargo xtask drift` on fixtures of our own: `fixtures/drift-ours.yaml`
//! (a hand-written ListWidgets and DeleteWidget) against
//! `fixtures/huawei-quirks.json` (the "upstream").

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn drift(ours: &Path, check: bool) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(["drift", "--spec"])
        .arg(ours)
        .arg("--definition")
        .arg(fixture("huawei-quirks.json"));
    if check {
        cmd.arg("--check");
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn fields_types_formats_flags_and_operations_that_moved_are_reported() {
    let (code, stdout, stderr) = drift(&fixture("drift-ours.yaml"), true);
    assert_eq!(code, Some(1), "--check fails on drift: {stderr}");
    let expected = "\
DeleteWidget (ours /paths/~1v1~1{project_id}~1widgets~1{widget_id}/delete, upstream -)
  operation: not in the upstream definition (removed or renamed upstream?)
ListWidgets (ours /paths/~1v1~1{project_id}~1widgets/get, upstream /paths/~1ListWidgets/get)
  200 widgets[].count: format: ours `int64`, upstream `int32`
  200 widgets[].legacy: ours only (string): removed upstream?
  200 widgets[].note: added upstream (string)
  200 widgets[].pid: type: ours `string`, upstream `integer`
  query limit: format: ours `int64`, upstream `int32`
  query limit: required: ours true, upstream false
CreateWidget (ours -, upstream /paths/~1CreateWidget/post)
  operation: new upstream in the tag `tag-1`, which we cover; not in our spec
";
    assert_eq!(stdout, expected);
    assert!(stderr.contains("8 difference(s) between "), "{stderr}");
    // DownloadWidgetReport is in a tag we do not cover.
    assert!(!stdout.contains("DownloadWidgetReport"));
    // Without --check, drift is information, not failure.
    assert_eq!(drift(&fixture("drift-ours.yaml"), false).0, Some(0));
}

#[test]
fn a_fresh_import_has_no_drift() {
    let def = xtask::upstream::definition_file(&fixture("huawei-quirks.json")).unwrap();
    let selection = xtask::import::Selection {
        all: true,
        ..Default::default()
    };
    let imported = xtask::import::import(&def, &selection).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("imported.yaml");
    std::fs::write(&ours, &imported.yaml).unwrap();
    let (code, stdout, stderr) = drift(&ours, true);
    assert_eq!((code, stdout.as_str()), (Some(0), ""), "{stderr}");
    assert!(stderr.contains("no drift"), "{stderr}");
}
