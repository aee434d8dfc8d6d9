//! The scheduled vulnerability scan (`ShowVulScanPolicy`,
//! `ChangeVulScanPolicy`): read it, change it, typed and checked before
//! anything is sent.

use hss_api::types::{self, ShowVulScanPolicyResponse};
use hss_operations as operations;

use crate::call::Op;
use crate::client::HssClient;
use crate::enums::{PolicyStatus, ScanPeriod, ScanRange, VulType};
use crate::error::Error;
use crate::lists::typed;
use crate::scan_tasks::check_count;
use crate::scope::Scope;

/// A scan policy to set (`ChangeVulScanPolicy`).
///
/// ```
/// use hss_ext::{PolicyStatus, ScanPeriod, ScanPolicy, ScanRange, VulType};
/// let policy = ScanPolicy::new(ScanPeriod::OneDay, ScanRange::AllHost, PolicyStatus::Open)
///     .vul_types([VulType::LinuxVul, VulType::WindowsVul])
///     .at(3, 30);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanPolicy {
    pub(crate) scope: Scope,
    scan_period: ScanPeriod,
    scan_range: ScanRange,
    status: PolicyStatus,
    host_ids: Vec<String>,
    scan_vul_types: Vec<VulType>,
    days: Vec<i32>,
    hour: Option<i32>,
    minute: Option<i32>,
    timezone_offset: Option<i32>,
}

impl ScanPolicy {
    /// The three fields the API requires.
    pub fn new(period: ScanPeriod, range: ScanRange, status: PolicyStatus) -> Self {
        ScanPolicy {
            scope: Scope::default(),
            scan_period: period,
            scan_range: range,
            status,
            host_ids: Vec::new(),
            scan_vul_types: Vec::new(),
            days: Vec::new(),
            hour: None,
            minute: None,
            timezone_offset: None,
        }
    }

    /// The policy as the service shows it, to change one field and set it
    /// back. Values the service sent that this version does not know are
    /// kept as they are.
    pub fn from_shown(shown: &ShowVulScanPolicyResponse) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let time = shown.time.clone().unwrap_or_default();
        let small = |v: i64| i32::try_from(v).ok();
        ScanPolicy {
            scope: Scope::default(),
            scan_period: ScanPeriod::from(text(&shown.scan_period)),
            scan_range: ScanRange::from(text(&shown.scan_range_type)),
            status: PolicyStatus::from(text(&shown.status)),
            host_ids: shown.host_ids.clone(),
            scan_vul_types: shown.scan_vul_types(),
            days: time.day_part.iter().filter_map(|d| small(*d)).collect(),
            hour: time.hour_part.and_then(small),
            minute: time.minute_part.and_then(small),
            timezone_offset: time.timezone_offset.and_then(small),
        }
    }

    /// The project and enterprise project.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// How often (`scan_period`).
    pub fn period(mut self, period: ScanPeriod) -> Self {
        self.scan_period = period;
        self
    }

    /// Which hosts (`scan_range_type`).
    pub fn range(mut self, range: ScanRange) -> Self {
        self.scan_range = range;
        self
    }

    /// On or off (`status`).
    pub fn status(mut self, status: PolicyStatus) -> Self {
        self.status = status;
        self
    }

    /// The hosts of a `specific_host` policy (`host_ids`).
    pub fn hosts<S: Into<String>>(mut self, host_ids: impl IntoIterator<Item = S>) -> Self {
        self.host_ids = host_ids.into_iter().map(Into::into).collect();
        self
    }

    /// The vulnerability types scanned for (`scan_vul_types`).
    pub fn vul_types(mut self, types: impl IntoIterator<Item = VulType>) -> Self {
        self.scan_vul_types = types.into_iter().collect();
        self
    }

    /// The time of day of the scan (`time.hour_part` 0..=23,
    /// `time.minute_part` 0..=59).
    pub fn at(mut self, hour: i32, minute: i32) -> Self {
        self.hour = Some(hour);
        self.minute = Some(minute);
        self
    }

    /// The days of the scan (`time.day_part`: weekdays 1..=7 for a weekly
    /// scan, days of the month for a monthly one).
    pub fn days(mut self, days: impl IntoIterator<Item = i32>) -> Self {
        self.days = days.into_iter().collect();
        self
    }

    /// The time zone of [`at`](Self::at), minutes from UTC
    /// (`time.timezone_offset`).
    pub fn timezone_offset(mut self, minutes: i32) -> Self {
        self.timezone_offset = Some(minutes);
        self
    }

    /// The body as the generated type, checked against the spec: the
    /// error names the first field that is wrong.
    pub fn body(&self) -> Result<types::ChangeVulScanPolicyBody, Error> {
        if self.scan_range == ScanRange::SpecificHost && self.host_ids.is_empty() {
            return Err(Error::invalid(
                "host_ids",
                "a policy for specific hosts needs at least one host id",
            ));
        }
        check_count(
            operations::CHANGE_VUL_SCAN_POLICY,
            "host_ids",
            self.host_ids.len(),
        )?;
        if let Some(hour) = self.hour.filter(|h| !(0..=23).contains(h)) {
            return Err(Error::invalid(
                "time.hour_part",
                format!("must be between 0 and 23, got {hour}"),
            ));
        }
        if let Some(minute) = self.minute.filter(|m| !(0..=59).contains(m)) {
            return Err(Error::invalid(
                "time.minute_part",
                format!("must be between 0 and 59, got {minute}"),
            ));
        }
        let time = (!self.days.is_empty()
            || self.hour.is_some()
            || self.minute.is_some()
            || self.timezone_offset.is_some())
        .then(|| types::VulScanPolicyTime {
            day_part: self.days.clone(),
            hour_part: self.hour,
            minute_part: self.minute,
            next_scan_time: None,
            timezone_offset: self.timezone_offset,
        });
        Ok(types::ChangeVulScanPolicyBody {
            scan_period: typed("scan_period", self.scan_period.as_str())?,
            scan_range_type: typed("scan_range_type", self.scan_range.as_str())?,
            status: typed("status", self.status.as_str())?,
            host_ids: self
                .host_ids
                .iter()
                .map(|h| typed("host_ids", h))
                .collect::<Result<_, _>>()?,
            scan_vul_types: self
                .scan_vul_types
                .iter()
                .map(|t| typed("scan_vul_types", t.as_str()))
                .collect::<Result<_, _>>()?,
            time,
        })
    }
}

