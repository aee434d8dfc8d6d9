//! Vulnerabilities: the three listings (`ListVulnerabilities`,
//! `ListVulHosts`, `ListHostVuls`), the statistics (`ShowVulStatics`) and
//! acting on them (`ChangeVulStatus`), typed and checked before anything
//! is sent. The listings run on the one engine (`lists.rs`).

use std::borrow::Cow;

use hss_api::types::{self, HostVulInfo, ShowVulStaticsResponse, VulHostInfo, VulInfo};
use hss_operations::{self as operations, Operation};

use crate::call::Op;
use crate::client::HssClient;
use crate::enums::{
    AssetValue, HandleStatus, NodeType, Severity, VulOperation, VulSelection, VulStatus, VulType,
};
use crate::error::Error;
use crate::lists::{
    Common, ListQuery, PageFuture, Sealed, common_query_setters, key2, listing_page, typed,
    typed_opt,
};
use crate::scan_tasks::{check_count, check_request_project};
use crate::scope::Scope;
use crate::spec_limits::limit_range;

/// Declares the optional filters of a query once: its setters, their
/// checks against the generated types, and how they go on a request.
macro_rules! filters {
    (
        $query:ident {
            $( $(#[$doc:meta])* $field:ident : $kind:tt $param:literal as $generated:ident => $setter:ident, )*
        }
    ) => {
        impl $query {
            $(
                $(#[$doc])*
                pub fn $field(mut self, value: filters!(@arg $kind)) -> Self {
                    self.$field = Some(filters!(@into $kind value));
                    self
                }
            )*

            fn check_filters(&self) -> Result<(), Error> {
                $( filters!(@check $kind $param $generated self.$field); )*
                Ok(())
            }

            fn apply_filters<'a>(&self, mut request: filters!(@builder $query 'a)) -> filters!(@builder $query 'a) {
                $( if let Some(value) = &self.$field { request = request.$setter(filters!(@send $kind value)); } )*
                request
            }
        }
    };
    (@arg text) => { impl Into<String> };
    (@arg bool) => { bool };
    (@arg $enum:ident) => { $enum };
    (@into text $v:ident) => { $v.into() };
    (@into $other:tt $v:ident) => { $v };
    (@check bool $param:literal $generated:ident $value:expr) => { let _ = &$value; };
    (@check text $param:literal $generated:ident $value:expr) => {
        typed_opt::<types::$generated>($param, $value.as_deref())?
    };
    (@check $enum:ident $param:literal $generated:ident $value:expr) => {
        typed_opt::<types::$generated>($param, $value.as_ref().map(|v| v.as_str()))?
    };
    (@send bool $v:ident) => { *$v };
    (@send text $v:ident) => { $v.as_str() };
    (@send $enum:ident $v:ident) => { $v.as_str() };
    (@builder VulnQuery $a:lifetime) => { hss_api::builder::ListVulnerabilities<$a> };
    (@builder VulHostQuery $a:lifetime) => { hss_api::builder::ListVulHosts<$a> };
    (@builder HostVulQuery $a:lifetime) => { hss_api::builder::ListHostVuls<$a> };
}

/// Which vulnerabilities to list (`ListVulnerabilities`).
///
/// ```
/// use hss_ext::{HandleStatus, Severity, VulType, VulnQuery};
/// let query = VulnQuery::new()
///     .vul_type(VulType::LinuxVul)
///     .repair_priority(Severity::Critical)
///     .handle_status(HandleStatus::Unhandled);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VulnQuery {
    pub(crate) common: Common,
    vul_type: Option<VulType>,
    vul_id: Option<String>,
    vul_name: Option<String>,
    cve_id: Option<String>,
    label_list: Option<String>,
    status: Option<VulStatus>,
    handle_status: Option<HandleStatus>,
    repair_priority: Option<Severity>,
    asset_value: Option<AssetValue>,
    group_name: Option<String>,
    node_type: Option<NodeType>,
}

impl VulnQuery {
    /// Every vulnerability of the client's project.
    pub fn new() -> Self {
        Self::default()
    }

    common_query_setters!();
}

