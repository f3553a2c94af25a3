//! Masking operators and the anonymizer that applies them.
//!
//! Overlapping findings are resolved first ([`resolve_overlaps`]): the higher score wins, then
//! the longer span, then the earlier one; every kept finding is replaced by its entity type's
//! operator (`<TYPE>` replacement by default). The output mirrors Presidio's anonymizer JSON:
//! the new text and one item per replacement with character offsets into the new text.
//!
//! Keys: one master key (at least 16 bytes; 64 hex digits or base64 of 32 bytes are decoded)
//! read by the caller from a file or an environment variable. Separate subkeys are derived from
//! it by HMAC-SHA256 with fixed labels for pseudonyms, encryption and date shifting, so the same
//! key gives the same pseudonyms and date offsets in every file and every run.

use std::collections::HashMap;
use std::sync::LazyLock;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::dates;
use crate::error::PiiError;
use crate::finding::Finding;
use crate::spans::DisjointSpans;

type HmacSha256 = Hmac<Sha256>;

/// One masking operator.
#[derive(Clone, Debug, PartialEq)]
pub enum Operator {
    /// Leave the value as it is.
    Keep,
    /// Remove the value.
    Redact,
    /// Replace with the given text, or with `<ENTITY_TYPE>`.
    Replace(Option<String>),
    /// Replace every character but the last `keep_last` by `*`.
    Mask { keep_last: usize },
    /// Hex SHA-256 of `salt || value`.
    Hash { salt: String },
    /// `<TYPE_hex>`: HMAC-SHA256 of the type and value under the pseudonym subkey (12 hex digits).
    Pseudonymize,
    /// `[[ENC:TYPE:base64url(nonce || ciphertext)]]` with AES-256-GCM (random 96-bit nonce, the
    /// entity type as associated data); [`decrypt_text`] reverses it.
    Encrypt,
    /// Shift a date by a per-person number of days in `[-max_days, max_days] \ {0}`, derived by
    /// HMAC from the person id; written in the date's own form.
    DateShift { max_days: i64 },
    /// Coarser value, by HIPAA's Safe Harbor rule (45 CFR 164.514(b)(2)(i)(B), (C)) where it
    /// has one: date → year; ZIP → its first three digits, `000` for the three-digit areas of
    /// 20,000 people or fewer ([`RESTRICTED_ZIP3`]); a location → itself when it is a state,
    /// region or country of the gazetteer, otherwise `<LOCATION>` (subdivisions smaller than a
    /// state are removed); IPv4 → /24 network; email → its domain; otherwise `<TYPE>`.
    Generalize,
}

impl Operator {
    /// Parses `NAME[:ARG]`: `keep`, `redact`, `replace[:TEXT]`, `mask[:N]` (default 4),
    /// `hash[:SALT]`, `pseudonymize` (or `hmac`), `encrypt`, `date_shift[:MAX_DAYS]` (default
    /// 365), `generalize`.
    pub fn parse(spec: &str) -> Result<Operator, PiiError> {
        let (name, arg) = match spec.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (spec, None),
        };
        let bad = |reason: &str| PiiError::BadOperator {
            spec: spec.to_string(),
            reason: reason.to_string(),
        };
        let no_arg = |op: Operator| {
            if arg.is_some() {
                Err(bad("takes no argument"))
            } else {
                Ok(op)
            }
        };
        match name {
            "keep" => no_arg(Operator::Keep),
            "redact" => no_arg(Operator::Redact),
            "replace" => Ok(Operator::Replace(arg.map(str::to_string))),
            "mask" => Ok(Operator::Mask { keep_last: arg.map_or(Ok(4), str::parse).map_err(|_| bad("mask:N needs a number"))? }),
            "hash" => Ok(Operator::Hash { salt: arg.unwrap_or("").to_string() }),
            "pseudonymize" | "hmac" => no_arg(Operator::Pseudonymize),
            "encrypt" => no_arg(Operator::Encrypt),
            "date_shift" => {
                let max_days: i64 = arg.map_or(Ok(365), str::parse).map_err(|_| bad("date_shift:MAX_DAYS needs a number"))?;
                if max_days < 1 {
                    return Err(bad("MAX_DAYS must be at least 1"));
                }
                Ok(Operator::DateShift { max_days })
            }
            "generalize" => no_arg(Operator::Generalize),
            _ => Err(bad("unknown operator; use keep, redact, replace, mask, hash, pseudonymize, encrypt, date_shift or generalize")),
        }
    }

    /// Presidio-style operator name for the anonymizer items.
    pub fn name(&self) -> &'static str {
        match self {
            Operator::Keep => "keep",
            Operator::Redact => "redact",
            Operator::Replace(_) => "replace",
            Operator::Mask { .. } => "mask",
            Operator::Hash { .. } => "hash",
            Operator::Pseudonymize => "pseudonymize",
            Operator::Encrypt => "encrypt",
            Operator::DateShift { .. } => "date_shift",
            Operator::Generalize => "generalize",
        }
    }

    fn needs_key(&self) -> bool {
        matches!(
            self,
            Operator::Pseudonymize | Operator::Encrypt | Operator::DateShift { .. }
        )
    }
}

