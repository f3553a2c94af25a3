//! Floating-point summation in numpy's order, so that sums equal the reference implementation's
//! to the last bit.

/// `numpy.sum` of a contiguous `float64` array: numpy's pairwise summation (blocks of up to
/// 128 values summed in eight interleaved accumulators, larger arrays split in halves at a
/// multiple of eight).
pub(crate) fn numpy_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &x in a {
            res += x;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - (n % 8) {
            for j in 0..8 {
                r[j] += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += a[i];
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        numpy_sum(&a[..n2]) + numpy_sum(&a[n2..])
    }
}

#[cfg(test)]
mod tests {
    use super::numpy_sum;

    #[test]
    fn pairwise_order_differs_from_sequential() {
        // 1e16 + 1 + 1 + ... is order-dependent; numpy's blocks keep the ones together.
        let mut a = vec![1e16];
        a.extend(std::iter::repeat_n(1.0, 15));
        let sequential: f64 = a.iter().sum();
        assert_eq!(sequential, 1e16);
        // Two blocks of eight: r[0] = 1e16 + 1 (rounds to 1e16), r[1..8] = 2 each.
        assert_eq!(numpy_sum(&a), 1e16 + 14.0);
    }
}
