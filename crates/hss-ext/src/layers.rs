//! The crate's module graph, checked: no module depends, through any
//! chain, on a module that depends on it, and `error` sits at the bottom.
//!
//! A cycle is how a crate turns into one type that everything reaches
//! into; this test reads the sources (production code only: a file's
//! `#[cfg(test)]` tail and test-only files are left out) and names the
//! modules of any cycle it finds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules its code names (`crate::x`).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = vec![src.clone()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                files.push(entry.unwrap().path());
            }
            continue;
        }
        let relative = path.strip_prefix(&src).unwrap();
        let module = relative.with_extension("");
        let top = module.iter().next().unwrap().to_str().unwrap().to_owned();
        if top == "lib" || top == "layers" || test_only(&src, relative) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let production = text.split("#[cfg(test)]").next().unwrap();
        let uses = graph.entry(top.clone()).or_default();
        for line in production
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
        {
            for (at, _) in line.match_indices("crate::") {
                let name: String = line[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if !name.is_empty() && name != top {
                    uses.insert(name);
                }
            }
        }
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for uses in graph.values_mut() {
        uses.retain(|m| modules.contains(m));
    }
    graph
}

/// Whether the file is a submodule its parent declares under `#[cfg(test)]`.
fn test_only(src: &Path, relative: &Path) -> bool {
    let (Some(parent), Some(name)) = (relative.parent(), relative.file_stem()) else {
        return false;
    };
    if parent.as_os_str().is_empty() {
        return false;
    }
    let parent_file = src.join(parent).with_extension("rs");
    let declaration = format!("#[cfg(test)]\nmod {};", name.to_str().unwrap());
    std::fs::read_to_string(parent_file).is_ok_and(|text| text.contains(&declaration))
}

/// A cycle through `start`, if there is one.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![start.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        for next in &graph[last] {
            if next == start {
                return Some(path.iter().cloned().chain([next.clone()]).collect());
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_module_depends_on_a_module_that_depends_on_it() {
    let graph = graph();
    assert!(
        graph.len() > 20,
        "found too few modules: {:?}",
        graph.keys()
    );
    assert!(
        graph["paginate"].contains("client"),
        "the reader misses `crate::` paths"
    );
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(&graph, m))
        .map(|cycle| cycle.join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn error_is_at_the_bottom() {
    let graph = graph();
    let allowed: BTreeSet<String> = ["text", "limit"].map(String::from).into();
    assert!(
        graph["error"].is_subset(&allowed),
        "error depends on {:?}",
        graph["error"]
    );
}
