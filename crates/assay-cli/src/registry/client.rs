//! The HTTP client of the governance API (`assay serve`), shared by `assay registry`,
//! `assay incident` and `--submit`.
//!
//! The server's base URL comes from `--server` or `$ASSAY_SERVER`; the bearer token only from
//! the environment (`$ASSAY_TOKEN`, or the first line of the file `$ASSAY_TOKEN_FILE`), never
//! from a flag, because command lines end up in shell history and in `ps`. `--ca-cert PEM` (or
//! `$ASSAY_CA_CERT`) trusts exactly the certificates of that file instead of the built-in web
//! roots, for servers with a self-signed or private-CA certificate.
//!
//! Every non-2xx answer becomes an error naming the method, the URL, the status and the
//! server's `error.message`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde_json::Value;

/// Environment variable holding the API token.
pub const TOKEN_ENV: &str = "ASSAY_TOKEN";
/// Environment variable naming a file whose first line is the API token.
pub const TOKEN_FILE_ENV: &str = "ASSAY_TOKEN_FILE";
/// Environment variable holding the server's base URL.
pub const SERVER_ENV: &str = "ASSAY_SERVER";
/// Environment variable naming a PEM file of trusted CA certificates.
pub const CA_CERT_ENV: &str = "ASSAY_CA_CERT";

/// Largest response body read, bytes (artifact downloads included).
const MAX_RESPONSE: u64 = 1 << 30;

/// Where the server is and how to trust it (the token comes from the environment only).
#[derive(Args, Debug, Clone, Default)]
pub struct ServerArgs {
    /// Base URL of the governance server, e.g. https://governance.example:8443 (default: $ASSAY_SERVER). The token is read from $ASSAY_TOKEN (or the file named by $ASSAY_TOKEN_FILE), never from a flag.
    #[arg(long, value_name = "URL", global = true)]
    pub server: Option<String>,
    /// Trust the CA certificates of this PEM file (for a self-signed server certificate) instead of the built-in roots (default: $ASSAY_CA_CERT).
    #[arg(long, value_name = "PEM", global = true)]
    pub ca_cert: Option<PathBuf>,
}

impl ServerArgs {
    /// A client for the server these arguments (or the environment) name.
    pub fn client(&self) -> Result<Client, String> {
        let base = match &self.server {
            Some(s) => s.clone(),
            None => env_nonempty(SERVER_ENV)
                .ok_or_else(|| format!("no server: give --server URL or set ${SERVER_ENV}"))?,
        };
        let ca = self
            .ca_cert
            .clone()
            .or_else(|| env_nonempty(CA_CERT_ENV).map(PathBuf::from));
        Client::new(&base, ca.as_deref())
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The API token from `$ASSAY_TOKEN` or `$ASSAY_TOKEN_FILE`; `None` when neither is set.
pub fn token_from_env() -> Result<Option<String>, String> {
    if let Some(t) = env_nonempty(TOKEN_ENV) {
        return Ok(Some(t.trim().to_string()));
    }
    match env_nonempty(TOKEN_FILE_ENV) {
        None => Ok(None),
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("${TOKEN_FILE_ENV} {path}: cannot read: {e}"))?;
            let t = text.lines().next().unwrap_or("").trim().to_string();
            if t.is_empty() {
                return Err(format!("${TOKEN_FILE_ENV} {path}: the file is empty"));
            }
            Ok(Some(t))
        }
    }
}

/// A configured HTTP agent, base URL and token.
pub struct Client {
    base: String,
    token: Option<String>,
    agent: ureq::Agent,
}

/// A successful response: headers and body.
pub struct Reply {
    /// Response headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON (`Null` when empty).
    pub fn json(&self) -> Result<Value, String> {
        if self.body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("the server's answer is not JSON: {e}"))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A request body.
pub enum Body<'a> {
    /// No body.
    None,
    /// A JSON document (`content-type: application/json`).
    Json(&'a Value),
    /// Raw bytes (`content-type: application/octet-stream`).
    Bytes(&'a [u8]),
}

impl Client {
    /// A client for `base` (`http://` or `https://`, with or without a trailing `/`), trusting
    /// the certificates of `ca_cert` if given; the token comes from the environment.
    pub fn new(base: &str, ca_cert: Option<&Path>) -> Result<Client, String> {
        let base = base.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "server URL {base:?}: expected http://HOST:PORT or https://HOST:PORT"
            ));
        }
        let token = token_from_env()?;
        if token.is_some() && !is_loopback_or_tls(&base) {
            eprintln!(
                "warning: sending the API token over plain http to {base}; use https outside loopback"
            );
        }
        Ok(Client {
            base,
            token,
            agent: agent(ca_cert)?,
        })
    }

    /// The base URL (no trailing `/`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET path` → JSON.
    pub fn get(&self, path: &str) -> Result<Value, String> {
        self.send("GET", path, Body::None, &[])?.json()
    }

    /// `POST path` with a JSON body → JSON.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value, String> {
        self.send("POST", path, Body::Json(body), &[])?.json()
    }

    /// `POST path` with a typed request body (one of the API's own request types) → JSON.
    pub fn post_json<T: serde::Serialize>(&self, path: &str, body: &T) -> Result<Value, String> {
        let body = serde_json::to_value(body).map_err(|e| e.to_string())?;
        self.post(path, &body)
    }

    /// `POST path` without a body → JSON.
    pub fn post_empty(&self, path: &str) -> Result<Value, String> {
        self.send("POST", path, Body::None, &[])?.json()
    }

    /// `PUT path` with a JSON body → JSON.
    pub fn put(&self, path: &str, body: &Value) -> Result<Value, String> {
        self.send("PUT", path, Body::Json(body), &[])?.json()
    }

    /// `PATCH path` with a JSON body → JSON.
    pub fn patch(&self, path: &str, body: &Value) -> Result<Value, String> {
        self.send("PATCH", path, Body::Json(body), &[])?.json()
    }

    /// `DELETE path` → JSON (`Null` for 204).
    pub fn delete(&self, path: &str) -> Result<Value, String> {
        self.send("DELETE", path, Body::None, &[])?.json()
    }

    /// Sends a request to `path` (starting with `/`, or a full URL) and returns the reply when
    /// its status is 2xx; any other status is an error with the server's message.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        body: Body<'_>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, String> {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("accept", "application/json");
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let bytes = match body {
            Body::None => Vec::new(),
            Body::Json(v) => {
                req = req.header("content-type", "application/json");
                serde_json::to_vec(v).map_err(|e| e.to_string())?
            }
            Body::Bytes(b) => {
                req = req.header("content-type", "application/octet-stream");
                b.to_vec()
            }
        };
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(bytes)
            .map_err(|e| format!("{method} {url}: {e}"))?;
        let resp = self
            .agent
            .run(req)
            .map_err(|e| format!("{method} {url}: {e}"))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = resp
            .into_body()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(|e| format!("{method} {url}: reading the answer: {e}"))?;
        if (200..300).contains(&status) {
            return Ok(Reply { headers, body });
        }
        Err(http_error(
            method,
            &url,
            status,
            &body,
            self.token.is_some(),
        ))
    }
}

