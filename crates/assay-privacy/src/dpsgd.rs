//! DP-SGD (Abadi et al. 2016) for logistic regression and a one-hidden-layer ReLU network, as
//! Opacus runs it.
//!
//! Every step:
//!
//! 1. **Poisson sampling.** Each training row joins the batch independently with probability
//!    q (a seeded ChaCha20 stream). The batch size is random (Binomial(n, q)) and may be 0;
//!    that is what the subsampled-Gaussian accountant assumes. A fixed-size or shuffled batch
//!    would not match the accountant's ε.
//! 2. **Per-example clipping.** Every example's gradient (of the log-loss with respect to
//!    every parameter) is scaled by `c_i = min(1, C / (‖g_i‖ + 1e-6))`, Opacus's clip factor.
//!    The norms are computed without materialising per-example gradients (the "ghost" norm
//!    trick, Goodfellow 2015; Li et al. 2022): for a linear layer with input `a_i` (with a
//!    trailing 1 for the bias) and output gradient `e_i`, the per-example weight gradient is
//!    the outer product `e_i a_iᵀ`, whose squared Frobenius norm is `‖e_i‖²·‖a_i‖²`; the
//!    squared norms of the layers add up. The clipped sum `Σ_i c_i e_i a_iᵀ` is then one
//!    matrix product `(diag(c) E)ᵀ A`, accumulated row by row into the gradient buffer.
//! 3. **Gaussian noise** `N(0, (σC)²)` is added to every coordinate of the clipped sum, which
//!    is divided by the *expected* batch size `q·n` (Opacus's `expected_batch_size`), not by the
//!    realised one (dividing by the realised size would make the sensitivity data-dependent).
//! 4. **SGD** with optional momentum in PyTorch's convention (`v ← μv + g`, `θ ← θ − ηv`).
//!
//! ε for the run comes from [`crate::accounting::epsilon`] for (q, σ, steps, δ); a target ε
//! becomes σ by [`crate::accounting::calibrate::noise_multiplier`]. Nothing here looks at ε:
//! this module only promises to run the mechanism the accountant analyses (Poisson rate q,
//! sensitivity C, noise σC, `steps` compositions), and tests check each part of that promise.
//!
//! # The Gaussian noise and floating point
//!
//! The noise is `rand_distr::StandardNormal` (a ziggurat sampler on `f64`) from a seeded
//! ChaCha20 stream, scaled by σC. This is *not* the floating-point-exact sampling the
//! analytics mechanisms need: Mironov (2012) showed that releasing one textbook floating-point
//! Laplace sample lets an attacker tell neighbouring inputs apart from the set of reachable
//! floating-point outputs, and Jin et al. (2022, "Are we there yet? Timing and floating-point
//! attacks on differential privacy systems") showed that common floating-point Gaussian
//! samplers, Opacus's among them, leak in the same way when a noisy value is released as it
//! is. What we rely on here, and what we do not claim:
//!
//! * The released object is the final model, not the noisy gradients: each noisy sum is
//!   divided by qn, multiplied by the learning rate and added to parameters of another
//!   magnitude (every operation rounding again), and then goes through `steps` further
//!   non-linear updates. That destroys the exact pattern of representable values that the
//!   known attacks read. We know of no attack on the final model of a many-step run through
//!   sampler artefacts, but we have no proof that the leakage is gone either.
//! * The ε reported is therefore a guarantee for the *idealised* real-valued algorithm, the
//!   same footing as Opacus without `secure_mode` and TensorFlow Privacy. If the intermediate
//!   noisy gradients (or a model after one step) were released, the floating-point attacks
//!   would apply; do not release them.
//! * Why not [`crate::mechanisms::sample_gaussian`] (exact discrete Gaussian noise on a 2^k
//!   grid)? The accountants' Poisson-subsampled Gaussian (RDP and PLD) is an analysis of
//!   *continuous* Gaussian noise; the subsampled multivariate discrete Gaussian on a grid, with
//!   the clipped sum rounded to that grid, needs its own analysis (Kairouz, Liu and Steinke
//!   2021 give one), which this crate does not implement, and the exact sampler's
//!   big-rational arithmetic for every coordinate of every step would make training orders of
//!   magnitude slower. Swapping it in without that analysis would replace a documented gap by
//!   an unaccounted one.
//! * The noise is seeded for reproducibility. A seed known to an adversary removes all
//!   privacy; callers that release a model must draw the seed from a secure source.