filters! {
    VulnQuery {
        /// Only this type (`type`; the API documents no `urgent_vul` here).
        vul_type: VulType "type" as ListVulnerabilitiesType => type_,
        /// Only this vulnerability id.
        vul_id: text "vul_id" as ListVulnerabilitiesVulId => vul_id,
        /// Only vulnerabilities whose name contains this.
        vul_name: text "vul_name" as ListVulnerabilitiesVulName => vul_name,
        /// Only vulnerabilities with this CVE.
        cve_id: text "cve_id" as ListVulnerabilitiesCveId => cve_id,
        /// Only vulnerabilities with this label.
        label_list: text "label_list" as ListVulnerabilitiesLabelList => label_list,
        /// Only vulnerabilities in this status.
        status: VulStatus "status" as VulStatusFilter => status,
        /// Only handled or only unhandled vulnerabilities.
        handle_status: HandleStatus "handle_status" as HandleStatusFilter => handle_status,
        /// Only this repair priority.
        repair_priority: Severity "repair_priority" as RepairPriorityFilter => repair_priority,
        /// Only on hosts of this asset importance.
        asset_value: AssetValue "asset_value" as AssetValueFilter => asset_value,
        /// Only on hosts of this server group.
        group_name: text "group_name" as GroupNameFilter => group_name,
        /// Only on CCE nodes, or only elsewhere.
        node_type: NodeType "node_type" as NodeTypeFilter => node_type,
    }
}

impl Sealed for VulnQuery {}

impl ListQuery for VulnQuery {
    type Item = VulInfo;
    const OPERATION: &'static Operation = operations::LIST_VULNERABILITIES;
    const ITEMS: &'static str = "vulnerabilities";
    const ID_FIELD: &'static str = "vul_id+type";

    fn check(&self, default_project: Option<&str>) -> Result<(), Error> {
        self.common
            .check(default_project, const { limit_range(Self::OPERATION) })?;
        self.check_filters()
    }

    fn identity(item: &VulInfo) -> Option<Cow<'_, str>> {
        key2(item.vul_id.as_deref(), item.type_.as_deref())
    }

    fn start_offset(&self) -> u32 {
        self.common.offset.unwrap_or(0)
    }

    fn fetch_page(&self, client: &HssClient, offset: u32, limit: u32) -> PageFuture<VulInfo> {
        listing_page!(
            self,
            client,
            offset,
            limit,
            Op::of(Self::OPERATION),
            crate::decode::PageShape::<hss_api::types::ListVulnerabilitiesResponse, VulInfo> {
                paging: const { hss_operations::LIST_VULNERABILITIES.expect_offset_limit() },
                errors: hss_api::statuses::LIST_VULNERABILITIES_ERRORS,
                parts: |r| (r.total_num, r.data_list),
            },
            |api, query, project| api.list_vulnerabilities().project_id(project.as_str()),
            |request| query.apply_filters(request),
        )
    }
}

/// The hosts one vulnerability affects (`ListVulHosts`).
///
/// ```
/// use hss_ext::{VulHostQuery, VulStatus, VulType};
/// let query = VulHostQuery::new("CVE-2024-6387", VulType::LinuxVul).status(VulStatus::Unfix);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VulHostQuery {
    pub(crate) common: Common,
    vul_id: String,
    vul_type: VulType,
    host_name: Option<String>,
    host_ip: Option<String>,
    status: Option<VulStatus>,
    handle_status: Option<HandleStatus>,
    severity_level: Option<Severity>,
    repair_priority: Option<Severity>,
    asset_value: Option<AssetValue>,
    group_name: Option<String>,
    is_affect_business: Option<bool>,
    node_type: Option<NodeType>,
    cluster_id: Option<String>,
    cluster_name: Option<String>,
    container_name: Option<String>,
    is_container: Option<bool>,
}

impl VulHostQuery {
    /// The hosts affected by vulnerability `vul_id` of type `vul_type`
    /// (both required by the API).
    pub fn new(vul_id: impl Into<String>, vul_type: VulType) -> Self {
        VulHostQuery {
            common: Common::default(),
            vul_id: vul_id.into(),
            vul_type,
            host_name: None,
            host_ip: None,
            status: None,
            handle_status: None,
            severity_level: None,
            repair_priority: None,
            asset_value: None,
            group_name: None,
            is_affect_business: None,
            node_type: None,
            cluster_id: None,
            cluster_name: None,
            container_name: None,
            is_container: None,
        }
    }

    common_query_setters!();
}