/// The error of a non-2xx answer: the server's `{"error": {"code", "message"}}` when present.
fn http_error(method: &str, url: &str, status: u16, body: &[u8], has_token: bool) -> String {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let detail = parsed
        .as_ref()
        .and_then(|v| v.get("error"))
        .map(|e| {
            let code = e.get("code").and_then(Value::as_str).unwrap_or("");
            let message = e.get("message").and_then(Value::as_str).unwrap_or("");
            match (code.is_empty(), message.is_empty()) {
                (false, false) => format!("{code}: {message}"),
                (true, false) => message.to_string(),
                (false, true) => code.to_string(),
                (true, true) => e.to_string(),
            }
        })
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.is_empty() {
                "(no body)".to_string()
            } else {
                text.chars().take(500).collect()
            }
        });
    let hint = if status == 401 && !has_token {
        format!(" (no token: set ${TOKEN_ENV})")
    } else {
        String::new()
    };
    format!("{method} {url}: HTTP {status}: {detail}{hint}")
}

/// An agent that returns 4xx/5xx answers as responses, with a request timeout, trusting the
/// certificates of `ca_cert` when given.
fn agent(ca_cert: Option<&Path>) -> Result<ureq::Agent, String> {
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(300)));
    if let Some(path) = ca_cert {
        let pem =
            std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let mut certs = Vec::new();
        for item in ureq::tls::parse_pem(&pem) {
            match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
                Ok(_) => {}
                Err(e) => return Err(format!("{}: not a PEM file: {e}", path.display())),
            }
        }
        if certs.is_empty() {
            return Err(format!(
                "{}: no certificate (-----BEGIN CERTIFICATE-----) in the file",
                path.display()
            ));
        }
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::new_with_certs(&certs))
            .build();
        config = config.tls_config(tls);
    }
    Ok(config.build().into())
}

/// Whether `url` is https, or http to a loopback host (where plain http is harmless).
fn is_loopback_or_tls(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return true;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Percent-encodes one path segment or query value (everything but RFC 3986 unreserved
/// characters).
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A query string (`?k=v&...`) of the pairs whose value is given; empty when none is.
pub fn query(pairs: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", enc(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_segments_and_queries() {
        assert_eq!(enc("credit-v1.0_x~"), "credit-v1.0_x~");
        assert_eq!(enc("a/b c?"), "a%2Fb%20c%3F");
        assert_eq!(
            query(&[("status", Some("open".into())), ("model", None)]),
            "?status=open"
        );
        assert_eq!(query(&[("model", None)]), "");
    }

    #[test]
    fn plain_http_is_fine_only_on_loopback() {
        for ok in [
            "https://gov.example",
            "http://127.0.0.1:8080",
            "http://localhost:1/x",
            "http://[::1]:8080",
        ] {
            assert!(is_loopback_or_tls(ok), "{ok}");
        }
        for bad in [
            "http://gov.example:8080",
            "http://10.0.0.1",
            "http://[2001:db8::1]:80",
        ] {
            assert!(!is_loopback_or_tls(bad), "{bad}");
        }
    }

    #[test]
    fn error_names_status_and_server_message() {
        let body = br#"{"error":{"status":403,"code":"forbidden","message":"nope"}}"#;
        let e = http_error("POST", "http://h/v1/x", 403, body, true);
        assert_eq!(e, "POST http://h/v1/x: HTTP 403: forbidden: nope");
        let e = http_error("GET", "http://h/v1/x", 401, b"", false);
        assert!(e.contains("HTTP 401") && e.contains("ASSAY_TOKEN"), "{e}");
    }
}