use assay_numerics::sigmoid;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rand_distr::StandardNormal;

use crate::PrivacyError;

/// Opacus's stabiliser in the clip factor `C / (‖g‖ + 1e-6)`.
pub const CLIP_EPS: f64 = 1e-6;

/// The network trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// Logistic regression: one linear layer `d → 1` with bias, initialised to zero.
    Logistic,
    /// `Linear(d, hidden) → ReLU → Linear(hidden, 1)`, initialised as PyTorch's `nn.Linear`
    /// (weights and biases uniform on `±1/√fan_in`).
    Mlp {
        /// Hidden units (≥ 1).
        hidden: usize,
    },
}

/// A trained (or initial) model: the architecture, the input width and the flat parameters.
///
/// Parameter layout: logistic `[w (d), b]`; MLP `[W1 (hidden × d, row-major), b1 (hidden),
/// w2 (hidden), b2]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The architecture.
    pub architecture: Architecture,
    /// Input features.
    pub d: usize,
    /// The parameters in the layout above.
    pub params: Vec<f64>,
}

impl Model {
    /// Number of parameters of `architecture` on `d` inputs.
    pub fn param_count(architecture: Architecture, d: usize) -> usize {
        match architecture {
            Architecture::Logistic => d + 1,
            Architecture::Mlp { hidden } => hidden * d + hidden + hidden + 1,
        }
    }

    /// The initial model: zeros (logistic) or PyTorch's default uniform initialisation from
    /// `seed` (MLP).
    pub fn init(architecture: Architecture, d: usize, seed: u64) -> Model {
        let mut params = vec![0.0; Model::param_count(architecture, d)];
        if let Architecture::Mlp { hidden } = architecture {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            rng.set_stream(2);
            let b1 = 1.0 / (d.max(1) as f64).sqrt();
            let b2 = 1.0 / (hidden.max(1) as f64).sqrt();
            let (first, second) = params.split_at_mut(hidden * d + hidden);
            for p in first.iter_mut() {
                *p = rng.random_range(-b1..b1);
            }
            for p in second.iter_mut() {
                *p = rng.random_range(-b2..b2);
            }
        }
        Model {
            architecture,
            d,
            params,
        }
    }

    /// The logit (log-odds of the positive class) of one row of `d` features.
    pub fn logit(&self, x: &[f64]) -> f64 {
        let d = self.d;
        match self.architecture {
            Architecture::Logistic => dot(&self.params[..d], x) + self.params[d],
            Architecture::Mlp { hidden } => {
                let (w1, rest) = self.params.split_at(hidden * d);
                let (b1, rest) = rest.split_at(hidden);
                let (w2, b2) = rest.split_at(hidden);
                let mut z = b2[0];
                for k in 0..hidden {
                    let h = dot(&w1[k * d..(k + 1) * d], x) + b1[k];
                    if h > 0.0 {
                        z += w2[k] * h;
                    }
                }
                z
            }
        }
    }

    /// Fraction of rows of the row-major `x` (`d` columns) whose predicted class (logit > 0)
    /// equals `y` (0/1).
    pub fn accuracy(&self, x: &[f64], y: &[f64]) -> f64 {
        if y.is_empty() {
            return f64::NAN;
        }
        let correct = x
            .chunks_exact(self.d.max(1))
            .zip(y)
            .filter(|(row, &t)| (self.logit(row) > 0.0) == (t > 0.5))
            .count();
        correct as f64 / y.len() as f64
    }

    /// Mean log-loss of the rows (labels in [0, 1]).
    pub fn log_loss(&self, x: &[f64], y: &[f64]) -> f64 {
        let total: f64 = x
            .chunks_exact(self.d.max(1))
            .zip(y)
            .map(|(row, &t)| log_loss(self.logit(row), t))
            .sum();
        total / y.len() as f64
    }
}

