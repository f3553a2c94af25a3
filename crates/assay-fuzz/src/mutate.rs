//! Seeded mutations of seed inputs.

use assay_numerics::random::SplitMix64;

/// A small deterministic generator ([`SplitMix64`]): the same seed gives the same cases.
#[derive(Debug, Clone)]
pub struct Rng(SplitMix64);

impl Rng {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(SplitMix64::new(seed))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform index below `n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Tokens that parsers treat specially: non-finite and extreme numbers, sizes that overflow
/// 32 bits, negative counts, quotes and brackets.
const TOKENS: &[&[u8]] = &[
    b"nan",
    b"NaN",
    b"inf",
    b"-inf",
    b"-1",
    b"0",
    b"1e308",
    b"-1e308",
    b"5e-324",
    b"4294967296",
    b"18446744073709551615",
    b"9223372036854775807",
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"\n",
    b"\r\n",
    b"=",
    b"null",
    b"true",
    b"\xff",
    b"\0",
    b"LEAF",
    b"BRANCH_LEQ",
];

/// Bytes that sit on boundaries.
const BYTES: &[u8] = &[
    0, 1, 0x7f, 0x80, 0xff, b'0', b'9', b'-', b'.', b'"', b',', b'\n',
];

/// At most this many bytes in a mutated input (mutations never grow an input past it).
pub const MAX_LEN: usize = 1 << 20;

/// One to four random mutations of `input`; `other` is a second seed for splices.
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    let n = 1 + rng.below(4);
    for _ in 0..n {
        mutate_once(rng, &mut v, other);
    }
    v.truncate(MAX_LEN);
    v
}

fn mutate_once(rng: &mut Rng, v: &mut Vec<u8>, other: &[u8]) {
    if v.is_empty() {
        v.extend_from_slice(TOKENS[rng.below(TOKENS.len())]);
        return;
    }
    let len = v.len();
    let at = rng.below(len);
    match rng.below(10) {
        // Flip one bit.
        0 => v[at] ^= 1 << rng.below(8),
        // Replace one byte by a random or a boundary byte.
        1 => v[at] = rng.next_u64() as u8,
        2 => v[at] = BYTES[rng.below(BYTES.len())],
        // Insert or overwrite with a token.
        3 => {
            let t = TOKENS[rng.below(TOKENS.len())];
            v.splice(at..at, t.iter().copied());
        }
        4 => {
            let t = TOKENS[rng.below(TOKENS.len())];
            let end = (at + t.len()).min(len);
            v.splice(at..end, t.iter().copied());
        }
        // Delete a range.
        5 => {
            let end = (at + 1 + rng.below(16.min(len - at))).min(len);
            v.drain(at..end);
        }
        // Duplicate a range.
        6 => {
            let end = (at + 1 + rng.below(64.min(len - at))).min(len);
            let chunk = v[at..end].to_vec();
            v.splice(at..at, chunk);
        }
        // Truncate.
        7 => v.truncate(at),
        // Splice: this input's head and the other's tail.
        8 if !other.is_empty() => {
            let from = rng.below(other.len());
            v.truncate(at);
            v.extend_from_slice(&other[from..]);
        }
        // Overwrite a 4- or 8-byte little-endian integer with an extreme value.
        _ => {
            let values: [u64; 5] = [0, u64::MAX, u32::MAX as u64, 1 << 31, 1 << 40];
            let x = values[rng.below(values.len())].to_le_bytes();
            let w = if rng.below(2) == 0 { 4 } else { 8 };
            for (k, b) in x.iter().take(w).enumerate() {
                if let Some(slot) = v.get_mut(at + k) {
                    *slot = *b;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_are_deterministic_and_vary() {
        let seed = b"label,score\n1,0.5\n0,0.25\n";
        let a: Vec<Vec<u8>> = {
            let mut r = Rng::new(7);
            (0..50).map(|_| mutate(&mut r, seed, b"x,y\n")).collect()
        };
        let b: Vec<Vec<u8>> = {
            let mut r = Rng::new(7);
            (0..50).map(|_| mutate(&mut r, seed, b"x,y\n")).collect()
        };
        assert_eq!(a, b);
        let distinct: std::collections::BTreeSet<&Vec<u8>> = a.iter().collect();
        assert!(distinct.len() > 40, "{}", distinct.len());
        assert!(a.iter().any(|m| m.as_slice() != seed));
    }
}
