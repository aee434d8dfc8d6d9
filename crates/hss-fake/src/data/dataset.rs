//! A whole dataset: the fixture format, reading and writing it, and the
//! API's constraints on it.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::model::TaskData;
use super::values::{ALL_GRANTED_EPS, DEFAULT_ENTERPRISE_PROJECT};

/// Everything the fake serves. This is also the fixture file format:
///
/// ```json
/// {
///   "project_id": "2a473356cca5487f8373be891bffc1cf",
///   "enterprise_projects": ["0", "b8a8f1d4-..."],
///   "tasks": [{"task_id": "...", "hosts": [
///     {"enterprise_project_id": "0", "host_id": "...", "host_name": "...",
///      "scan_status": "failed", "failed_reasons": [...], "vul_scan_details": [...]}
///   ]}]
/// }
/// ```
///
/// `enterprise_projects` may be left out: `0` and every project a host names
/// are always known.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// The project ID in the path (1 to 256 characters).
    pub project_id: String,
    /// Known enterprise projects.
    #[serde(default)]
    pub enterprise_projects: Vec<String>,
    /// The tasks.
    #[serde(default)]
    pub tasks: Vec<TaskData>,
}

/// What is wrong with a fixture or a dataset.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The fixture file could not be read.
    #[error("cannot read fixture {path}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The fixture is not valid JSON of the expected shape.
    #[error("fixture is not a valid dataset")]
    Parse(#[source] serde_json::Error),
    /// The data breaks a constraint of the API.
    #[error("invalid dataset: {0}")]
    Invalid(String),
}

impl Dataset {
    /// Parses a fixture and checks it ([`Dataset::validate`]).
    pub fn from_json(json: &str) -> Result<Dataset, DataError> {
        let mut dataset: Dataset = serde_json::from_str(json).map_err(DataError::Parse)?;
        dataset.validate()?;
        Ok(dataset)
    }

    /// Reads a fixture file and checks it ([`Dataset::validate`]).
    pub fn from_fixture_file(path: impl AsRef<Path>) -> Result<Dataset, DataError> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|source| DataError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Dataset::from_json(&json)
    }

    /// The dataset as a pretty-printed fixture.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a dataset always serializes")
    }

    /// Checks the constraints of the API (IDs of 1 to 256 characters, unique
    /// task IDs, enterprise project IDs other than `all_granted_eps`) and
    /// completes `enterprise_projects` with `0` and every project a host names.
    pub fn validate(&mut self) -> Result<(), DataError> {
        check_id("project_id", &self.project_id)?;
        let mut seen = HashSet::new();
        for task in &self.tasks {
            check_id("task_id", &task.task_id)?;
            if !seen.insert(task.task_id.as_str()) {
                return Err(DataError::Invalid(format!(
                    "task_id {:?} appears twice",
                    task.task_id
                )));
            }
        }
        let mut known: HashSet<String> = self.enterprise_projects.iter().cloned().collect();
        if !known.contains(DEFAULT_ENTERPRISE_PROJECT) {
            self.enterprise_projects
                .insert(0, DEFAULT_ENTERPRISE_PROJECT.to_owned());
            known.insert(DEFAULT_ENTERPRISE_PROJECT.to_owned());
        }
        for task in &self.tasks {
            for host in &task.hosts {
                if known.insert(host.enterprise_project_id.clone()) {
                    self.enterprise_projects
                        .push(host.enterprise_project_id.clone());
                }
            }
        }
        for ep in &self.enterprise_projects {
            check_id("enterprise_project_id", ep)?;
            if ep == ALL_GRANTED_EPS {
                return Err(DataError::Invalid(format!(
                    "{ALL_GRANTED_EPS} cannot be the enterprise project of a host"
                )));
            }
        }
        Ok(())
    }
}

fn check_id(what: &str, value: &str) -> Result<(), DataError> {
    let len = value.chars().count();
    if (1..=256).contains(&len) {
        Ok(())
    } else {
        Err(DataError::Invalid(format!(
            "{what} must have 1 to 256 characters, {value:?} has {len}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Host;

    #[test]
    fn fixture_round_trip_keeps_unknown_fields() {
        let json = r#"{"project_id": "p", "enterprise_projects": ["0", "ep"], "tasks": [
            {"task_id": "t", "hosts": [
                {"enterprise_project_id": "ep", "host_id": "h1", "agent_id": "abc",
                 "vul_scan_details": [{"vul_type": "linux_vul", "status": "success", "x": 1}]},
                {"host_id": "h2"}]}]}"#;
        let data = Dataset::from_json(json).unwrap();
        let host: &Host = &data.tasks[0].hosts[0];
        assert_eq!(host.info.extra["agent_id"], "abc");
        assert_eq!(data.tasks[0].hosts[1].enterprise_project_id, "0");
        let back = Dataset::from_json(&data.to_json_pretty()).unwrap();
        assert_eq!(back, data);
        let details = back.tasks[0].hosts[0]
            .info
            .vul_scan_details
            .as_ref()
            .unwrap();
        assert_eq!(details[0].extra["x"], 1);
    }

    #[test]
    fn validate_rejects_bad_ids_and_completes_projects() {
        let json = r#"{"project_id":"p","tasks":[{"task_id":"t","hosts":[{"enterprise_project_id":"ep1","host_id":"h"},{"host_id":"h2"}]}]}"#;
        let data = Dataset::from_json(json).unwrap();
        assert_eq!(data.enterprise_projects, vec!["0", "ep1"]);
        assert_eq!(data.tasks[0].hosts[1].enterprise_project_id, "0");
        assert!(Dataset::from_json(r#"{"project_id":""}"#).is_err());
        assert!(
            Dataset::from_json(r#"{"project_id":"p","tasks":[{"task_id":"t"},{"task_id":"t"}]}"#)
                .is_err()
        );
        assert!(
            Dataset::from_json(
                r#"{"project_id":"p","tasks":[{"task_id":"t","hosts":[{"enterprise_project_id":"all_granted_eps"}]}]}"#
            )
            .is_err()
        );
    }
}
