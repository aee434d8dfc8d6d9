//! The seeding helpers every generated value comes from: one ChaCha8 RNG
//! per thing, seeded by mixing the seed with a salt and indexes.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(super) const SALT_PROJECT: u64 = 0x7072_6f6a_6563_7400;
pub(super) const SALT_EPS: u64 = 0x6570_7300_0000_0000;
pub(super) const SALT_TASK: u64 = 0x7461_736b_0000_0000;
pub(super) const SALT_HOST: u64 = 0x686f_7374_0000_0000;
pub(super) const SALT_HOST_EP: u64 = 0x686f_7374_6570_0000;

/// SplitMix64 finaliser over `a` and `b`: a cheap, well-spread seed mixer.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The RNG of event `event` of kind `salt` in task `task_index`, so that
/// runtime changes (a host finishing its scan, hosts joining) are as
/// reproducible as the generated data.
pub(super) fn event_rng(seed: u64, salt: u64, task_index: u64, event: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(mix(mix(seed, salt), task_index), event))
}

pub(super) fn hex_id(rng: &mut ChaCha8Rng) -> String {
    let a: u64 = rng.random();
    let b: u64 = rng.random();
    format!("{a:016x}{b:016x}")
}

pub(super) fn uuid(rng: &mut ChaCha8Rng) -> String {
    let a: u64 = rng.random();
    let b: u64 = rng.random();
    // Version 4, RFC 4122 variant.
    let a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
    let b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFFF,
        b >> 48,
        b & 0xFFFF_FFFF_FFFF
    )
}

/// `k` distinct numbers below `n`, in random order (a partial Fisher-Yates).
pub(crate) fn pick_distinct(rng: &mut ChaCha8Rng, n: usize, k: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..n).collect();
    for i in 0..k.min(n) {
        let j = rng.random_range(i..n);
        all.swap(i, j);
    }
    all.truncate(k.min(n));
    all
}

/// One of `choices`, each as likely as its weight.
pub(super) fn weighted<'a, T>(rng: &mut ChaCha8Rng, choices: &'a [(u32, T)]) -> &'a T {
    let total: u32 = choices.iter().map(|(w, _)| w).sum();
    let mut x = rng.random_range(0..total);
    for (w, value) in choices {
        if x < *w {
            return value;
        }
        x -= w;
    }
    &choices[choices.len() - 1].1
}

/// One of `values` (not empty), all equally likely.
pub(super) fn pick<'a>(rng: &mut ChaCha8Rng, values: &[&'a str]) -> &'a str {
    values[rng.random_range(0..values.len())]
}

/// Six random lower-case letters and digits, as ECS name suffixes have.
pub(super) fn suffix(rng: &mut ChaCha8Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}