filters! {
    VulHostQuery {
        /// Only hosts whose name contains this.
        host_name: text "host_name" as ListVulHostsHostName => host_name,
        /// Only hosts with this IP address.
        host_ip: text "host_ip" as ListVulHostsHostIp => host_ip,
        /// Only hosts where the vulnerability is in this status.
        status: VulStatus "status" as VulStatusFilter => status,
        /// Only handled or only unhandled.
        handle_status: HandleStatus "handle_status" as HandleStatusFilter => handle_status,
        /// Only this severity.
        severity_level: Severity "severity_level" as SeverityLevelFilter => severity_level,
        /// Only this repair priority.
        repair_priority: Severity "repair_priority" as RepairPriorityFilter => repair_priority,
        /// Only hosts of this asset importance.
        asset_value: AssetValue "asset_value" as AssetValueFilter => asset_value,
        /// Only hosts of this server group.
        group_name: text "group_name" as GroupNameFilter => group_name,
        /// Only where fixing affects the business, or only where it does not.
        is_affect_business: bool "is_affect_business" as Unused => is_affect_business,
        /// Only CCE nodes, or only other hosts.
        node_type: NodeType "node_type" as NodeTypeFilter => node_type,
        /// Only nodes of this cluster (by id).
        cluster_id: text "cluster_id" as ListVulHostsClusterId => cluster_id,
        /// Only nodes of this cluster (by name).
        cluster_name: text "cluster_name" as ListVulHostsClusterName => cluster_name,
        /// Only this container.
        container_name: text "container_name" as ListVulHostsContainerName => container_name,
        /// Only containers, or only hosts.
        is_container: bool "is_container" as Unused => is_container,
    }
}

impl Sealed for VulHostQuery {}

impl ListQuery for VulHostQuery {
    type Item = VulHostInfo;
    const OPERATION: &'static Operation = operations::LIST_VUL_HOSTS;
    const ITEMS: &'static str = "hosts";
    const ID_FIELD: &'static str = "host_id+app_path";

    fn check(&self, default_project: Option<&str>) -> Result<(), Error> {
        self.common
            .check(default_project, const { limit_range(Self::OPERATION) })?;
        typed::<types::ListVulHostsVulId>("vul_id", &self.vul_id)?;
        typed::<types::ListVulHostsType>("type", self.vul_type.as_str())?;
        self.check_filters()
    }

    fn identity(item: &VulHostInfo) -> Option<Cow<'_, str>> {
        key2(item.host_id.as_deref(), item.app_path.as_deref())
    }

    fn start_offset(&self) -> u32 {
        self.common.offset.unwrap_or(0)
    }

    fn fetch_page(&self, client: &HssClient, offset: u32, limit: u32) -> PageFuture<VulHostInfo> {
        listing_page!(
            self,
            client,
            offset,
            limit,
            Op::of(Self::OPERATION),
            crate::decode::PageShape::<hss_api::types::ListVulHostsResponse, VulHostInfo> {
                paging: const { hss_operations::LIST_VUL_HOSTS.expect_offset_limit() },
                errors: hss_api::statuses::LIST_VUL_HOSTS_ERRORS,
                parts: |r| (r.total_num, r.data_list),
            },
            |api, query, project| api
                .list_vul_hosts()
                .project_id(project.as_str())
                .vul_id(query.vul_id.as_str())
                .type_(query.vul_type.as_str()),
            |request| query.apply_filters(request),
        )
    }
}

/// The vulnerabilities of one host (`ListHostVuls`).
///
/// ```
/// use hss_ext::{HostVulQuery, Severity};
/// let query = HostVulQuery::new("host-1").severity_level(Severity::Critical);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostVulQuery {
    pub(crate) common: Common,
    host_id: String,
    vul_type: Option<VulType>,
    vul_id: Option<String>,
    vul_name: Option<String>,
    status: Option<VulStatus>,
    handle_status: Option<HandleStatus>,
    severity_level: Option<Severity>,
    repair_priority: Option<Severity>,
    is_affect_business: Option<bool>,
    label_list: Option<String>,
    excluded_label_list: Option<String>,
}

impl HostVulQuery {
    /// The vulnerabilities of host `host_id`.
    pub fn new(host_id: impl Into<String>) -> Self {
        HostVulQuery {
            common: Common::default(),
            host_id: host_id.into(),
            vul_type: None,
            vul_id: None,
            vul_name: None,
            status: None,
            handle_status: None,
            severity_level: None,
            repair_priority: None,
            is_affect_business: None,
            label_list: None,
            excluded_label_list: None,
        }
    }

    common_query_setters!();

    /// The host id.
    pub fn host_id_str(&self) -> &str {
        &self.host_id
    }
}

