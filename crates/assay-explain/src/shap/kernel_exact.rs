//! Exact Shapley values of one background row's game, for KernelSHAP's background
//! decomposition.
//!
//! KernelSHAP's value function is a weighted mean over background rows,
//! `v(S) = Σ_b w_b v_b(S)` with `v_b(S) = f(x_S, b_{¬S})`, and the Shapley value is linear in
//! the game, so `φ(v) = Σ_b w_b φ(v_b)`. In `v_b` every feature on which the explained row and
//! the background row agree exactly is a null player (setting it to the row's value changes
//! nothing), so `φ(v_b)` is the Shapley value of a game on the `d_b` features where they
//! differ, computed exactly from its `2^{d_b}` values by the definition (Shapley 1953):
//! `φ_i = Σ_{S ⊆ D∖{i}} |S|! (d−|S|−1)! / d! · (v(S ∪ {i}) − v(S))`. On tabular data with
//! categorical or discrete columns `d_b` is usually much smaller than the number of features,
//! so the exact values cost fewer model evaluations than shap's sampled estimate.

/// The Shapley values of the `d`-player game whose value on the coalition with bitmask `s` is
/// `table[s]` (`table.len() == 2^d`), added `scale`-weighted into `out[players[i]]`.
pub(crate) fn add_exact_shapley(table: &[f64], players: &[usize], scale: f64, out: &mut [f64]) {
    let d = players.len();
    debug_assert_eq!(table.len(), 1usize << d);
    if d == 0 {
        return;
    }
    // coef[k] = k! (d−1−k)! / d! = 1 / (d · C(d−1, k)).
    let mut coef = vec![0.0; d];
    let mut binom = 1.0f64; // C(d−1, k)
    for (k, c) in coef.iter_mut().enumerate() {
        *c = 1.0 / (d as f64 * binom);
        binom = binom * (d - 1 - k) as f64 / (k + 1) as f64;
    }
    for (i, &p) in players.iter().enumerate() {
        let bit = 1usize << i;
        let mut phi = 0.0;
        for s in 0..table.len() {
            if s & bit == 0 {
                phi += coef[s.count_ones() as usize] * (table[s | bit] - table[s]);
            }
        }
        out[p] += scale * phi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn additive_games_give_each_player_its_own_term() {
        // v(S) = Σ_{i∈S} a_i: φ_i = a_i.
        let a = [1.5, -2.0, 0.25];
        let table: Vec<f64> = (0..8)
            .map(|s: usize| (0..3).filter(|i| s >> i & 1 == 1).map(|i| a[i]).sum())
            .collect();
        let mut out = vec![0.0; 5];
        add_exact_shapley(&table, &[4, 0, 2], 2.0, &mut out);
        assert_eq!(out, vec![-4.0, 0.0, 0.5, 0.0, 3.0]);
    }

    #[test]
    fn the_glove_game_splits_by_the_definition() {
        // v(S) = 1 when S holds player 0 and at least one of 1, 2: φ = (2/3, 1/6, 1/6).
        let table: Vec<f64> = (0..8usize)
            .map(|s| f64::from(s & 1 == 1 && s & 6 != 0))
            .collect();
        let mut out = vec![0.0; 3];
        add_exact_shapley(&table, &[0, 1, 2], 1.0, &mut out);
        let want = [2.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0];
        for (o, w) in out.iter().zip(want) {
            assert!((o - w).abs() < 1e-15, "{out:?}");
        }
    }
}
