//! The IAM side of the fake: Keystone's project list
//! (`GET /v3/projects?name=<region>`), which the official SDKs ask for a
//! project id when none is configured. It is served on the fake's own
//! address (the paths do not collide with HSS's), behind the same
//! authentication, so one fake is the whole cloud a client talks to.
//!
//! Which projects exist is configuration: by default one, the served
//! project, named after the fake's region ([`DEFAULT_REGION`] unless set);
//! a test can give a region no project or several
//! ([`FakeHssBuilder::iam_projects`](crate::FakeHssBuilder::iam_projects),
//! [`RunningFake::set_iam_projects`](crate::RunningFake::set_iam_projects)).

use std::collections::BTreeMap;

use serde_json::json;

/// The region of the served project unless the builder names another.
pub const DEFAULT_REGION: &str = "cn-north-4";

/// The projects IAM lists, by name (the region id).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct IamProjects {
    by_region: BTreeMap<String, Vec<String>>,
}

impl IamProjects {
    pub(crate) fn set(&mut self, region: &str, ids: Vec<String>) {
        self.by_region.insert(region.to_owned(), ids);
    }

    pub(crate) fn contains(&self, region: &str) -> bool {
        self.by_region.contains_key(region)
    }

    /// The answer's JSON for `name` (every project when `None`), as
    /// Keystone writes it; `base_url` goes into the links.
    pub(crate) fn list_json(&self, name: Option<&str>, base_url: &str, domain_id: &str) -> Vec<u8> {
        let projects: Vec<serde_json::Value> = self
            .by_region
            .iter()
            .filter(|(region, _)| name.is_none_or(|n| n == region.as_str()))
            .flat_map(|(region, ids)| {
                ids.iter().map(move |id| {
                    json!({
                        "id": id,
                        "name": region,
                        "domain_id": domain_id,
                        "parent_id": domain_id,
                        "is_domain": false,
                        "enabled": true,
                        "description": "",
                        "links": {"self": format!("{base_url}/v3/projects/{id}")},
                    })
                })
            })
            .collect();
        let self_link = match name {
            Some(name) => format!(
                "{base_url}/v3/projects?name={}",
                hss_auth::signer::encode_component(name)
            ),
            None => format!("{base_url}/v3/projects"),
        };
        let body = json!({
            "links": {"self": self_link, "previous": null, "next": null},
            "projects": projects,
        });
        serde_json::to_vec(&body).expect("a JSON value serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_by_name_or_all() {
        let mut projects = IamProjects::default();
        projects.set("r-1", vec!["p1".into()]);
        projects.set("r-2", vec!["p2".into(), "p3".into()]);
        projects.set("r-3", vec![]);
        let ids = |name: Option<&str>| -> Vec<String> {
            let body: serde_json::Value =
                serde_json::from_slice(&projects.list_json(name, "http://x", "d")).unwrap();
            body["projects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(ids(Some("r-1")), ["p1"]);
        assert_eq!(ids(Some("r-2")), ["p2", "p3"]);
        assert!(ids(Some("r-3")).is_empty());
        assert!(ids(Some("nowhere")).is_empty());
        assert_eq!(ids(None), ["p1", "p2", "p3"]);
    }
}
