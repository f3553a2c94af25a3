//! The recognizers, one file per family. Each has a `find(text, out)` that appends its findings
//! (byte spans, base score, rule) and the context words that raise its score.

pub mod account;
pub mod age;
pub mod biometric;
pub mod credit_card;
pub mod crypto;
pub mod date;
pub mod device;
pub mod email;
pub mod iban;
pub mod ip;
pub mod location;
pub mod medical;
pub mod ner;
pub mod person;
pub mod phone;
pub mod ssn;
pub mod url;
pub mod us_ids;
pub mod vehicle;
pub mod zip;

use crate::finding::Finding;

/// A recognizer: the entity types it emits, its finder and its context words.
pub struct Recognizer {
    /// Name, for `--list` style output.
    pub name: &'static str,
    /// The entity types it may emit.
    pub entities: &'static [&'static str],
    /// Appends the findings in `text`.
    pub find: fn(&str, &mut Vec<Finding>),
    /// Words that, found among the few tokens before a finding, raise its score (matched as
    /// Presidio does: the context word is a substring of the lower-cased token).
    pub context: &'static [&'static str],
}

/// Every recognizer, in a fixed order.
pub fn all() -> &'static [Recognizer] {
    &ALL
}

static ALL: [Recognizer; 22] = [
    Recognizer {
        name: "email",
        entities: &["EMAIL_ADDRESS"],
        find: email::find,
        context: email::CONTEXT,
    },
    Recognizer {
        name: "phone",
        entities: &["PHONE_NUMBER", "FAX_NUMBER"],
        find: phone::find,
        context: phone::CONTEXT,
    },
    Recognizer {
        name: "credit_card",
        entities: &["CREDIT_CARD"],
        find: credit_card::find,
        context: credit_card::CONTEXT,
    },
    Recognizer {
        name: "iban",
        entities: &["IBAN_CODE"],
        find: iban::find,
        context: iban::CONTEXT,
    },
    Recognizer {
        name: "us_ssn",
        entities: &["US_SSN"],
        find: ssn::find,
        context: ssn::CONTEXT,
    },
    Recognizer {
        name: "ip",
        entities: &["IP_ADDRESS"],
        find: ip::find,
        context: ip::CONTEXT,
    },
    Recognizer {
        name: "url",
        entities: &["URL"],
        find: url::find,
        context: url::CONTEXT,
    },
    Recognizer {
        name: "date",
        entities: &["DATE_TIME"],
        find: date::find,
        context: date::CONTEXT,
    },
    Recognizer {
        name: "us_passport",
        entities: &["US_PASSPORT"],
        find: us_ids::find_passport,
        context: us_ids::PASSPORT_CONTEXT,
    },
    Recognizer {
        name: "us_driver_license",
        entities: &["US_DRIVER_LICENSE"],
        find: us_ids::find_driver_license,
        context: us_ids::DRIVER_LICENSE_CONTEXT,
    },
    Recognizer {
        name: "crypto",
        entities: &["CRYPTO"],
        find: crypto::find,
        context: crypto::CONTEXT,
    },
    Recognizer {
        name: "medical",
        entities: &["MEDICAL_RECORD_NUMBER", "HEALTH_PLAN_NUMBER"],
        find: medical::find,
        context: medical::CONTEXT,
    },
    Recognizer {
        name: "person",
        entities: &["PERSON"],
        find: person::find,
        context: person::CONTEXT,
    },
    Recognizer {
        name: "ner",
        entities: &["PERSON", "LOCATION"],
        find: ner::find,
        // The tagger reads the words around an entity itself.
        context: &[],
    },
    Recognizer {
        name: "location",
        entities: &["LOCATION"],
        find: location::find,
        context: location::CONTEXT,
    },
    Recognizer {
        name: "age_over_89",
        entities: &["AGE_OVER_89"],
        find: age::find,
        context: age::CONTEXT,
    },
    Recognizer {
        name: "vehicle",
        entities: &["VEHICLE_ID", "LICENSE_PLATE"],
        find: vehicle::find,
        context: vehicle::CONTEXT,
    },
    Recognizer {
        name: "device",
        entities: &["DEVICE_ID"],
        find: device::find,
        context: device::CONTEXT,
    },
    Recognizer {
        name: "account_number",
        entities: &["ACCOUNT_NUMBER"],
        find: account::find_account,
        context: account::ACCOUNT_CONTEXT,
    },
    Recognizer {
        name: "license_number",
        entities: &["LICENSE_NUMBER"],
        find: account::find_license,
        context: account::LICENSE_CONTEXT,
    },
    Recognizer {
        name: "biometric",
        entities: &["BIOMETRIC", "PHOTO"],
        find: biometric::find,
        context: biometric::CONTEXT,
    },
    Recognizer {
        name: "us_zip_code",
        entities: &["US_ZIP_CODE"],
        find: zip::find,
        context: zip::CONTEXT,
    },
];

/// Every rule name a recognizer can report (for `--rules` filters).
pub const RULES: &[&str] = &[
    "account_context",
    "age_over_89",
    "biometric_term",
    "btc_base58check",
    "btc_bech32",
    "capitalized_surname",
    "credit_card_luhn",
    "date",
    "date_of_birth",
    "dea_check_digit",
    "dl_alphanumeric",
    "dl_digits",
    "email",
    "eth_eip55",
    "eth_hex",
    "first_capitalized",
    "first_last",
    "first_last_lowercase",
    "gazetteer",
    "health_plan_context",
    "iban_mod97",
    "imei_context",
    "imei_luhn",
    "ipv4",
    "ipv6",
    "license_context",
    "location_model",
    "mac_address",
    "medicare_mbi",
    "mrn_context",
    "npi_luhn",
    "passport_digits",
    "passport_next_gen",
    "person_model",
    "phone_libphonenumber",
    "photo_file",
    "photo_reference",
    "place_column",
    "place_cue",
    "plate_context",
    "postcode_city",
    "serial_context",
    "single_name",
    "ssn_bare",
    "ssn_delimited",
    "street_address",
    "title_name",
    "udi_gs1",
    "url_scheme",
    "url_www",
    "vin_check_digit",
    "vin_context",
    "zip_after_state",
    "zip_digits",
    "zip_plus_four",
];

/// The ASCII digits of `s`.
pub(crate) fn digits(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|c| c - b'0')
        .collect()
}

/// Whether one of the `n` words before byte `start` of `text` (lower-cased, stop words
/// skipped, as the context words are read) is one of `words`: a number named as another kind
/// (`ISBN 978…`, `order no. 640-…`, `invoice INV-…`).
pub(crate) fn named_otherwise(text: &str, start: usize, n: usize, words: &[&str]) -> bool {
    crate::context::preceding_keywords(text, start, n)
        .iter()
        .any(|w| words.contains(&w.as_str()))
}

/// The spans (as text) and scores that `find` reports in `t`, for the recognizers' tests.
#[cfg(test)]
pub(crate) fn found_by(find: fn(&str, &mut Vec<Finding>), t: &str) -> Vec<(&str, f64)> {
    let mut v = vec![];
    find(t, &mut v);
    v.iter().map(|f| (&t[f.start..f.end], f.score)).collect()
}
