//! URLs with a scheme (`http`, `https`, `ftp`) or starting with `www.`; trailing sentence
//! punctuation is not part of the URL. Score 0.6 for URLs with a scheme, 0.5 for `www.` ones
//! (Presidio's "Standard" and "Non schema" URL patterns). Bare domains are not reported (so the
//! domain of an email address is not a URL, unlike in Presidio).

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &["url", "website", "link", "site", "web"];

static RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:(?:https?|ftp)://|www\d{0,3}\.)[a-z0-9\-._~%]+(?::\d{1,5})?(?:[/?#][^\s<>\x22]*)?").unwrap()
});

pub fn find(text: &str, out: &mut Vec<Finding>) {
    for m in RE.find_iter(text) {
        let mut e = m.end();
        let s = m.as_str();
        let trimmed = s.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'']);
        e -= s.len() - trimmed.len();
        let host_ok = trimmed.split("://").last().is_some_and(|h| {
            h.split(['/', '?', '#', ':'])
                .next()
                .is_some_and(|h| h.contains('.') && h.len() > 3)
        });
        if !host_ok {
            continue;
        }
        let scheme = s.contains("://");
        out.push(Finding::new(
            "URL",
            m.start(),
            e,
            if scheme { 0.6 } else { 0.5 },
            if scheme { "url_scheme" } else { "url_www" },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn urls() {
        let t = "See https://example.com/a?b=1. Or www.test.org, not mail@x.com.";
        let mut v = vec![];
        find(t, &mut v);
        let got: Vec<&str> = v.iter().map(|f| &t[f.start..f.end]).collect();
        assert_eq!(got, vec!["https://example.com/a?b=1", "www.test.org"]);
    }
}