filters! {
    HostVulQuery {
        /// Only this type.
        vul_type: VulType "type" as ListHostVulsType => type_,
        /// Only this vulnerability id.
        vul_id: text "vul_id" as ListHostVulsVulId => vul_id,
        /// Only vulnerabilities whose name contains this.
        vul_name: text "vul_name" as ListHostVulsVulName => vul_name,
        /// Only vulnerabilities in this status.
        status: VulStatus "status" as VulStatusFilter => status,
        /// Only handled or only unhandled.
        handle_status: HandleStatus "handle_status" as HandleStatusFilter => handle_status,
        /// Only this severity.
        severity_level: Severity "severity_level" as SeverityLevelFilter => severity_level,
        /// Only this repair priority.
        repair_priority: Severity "repair_priority" as RepairPriorityFilter => repair_priority,
        /// Only where fixing affects the business, or only where it does not.
        is_affect_business: bool "is_affect_business" as Unused => is_affect_business,
        /// Only vulnerabilities with this label.
        label_list: text "label_list" as ListHostVulsLabelList => label_list,
        /// Not vulnerabilities with this label.
        excluded_label_list: text "excluded_label_list" as ListHostVulsExcludedLabelList => excluded_label_list,
    }
}

impl Sealed for HostVulQuery {}

impl ListQuery for HostVulQuery {
    type Item = HostVulInfo;
    const OPERATION: &'static Operation = operations::LIST_HOST_VULS;
    const ITEMS: &'static str = "vulnerabilities";
    const ID_FIELD: &'static str = "vul_id+app_path";

    fn check(&self, default_project: Option<&str>) -> Result<(), Error> {
        self.common
            .check(default_project, const { limit_range(Self::OPERATION) })?;
        crate::query::check_id("host_id", &self.host_id)?;
        self.check_filters()
    }

    fn identity(item: &HostVulInfo) -> Option<Cow<'_, str>> {
        key2(item.vul_id.as_deref(), item.app_path.as_deref())
    }

    fn start_offset(&self) -> u32 {
        self.common.offset.unwrap_or(0)
    }

    fn fetch_page(&self, client: &HssClient, offset: u32, limit: u32) -> PageFuture<HostVulInfo> {
        listing_page!(
            self,
            client,
            offset,
            limit,
            Op::of(Self::OPERATION),
            crate::decode::PageShape::<hss_api::types::ListHostVulsResponse, HostVulInfo> {
                paging: const { hss_operations::LIST_HOST_VULS.expect_offset_limit() },
                errors: hss_api::statuses::LIST_HOST_VULS_ERRORS,
                parts: |r| (r.total_num, r.data_list),
            },
            |api, query, project| api
                .list_host_vuls()
                .project_id(project.as_str())
                .host_id(query.host_id.as_str()),
            |request| query.apply_filters(request),
        )
    }
}

/// What to do with which vulnerabilities (`ChangeVulStatus`).
///
/// ```
/// use hss_ext::{VulOperation, VulStatusChange};
/// let change = VulStatusChange::new(VulOperation::Ignore)
///     .vul("CVE-2024-6387", ["host-1", "host-2"])
///     .remark("accepted risk, ticket SEC-42");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VulStatusChange {
    pub(crate) scope: Scope,
    operation: VulOperation,
    vul_type: Option<VulType>,
    select: Option<VulSelection>,
    vuls: Vec<(String, Vec<String>)>,
    host_vuls: Vec<(String, Vec<String>)>,
    remark: Option<String>,
    backup_info_id: Option<String>,
    custom_backup_hosts: Vec<(String, Option<String>, Option<String>)>,
}

impl VulStatusChange {
    /// An `operate_type` with nothing selected yet.
    pub fn new(operation: VulOperation) -> Self {
        VulStatusChange {
            scope: Scope::default(),
            operation,
            vul_type: None,
            select: None,
            vuls: Vec::new(),
            host_vuls: Vec::new(),
            remark: None,
            backup_info_id: None,
            custom_backup_hosts: Vec::new(),
        }
    }

    /// The project and enterprise project.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// The vulnerability type (`type`).
    pub fn vul_type(mut self, vul_type: VulType) -> Self {
        self.vul_type = Some(vul_type);
        self
    }

    /// Every vulnerability or every host (`select_type`).
    pub fn select(mut self, select: VulSelection) -> Self {
        self.select = Some(select);
        self
    }

