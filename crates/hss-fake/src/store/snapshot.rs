//! One task as served: its hosts with per-filter indexes, so that a page
//! costs `O(limit)` whatever the size of the task, and the pages already
//! rendered, so that serving one again costs a copy of a handle.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::Mutex;

use bytes::Bytes;

use crate::data::{ALL_GRANTED_EPS, Host, TaskProfile, scan_status};
use crate::motion::Timeline;

/// Host positions matching one enterprise-project selection, in task order,
/// overall and per documented scan status.
#[derive(Debug, Default)]
struct StatusIndex {
    all: Vec<u32>,
    by_status: [Vec<u32>; 3],
}

impl StatusIndex {
    fn push(&mut self, position: u32, status: Option<&str>) {
        self.all.push(position);
        if let Some(i) = status.and_then(|s| scan_status::ALL.iter().position(|k| *k == s)) {
            self.by_status[i].push(position);
        }
    }

    fn select(&self, status: Option<&str>) -> &[u32] {
        match status {
            None => &self.all,
            Some(s) => scan_status::ALL
                .iter()
                .position(|k| *k == s)
                .map_or(&[][..], |i| &self.by_status[i]),
        }
    }
}

/// Most bytes of rendered pages one snapshot keeps: every 200-host page
/// of a 100,000-host task (about 81 MB) fits; past it pages are rendered
/// each time, as before there was a cache.
const PAGE_CACHE_BYTES: usize = 256 << 20;

/// What a cached page costs besides its body (key, map slot), counted so
/// that many tiny pages (past the end) stay bounded too.
const PAGE_ENTRY_OVERHEAD: usize = 128;

/// Which page of which selection: everything a page's body depends on
/// besides the snapshot itself.
#[derive(Debug, Hash, PartialEq, Eq)]
struct PageKey {
    ep: Box<str>,
    status: Option<Box<str>>,
    offset: usize,
    limit: usize,
}

/// Pages rendered from one snapshot. A snapshot never changes (a change
/// builds a new one), so its pages cannot go stale: they are dropped with it.
#[derive(Debug, Default)]
struct PageCache {
    pages: HashMap<PageKey, Bytes>,
    bytes: usize,
}

/// One task as served: hosts, indexes, and what it needs to change later
/// (its generator's state and its timeline).
#[derive(Debug)]
pub(crate) struct TaskSnapshot {
    hosts: Vec<Host>,
    all_eps: StatusIndex,
    by_ep: HashMap<String, StatusIndex>,
    pages: Mutex<PageCache>,
    pub(super) profile: TaskProfile,
    pub(super) next_host_index: u64,
    pub(super) timeline: Timeline,
}

impl TaskSnapshot {
    /// Indexes `hosts`; positions are `u32`, so a task holds at most
    /// `u32::MAX` hosts (the API cannot page past 2,000,000 anyway).
    pub(super) fn build(
        mut hosts: Vec<Host>,
        profile: TaskProfile,
        next_host_index: u64,
        timeline: Timeline,
    ) -> TaskSnapshot {
        hosts.truncate(u32::MAX as usize);
        let mut all_eps = StatusIndex::default();
        let mut by_ep: HashMap<String, StatusIndex> = HashMap::new();
        for (i, host) in hosts.iter().enumerate() {
            let status = host.info.scan_status.as_deref();
            all_eps.push(i as u32, status);
            by_ep
                .entry(host.enterprise_project_id.clone())
                .or_default()
                .push(i as u32, status);
        }
        TaskSnapshot {
            hosts,
            all_eps,
            by_ep,
            pages: Mutex::default(),
            profile,
            next_host_index,
            timeline,
        }
    }

    /// Positions of the hosts matching the filters. `enterprise_project` is
    /// the effective one (`all_granted_eps` or a project ID).
    pub(crate) fn select(&self, enterprise_project: &str, status: Option<&str>) -> &[u32] {
        if enterprise_project == ALL_GRANTED_EPS {
            self.all_eps.select(status)
        } else {
            self.by_ep
                .get(enterprise_project)
                .map_or(&[][..], |idx| idx.select(status))
        }
    }

    /// The body of one page of the hosts matching the filters, as
    /// [`TaskSnapshot::page_json`] renders it, rendered once per snapshot
    /// (within [`PAGE_CACHE_BYTES`]) and shared after that.
    pub(crate) fn page(
        &self,
        enterprise_project: &str,
        status: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Bytes {
        let key = PageKey {
            ep: enterprise_project.into(),
            status: status.map(Into::into),
            offset,
            limit,
        };
        if let Some(page) = self.cache().pages.get(&key) {
            return page.clone();
        }
        // Rendered without the lock: two requests for the same new page
        // may both render it, and the second keeps the first's.
        let selection = self.select(enterprise_project, status);
        let page = Bytes::from(self.page_json(selection, offset, limit));
        let mut cache = self.cache();
        let cost = page.len() + PAGE_ENTRY_OVERHEAD;
        if cache.bytes + cost <= PAGE_CACHE_BYTES {
            if let Some(kept) = cache.pages.get(&key) {
                return kept.clone();
            }
            cache.bytes += cost;
            cache.pages.insert(key, page.clone());
        }
        page
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, PageCache> {
        self.pages.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The JSON body of one page: `total_num` is the whole selection,
    /// `data_list` its hosts from `offset`, at most `limit` of them.
    pub(crate) fn page_json(&self, selection: &[u32], offset: usize, limit: usize) -> Vec<u8> {
        let page = selection.get(offset..).unwrap_or(&[]);
        let page = &page[..page.len().min(limit)];
        let mut out = Vec::with_capacity(64 + page.len() * 900);
        write!(out, "{{\"total_num\":{},\"data_list\":[", selection.len())
            .expect("writing to a Vec cannot fail");
        for (n, &i) in page.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, &self.hosts[i as usize].info)
                .expect("a host always serializes");
        }
        out.extend_from_slice(b"]}");
        out
    }

    pub(crate) fn hosts(&self) -> &[Host] {
        &self.hosts
    }

    /// Where the task is in its life (start, end, planned scan).
    pub(crate) fn timeline(&self) -> &Timeline {
        &self.timeline
    }
}