impl HssClient {
    /// The scheduled scan as it is set (`ShowVulScanPolicy`).
    pub async fn scan_policy(&self, scope: &Scope) -> Result<ShowVulScanPolicyResponse, Error> {
        scope.check(self)?;
        let api = self.api.clone();
        let response = self
            .call(
                Op::of(operations::SHOW_VUL_SCAN_POLICY),
                scope.project_id.as_deref(),
                |project| {
                    let mut request = api.show_vul_scan_policy().project_id(project.as_str());
                    if let Some(eps) = &scope.enterprise_project_id {
                        request = request.enterprise_project_id(eps.as_str());
                    }
                    request.send()
                },
            )
            .await?;
        Ok(response.into_inner())
    }

    /// Sets the scheduled scan (`ChangeVulScanPolicy`). Preview it with
    /// [`preview`](Self::preview).
    pub async fn set_scan_policy(&self, policy: &ScanPolicy) -> Result<(), Error> {
        policy.scope.check(self)?;
        let body = policy.body()?;
        let api = self.api.clone();
        self.call(
            Op::of(operations::CHANGE_VUL_SCAN_POLICY),
            policy.scope.project_id.as_deref(),
            |project| {
                let mut request = api
                    .change_vul_scan_policy()
                    .project_id(project.as_str())
                    .body(body.clone());
                if let Some(eps) = &policy.scope.enterprise_project_id {
                    request = request.enterprise_project_id(eps.as_str());
                }
                request.send()
            },
        )
        .await
        .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_round_trip_through_the_shown_form() {
        let shown: ShowVulScanPolicyResponse = serde_json::from_value(serde_json::json!({
            "scan_period": "one_week", "scan_range_type": "specific_host", "status": "open",
            "host_ids": ["h1"], "scan_vul_types": ["linux_vul", "future_vul"],
            "time": {"day_part": [1, 3], "hour_part": 22, "minute_part": 5}
        }))
        .unwrap();
        let body = ScanPolicy::from_shown(&shown).body().unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({
                "scan_period": "one_week", "scan_range_type": "specific_host", "status": "open",
                "host_ids": ["h1"], "scan_vul_types": ["linux_vul", "future_vul"],
                "time": {"day_part": [1, 3], "hour_part": 22, "minute_part": 5}
            })
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let policy = ScanPolicy::new(ScanPeriod::OneDay, ScanRange::AllHost, PolicyStatus::Open);
        let err = policy.clone().at(24, 0).body().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid time.hour_part: must be between 0 and 23, got 24"
        );
        let err = policy.range(ScanRange::SpecificHost).body().unwrap_err();
        assert!(err.to_string().starts_with("invalid host_ids: "), "{err}");
    }
}
