//! The status of one vulnerability on one server, and what each
//! `ChangeVulStatus` operation does to it: ignoring takes effect at once,
//! a repair or a verification runs for the configured operation duration
//! and then settles.

use std::time::Duration;

use time::OffsetDateTime;

/// A vulnerability's status on a server, as `status` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum VulStatus {
    Unfix,
    Ignored,
    Verified,
    Fixing,
    Fixed,
    Reboot,
    Failed,
    FixAfterReboot,
}

impl VulStatus {
    pub(crate) const ALL: [VulStatus; 8] = [
        VulStatus::Unfix,
        VulStatus::Ignored,
        VulStatus::Verified,
        VulStatus::Fixing,
        VulStatus::Fixed,
        VulStatus::Reboot,
        VulStatus::Failed,
        VulStatus::FixAfterReboot,
    ];

    /// Every wire value, for checking parameters.
    pub(crate) const NAMES: [&'static str; 8] = [
        "vul_status_unfix",
        "vul_status_ignored",
        "vul_status_verified",
        "vul_status_fixing",
        "vul_status_fixed",
        "vul_status_reboot",
        "vul_status_failed",
        "vul_status_fix_after_reboot",
    ];

    pub(crate) fn as_str(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|s| *s == self).unwrap_or(0)]
    }

    pub(crate) fn parse(text: &str) -> Option<VulStatus> {
        Self::NAMES
            .iter()
            .position(|n| *n == text)
            .map(|i| Self::ALL[i])
    }

    /// Handled means ignored or fixed: the service counts every other
    /// status as still to handle (`unhandle_host_num`, `unrepair`).
    pub(crate) fn handled(self) -> bool {
        matches!(self, VulStatus::Ignored | VulStatus::Fixed)
    }
}

/// The `handle_status` values.
pub(crate) const HANDLE_STATUSES: [&str; 2] = ["unhandled", "handled"];

/// A `ChangeVulStatus` operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operate {
    Ignore,
    NotIgnore,
    ImmediateRepair,
    ManualRepair,
    Verify,
    AddToWhitelist,
}

impl Operate {
    pub(crate) const NAMES: [&'static str; 6] = [
        "ignore",
        "not_ignore",
        "immediate_repair",
        "manual_repair",
        "verify",
        "add_to_whitelist",
    ];

    pub(crate) fn parse(text: &str) -> Option<Operate> {
        use Operate::*;
        let all = [
            Ignore,
            NotIgnore,
            ImmediateRepair,
            ManualRepair,
            Verify,
            AddToWhitelist,
        ];
        Self::NAMES.iter().position(|n| *n == text).map(|i| all[i])
    }
}

/// One vulnerability on one server, as it changes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct VulState {
    pub(crate) status: VulStatus,
    /// A status the current one turns into at a time (a repair or a
    /// verification under way).
    pub(crate) pending: Option<(OffsetDateTime, VulStatus)>,
    /// When an operation last changed it.
    pub(crate) handled_at: Option<OffsetDateTime>,
    pub(crate) remark: Option<String>,
}

impl VulState {
    pub(crate) fn new(status: VulStatus) -> VulState {
        VulState {
            status,
            pending: None,
            handled_at: None,
            remark: None,
        }
    }

