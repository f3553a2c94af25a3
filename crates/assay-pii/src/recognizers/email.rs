//! Email addresses: an RFC 5322-like local part, a dotted domain and an alphabetic top-level
//! domain of two or more letters (Presidio validates the domain with `tldextract`; here the TLD
//! must be alphabetic, 2 to 24 letters). Validated matches score 1.0.

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &["email", "e-mail", "mail"];

static RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+([A-Za-z]{2,24})\b")
        .unwrap()
});

pub fn find(text: &str, out: &mut Vec<Finding>) {
    if !text.contains('@') {
        return;
    }
    for m in RE.find_iter(text) {
        out.push(Finding::new(
            "EMAIL_ADDRESS",
            m.start(),
            m.end(),
            1.0,
            "email",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn finds_emails() {
        let mut v = vec![];
        find("mail jane.doe+x@example.co.uk, not a@b or x@y.1", &mut v);
        assert_eq!(v.len(), 1);
        assert_eq!(
            &"mail jane.doe+x@example.co.uk, not a@b or x@y.1"[v[0].start..v[0].end],
            "jane.doe+x@example.co.uk"
        );
    }
}
