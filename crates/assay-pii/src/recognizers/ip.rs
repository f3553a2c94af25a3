//! IP addresses: dotted IPv4 candidates and colon-hex IPv6 candidates, kept only when
//! `std::net` parses them (so 999.1.1.1 and 1:2:3 are rejected). Score 0.6 as in Presidio.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &["ip", "ipv4", "ipv6", "address"];

static V4: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(?:\d{1,3}\.){3}\d{1,3}\b").unwrap());
static V6: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:(?:\d{1,3}\.){3}\d{1,3})?").unwrap()
});

pub fn find(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    for m in V4.find_iter(text) {
        // Not a part of a longer dotted number such as a version string.
        let joined_after =
            b.get(m.end()) == Some(&b'.') && b.get(m.end() + 1).is_some_and(u8::is_ascii_digit);
        let joined_before =
            m.start() >= 2 && b[m.start() - 1] == b'.' && b[m.start() - 2].is_ascii_digit();
        if !joined_after && !joined_before && m.as_str().parse::<Ipv4Addr>().is_ok() {
            out.push(Finding::new("IP_ADDRESS", m.start(), m.end(), 0.6, "ipv4"));
        }
    }
    if !text.contains(':') {
        return;
    }
    for m in V6.find_iter(text) {
        let (s, e) = (m.start(), m.end());
        if s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b':')
            || e < b.len() && (b[e].is_ascii_alphanumeric())
        {
            continue;
        }
        let cand = m.as_str();
        if cand.matches(':').count() >= 2 && cand.parse::<Ipv6Addr>().is_ok() {
            out.push(Finding::new("IP_ADDRESS", s, e, 0.6, "ipv6"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn ips() {
        let t =
            "from 192.168.0.1 and 2001:db8::8a2e:370:7334 not 999.1.1.1 nor 10:30:00 nor 1.2.3.4.5";
        let mut v = vec![];
        find(t, &mut v);
        let got: Vec<&str> = v.iter().map(|f| &t[f.start..f.end]).collect();
        assert_eq!(got, vec!["192.168.0.1", "2001:db8::8a2e:370:7334"]);
    }
}