/// The log-loss of one example with logit `z` and label `t` ∈ [0, 1], computed stably.
pub fn log_loss(z: f64, t: f64) -> f64 {
    // −t log σ(z) − (1−t) log(1−σ(z)) = softplus(z) − t z.
    softplus(z) - t * z
}

fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// The settings of one DP-SGD run.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The network.
    pub architecture: Architecture,
    /// Poisson sampling rate q ∈ (0, 1].
    pub sampling_rate: f64,
    /// Noise multiplier σ ≥ 0 (noise standard deviation over C). σ = 0 gives no privacy at
    /// all; it exists for audits and baselines.
    pub noise_multiplier: f64,
    /// Per-example L2 clipping norm C > 0.
    pub clip: f64,
    /// Learning rate η > 0.
    pub lr: f64,
    /// Momentum μ ∈ [0, 1).
    pub momentum: f64,
    /// Number of steps (≥ 1).
    pub steps: u64,
    /// Seed of the sampling, the noise and the MLP's initialisation.
    pub seed: u64,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Training {
    /// The final model.
    pub model: Model,
    /// The realised (Poisson) batch size of every step.
    pub batch_sizes: Vec<u32>,
    /// Fraction of sampled examples whose gradient was clipped (norm above C).
    pub clipped_fraction: f64,
}

impl Config {
    fn validate(&self, n: usize, d: usize) -> Result<(), PrivacyError> {
        let bad = |m: String| Err(PrivacyError::Unsupported(m));
        if !(self.sampling_rate > 0.0 && self.sampling_rate <= 1.0) {
            return Err(PrivacyError::InvalidSamplingRate(self.sampling_rate));
        }
        if !(self.noise_multiplier.is_finite() && self.noise_multiplier >= 0.0) {
            return Err(PrivacyError::InvalidNoiseMultiplier(self.noise_multiplier));
        }
        if self.steps == 0 {
            return Err(PrivacyError::ZeroSteps);
        }
        if !(self.clip.is_finite() && self.clip > 0.0) {
            return bad(format!(
                "the clipping norm must be a positive finite number, got {}",
                self.clip
            ));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad(format!(
                "the learning rate must be a positive finite number, got {}",
                self.lr
            ));
        }
        if !(self.momentum >= 0.0 && self.momentum < 1.0) {
            return bad(format!("momentum must be in [0, 1), got {}", self.momentum));
        }
        if let Architecture::Mlp { hidden: 0 } = self.architecture {
            return bad("the hidden layer needs at least one unit".into());
        }
        if n == 0 || d == 0 {
            return bad(format!(
                "DP-SGD needs at least one row and one feature, got {n} rows of {d} features"
            ));
        }
        Ok(())
    }
}

/// Reusable per-step buffers (no allocation inside the step loop).
struct Work {
    batch: Vec<usize>,
    /// Batch rows' pre-activations / activations (MLP), `b × hidden`.
    act: Vec<f64>,
    /// Output-layer error per example (`σ(z) − y`).
    err_out: Vec<f64>,
    /// Hidden-layer error per example, `b × hidden`.
    err_hidden: Vec<f64>,
    /// The clipped (then noisy) gradient sum, one entry per parameter.
    grad: Vec<f64>,
    velocity: Vec<f64>,
}