/// The subkeys derived from one master key.
#[derive(Clone)]
pub struct Keys {
    pseudonym: [u8; 32],
    aes: [u8; 32],
    date_shift: [u8; 32],
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// A new master key: 32 bytes from the operating system's random source, as 64 lowercase hex
/// digits (the form [`Keys::from_material`] reads first).
pub fn generate_key() -> String {
    let key = Aes256Gcm::generate_key(&mut OsRng);
    key.iter().map(|b| format!("{b:02x}")).collect()
}

impl Keys {
    /// Derives the subkeys from key material: 64 hex digits or base64 of 32 bytes are decoded,
    /// anything else is used as bytes (trailing newlines removed) and must be at least 16 bytes.
    pub fn from_material(material: &[u8]) -> Result<Keys, PiiError> {
        let trimmed: &[u8] = {
            let mut t = material;
            while let [rest @ .., b'\n' | b'\r'] = t {
                t = rest;
            }
            t
        };
        let text = std::str::from_utf8(trimmed).ok();
        let master: Vec<u8> = if let Some(h) =
            text.filter(|t| t.len() == 64 && t.bytes().all(|c| c.is_ascii_hexdigit()))
        {
            (0..32)
                .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
                .collect()
        } else if let Some(b) = text
            .and_then(|t| STANDARD.decode(t).ok())
            .filter(|b| b.len() == 32)
        {
            b
        } else {
            trimmed.to_vec()
        };
        if master.len() < 16 {
            return Err(PiiError::Key(format!(
                "the key has {} bytes; at least 16 are needed (for example 64 hex digits)",
                master.len()
            )));
        }
        Ok(Keys {
            pseudonym: hmac(&master, &[b"assay-pii/pseudonym/v1"]),
            aes: hmac(&master, &[b"assay-pii/aes-256-gcm/v1"]),
            date_shift: hmac(&master, &[b"assay-pii/date-shift/v1"]),
        })
    }

    /// The day offset of a person: in `[-max_days, max_days]`, never 0.
    pub fn date_offset(&self, person_id: &str, max_days: i64) -> i64 {
        let h = hmac(&self.date_shift, &[person_id.as_bytes()]);
        let x = u64::from_be_bytes(h[..8].try_into().unwrap());
        let span = 2 * max_days as u64;
        let k = (x % span) as i64; // 0 ..= 2*max-1
        if k < max_days {
            k - max_days
        } else {
            k - max_days + 1
        }
    }
}

/// Higher score wins, then the longer span, then the earlier start; the kept findings are
/// returned in text order and do not overlap. `O(n log n)` ([`DisjointSpans`]).
pub fn resolve_overlaps(findings: &[Finding]) -> Vec<Finding> {
    let mut v: Vec<&Finding> = findings.iter().collect();
    v.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    let mut spans = DisjointSpans::default();
    let mut kept: Vec<Finding> = Vec::with_capacity(v.len());
    for f in v {
        if spans.insert_if_free(f.start, f.end) {
            kept.push(f.clone());
        }
    }
    kept.sort_by_key(|f| f.start);
    kept
}

/// One replacement, as in Presidio's anonymizer output (character offsets into the new text).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Item {
    /// Character offset of the start of the replacement in the new text.
    pub start: usize,
    /// Character offset of its end (exclusive).
    pub end: usize,
    /// The entity type replaced.
    pub entity_type: String,
    /// The replacement text.
    pub text: String,
    /// The operator that made it (`redact`, `replace`, `mask`, `hash`, ...).
    pub operator: String,
}

