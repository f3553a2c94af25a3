//! Cryptocurrency wallet addresses (`CRYPTO`). Bitcoin: legacy/P2SH base58 addresses
//! validated by base58check (double SHA-256 checksum, version byte 0x00 or 0x05) and segwit
//! `bc1` addresses validated by the bech32 (BIP 173) or bech32m (BIP 350) checksum; only
//! validated addresses are reported (score 1.0, Presidio's `CRYPTO` after validation).
//! Ethereum: `0x` and 40 hex digits; in mixed case the EIP-55 checksum (the case of each
//! letter is the matching bit of the Keccak-256 hash of the lower-case address) must hold
//! (1.0), in one case there is no checksum to check (0.5, raised by `eth`, `ethereum`,
//! `wallet`).

use std::sync::LazyLock;

use regex::Regex;
use sha2::{Digest, Sha256};

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &["wallet", "btc", "bitcoin", "crypto", "eth", "ethereum"];

static ETH: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b0x[0-9a-fA-F]{40}\b").unwrap());

/// Whether a mixed-case Ethereum address (`0x` and 40 hex digits) carries a valid EIP-55
/// checksum: each letter is upper case exactly where the matching nibble of the Keccak-256
/// hash of the lower-case hex is 8 or more.
pub fn eip55(addr: &str) -> bool {
    use tiny_keccak::{Hasher, Keccak};
    let hex = &addr[2..];
    let lower = hex.to_ascii_lowercase();
    let mut hash = [0u8; 32];
    let mut k = Keccak::v256();
    k.update(lower.as_bytes());
    k.finalize(&mut hash);
    hex.bytes().enumerate().all(|(i, c)| {
        let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0xf;
        !c.is_ascii_alphabetic() || c.is_ascii_uppercase() == (nibble >= 8)
    })
}

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
    for m in ETH.find_iter(text) {
        let hex = &m.as_str()[2..];
        let one_case = !hex.bytes().any(|c| c.is_ascii_lowercase())
            || !hex.bytes().any(|c| c.is_ascii_uppercase());
        if one_case {
            out.push(Finding::new("CRYPTO", m.start(), m.end(), 0.5, "eth_hex"));
        } else if eip55(m.as_str()) {
            out.push(Finding::new("CRYPTO", m.start(), m.end(), 1.0, "eth_eip55"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethereum_addresses_by_eip55() {
        // The EIP-55 specification's test vectors.
        for a in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            assert!(eip55(a), "{a}");
        }
        let t = "send to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, not \
                 0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed; eth 0x52908400098527886e0f7030069857d2e4169ee7; \
                 tx 0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b";
        let got = crate::recognizers::found_by(find, t);
        assert_eq!(
            got,
            [
                ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 1.0),
                ("0x52908400098527886e0f7030069857d2e4169ee7", 0.5)
            ]
        );
    }

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
