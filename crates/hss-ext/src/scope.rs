//! Where a request that is not a listing applies: the project (the
//! client's unless given) and the enterprise project (the service's
//! default `0` unless given).

/// The project and enterprise project of one request.
///
/// ```
/// use hss_ext::Scope;
/// let everywhere = Scope::new().all_enterprise_projects();
/// let other = Scope::new().project_id("0123456789abcdef");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub(crate) project_id: Option<String>,
    pub(crate) enterprise_project_id: Option<String>,
}

impl Scope {
    /// The client's project, the default enterprise project.
    pub fn new() -> Self {
        Self::default()
    }

    /// Another project than the client's default.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// This enterprise project (the service's default is `0`).
    pub fn enterprise_project_id(mut self, id: impl Into<String>) -> Self {
        self.enterprise_project_id = Some(id.into());
        self
    }

    /// Every enterprise project the caller may see.
    pub fn all_enterprise_projects(self) -> Self {
        self.enterprise_project_id(crate::ALL_ENTERPRISE_PROJECTS)
    }
}