    /// Vulnerability `vul_id` on these hosts (`data_list`; no hosts: all of them).
    pub fn vul<S: Into<String>>(
        mut self,
        vul_id: impl Into<String>,
        host_ids: impl IntoIterator<Item = S>,
    ) -> Self {
        self.vuls.push((
            vul_id.into(),
            host_ids.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// These vulnerabilities on host `host_id` (`host_data_list`).
    pub fn host<S: Into<String>>(
        mut self,
        host_id: impl Into<String>,
        vul_ids: impl IntoIterator<Item = S>,
    ) -> Self {
        self.host_vuls.push((
            host_id.into(),
            vul_ids.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Why (`remark`).
    pub fn remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }

    /// The backup to take before an immediate repair (`backup_info_id`).
    pub fn backup_info_id(mut self, id: impl Into<String>) -> Self {
        self.backup_info_id = Some(id.into());
        self
    }

    /// A backup of host `host_id` into vault `vault_id` named
    /// `backup_name` before the repair (`custom_backup_hosts`).
    pub fn custom_backup_host(
        mut self,
        host_id: impl Into<String>,
        vault_id: Option<String>,
        backup_name: Option<String>,
    ) -> Self {
        self.custom_backup_hosts
            .push((host_id.into(), vault_id, backup_name));
        self
    }

    /// The body as the generated type, checked against the spec: the
    /// error names the first field that is wrong.
    pub fn body(&self) -> Result<types::ChangeVulStatusBody, Error> {
        if self.vuls.is_empty() && self.host_vuls.is_empty() && self.select.is_none() {
            return Err(Error::invalid(
                "data_list",
                "nothing selected: name vulnerabilities (data_list), host vulnerabilities (host_data_list) or a select_type",
            ));
        }
        let op = operations::CHANGE_VUL_STATUS;
        check_count(op, "data_list", self.vuls.len())?;
        check_count(op, "host_data_list", self.host_vuls.len())?;
        let data_list = self
            .vuls
            .iter()
            .map(|(vul_id, hosts)| {
                Ok(types::VulOperateInfo {
                    vul_id: typed("data_list.vul_id", vul_id)?,
                    host_id_list: hosts
                        .iter()
                        .map(|h| typed("data_list.host_id_list", h))
                        .collect::<Result<_, Error>>()?,
                })
            })
            .collect::<Result<_, Error>>()?;
        let host_data_list = self
            .host_vuls
            .iter()
            .map(|(host_id, vuls)| {
                Ok(types::HostVulOperateInfo {
                    host_id: typed("host_data_list.host_id", host_id)?,
                    vul_id_list: vuls
                        .iter()
                        .map(|v| typed("host_data_list.vul_id_list", v))
                        .collect::<Result<_, Error>>()?,
                })
            })
            .collect::<Result<_, Error>>()?;
        let custom_backup_hosts = self
            .custom_backup_hosts
            .iter()
            .map(|(host_id, vault_id, name)| {
                Ok(types::CustomBackupHost {
                    host_id: Some(typed("custom_backup_hosts.host_id", host_id)?),
                    vault_id: vault_id
                        .as_deref()
                        .map(|v| typed("custom_backup_hosts.vault_id", v))
                        .transpose()?,
                    backup_name: name
                        .as_deref()
                        .map(|v| typed("custom_backup_hosts.backup_name", v))
                        .transpose()?,
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(types::ChangeVulStatusBody {
            operate_type: typed("operate_type", self.operation.as_str())?,
            type_: self
                .vul_type
                .as_ref()
                .map(|t| typed("type", t.as_str()))
                .transpose()?,
            select_type: self
                .select
                .as_ref()
                .map(|s| typed("select_type", s.as_str()))
                .transpose()?,
            remark: self
                .remark
                .as_deref()
                .map(|r| typed("remark", r))
                .transpose()?,
            backup_info_id: self
                .backup_info_id
                .as_deref()
                .map(|b| typed("backup_info_id", b))
                .transpose()?,
            data_list,
            host_data_list,
            custom_backup_hosts,
        })
    }
}

impl HssClient {
    /// The vulnerability statistics (`ShowVulStatics`): counts of
    /// vulnerable hosts, unrepaired and urgent vulnerabilities, and when
    /// the vulnerability library was updated.
    pub async fn vul_statistics(&self, scope: &Scope) -> Result<ShowVulStaticsResponse, Error> {
        scope.check(self)?;
        let api = self.api.clone();
        let response = self
            .call(
                Op::of(operations::SHOW_VUL_STATICS),
                scope.project_id.as_deref(),
                |project| {
                    let mut request = api.show_vul_statics().project_id(project.as_str());
                    if let Some(eps) = &scope.enterprise_project_id {
                        request = request.enterprise_project_id(eps.as_str());
                    }
                    request.send()
                },
            )
            .await?;
        Ok(response.into_inner())
    }

    /// Acts on vulnerabilities (`ChangeVulStatus`): ignore, repair,
    /// verify, whitelist. Not retried once it may have reached the
    /// service (a `PUT` that may have taken effect): see `call.rs`.
    /// Preview it with [`preview`](Self::preview).
    pub async fn change_vul_status(&self, change: &VulStatusChange) -> Result<(), Error> {
        change.scope.check(self)?;
        let body = change.body()?;
        let api = self.api.clone();
        self.call(
            Op::of(operations::CHANGE_VUL_STATUS),
            change.scope.project_id.as_deref(),
            |project| {
                let mut request = api
                    .change_vul_status()
                    .project_id(project.as_str())
                    .body(body.clone());
                if let Some(eps) = &change.scope.enterprise_project_id {
                    request = request.enterprise_project_id(eps.as_str());
                }
                request.send()
            },
        )
        .await
        .map(drop)
    }
}

impl Scope {
    /// Checks the project (or the client's) and enterprise project.
    pub(crate) fn check(&self, client: &HssClient) -> Result<(), Error> {
        check_request_project(
            client,
            self.project_id.as_deref(),
            self.enterprise_project_id.as_deref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bad_parameter_is_named() {
        let reason = |q: &dyn Fn() -> Result<(), Error>| q().unwrap_err().to_string();
        assert!(
            reason(&|| VulnQuery::new().vul_id("").check(Some("p")))
                .starts_with("invalid vul_id: ")
        );
        assert!(
            reason(&|| VulnQuery::new().limit(5).check(Some("p")))
                .starts_with("invalid limit: must be between 10 and 200")
        );
        assert!(
            reason(&|| VulHostQuery::new("", VulType::LinuxVul).check(Some("p")))
                .starts_with("invalid vul_id: ")
        );
        assert!(
            reason(&|| {
                VulHostQuery::new("v", VulType::LinuxVul)
                    .host_name("x".repeat(300))
                    .check(Some("p"))
            })
            .starts_with("invalid host_name: ")
        );
        assert!(
            reason(&|| HostVulQuery::new("..").check(Some("p"))).starts_with("invalid host_id: ")
        );
        assert!(
            reason(&|| HostVulQuery::new("h").offset(2_000_001).check(Some("p")))
                .starts_with("invalid offset: ")
        );
        assert!(
            VulnQuery::new()
                .status(VulStatus::Unfix)
                .check(Some("p"))
                .is_ok()
        );
    }

    #[test]
    fn identities_tell_types_and_paths_apart() {
        let vul: VulInfo =
            serde_json::from_value(serde_json::json!({"vul_id":"V","type":"app_vul"})).unwrap();
        assert_eq!(VulnQuery::identity(&vul).as_deref(), Some("V\0app_vul"));
        let host: VulHostInfo =
            serde_json::from_value(serde_json::json!({"host_id":"h","app_path":"/a"})).unwrap();
        assert_eq!(VulHostQuery::identity(&host).as_deref(), Some("h\0/a"));
        let plain: HostVulInfo = serde_json::from_value(serde_json::json!({"vul_id":"V"})).unwrap();
        assert_eq!(HostVulQuery::identity(&plain).as_deref(), Some("V"));
        assert_eq!(HostVulQuery::identity(&HostVulInfo::default()), None);
    }

    #[test]
    fn status_changes_are_the_generated_body() {
        let body = VulStatusChange::new(VulOperation::Ignore)
            .vul("V1", ["h1"])
            .host("h2", ["V2"])
            .remark("ok")
            .body()
            .unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({
                "operate_type": "ignore",
                "remark": "ok",
                "data_list": [{"vul_id": "V1", "host_id_list": ["h1"]}],
                "host_data_list": [{"host_id": "h2", "vul_id_list": ["V2"]}]
            })
        );
        let err = VulStatusChange::new(VulOperation::Verify)
            .body()
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid data_list: nothing selected")
        );
        let err = VulStatusChange::new(VulOperation::Verify)
            .vul("", ["h"])
            .body()
            .unwrap_err();
        assert!(
            err.to_string().starts_with("invalid data_list.vul_id: "),
            "{err}"
        );
    }
}
