//! Bitcoin wallet addresses: legacy/P2SH base58 addresses validated by base58check (double
//! SHA-256 checksum, version byte 0x00 or 0x05) and segwit `bc1` addresses validated by the
//! bech32 (BIP 173) or bech32m (BIP 350) checksum. Only validated addresses are reported
//! (score 1.0, Presidio's `CRYPTO` after validation).

use std::sync::LazyLock;

use regex::Regex;
use sha2::{Digest, Sha256};

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &["wallet", "btc", "bitcoin", "crypto"];

static BASE58: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\b").unwrap());
static BECH32: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bbc1[ac-hj-np-z02-9]{8,87}\b").unwrap());

const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn base58_decode(s: &str) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(32);
    for c in s.bytes() {
        let mut carry = B58.iter().position(|&x| x == c)? as u32;
        for b in out.iter_mut().rev() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            out.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|&c| c == b'1').count();
    let mut v = vec![0u8; zeros];
    v.extend(out);
    Some(v)
}

/// Base58check validity of a P2PKH / P2SH address.
pub fn base58check(s: &str) -> bool {
    let Some(v) = base58_decode(s) else {
        return false;
    };
    if v.len() != 25 || !(v[0] == 0 || v[0] == 5) {
        return false;
    }
    let h = Sha256::digest(Sha256::digest(&v[..21]));
    h[..4] == v[21..]
}

/// Bech32 / bech32m checksum of a `bc1` address.
pub fn bech32(s: &str) -> bool {
    const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    if s.chars().any(|c| c.is_ascii_lowercase()) && s.chars().any(|c| c.is_ascii_uppercase()) {
        return false;
    }
    let s = s.to_ascii_lowercase();
    let Some(pos) = s.rfind('1') else {
        return false;
    };
    let (hrp, data) = (&s[..pos], &s[pos + 1..]);
    let mut values: Vec<u32> = hrp.bytes().map(|c| u32::from(c) >> 5).collect();
    values.push(0);
    values.extend(hrp.bytes().map(|c| u32::from(c) & 31));
    for c in data.bytes() {
        let Some(p) = CHARSET.iter().position(|&x| x == c) else {
            return false;
        };
        values.push(p as u32);
    }
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk: u32 = 1;
    for v in values {
        let b = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ v;
        for (i, g) in GEN.iter().enumerate() {
            if (b >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk == 1 || chk == 0x2bc8_30a3
}

pub fn find(text: &str, out: &mut Vec<Finding>) {
    for m in BASE58.find_iter(text) {
        if base58check(m.as_str()) {
            out.push(Finding::new(
                "CRYPTO",
                m.start(),
                m.end(),
                1.0,
                "btc_base58check",
            ));
        }
    }
    for m in BECH32.find_iter(text) {
        if bech32(m.as_str()) {
            out.push(Finding::new(
                "CRYPTO",
                m.start(),
                m.end(),
                1.0,
                "btc_bech32",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn addresses() {
        assert!(base58check("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
        assert!(base58check("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"));
        assert!(!base58check("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"));
        assert!(bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"));
        assert!(!bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx"));
        let mut v = vec![];
        find("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 or bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", &mut v);
        assert_eq!(v.len(), 2);
    }
}
