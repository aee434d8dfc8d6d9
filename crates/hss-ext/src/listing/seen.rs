//! Which items a listing has already yielded, in 17 bytes of table per
//! item, whatever the size of its id.
//!
//! An id is kept as a 128-bit fingerprint from two SipHash hashers with
//! random keys, so a server cannot craft ids that collide, and two distinct
//! ids of a 2,000,000-host task share a fingerprint with a probability
//! near 2^-84. The low byte of a fingerprint records the pass that last
//! saw it, which tells a repeat within one pass (the task moved) from a
//! host met again by a verifying pass (expected).
//!
//! Memory: a `hashbrown` table of 16-byte entries plus one control byte,
//! at most 7/8 full and doubling as it grows: 19 to 39 bytes per item;
//! 68 MiB for the 2,000,000 hosts the API's largest offset allows (4,194,304
//! buckets; 102 MiB for the moment the table doubles), 2.1 MiB for 100,000.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher, RandomState};

/// Where an id stands when a pass meets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seen {
    /// Never yielded: yield it now.
    New,
    /// Yielded by an earlier pass: met again, as a verifying pass should.
    EarlierPass,
    /// Already met in this same pass: the pages overlapped.
    ThisPass,
}

/// The ids met so far, and the pass that last met each.
pub(crate) struct SeenIds {
    marks: HashSet<Mark, BuildHasherDefault<FingerprintHasher>>,
    keys: [RandomState; 2],
}

impl SeenIds {
    pub(crate) fn new() -> Self {
        SeenIds {
            marks: HashSet::default(),
            keys: [RandomState::new(), RandomState::new()],
        }
    }

    /// Records that pass `pass` met `id`, and says where it stood before.
    pub(crate) fn meet(&mut self, id: &str, pass: u8) -> Seen {
        let fingerprint =
            (u128::from(self.keys[0].hash_one(id)) << 64) | u128::from(self.keys[1].hash_one(id));
        let mark = Mark((fingerprint & !0xFF) | u128::from(pass));
        match self.marks.replace(mark) {
            None => Seen::New,
            Some(old) if old.pass() == pass => Seen::ThisPass,
            Some(_) => Seen::EarlierPass,
        }
    }

    /// Distinct ids met.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.marks.len()
    }
}

/// A fingerprint whose low byte is a pass number; equality and hashing
/// ignore that byte.
#[derive(Clone, Copy, Debug)]
struct Mark(u128);

impl Mark {
    fn pass(self) -> u8 {
        (self.0 & 0xFF) as u8
    }
    fn id(self) -> u128 {
        self.0 >> 8
    }
}

impl PartialEq for Mark {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}
impl Eq for Mark {}

impl Hash for Mark {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Already a keyed hash: its top bits serve the table as they are.
        state.write_u64((self.0 >> 64) as u64);
    }
}

/// Passes a fingerprint's bits through instead of hashing them again.
#[derive(Default)]
struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used by `Mark`; fold anything else in.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_new_from_this_pass_from_an_earlier_pass() {
        let mut seen = SeenIds::new();
        assert_eq!(seen.meet("h1", 1), Seen::New);
        assert_eq!(seen.meet("h2", 1), Seen::New);
        assert_eq!(seen.meet("h1", 1), Seen::ThisPass);
        assert_eq!(seen.meet("h1", 2), Seen::EarlierPass);
        assert_eq!(seen.meet("h1", 2), Seen::ThisPass);
        assert_eq!(seen.meet("h2", 3), Seen::EarlierPass);
        assert_eq!(seen.meet("h3", 3), Seen::New);
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn many_ids_stay_distinct() {
        let mut seen = SeenIds::new();
        for i in 0..200_000 {
            assert_eq!(seen.meet(&format!("host-{i}"), 1), Seen::New, "{i}");
        }
        assert_eq!(seen.len(), 200_000);
        assert_eq!(seen.meet("host-199999", 1), Seen::ThisPass);
    }

    #[test]
    fn an_entry_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Mark>(), 16);
    }
}
