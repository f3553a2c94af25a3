//! PII detection and masking.
//!
//! [`recognizers`] holds one file per family of personal identifiers (email, phone and fax,
//! credit card, IBAN, US SSN, IP address, URL, date, US passport / driver's licence, crypto
//! wallets, medical record / health-plan numbers, person names, locations and addresses, US ZIP
//! codes, and the other HIPAA Safe Harbor identifiers: ages over 89, vehicle identifiers and
//! licence plates, device identifiers and serial numbers, account and licence numbers,
//! biometric and photograph references). Person names and places are also found by a
//! statistical tagger trained in Rust ([`recognizers::ner`]). Each recognizer proposes candidates with a regular
//! expression (the `regex` crate: linear time, compiled once) and, where the identifier has one,
//! validates them with its checksum or validity rules (Luhn, mod-97, SSA rules, base58check,
//! bech32, `std::net` parsing, libphonenumber metadata through the `phonenumber` crate). The
//! [`Analyzer`] runs them, raises scores with context words as Presidio's
//! `LemmaContextAwareEnhancer` does ([`context`]), removes same-type duplicates and filters by
//! entity type and threshold. [`operators`] masks the findings (redact, replace, partial mask,
//! salted hash, HMAC pseudonyms, AES-256-GCM encryption with decryption, per-person date shifting,
//! generalization) after resolving overlaps (higher score wins, then the longer span). [`spans`]
//! holds the interval indexes that keep overlap resolution `O(n log n)` in the number of
//! findings, however many share one line.

pub mod analyzer;
pub mod column_names;
pub mod context;
pub mod dates;
pub mod error;
pub mod finding;
pub mod operators;
pub mod recognizers;
pub mod spans;

pub use analyzer::{Analyzer, AnalyzerConfig};
pub use error::PiiError;
pub use finding::{Finding, PresidioResult};