/// A masked text with its items (Presidio's `{"text", "items"}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Masked {
    /// The masked text.
    pub text: String,
    /// The replacements, in order.
    pub items: Vec<Item>,
}

/// Operators per entity type and the keys they need.
pub struct Masker {
    ops: HashMap<String, Operator>,
    default: Operator,
    keys: Option<Keys>,
}

impl Masker {
    /// A masker; an operator that needs a key without one is an error here, before any text is
    /// masked.
    pub fn new(
        ops: HashMap<String, Operator>,
        default: Operator,
        keys: Option<Keys>,
    ) -> Result<Masker, PiiError> {
        if keys.is_none() {
            if let Some((t, op)) = ops
                .iter()
                .map(|(t, o)| (t.as_str(), o))
                .chain([("(default)", &default)])
                .find(|(_, o)| o.needs_key())
            {
                return Err(PiiError::Key(format!(
                    "operator `{}` for {t} needs a key (a key file or an environment variable)",
                    op.name()
                )));
            }
        }
        Ok(Masker { ops, default, keys })
    }

    /// Whether any operator shifts dates (the caller must then supply person ids).
    pub fn shifts_dates(&self) -> bool {
        self.ops
            .values()
            .chain([&self.default])
            .any(|o| matches!(o, Operator::DateShift { .. }))
    }

    /// The operator of an entity type (the default when none was set).
    pub fn op_for(&self, entity: &str) -> &Operator {
        self.ops.get(entity).unwrap_or(&self.default)
    }

    /// The replacement of one value.
    pub fn apply(
        &self,
        op: &Operator,
        entity: &str,
        value: &str,
        person_id: Option<&str>,
    ) -> Result<String, PiiError> {
        let key = || {
            self.keys
                .as_ref()
                .ok_or_else(|| PiiError::Key(format!("operator `{}` needs a key", op.name())))
        };
        Ok(match op {
            Operator::Keep => value.to_string(),
            Operator::Redact => String::new(),
            Operator::Replace(None) => format!("<{entity}>"),
            Operator::Replace(Some(s)) => s.clone(),
            Operator::Mask { keep_last } => {
                let n = value.chars().count();
                value
                    .chars()
                    .enumerate()
                    .map(|(i, c)| if i + keep_last >= n { c } else { '*' })
                    .collect()
            }
            Operator::Hash { salt } => {
                let mut h = Sha256::new();
                h.update(salt.as_bytes());
                h.update(value.as_bytes());
                hex(&h.finalize())
            }
            Operator::Pseudonymize => {
                let h = hmac(
                    &key()?.pseudonym,
                    &[entity.as_bytes(), &[0], value.as_bytes()],
                );
                format!("<{entity}_{}>", &hex(&h)[..12])
            }
            Operator::Encrypt => {
                let cipher = Aes256Gcm::new_from_slice(&key()?.aes).expect("32-byte key");
                let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
                let ct = cipher
                    .encrypt(
                        &nonce,
                        Payload {
                            msg: value.as_bytes(),
                            aad: entity.as_bytes(),
                        },
                    )
                    .map_err(|e| PiiError::Key(format!("encryption failed: {e}")))?;
                let mut blob = nonce.to_vec();
                blob.extend(ct);
                format!("[[ENC:{entity}:{}]]", URL_SAFE_NO_PAD.encode(blob))
            }
            Operator::DateShift { max_days } => match dates::parse(value) {
                Some(d) => {
                    let id = person_id.ok_or_else(|| {
                        PiiError::NoPersonId("no id for this text or row".to_string())
                    })?;
                    d.shifted(key()?.date_offset(id, *max_days)).format()
                }
                None => format!("<{entity}>"),
            },
            Operator::Generalize => generalize(entity, value),
        })
    }

