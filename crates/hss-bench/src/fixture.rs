//! Pages exactly as `hss-fake` writes them, without a server.

use hss_fake::{Dataset, GenerateOptions, Host};

/// Seed of every generated dataset in the benchmarks.
pub const SEED: u64 = 42;

/// A task of `count` generated hosts (one enterprise project, as the
/// fake's default), in the order the fake lists them.
pub fn hosts(count: usize) -> Vec<Host> {
    dataset(count).tasks.swap_remove(0).hosts
}

/// A dataset of one task with `count` hosts.
pub fn dataset(count: usize) -> Dataset {
    Dataset::generate(&GenerateOptions {
        seed: SEED,
        tasks: 1,
        hosts_per_task: count,
        ..GenerateOptions::default()
    })
}

/// `{"total_num":N,"data_list":[...]}`: the body the fake answers for a
/// page holding `hosts` of a task of `total_num` hosts, byte for byte.
pub fn page_json(hosts: &[Host], total_num: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + hosts.len() * 1024);
    out.extend_from_slice(format!("{{\"total_num\":{total_num},\"data_list\":[").as_bytes());
    for (n, host) in hosts.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, &host.info).expect("a generated host serializes");
    }
    out.extend_from_slice(b"]}");
    out
}

/// The first page (200 hosts) of a 100,000-host task: the input of the
/// decoding benchmarks.
pub fn first_page_of_100k() -> Vec<u8> {
    page_json(&hosts(crate::PAGE_SIZE as usize), 100_000)
}