/// Runs DP-SGD from `init` on the row-major `x` (`n × d`) with labels `y` ∈ [0, 1].
pub fn train_from(
    init: Model,
    x: &[f64],
    y: &[f64],
    cfg: &Config,
) -> Result<Training, PrivacyError> {
    let d = init.d;
    let n = y.len();
    cfg.validate(n, d)?;
    if init.architecture != cfg.architecture
        || init.params.len() != Model::param_count(cfg.architecture, d)
    {
        return Err(PrivacyError::Unsupported(
            "the initial model does not match the configured architecture".into(),
        ));
    }
    if x.len() != n * d {
        return Err(PrivacyError::Unsupported(format!(
            "the feature matrix has {} cells, expected {n} rows × {d} features",
            x.len()
        )));
    }
    if let Some(bad) = x.iter().chain(y).find(|v| !v.is_finite()) {
        return Err(PrivacyError::Unsupported(format!(
            "DP-SGD needs finite features and labels, found {bad}"
        )));
    }
    let mut model = init;
    let p = model.params.len();
    let hidden = match cfg.architecture {
        Architecture::Logistic => 0,
        Architecture::Mlp { hidden } => hidden,
    };
    let mut sample_rng = ChaCha20Rng::seed_from_u64(cfg.seed);
    let mut noise_rng = ChaCha20Rng::seed_from_u64(cfg.seed);
    noise_rng.set_stream(1);
    let expected = cfg.sampling_rate * n as f64;
    let noise_sd = cfg.noise_multiplier * cfg.clip;
    let cap = ((expected + 10.0 * expected.sqrt() + 16.0) as usize).min(n);
    let mut w = Work {
        batch: Vec::with_capacity(cap),
        act: Vec::with_capacity(cap * hidden),
        err_out: Vec::with_capacity(cap),
        err_hidden: Vec::with_capacity(cap * hidden),
        grad: vec![0.0; p],
        velocity: vec![0.0; p],
    };
    let mut batch_sizes = Vec::with_capacity(cfg.steps as usize);
    let (mut sampled, mut clipped) = (0u64, 0u64);
    let step = assay_progress::step("DP-SGD steps", Some(cfg.steps));
    for _ in 0..cfg.steps {
        step.tick();
        // 1. Poisson sampling: every row independently with probability q.
        w.batch.clear();
        for i in 0..n {
            if sample_rng.random::<f64>() < cfg.sampling_rate {
                w.batch.push(i);
            }
        }
        batch_sizes.push(w.batch.len() as u32);
        sampled += w.batch.len() as u64;
        // 2. Clipped gradient sum.
        w.grad.iter_mut().for_each(|g| *g = 0.0);
        clipped += match cfg.architecture {
            Architecture::Logistic => clipped_sum_logistic(&model, x, y, cfg.clip, &mut w),
            Architecture::Mlp { hidden } => clipped_sum_mlp(&model, hidden, x, y, cfg.clip, &mut w),
        };
        // 3. Noise on the sum, then the average over the expected batch size.
        for g in w.grad.iter_mut() {
            if noise_sd > 0.0 {
                let z: f64 = noise_rng.sample(StandardNormal);
                *g += noise_sd * z;
            }
            *g /= expected;
        }
        // 4. SGD with momentum.
        for ((theta, v), g) in model.params.iter_mut().zip(&mut w.velocity).zip(&w.grad) {
            *v = cfg.momentum * *v + g;
            *theta -= cfg.lr * *v;
        }
    }
    Ok(Training {
        model,
        batch_sizes,
        clipped_fraction: if sampled == 0 {
            0.0
        } else {
            clipped as f64 / sampled as f64
        },
    })
}

/// Runs DP-SGD from [`Model::init`] (seeded by `cfg.seed`).
pub fn train(x: &[f64], y: &[f64], d: usize, cfg: &Config) -> Result<Training, PrivacyError> {
    cfg.validate(y.len(), d)?;
    train_from(Model::init(cfg.architecture, d, cfg.seed), x, y, cfg)
}

/// The clip factor of an example with squared gradient norm `sq`.
fn clip_factor(sq: f64, clip: f64) -> f64 {
    (clip / (sq.sqrt() + CLIP_EPS)).min(1.0)
}

/// Logistic regression: the per-example gradient is `e_i·[x_i, 1]` with `e_i = σ(z_i) − y_i`,
/// so its norm is `|e_i|·√(‖x_i‖² + 1)`. Adds `Σ c_i e_i [x_i, 1]` to `w.grad`; returns how
/// many examples were clipped.
fn clipped_sum_logistic(model: &Model, x: &[f64], y: &[f64], clip: f64, w: &mut Work) -> u64 {
    let d = model.d;
    let (wt, b) = (&model.params[..d], model.params[d]);
    let mut clipped = 0;
    let (gw, gb) = w.grad.split_at_mut(d);
    for &i in &w.batch {
        let xi = &x[i * d..(i + 1) * d];
        let e = sigmoid(dot(wt, xi) + b) - y[i];
        let sq = e * e * (dot(xi, xi) + 1.0);
        let c = clip_factor(sq, clip);
        clipped += u64::from(c < 1.0);
        let s = c * e;
        if s != 0.0 {
            axpy(s, xi, gw);
            gb[0] += s;
        }
    }
    clipped
}

