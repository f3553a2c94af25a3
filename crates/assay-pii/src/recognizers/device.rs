//! Device identifiers and serial numbers (`DEVICE_ID`; HIPAA Safe Harbor (b)(2)(i)(M)):
//!
//! * IMEI after the word `IMEI`: 15 digits (grouped or not) whose Luhn check holds (0.95;
//!   0.5 when it fails, a mistyped or invented number);
//! * MAC addresses: six pairs of hex digits separated by `:` or `-`, or three groups of four
//!   separated by dots (0.6, raised by `MAC`, `device`, `hardware`, `wifi`);
//! * medical-device UDIs in GS1 form: `(01)` and a 14-digit GTIN whose check digit holds
//!   (0.85), with the application identifiers that follow (`(17)…(10)…(21)…`);
//! * serial numbers after a cue (`serial number`, `serial no.`, `S/N`, `SN:`, `device ID`):
//!   5 to 24 letters and digits with at least one digit (0.85).

use std::sync::LazyLock;

use regex::Regex;

use super::credit_card::luhn;
use crate::finding::Finding;

pub const CONTEXT: &[&str] = &[
    "mac", "device", "hardware", "wifi", "ethernet", "serial", "imei", "udi",
];

static IMEI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i:\bimei)(?:\s*(?:no\.?|number|#))?\s*[:#]?\s*(\d{2}[- ]?\d{6}[- ]?\d{6}[- ]?\d)\b",
    )
    .unwrap()
});
static MAC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})\b",
    )
    .unwrap()
});
static UDI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(01\)(\d{14})(?:\(\d{2,4}\)[0-9A-Za-z-]{1,20})*").unwrap());
static SERIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i:\b(?:serial(?:[ ]?(?:number|no\.?|num|#))?|s/n|sn|device[ ]?(?:id|identifier))\b)[ ]?[:#]?[ ]?([A-Za-z0-9][A-Za-z0-9-]{3,22}[A-Za-z0-9])\b",
    )
    .unwrap()
});

/// Whether a GS1 GTIN's last digit is its check digit (weights 3 and 1 from the right).
fn gtin_ok(d: &[u8]) -> bool {
    let (body, check) = d.split_at(d.len() - 1);
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| u32::from(x) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10 == u32::from(check[0])
}

pub fn find(text: &str, out: &mut Vec<Finding>) {
    for c in IMEI.captures_iter(text) {
        let m = c.get(1).unwrap();
        let ok = luhn(&super::digits(m.as_str()));
        out.push(Finding::new(
            "DEVICE_ID",
            m.start(),
            m.end(),
            if ok { 0.95 } else { 0.5 },
            if ok { "imei_luhn" } else { "imei_context" },
        ));
    }
    for m in MAC.find_iter(text) {
        // Inside a longer run of hex groups (an IPv6 address) it is not a MAC address.
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        if matches!(before, Some(':' | '-' | '.'))
            || matches!(after, Some(':' | '-' | '.'))
                && text[m.end() + 1..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_hexdigit())
        {
            continue;
        }
        out.push(Finding::new(
            "DEVICE_ID",
            m.start(),
            m.end(),
            0.6,
            "mac_address",
        ));
    }
    for c in UDI.captures_iter(text) {
        if gtin_ok(&super::digits(c.get(1).unwrap().as_str())) {
            let m = c.get(0).unwrap();
            out.push(Finding::new(
                "DEVICE_ID",
                m.start(),
                m.end(),
                0.85,
                "udi_gs1",
            ));
        }
    }
    for c in SERIAL.captures_iter(text) {
        let m = c.get(1).unwrap();
        if m.as_str().bytes().any(|b| b.is_ascii_digit()) {
            out.push(Finding::new(
                "DEVICE_ID",
                m.start(),
                m.end(),
                0.85,
                "serial_context",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recognizers::found_by;

    #[test]
    fn imei_mac_udi_and_serials() {
        let t = "IMEI: 49-015420-323751-8, imei 490154203237519, MAC 00:1A:2B:3c:4d:5e, \
                 0a-1b-2c-3d-4e-5f, 001a.2b3c.4d5e, UDI (01)00884521086084(17)261231(10)A2B3, \
                 S/N: C02XK1ZHJG5J, serial number 8841-A7, device ID PX4471Z";
        let got = found_by(find, t);
        let spans: Vec<&str> = got.iter().map(|g| g.0).collect();
        assert_eq!(
            spans,
            [
                "49-015420-323751-8",
                "490154203237519",
                "00:1A:2B:3c:4d:5e",
                "0a-1b-2c-3d-4e-5f",
                "001a.2b3c.4d5e",
                "(01)00884521086084(17)261231(10)A2B3",
                "C02XK1ZHJG5J",
                "8841-A7",
                "PX4471Z"
            ]
        );
        assert_eq!(got[0].1, 0.95);
        assert_eq!(got[1].1, 0.5, "Luhn fails");
    }

    #[test]
    fn not_devices() {
        for t in [
            "fe80::1:2:3:4:5:6 and 2001:db8:0:0:1:0:0:1", // IPv6
            "at 12:30:45 on 2024-01-02",
            "(01)00884521086081 bad GTIN check digit",
            "serial killer, sn is short for sn",
            "device id unknown",
            "the IMEI was not given",
        ] {
            assert!(found_by(find, t).is_empty(), "{t}: {:?}", found_by(find, t));
        }
    }
}
