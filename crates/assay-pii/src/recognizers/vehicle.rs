//! Vehicle identifiers (HIPAA Safe Harbor (b)(2)(i)(L): "vehicle identifiers and serial
//! numbers, including license plate numbers").
//!
//! * `VEHICLE_ID`: vehicle identification numbers (ISO 3779; 17 characters, no `I`, `O` or
//!   `Q`). A VIN whose check digit (position 9, the North American rule of 49 CFR 565.15:
//!   letters transliterated, weights 8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2, sum mod 11, 10 as
//!   `X`) is right scores 0.85; one without (European and Asian VINs carry none) scores 0.6
//!   only after a cue (`VIN`, `chassis`, `vehicle`).
//! * `LICENSE_PLATE`: a registration after a cue (`licence plate`, `plate`, `reg. no.`,
//!   `registration`, `Kennzeichen`, `kenteken`, `immatriculation`, `targa`, `matrícula`): one
//!   to three groups of letters and digits, 4 to 8 of them with at least one of each (score
//!   0.85). Plates have no checksum and no common shape, so there is no finding without a cue.

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &["vin", "vehicle", "chassis", "car", "plate", "registration"];

static VIN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[A-HJ-NPR-Z0-9]{17}\b").unwrap());
static VIN_CUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:vin|chassis|vehicle)\b[^\n]{0,24}$").unwrap());
static PLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i:\b(?:licen[cs]e[- ]plate|number[- ]plate|plate|reg(?:istration)?\.?(?:[ ](?:no\.?|number|mark))?|kennzeichen|kenteken|immatriculation|targa|matr[ií]cula)(?:[ ](?:no\.?|number|#))?)[ ]?[:#]?[ ]?([A-Z0-9]{1,8}(?:[ -][A-Z0-9]{1,4}){0,2})\b",
    )
    .unwrap()
});

/// ISO 3779 transliteration of a VIN character (letters to digits, `I`, `O`, `Q` excluded).
fn vin_value(c: u8) -> Option<u32> {
    Some(match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => return None,
    })
}

/// Whether the VIN's ninth character is its check digit (49 CFR 565.15).
pub fn vin_check_digit_ok(vin: &str) -> bool {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let b = vin.as_bytes();
    if b.len() != 17 {
        return false;
    }
    let mut sum = 0;
    for (&c, w) in b.iter().zip(WEIGHTS) {
        match vin_value(c) {
            Some(v) => sum += v * w,
            None => return false,
        }
    }
    let check = match sum % 11 {
        10 => b'X',
        d => b'0' + d as u8,
    };
    b[8] == check
}

pub fn find(text: &str, out: &mut Vec<Finding>) {
    for m in VIN.find_iter(text) {
        let s = m.as_str();
        let letters = s.bytes().filter(u8::is_ascii_alphabetic).count();
        if !(2..=12).contains(&letters) {
            continue; // a number or a word, not a VIN
        }
        if vin_check_digit_ok(s) {
            out.push(Finding::new(
                "VEHICLE_ID",
                m.start(),
                m.end(),
                0.85,
                "vin_check_digit",
            ));
        } else if VIN_CUE.is_match(crate::context::line_before(text, m.start(), 32)) {
            out.push(Finding::new(
                "VEHICLE_ID",
                m.start(),
                m.end(),
                0.6,
                "vin_context",
            ));
        }
    }
    for c in PLATE.captures_iter(text) {
        let m = c.get(1).unwrap();
        let s = m.as_str();
        let alnum = s.bytes().filter(u8::is_ascii_alphanumeric).count();
        let digit = s.bytes().any(|b| b.is_ascii_digit());
        let letter = s.bytes().any(|b| b.is_ascii_alphabetic());
        if (4..=8).contains(&alnum) && digit && letter {
            out.push(Finding::new(
                "LICENSE_PLATE",
                m.start(),
                m.end(),
                0.85,
                "plate_context",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recognizers::found_by;

    #[test]
    fn vins_by_check_digit_or_cue() {
        assert!(vin_check_digit_ok("1M8GDM9AXKP042788"));
        assert!(vin_check_digit_ok("11111111111111111"));
        assert!(!vin_check_digit_ok("1M8GDM9A1KP042788"));
        let t = "Car 1M8GDM9AXKP042788 towed; VIN: WVWZZZ1JZ3W386752. Ref 1M8GDM9A1KP042788. \
                 Überprüfung, VIN WAUZZZ8V5KA123456";
        let got = found_by(find, t);
        assert_eq!(
            got,
            [
                ("1M8GDM9AXKP042788", 0.85),
                ("WVWZZZ1JZ3W386752", 0.6),
                ("WAUZZZ8V5KA123456", 0.6)
            ]
        );
        // The cue window may start inside a multi-byte character.
        for pad in 0..4 {
            let t = format!(
                "{}{} VIN WAUZZZ8V5KA123456",
                "x".repeat(pad),
                "ü".repeat(20)
            );
            assert_eq!(found_by(find, &t).len(), 1, "{t}");
        }
        // Hashes, words and numbers of 17 characters are not VINs.
        for t in [
            "sha 3f2a9c0d8e7b6a512",
            "ABCDEFGHJKLMNPRST",
            "12345678901234567",
        ] {
            assert!(found_by(find, t).is_empty(), "{t}");
        }
    }

    #[test]
    fn plates_after_a_cue_only() {
        let t =
            "licence plate AB12 CDE, Kennzeichen: B-MA 4721, reg. no. 7ABC123, plate # 12-XYZ-3";
        let got: Vec<&str> = found_by(find, t).iter().map(|g| g.0).collect();
        assert_eq!(got, ["AB12 CDE", "B-MA 4721", "7ABC123", "12-XYZ-3"]);
        for t in [
            "order AB12 CDE shipped",
            "plate 12345",
            "registration ABCDE",
            "the plate was cold",
            "registration fee 2024",
        ] {
            assert!(found_by(find, t).is_empty(), "{t}");
        }
    }
}