/// One hidden layer: forward pass for the batch, output errors `e_i` and hidden errors
/// `δ_i = e_i·w2 ⊙ 1[h_i > 0]`; per-example squared norm
/// `e_i²(‖h_i‖² + 1) + ‖δ_i‖²(‖x_i‖² + 1)` (both layers' outer products); then the clipped
/// sums `Σ c_i e_i [h_i, 1]` and `Σ c_i δ_i [x_i, 1]ᵀ`.
fn clipped_sum_mlp(
    model: &Model,
    hidden: usize,
    x: &[f64],
    y: &[f64],
    clip: f64,
    w: &mut Work,
) -> u64 {
    let d = model.d;
    let (w1, rest) = model.params.split_at(hidden * d);
    let (b1, rest) = rest.split_at(hidden);
    let (w2, b2) = rest.split_at(hidden);
    let b = w.batch.len();
    w.act.clear();
    w.act.resize(b * hidden, 0.0);
    w.err_hidden.clear();
    w.err_hidden.resize(b * hidden, 0.0);
    w.err_out.clear();
    w.err_out.resize(b, 0.0);
    let mut clipped = 0;
    for (r, &i) in w.batch.iter().enumerate() {
        let xi = &x[i * d..(i + 1) * d];
        let h = &mut w.act[r * hidden..(r + 1) * hidden];
        let mut z = b2[0];
        for k in 0..hidden {
            let a = (dot(&w1[k * d..(k + 1) * d], xi) + b1[k]).max(0.0);
            h[k] = a;
            z += w2[k] * a;
        }
        let e = sigmoid(z) - y[i];
        let dh = &mut w.err_hidden[r * hidden..(r + 1) * hidden];
        let mut dh_sq = 0.0;
        for k in 0..hidden {
            let v = if h[k] > 0.0 { e * w2[k] } else { 0.0 };
            dh[k] = v;
            dh_sq += v * v;
        }
        let sq = e * e * (dot(h, h) + 1.0) + dh_sq * (dot(xi, xi) + 1.0);
        let c = clip_factor(sq, clip);
        clipped += u64::from(c < 1.0);
        w.err_out[r] = c * e;
        dh.iter_mut().for_each(|v| *v *= c);
    }
    // The clipped sums as matrix products over the batch.
    let (gw1, grest) = w.grad.split_at_mut(hidden * d);
    let (gb1, grest) = grest.split_at_mut(hidden);
    let (gw2, gb2) = grest.split_at_mut(hidden);
    for (r, &i) in w.batch.iter().enumerate() {
        let xi = &x[i * d..(i + 1) * d];
        let dh = &w.err_hidden[r * hidden..(r + 1) * hidden];
        for k in 0..hidden {
            let s = dh[k];
            if s != 0.0 {
                axpy(s, xi, &mut gw1[k * d..(k + 1) * d]);
                gb1[k] += s;
            }
        }
        let s = w.err_out[r];
        axpy(s, &w.act[r * hidden..(r + 1) * hidden], gw2);
        gb2[0] += s;
    }
    clipped
}