    /// Masks `text` given its findings (byte offsets), resolving overlaps first.
    pub fn mask(
        &self,
        text: &str,
        findings: &[Finding],
        person_id: Option<&str>,
    ) -> Result<Masked, PiiError> {
        let kept = resolve_overlaps(findings);
        let mut out = String::with_capacity(text.len());
        let mut items = Vec::with_capacity(kept.len());
        let mut last = 0;
        let mut out_chars = 0usize;
        for f in &kept {
            let between = &text[last..f.start];
            out.push_str(between);
            out_chars += between.chars().count();
            let op = self.op_for(f.entity_type);
            let new = self.apply(op, f.entity_type, &text[f.start..f.end], person_id)?;
            let n = new.chars().count();
            items.push(Item {
                start: out_chars,
                end: out_chars + n,
                entity_type: f.entity_type.to_string(),
                text: new.clone(),
                operator: op.name().to_string(),
            });
            out.push_str(&new);
            out_chars += n;
            last = f.end;
        }
        out.push_str(&text[last..]);
        Ok(Masked { text: out, items })
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The three-digit ZIP code areas of 20,000 people or fewer (2000 Census), whose first three
/// digits Safe Harbor replaces by `000`: the list of HHS's "Guidance Regarding Methods for
/// De-identification of Protected Health Information" (2012), section 3.4.
pub const RESTRICTED_ZIP3: [&str; 17] = [
    "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878",
    "879", "884", "890", "893",
];

fn generalize(entity: &str, value: &str) -> String {
    let v = value.trim();
    if entity == "LOCATION" {
        return if crate::recognizers::location::is_region_or_country(v) {
            v.to_string()
        } else {
            "<LOCATION>".to_string()
        };
    }
    if let Some(d) = dates::parse(value) {
        return d.year.to_string();
    }
    if (v.len() == 5 || v.len() == 10 && v.as_bytes()[5] == b'-')
        && v.bytes().filter(|c| *c != b'-').all(|c| c.is_ascii_digit())
    {
        let zip3 = &v[..3];
        return if RESTRICTED_ZIP3.contains(&zip3) {
            "000**".to_string()
        } else {
            format!("{zip3}**")
        };
    }
    if let Ok(ip) = v.parse::<std::net::Ipv4Addr>() {
        let o = ip.octets();
        return format!("{}.{}.{}.0/24", o[0], o[1], o[2]);
    }
    if entity == "EMAIL_ADDRESS" {
        if let Some((_, dom)) = v.rsplit_once('@') {
            return format!("<EMAIL_ADDRESS>@{dom}");
        }
    }
    format!("<{entity}>")
}

static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[\[ENC:([A-Z_]+):([A-Za-z0-9_-]+)\]\]").unwrap());

/// Replaces every `[[ENC:TYPE:...]]` token made by [`Operator::Encrypt`] with its plaintext.
pub fn decrypt_text(text: &str, keys: &Keys) -> Result<String, PiiError> {
    let cipher = Aes256Gcm::new_from_slice(&keys.aes).expect("32-byte key");
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for c in TOKEN.captures_iter(text) {
        let m = c.get(0).unwrap();
        let blob = URL_SAFE_NO_PAD
            .decode(&c[2])
            .map_err(|e| PiiError::Decrypt(format!("token at byte {}: {e}", m.start())))?;
        if blob.len() < 12 + 16 {
            return Err(PiiError::Decrypt(format!(
                "token at byte {} is too short",
                m.start()
            )));
        }
        let (nonce, ct) = blob.split_at(12);
        let pt = cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: c[1].as_bytes(),
                },
            )
            .map_err(|_| {
                PiiError::Decrypt(format!(
                    "token at byte {}: wrong key or damaged token",
                    m.start()
                ))
            })?;
        out.push_str(&text[last..m.start()]);
        out.push_str(
            &String::from_utf8(pt)
                .map_err(|_| PiiError::Decrypt("plaintext is not UTF-8".into()))?,
        );
        last = m.end();
    }
    out.push_str(&text[last..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Analyzer, AnalyzerConfig};

    fn keys() -> Keys {
        Keys::from_material(b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")
            .unwrap()
    }

    fn run(op: &str, text: &str, entity: Option<&str>) -> Masked {
        let a = Analyzer::new(AnalyzerConfig {
            entities: entity.map(|e| vec![e.to_string()]),
            threshold: 0.3,
            rules: None,
        })
        .unwrap();
        let m = Masker::new(HashMap::new(), Operator::parse(op).unwrap(), Some(keys())).unwrap();
        m.mask(text, &a.analyze(text), Some("patient-1")).unwrap()
    }

    #[test]
    fn operators() {
        let t = "Mail jane@example.com or call, SSN 536-22-1234.";
        assert_eq!(
            run("replace", t, None).text,
            "Mail <EMAIL_ADDRESS> or call, SSN <US_SSN>."
        );
        assert_eq!(run("redact", t, None).text, "Mail  or call, SSN .");
        assert_eq!(
            run("mask:4", t, Some("US_SSN")).text,
            "Mail jane@example.com or call, SSN *******1234."
        );
        let h = run("hash:s", t, Some("US_SSN")).text;
        let expect = hex(&Sha256::digest(b"s536-22-1234"));
        assert!(h.contains(&expect));
        let p1 = run("pseudonymize", t, Some("US_SSN")).text;
        let p2 = run("pseudonymize", "other text 536-22-1234", Some("US_SSN")).text;
        let tok = &p1[p1.find("<US_SSN_").unwrap()..p1.find("<US_SSN_").unwrap() + 21];
        assert!(p2.contains(tok), "{p1} / {p2}");
        assert_eq!(
            run("generalize", "born 1984-03-05, from 192.168.7.9", None).text,
            "born 1984, from 192.168.7.0/24"
        );
    }

    #[test]
    fn generalize_follows_safe_harbor_geography() {
        assert_eq!(generalize("US_ZIP_CODE", "10027"), "100**");
        assert_eq!(generalize("US_ZIP_CODE", "03601-1234"), "000**");
        assert_eq!(generalize("US_ZIP_CODE", "89301"), "000**");
        assert_eq!(generalize("LOCATION", "California"), "California");
        assert_eq!(generalize("LOCATION", "Germany"), "Germany");
        for v in [
            "Boston",
            "12 Joshua Pines",
            "Soerendonk",
            "Austin, TX 78701",
        ] {
            assert_eq!(generalize("LOCATION", v), "<LOCATION>", "{v}");
        }
        let m = run("replace", "Ünï jane@example.com x", None);
        assert_eq!(m.items[0].start, 4);
        assert_eq!(m.items[0].end, 4 + "<EMAIL_ADDRESS>".len());
    }

    #[test]
    fn encryption_round_trip() {
        let t = "SSN 536-22-1234 and jane@example.com";
        let m = run("encrypt", t, None);
        assert!(!m.text.contains("536-22-1234") && !m.text.contains("jane@"));
        assert_eq!(decrypt_text(&m.text, &keys()).unwrap(), t);
        let other = Keys::from_material(b"another key of enough length!!").unwrap();
        assert!(decrypt_text(&m.text, &other).is_err());
    }

    #[test]
    fn date_shift_per_person() {
        let k = keys();
        let a = k.date_offset("patient-1", 30);
        assert_eq!(a, k.date_offset("patient-1", 30));
        assert!(a != 0 && a.abs() <= 30);
        let m = run(
            "date_shift:30",
            "admitted 2020-01-15, discharged 01/20/2020",
            Some("DATE_TIME"),
        );
        let d1 = dates::parse("2020-01-15").unwrap().shifted(a).format();
        let d2 = dates::parse("01/20/2020").unwrap().shifted(a).format();
        assert_eq!(m.text, format!("admitted {d1}, discharged {d2}"));
        // Offsets cover both signs and never 0.
        let offs: Vec<i64> = (0..200).map(|i| k.date_offset(&i.to_string(), 3)).collect();
        assert!(offs.iter().all(|&o| o != 0 && o.abs() <= 3));
        assert!(offs.contains(&-3) && offs.contains(&3));
    }

    #[test]
    fn overlaps_and_keys() {
        let f = vec![
            Finding::new("A", 0, 10, 0.5, "a"),
            Finding::new("B", 5, 12, 0.9, "b"),
            Finding::new("C", 0, 4, 0.5, "c"),
        ];
        let r = resolve_overlaps(&f);
        assert_eq!(
            r.iter().map(|f| f.entity_type).collect::<Vec<_>>(),
            vec!["C", "B"]
        );
        assert!(Masker::new(HashMap::new(), Operator::Encrypt, None).is_err());
        assert!(Keys::from_material(b"short").is_err());
        assert!(Operator::parse("mask:x").is_err() && Operator::parse("nope").is_err());
    }
}
