//! `cargo xtask import --all` takes every service definition of the pinned
//! huaweicloud-mcp-server wheel, not just HSS's: none is refused, and the
//! quirks the other services have (operations sharing one method and path,
//! a trailing comma, prose defaults and enumerations, undeclared path
//! variables, form parameters) are repaired and reported.
//!
//! The test fetches the pinned wheel itself (as `cargo xtask upstream`
//! does) and fails when it cannot; `HSS_SKIP_UPSTREAM=1` skips it on
//! purpose.

use std::sync::Mutex;

use xtask::import::{self, Selection};
use xtask::upstream;

mod support;

/// What one service's import found.
struct Imported {
    service: String,
    operations: usize,
    changes: usize,
    warnings: Vec<String>,
    sharing: usize,
    problems: Vec<String>,
}

fn import_service(wheel: &std::path::Path, service: &str) -> Imported {
    let outcome = upstream::read_from_wheel(wheel, service).and_then(|definition| {
        import::import(
            &definition,
            &Selection {
                all: true,
                ..Selection::default()
            },
        )
    });
    match outcome {
        Ok(imported) => {
            let report = imported.report;
            let sharing = report
                .changes
                .iter()
                .filter(|c| c.pass == "rpc-paths" && c.message.contains("a URL fragment"))
                .count();
            let mut problems = report.problems;
            if !imported.yaml.is_ascii() {
                problems.push("upstream (non-ASCII) text reached the spec".into());
            }
            Imported {
                service: service.to_string(),
                operations: report.operations.len(),
                changes: report.changes.len(),
                warnings: report.warnings,
                sharing,
                problems,
            }
        }
        Err(e) => Imported {
            service: service.to_string(),
            operations: 0,
            changes: 0,
            warnings: Vec::new(),
            sharing: 0,
            problems: vec![format!("refused: {e:#}")],
        },
    }
}

#[test]
fn every_service_of_the_pinned_wheel_imports_without_refusal() {
    let Some(wheel) = support::pinned_wheel(
        &upstream::DEFINITIONS,
        "every_service_of_the_pinned_wheel_imports_without_refusal",
    ) else {
        return;
    };
    let services = upstream::services(&wheel).unwrap();
    assert_eq!(services.len(), 153, "0.3.1 holds 153 service definitions");

    // Imports are independent: share them out over the cores.
    let queue = Mutex::new(services.iter());
    let results = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let Some(service) = queue.lock().unwrap().next() else {
                        break;
                    };
                    let imported = import_service(&wheel, service);
                    results.lock().unwrap().push(imported);
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.service.cmp(&b.service));

    let refused: Vec<String> = results
        .iter()
        .filter(|r| !r.problems.is_empty())
        .map(|r| format!("{}:\n    {}", r.service, r.problems.join("\n    ")))
        .collect();
    let total = |f: fn(&Imported) -> usize| results.iter().map(f).sum::<usize>();
    eprintln!(
        "{} services, {} operations, {} changes to upstream, {} operations sharing a method and path with another, {} reading warning(s)",
        results.len(),
        total(|r| r.operations),
        total(|r| r.changes),
        total(|r| r.sharing),
        total(|r| r.warnings.len()),
    );
    for r in results.iter().filter(|r| !r.warnings.is_empty()) {
        eprintln!("  {}: {}", r.service, r.warnings.join("; "));
    }
    assert!(
        refused.is_empty(),
        "{} of {} services do not import:\n  {}",
        refused.len(),
        results.len(),
        refused.join("\n  ")
    );
    // The quirks the issue names are there and repaired, not absent.
    let by_name = |name: &str| results.iter().find(|r| r.service == name).unwrap();
    assert!(
        by_name("ecs").sharing > 0,
        "ECS's server actions share a path"
    );
    assert_eq!(by_name("hss").operations, 237);
    assert!(
        by_name("cce")
            .warnings
            .iter()
            .any(|w| w.contains("trailing comma")),
        "CCE's trailing comma is a warning"
    );
}