/// Steps of `epochs` passes at sampling rate q: `round(epochs / q)`, at least 1 (Opacus:
/// `epochs × len(data_loader)` with `q = 1 / len(data_loader)`).
pub fn steps_for_epochs(epochs: f64, sampling_rate: f64) -> u64 {
    ((epochs / sampling_rate).round() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per-example gradients by explicit materialisation (the reference for the ghost norms).
    fn example_gradient(model: &Model, xi: &[f64], yi: f64) -> Vec<f64> {
        let d = model.d;
        match model.architecture {
            Architecture::Logistic => {
                let e = sigmoid(model.logit(xi)) - yi;
                let mut g: Vec<f64> = xi.iter().map(|v| e * v).collect();
                g.push(e);
                g
            }
            Architecture::Mlp { hidden } => {
                let (w1, rest) = model.params.split_at(hidden * d);
                let (b1, rest) = rest.split_at(hidden);
                let (w2, _) = rest.split_at(hidden);
                let h: Vec<f64> = (0..hidden)
                    .map(|k| (dot(&w1[k * d..(k + 1) * d], xi) + b1[k]).max(0.0))
                    .collect();
                let e = sigmoid(model.logit(xi)) - yi;
                let mut g = vec![0.0; model.params.len()];
                for k in 0..hidden {
                    let dk = if h[k] > 0.0 { e * w2[k] } else { 0.0 };
                    for j in 0..d {
                        g[k * d + j] = dk * xi[j];
                    }
                    g[hidden * d + k] = dk;
                    g[hidden * d + hidden + k] = e * h[k];
                }
                g[hidden * d + 2 * hidden] = e;
                g
            }
        }
    }

    fn data(n: usize, d: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let x: Vec<f64> = (0..n * d)
            .map(|_| 3.0 * rng.sample::<f64, _>(StandardNormal))
            .collect();
        let y = (0..n)
            .map(|i| f64::from(u8::from(x[i * d] + rng.random::<f64>() > 0.5)))
            .collect();
        (x, y)
    }

    #[test]
    fn ghost_clipped_sums_equal_materialised_per_example_gradients() {
        let (n, d) = (40, 7);
        let (x, y) = data(n, d, 3);
        for arch in [Architecture::Logistic, Architecture::Mlp { hidden: 5 }] {
            let mut model = Model::init(arch, d, 11);
            // A non-trivial point for the logistic model too.
            for (j, p) in model.params.iter_mut().enumerate() {
                *p += 0.1 * ((j % 5) as f64 - 2.0);
            }
            let p = model.params.len();
            let mut w = Work {
                batch: (0..n).filter(|i| i % 3 != 1).collect(),
                act: vec![],
                err_out: vec![],
                err_hidden: vec![],
                grad: vec![0.0; p],
                velocity: vec![0.0; p],
            };
            let clip = 1.5;
            let clipped = match arch {
                Architecture::Logistic => clipped_sum_logistic(&model, &x, &y, clip, &mut w),
                Architecture::Mlp { hidden } => {
                    clipped_sum_mlp(&model, hidden, &x, &y, clip, &mut w)
                }
            };
            let mut want = vec![0.0; p];
            let mut want_clipped = 0;
            for &i in &w.batch {
                let g = example_gradient(&model, &x[i * d..(i + 1) * d], y[i]);
                let norm = dot(&g, &g).sqrt();
                let c = (clip / (norm + CLIP_EPS)).min(1.0);
                want_clipped += u64::from(c < 1.0);
                axpy(c, &g, &mut want);
            }
            assert!(want_clipped > 0 && want_clipped < w.batch.len() as u64);
            assert_eq!(clipped, want_clipped);
            for (a, b) in w.grad.iter().zip(&want) {
                assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn batches_are_poisson_samples() {
        // Binomial(n, q) batch sizes: mean nq, variance nq(1-q); a fixed-size batch fails both
        // the variance check and the "sizes differ" check.
        let (n, d, q) = (2000, 2, 0.05);
        let (x, y) = data(n, d, 5);
        let cfg = Config {
            architecture: Architecture::Logistic,
            sampling_rate: q,
            noise_multiplier: 1.0,
            clip: 1.0,
            lr: 0.1,
            momentum: 0.0,
            steps: 2000,
            seed: 9,
        };
        let t = train(&x, &y, d, &cfg).unwrap();
        let s: Vec<f64> = t.batch_sizes.iter().map(|&b| f64::from(b)).collect();
        let m = s.iter().sum::<f64>() / s.len() as f64;
        let v = s.iter().map(|b| (b - m) * (b - m)).sum::<f64>() / (s.len() - 1) as f64;
        let (em, ev) = (n as f64 * q, n as f64 * q * (1.0 - q));
        // Standard error of the mean: sqrt(ev / 2000) ≈ 0.22; of the variance ≈ ev·sqrt(2/1999).
        assert!(
            (m - em).abs() < 5.0 * (ev / 2000.0).sqrt(),
            "mean {m} vs {em}"
        );
        assert!(
            (v / ev - 1.0).abs() < 5.0 * (2.0f64 / 1999.0).sqrt(),
            "var {v} vs {ev}"
        );
    }

    #[test]
    fn noise_of_the_stated_scale_is_added() {
        // Labels 0.5 at logit 0 give zero gradients: one step moves every parameter by the
        // noise alone, −η·σC·N(0,1)/(qn).
        let (n, d) = (500, 4000);
        let x = vec![0.0; n * d];
        let y = vec![0.5; n];
        let (q, sigma, clip, lr) = (0.1, 2.0, 0.5, 1.0);
        let cfg = Config {
            architecture: Architecture::Logistic,
            sampling_rate: q,
            noise_multiplier: sigma,
            clip,
            lr,
            momentum: 0.0,
            steps: 1,
            seed: 4,
        };
        let t = train(&x, &y, d, &cfg).unwrap();
        let p = &t.model.params;
        let sd_want = lr * sigma * clip / (q * n as f64);
        let mean = p.iter().sum::<f64>() / p.len() as f64;
        let sd = (p.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / p.len() as f64).sqrt();
        assert!(mean.abs() < 5.0 * sd_want / (p.len() as f64).sqrt());
        // sd of a sample sd of 4001 normals ≈ 1.1 %.
        assert!((sd / sd_want - 1.0).abs() < 0.06, "sd {sd} vs {sd_want}");
        // And with σ = 0 nothing moves.
        let t0 = train(
            &x,
            &y,
            d,
            &Config {
                noise_multiplier: 0.0,
                ..cfg
            },
        )
        .unwrap();
        assert!(t0.model.params.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn non_private_training_learns_and_is_reproducible() {
        let (n, d) = (600, 3);
        let (x, y) = data(n, d, 1);
        for arch in [Architecture::Logistic, Architecture::Mlp { hidden: 8 }] {
            let cfg = Config {
                architecture: arch,
                sampling_rate: 0.1,
                noise_multiplier: 0.5,
                clip: 1.0,
                lr: 0.5,
                momentum: 0.5,
                steps: 300,
                seed: 2,
            };
            let a = train(&x, &y, d, &cfg).unwrap();
            let b = train(&x, &y, d, &cfg).unwrap();
            assert_eq!(a.model, b.model);
            assert!(a.model.accuracy(&x, &y) > 0.8, "{arch:?}");
            let c = train(&x, &y, d, &Config { seed: 3, ..cfg }).unwrap();
            assert_ne!(a.model, c.model);
        }
    }

    #[test]
    fn bad_settings_are_errors() {
        let (x, y) = data(10, 2, 1);
        let ok = Config {
            architecture: Architecture::Logistic,
            sampling_rate: 0.5,
            noise_multiplier: 1.0,
            clip: 1.0,
            lr: 0.1,
            momentum: 0.0,
            steps: 3,
            seed: 0,
        };
        assert!(train(&x, &y, 2, &ok).is_ok());
        for bad in [
            Config {
                sampling_rate: 0.0,
                ..ok.clone()
            },
            Config {
                sampling_rate: 1.5,
                ..ok.clone()
            },
            Config {
                noise_multiplier: -1.0,
                ..ok.clone()
            },
            Config {
                clip: 0.0,
                ..ok.clone()
            },
            Config {
                lr: f64::NAN,
                ..ok.clone()
            },
            Config {
                momentum: 1.0,
                ..ok.clone()
            },
            Config {
                steps: 0,
                ..ok.clone()
            },
            Config {
                architecture: Architecture::Mlp { hidden: 0 },
                ..ok.clone()
            },
        ] {
            assert!(train(&x, &y, 2, &bad).is_err(), "{bad:?}");
        }
        assert!(train(&x[..5], &y, 2, &ok).is_err());
    }

    #[test]
    fn steps_for_epochs_rounds() {
        assert_eq!(steps_for_epochs(5.0, 1.0 / 79.0), 395);
        assert_eq!(steps_for_epochs(1.0, 0.3), 3);
        assert_eq!(steps_for_epochs(0.01, 0.5), 1);
    }
}
