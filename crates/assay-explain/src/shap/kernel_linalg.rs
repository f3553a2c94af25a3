//! Small dense linear algebra for the explainers' least-squares problems (KernelSHAP's
//! constrained weighted least squares, LIME's weighted ridge): `A z = b` for a symmetric
//! positive semi-definite `A` of a few dozen rows.

/// Solves `A z = b` (A row-major `n × n`) by Gaussian elimination with partial pivoting, as
/// numpy's `linalg.solve` (LAPACK `gesv`) does; when `A` is singular (a pivot below
/// `1e-12 · max|A|`), falls back to the minimum-norm least-squares solution `A⁺ b` from a
/// symmetric eigendecomposition (numpy's `lstsq` fallback in shap; scikit-learn's in Ridge).
/// `A` must be symmetric for the fallback.
pub(crate) fn solve_symmetric(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    match lu_solve(a, b, n) {
        Some(z) => z,
        None => pinv_solve(a, b, n),
    }
}

fn lu_solve(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return None;
    }
    let mut m = a.to_vec();
    let mut z = b.to_vec();
    for k in 0..n {
        let (p, pv) = (k..n)
            .map(|r| (r, m[r * n + k].abs()))
            .fold(
                (k, -1.0),
                |acc, (r, v)| if v > acc.1 { (r, v) } else { acc },
            );
        if pv <= 1e-12 * scale {
            return None;
        }
        if p != k {
            for c in 0..n {
                m.swap(k * n + c, p * n + c);
            }
            z.swap(k, p);
        }
        let piv = m[k * n + k];
        for r in k + 1..n {
            let f = m[r * n + k] / piv;
            if f != 0.0 {
                for c in k..n {
                    m[r * n + c] -= f * m[k * n + c];
                }
                z[r] -= f * z[k];
            }
        }
    }
    for k in (0..n).rev() {
        let mut s = z[k];
        for c in k + 1..n {
            s -= m[k * n + c] * z[c];
        }
        z[k] = s / m[k * n + k];
    }
    if z.iter().all(|v| v.is_finite()) {
        Some(z)
    } else {
        None
    }
}

/// `A⁺ b` by cyclic Jacobi eigendecomposition of the symmetric `A`; eigenvalues below
/// `n · ε · max|λ|` are treated as zero (numpy's `lstsq` default cut-off).
fn pinv_solve(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut m = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum();
        let diag: f64 = (0..n).map(|i| m[i * n + i] * m[i * n + i]).sum();
        if off <= 1e-30 * diag.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let app = m[p * n + p];
                let aqq = m[q * n + q];
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let mkp = m[k * n + p];
                    let mkq = m[k * n + q];
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let mpk = m[p * n + k];
                    let mqk = m[q * n + k];
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let lmax = (0..n).fold(0.0f64, |acc, i| acc.max(m[i * n + i].abs()));
    let cut = n as f64 * f64::EPSILON * lmax;
    let mut z = vec![0.0; n];
    for k in 0..n {
        let lam = m[k * n + k];
        if lam.abs() <= cut || lam == 0.0 {
            continue;
        }
        let proj: f64 = (0..n).map(|i| v[i * n + k] * b[i]).sum::<f64>() / lam;
        for i in 0..n {
            z[i] += v[i * n + k] * proj;
        }
    }
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_regular_and_singular_systems() {
        let a = [4.0, 1.0, 1.0, 3.0];
        let z = solve_symmetric(&a, &[1.0, 2.0], 2);
        assert!((4.0 * z[0] + z[1] - 1.0).abs() < 1e-12);
        assert!((z[0] + 3.0 * z[1] - 2.0).abs() < 1e-12);
        // Rank one: [1 1; 1 1] z = [2, 2] has minimum-norm solution [1, 1].
        let z = solve_symmetric(&[1.0, 1.0, 1.0, 1.0], &[2.0, 2.0], 2);
        assert!(
            (z[0] - 1.0).abs() < 1e-12 && (z[1] - 1.0).abs() < 1e-12,
            "{z:?}"
        );
    }
}
