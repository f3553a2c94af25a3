//! Shadow-model splits and parallel shadow training.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

/// `masks[s][i]`: example `i` of a population of `n` is in shadow model `s`'s training set.
/// Each example is IN for exactly `⌊shadows / 2⌋` shadows, chosen at random per example (so every
/// shadow trains on about half the population, and LiRA has IN and OUT models for every
/// example), as in Carlini et al. 2022's code. Seeded: the same seed gives the same masks.
#[allow(clippy::needless_range_loop)] // masks[s][i]: examples indexed across shadows
pub fn shadow_masks(n: usize, shadows: usize, seed: u64) -> Vec<Vec<bool>> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut masks = vec![vec![false; n]; shadows];
    let mut order: Vec<usize> = (0..shadows).collect();
    for i in 0..n {
        order.shuffle(&mut rng);
        for &s in &order[..shadows / 2] {
            masks[s][i] = true;
        }
    }
    masks
}

/// Trains every shadow model in parallel (rayon) and returns what `train` returns for each,
/// in shadow order: `train(s, &masks[s])`, typically the φ of every population example under
/// shadow `s`. The first error (in shadow order) is returned.
pub fn train_shadows<T, E, F>(masks: &[Vec<bool>], train: F) -> Result<Vec<T>, E>
where
    T: Send,
    E: Send,
    F: Fn(usize, &[bool]) -> Result<T, E> + Sync,
{
    let step = assay_progress::step("shadow models", Some(masks.len() as u64));
    masks
        .par_iter()
        .enumerate()
        .map(|(s, m)| {
            let r = train(s, m);
            step.tick();
            r
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_in_half_the_shadows() {
        let m = shadow_masks(100, 8, 3);
        for i in 0..100 {
            assert_eq!(m.iter().filter(|s| s[i]).count(), 4);
        }
        assert_eq!(m, shadow_masks(100, 8, 3));
        assert_ne!(m, shadow_masks(100, 8, 4));
        let out: Result<Vec<usize>, ()> = train_shadows(&m, |s, mask| {
            Ok(s * 1000 + mask.iter().filter(|&&b| b).count())
        });
        let out = out.unwrap();
        assert_eq!(out.len(), 8);
        assert!(out.iter().enumerate().all(|(s, v)| v / 1000 == s));
    }
}
