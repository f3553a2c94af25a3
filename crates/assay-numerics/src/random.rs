//! Seeded random streams, all built on SplitMix64 (Steele, Lea & Flood, "Fast splittable
//! pseudorandom number generators", OOPSLA 2014; the constants of Vigna's reference
//! `splitmix64.c`). SplitMix64 is counter-based: the value at position `i` of a stream is a
//! function of the seed and `i` alone, so a procedure that draws per row gives the same draws
//! however the rows are split into batches or threads.

/// The golden-ratio increment of SplitMix64, `⌊2^64 / φ⌋` (odd).
pub const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function (the `mix64` finaliser, variant 13 of Stafford's mixers): a
/// bijection of `u64` that spreads every input bit over the output.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One SplitMix64 step from state `z`: `mix64(z + γ)`, the first output of a generator seeded
/// with `z`.
#[inline]
pub fn splitmix64(z: u64) -> u64 {
    mix64(z.wrapping_add(GOLDEN_GAMMA))
}

/// A key for position `counter` of the stream `seed`: `splitmix64(splitmix64(seed) ^ counter)`.
/// Used to draw per row (the randomized decision of a mitigated model, the calibration
/// split) so that a row's draw depends only on the seed and its position.
#[inline]
pub fn counter_key(seed: u64, counter: u64) -> u64 {
    splitmix64(splitmix64(seed) ^ counter)
}

/// A uniform number in [0, 1) for position `counter` of the stream `seed`: the top 53 bits of
/// [`counter_key`], scaled by 2^−53 (every value a multiple of 2^−53).
#[inline]
pub fn counter_uniform(seed: u64, counter: u64) -> f64 {
    (counter_key(seed, counter) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A sequential SplitMix64 generator: the state advances by [`GOLDEN_GAMMA`] and each output
/// is [`mix64`] of the new state.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_generator() {
        // The first outputs of Vigna's splitmix64.c seeded with 1234567.
        let mut g = SplitMix64::new(1_234_567);
        let want = [
            6_457_827_717_110_365_317,
            3_203_168_211_198_807_973,
            9_817_491_932_198_370_423,
            4_593_380_528_125_082_431,
            16_408_922_859_458_223_821,
        ];
        for w in want {
            assert_eq!(g.next_u64(), w);
        }
        assert_eq!(splitmix64(1_234_567), want[0]);
    }

    #[test]
    fn counter_streams_depend_on_seed_and_position_only() {
        let a: Vec<f64> = (0..1000).map(|i| counter_uniform(7, i)).collect();
        let b: Vec<f64> = (0..1000).rev().map(|i| counter_uniform(7, i)).collect();
        assert!(a.iter().eq(b.iter().rev()));
        assert!(a.iter().all(|u| (0.0..1.0).contains(u)));
        let mean = a.iter().sum::<f64>() / a.len() as f64;
        assert!((mean - 0.5).abs() < 0.05, "{mean}");
        assert_ne!(counter_key(7, 0), counter_key(8, 0));
    }
}
