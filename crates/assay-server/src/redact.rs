//! Credentials in query strings: recognised, redacted from every log line, and refused.
//!
//! assay accepts credentials only in the `Authorization: Bearer <token>` header. A token put in
//! a URL ends up in the request log, in proxies' logs and in browser history, so the request
//! log writes URIs through [`redacted_uri`], and the guard refuses any request whose query
//! string carries a credential ([`credential_param`]) with a 401 saying where the token goes.
//!
//! A query parameter carries a credential when its name says so (`token`, `access_token`,
//! `api_key`, `key`, `password`, `secret`, `auth`, `jwt`, `session`, `signature`, ... in any
//! case, `-` or `_`), or when its value looks like one whatever its name: an assay API token
//! (its `assay_` prefix and a base64url body) or a JWT (three base64url parts, the first starting `eyJ`).

use axum::http::Uri;

use assay_govern::users::TOKEN_PREFIX;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Name fragments that mark a parameter as a credential wherever they occur in its name.
const NAME_PARTS: &[&str] = &[
    "token",
    "secret",
    "passw",
    "apikey",
    "api_key",
    "authorization",
    "jwt",
    "bearer",
    "credential",
    "session",
    "signature",
];

/// Names that mark a credential only as the whole name or its last `_` part (`key`,
/// `signing_key`, `basic_auth`; not `monkey` or `author`).
const NAME_ENDS: &[&str] = &["key", "pwd", "pass", "sig", "auth"];

/// Whether a parameter name (raw, not yet percent-decoded) names a credential.
fn is_credential_name(raw: &str) -> bool {
    let name = percent_decode(raw).to_ascii_lowercase().replace('-', "_");
    NAME_PARTS.iter().any(|p| name.contains(p))
        || NAME_ENDS
            .iter()
            .any(|e| name == *e || name.ends_with(&format!("_{e}")))
}

/// Whether a parameter value (raw) looks like a credential: an assay token or a JWT.
fn is_credential_value(raw: &str) -> bool {
    let value = percent_decode(raw);
    let value = value.trim();
    let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=';
    if let Some(rest) = value.strip_prefix(TOKEN_PREFIX) {
        return rest.len() >= 16 && rest.bytes().all(base64url);
    }
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 3
        && value.starts_with("eyJ")
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(base64url))
}

/// Splits one `name=value` pair of a query string.
fn split_pair(pair: &str) -> (&str, Option<&str>) {
    match pair.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (pair, None),
    }
}

/// Whether the pair carries a credential, by its name or its value.
fn is_credential_pair(pair: &str) -> bool {
    let (name, value) = split_pair(pair);
    // A token pasted as a bare parameter (`?assay_...`) or as a name counts too.
    is_credential_name(name) || is_credential_value(name) || value.is_some_and(is_credential_value)
}

/// Describes the first query parameter that carries a credential (`parameter "token"`, or
/// `a parameter whose value is a token`); `None` when there is none. Neither the value nor a
/// name that itself looks like a token is ever part of the description.
pub fn credential_param(query: Option<&str>) -> Option<String> {
    let pair = query?
        .split('&')
        .filter(|p| !p.is_empty())
        .find(|p| is_credential_pair(p))?;
    let (name, _) = split_pair(pair);
    if is_credential_name(name) && !is_credential_value(name) && name.len() <= 64 {
        Some(format!("parameter {:?}", percent_decode(name)))
    } else {
        Some("a parameter whose value is a token".to_string())
    }
}

/// `query` with the value of every credential-carrying parameter replaced by [`REDACTED`]
/// (a credential given as a bare name, without `=`, is replaced whole).
pub fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| {
            if pair.is_empty() || !is_credential_pair(pair) {
                return pair.to_string();
            }
            match split_pair(pair) {
                (name, Some(_)) if is_credential_name(name) => format!("{name}={REDACTED}"),
                // A credential-looking value under an innocent name, or a bare token.
                (_, _) => REDACTED.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The URI for the request log: path and query, with credentials in the query redacted.
pub fn redacted_uri(uri: &Uri) -> String {
    match uri.query() {
        None => uri.path().to_string(),
        Some(q) => format!("{}?{}", uri.path(), redact_query(q)),
    }
}

/// Decodes `%XX` escapes and `+` (as space), leaving malformed escapes as they are.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_in_any_spelling_are_redacted() {
        for name in [
            "token",
            "access_token",
            "Access-Token",
            "id_token",
            "api_key",
            "apiKey",
            "x-api-key",
            "key",
            "signing_key",
            "password",
            "passwd",
            "pwd",
            "secret",
            "client_secret",
            "auth",
            "Authorization",
            "jwt",
            "session",
            "sig",
            "signature",
            "access%5Ftoken",
        ] {
            let q = format!("limit=5&{name}=s3cr3t-VALUE&after=0");
            let r = redact_query(&q);
            assert!(!r.contains("s3cr3t"), "{name}: {r}");
            assert_eq!(r, format!("limit=5&{name}={REDACTED}&after=0"), "{name}");
            let d = credential_param(Some(&q)).unwrap();
            assert!(d.starts_with("parameter ") && !d.contains("s3cr3t"), "{d}");
        }
    }

    #[test]
    fn credential_values_under_any_name_are_redacted() {
        let jwt = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        for q in [
            "t=assay_AAAAAAAAAAAAAAAA".to_string(),
            format!("x={jwt}"),
            "assay_AAAAAAAAAAAAAAAA".to_string(),
            "q=assay%5FAAAAAAAAAAAAAAAA".to_string(),
        ] {
            let r = redact_query(&format!("after=3&{q}"));
            assert_eq!(r, format!("after=3&{REDACTED}"), "{q}");
            let d = credential_param(Some(&q)).unwrap();
            assert!(!d.contains("AAAA") && !d.contains("eyJ"), "{d}");
        }
    }

    #[test]
    fn ordinary_parameters_are_kept() {
        for q in [
            "after=0&limit=1000",
            "status=open&model=credit-scoring",
            "model=monkey",
            "model=keyboard&design=1&author=x&model=assay_x",
            "",
        ] {
            assert_eq!(redact_query(q), q);
            assert_eq!(credential_param(Some(q)), None, "{q}");
        }
        assert_eq!(credential_param(None), None);
        let uri: Uri = "/v1/audit?after=5&token=abc".parse().unwrap();
        assert_eq!(
            redacted_uri(&uri),
            format!("/v1/audit?after=5&token={REDACTED}")
        );
        let uri: Uri = "/v1/models".parse().unwrap();
        assert_eq!(redacted_uri(&uri), "/v1/models");
    }

    #[test]
    fn percent_decoding_is_total() {
        assert_eq!(percent_decode("a%5Fb+c%zz%4"), "a_b c%zz%4");
        assert_eq!(percent_decode("%"), "%");
    }
}