    /// Applies `op` at `now`; returns whether the status changed. A repair
    /// or a verification takes `takes`: `immediate_repair` goes through
    /// `vul_status_fixing` to fixed; `manual_repair` (the engineer says it
    /// is repaired by hand) and `verify` through `vul_status_verified` to
    /// fixed when it was being or had been repaired, and back to what it
    /// was otherwise. `add_to_whitelist` ignores it as `ignore` does.
    pub(crate) fn apply(
        &mut self,
        op: Operate,
        remark: Option<&str>,
        now: OffsetDateTime,
        takes: Duration,
    ) -> bool {
        use VulStatus::*;
        let before = self.status;
        let settled_after = |to| Some((super::after(now, takes), to));
        let (status, pending) = match op {
            Operate::Ignore | Operate::AddToWhitelist => (Ignored, None),
            Operate::NotIgnore if before == Ignored => (Unfix, None),
            Operate::NotIgnore => (before, self.pending),
            Operate::ImmediateRepair if before == Fixed => (Fixed, None),
            Operate::ImmediateRepair => (Fixing, settled_after(Fixed)),
            Operate::ManualRepair => (Verified, settled_after(Fixed)),
            Operate::Verify => {
                let repaired = matches!(before, Fixing | Fixed | Reboot | Verified);
                let then = match self.pending {
                    Some((_, to)) if before == Verified => to,
                    _ if repaired => Fixed,
                    _ => before,
                };
                (Verified, settled_after(then))
            }
        };
        let changed = status != before || pending != self.pending;
        self.status = status;
        self.pending = pending;
        if changed {
            self.handled_at = Some(now);
        }
        if let Some(remark) = remark {
            self.remark = Some(remark.to_owned());
        }
        changed
    }

    /// Takes the pending change if it is due at `now`; true when it did.
    pub(crate) fn settle(&mut self, now: OffsetDateTime) -> bool {
        match self.pending {
            Some((at, to)) if at <= now => {
                self.status = to;
                self.pending = None;
                true
            }
            _ => false,
        }
    }
}

/// One vulnerability of a server as it stands, for tests and demos
/// ([`RunningFake::host_vuls`](crate::RunningFake::host_vuls)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostVulStatus {
    /// `vul_id`.
    pub vul_id: String,
    /// `linux_vul`, `windows_vul`, `web_cms`, `app_vul` or `urgent_vul`.
    pub vul_type: String,
    /// `vul_status_unfix`, `vul_status_ignored`, ...
    pub status: String,
    /// `Critical`, `High`, `Medium` or `Low`.
    pub severity_level: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_move_statuses_and_settle_later() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let takes = Duration::from_secs(5);
        let later = now + Duration::from_secs(5);
        let mut v = VulState::new(VulStatus::Unfix);
        assert!(v.apply(Operate::Ignore, Some("accepted risk"), now, takes));
        assert_eq!(v.status, VulStatus::Ignored);
        assert!(v.status.handled());
        assert!(v.apply(Operate::NotIgnore, None, now, takes));
        assert_eq!(v.status, VulStatus::Unfix);
        assert!(!v.apply(Operate::NotIgnore, None, now, takes));
        v.apply(Operate::ImmediateRepair, None, now, takes);
        assert_eq!(v.status, VulStatus::Fixing);
        assert!(!v.settle(now));
        assert!(v.settle(later));
        assert_eq!(v.status, VulStatus::Fixed);
        v.apply(Operate::Verify, None, later, takes);
        assert_eq!(v.status, VulStatus::Verified);
        v.settle(later + takes);
        assert_eq!(v.status, VulStatus::Fixed);
        let mut u = VulState::new(VulStatus::Failed);
        u.apply(Operate::Verify, None, now, takes);
        u.settle(later);
        assert_eq!(u.status, VulStatus::Failed, "verifying does not repair");
        for s in VulStatus::ALL {
            assert_eq!(VulStatus::parse(s.as_str()), Some(s));
        }
        for n in Operate::NAMES {
            assert!(Operate::parse(n).is_some());
        }
        assert!(Operate::parse("repair").is_none());
    }

    /// The fake knows exactly the values the spec documents: a value
    /// added to the spec fails here until the fake models it.
    #[test]
    fn the_fakes_values_are_the_specs() {
        let known =
            |op: &hss_operations::Operation, fields: &[hss_operations::Param], name: &str| {
                fields
                    .iter()
                    .find(|p| p.name == name)
                    .unwrap_or_else(|| panic!("{} has `{name}`", op.id))
                    .known_values
                    .to_vec()
            };
        let list = hss_operations::LIST_HOST_VULS;
        assert_eq!(known(list, list.params, "status"), VulStatus::NAMES);
        let change = hss_operations::CHANGE_VUL_STATUS;
        let body = change.body.expect("ChangeVulStatus has a body");
        assert_eq!(known(change, body.fields, "operate_type"), Operate::NAMES);
    }
}
