//! Ids that look like the service's (`sess_…`, `msg_…`) and a small seeded
//! random source, so that a run with the same seed behaves the same way.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::wire::Time;

/// Hands out unique ids: a counter passed through a bijective mixer, so ids
/// never repeat yet do not look sequential (clients must treat them as opaque).
#[derive(Debug)]
pub(crate) struct IdGenerator {
    next: AtomicU64,
    salt: u64,
}

impl IdGenerator {
    pub(crate) fn new(seed: u64) -> IdGenerator {
        IdGenerator {
            next: AtomicU64::new(1),
            salt: splitmix64(seed),
        }
    }

    /// A fresh id such as `sess_5f1c2a9be0d47a31`.
    pub(crate) fn next(&self, prefix: &str) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        format!("{prefix}_{:016x}", splitmix64(n ^ self.salt))
    }
}

/// A seeded SplitMix64 stream behind a lock (draws are rare and cheap).
#[derive(Debug)]
pub(crate) struct Random(Mutex<u64>);

impl Random {
    pub(crate) fn new(seed: u64) -> Random {
        Random(Mutex::new(seed))
    }

    /// A value in `[0, 1)`.
    pub(crate) fn unit(&self) -> f64 {
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        (splitmix64(*state) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The wall clock, to the millisecond (as the service reports times).
pub(crate) fn now() -> Time {
    Time::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_prefixed() {
        let ids = IdGenerator::new(7);
        let a = ids.next("sess");
        let b = ids.next("sess");
        assert!(a.starts_with("sess_") && a.len() == 21);
        assert_ne!(a, b);
    }

    #[test]
    fn random_values_are_in_unit_interval_and_seeded() {
        let (r1, r2) = (Random::new(3), Random::new(3));
        for _ in 0..1000 {
            let v = r1.unit();
            assert!((0.0..1.0).contains(&v));
            assert_eq!(v, r2.unit());
        }
    }
}
