//! HTTPS with rustls, and OIDC/JWT bearer tokens verified against a JWKS file.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{Backend, TestServer};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::json;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWS signed with Ed25519 (RFC 8037), built by hand so the test does not trust the
/// library it is testing to produce its inputs.
fn jwt(key: &SigningKey, header: &serde_json::Value, claims: &serde_json::Value) -> String {
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", b64(&sig.to_bytes()))
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn oidc_jwt_bearer_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let other = SigningKey::from_bytes(&[9u8; 32]);
    let jwks = json!({"keys": [{
        "kty": "OKP", "crv": "Ed25519", "kid": "k1", "alg": "EdDSA", "use": "sig",
        "x": b64(key.verifying_key().as_bytes()),
    }]});
    let jwks_path = dir.path().join("jwks.json");
    std::fs::write(&jwks_path, jwks.to_string()).unwrap();
    let s = TestServer::start_with(&Backend::Sqlite, |c| {
        c.jwt = Some(assay_server::config::JwtConfig {
            jwks_file: jwks_path.clone(),
            issuer: "https://idp.example".into(),
            audience: "assay".into(),
        });
    });
    s.user("jane", "reviewer", &["risk"]);
    let header = json!({"alg": "EdDSA", "typ": "JWT", "kid": "k1"});
    let claims = |sub: &str, aud: &str, exp: i64| json!({"iss": "https://idp.example", "aud": aud, "sub": sub, "exp": exp, "iat": now_s()});
    let good = jwt(&key, &header, &claims("jane", "assay", now_s() + 600));
    let (st, v) = s.call("GET", "/v1/me", Some(&good), None);
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (v["name"].as_str(), v["role"].as_str()),
        (Some("jane"), Some("reviewer"))
    );

    let bad = [
        (
            "expired",
            jwt(&key, &header, &claims("jane", "assay", now_s() - 3600)),
        ),
        (
            "wrong audience",
            jwt(&key, &header, &claims("jane", "other", now_s() + 600)),
        ),
        (
            "other key",
            jwt(&other, &header, &claims("jane", "assay", now_s() + 600)),
        ),
        (
            "unknown subject",
            jwt(&key, &header, &claims("nobody", "assay", now_s() + 600)),
        ),
        (
            "unknown kid",
            jwt(
                &key,
                &json!({"alg": "EdDSA", "kid": "k2"}),
                &claims("jane", "assay", now_s() + 600),
            ),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(json!({"alg": "none", "kid": "k1"}).to_string().as_bytes()),
                b64(claims("jane", "assay", now_s() + 600)
                    .to_string()
                    .as_bytes())
            ),
        ),
        ("HS256 confusion", {
            let signing_input = format!(
                "{}.{}",
                b64(json!({"alg": "HS256", "kid": "k1"}).to_string().as_bytes()),
                b64(claims("jane", "assay", now_s() + 600)
                    .to_string()
                    .as_bytes())
            );
            format!("{signing_input}.{}", b64(&[0u8; 32]))
        }),
        ("tampered payload", {
            let mut parts: Vec<String> = good.split('.').map(String::from).collect();
            parts[1] = b64(claims("root", "assay", now_s() + 600)
                .to_string()
                .as_bytes());
            parts.join(".")
        }),
    ];
    for (what, token) in bad {
        let (st, v) = s.call("GET", "/v1/me", Some(&token), None);
        assert_eq!(st, 401, "{what}: {v}");
    }
}

#[test]
fn serves_https_with_rustls() {
    let dir = tempfile::tempdir().unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let s = TestServer::start_with(&Backend::Sqlite, |c| {
        c.tls = Some(assay_server::TlsFiles {
            cert: cert_path.clone(),
            key: key_path.clone(),
        });
    });
    assert!(s.base.starts_with("https://"));
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::new_with_certs(&[
            ureq::tls::Certificate::from_der(cert.cert.der()).to_owned(),
        ]))
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .build()
        .into();
    let url = s.base.replace("127.0.0.1", "localhost");
    let resp = agent
        .get(format!("{url}/v1/me"))
        .header("authorization", format!("Bearer {}", s.admin))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    // A client that does not trust the certificate is refused, and plain HTTP gets no answer.
    assert!(common::client()
        .get(format!("{url}/health"))
        .call()
        .is_err());
    let plain = s.base.replace("https://", "http://");
    assert!(common::client()
        .get(format!("{plain}/health"))
        .call()
        .is_err());
}

/// Issue #15, finding 15: a malformed JWKS file (here one whose values are private key
/// material) is refused naming the file and the position, never quoting its content; before,
/// serde_json's message repeated the offending string.
#[test]
fn malformed_jwks_error_does_not_quote_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "c2VjcmV0LXByaXZhdGUta2V5LW1hdGVyaWFs";
    for text in [
        format!(r#"{{"keys": "{secret}"}}"#),
        format!(r#"{{"keys": [{{"kty": "{secret}", "d": "{secret}"}}]}}"#),
    ] {
        let path = dir.path().join("jwks.json");
        std::fs::write(&path, &text).unwrap();
        let err = assay_server::jwt::JwtVerifier::from_config(&assay_server::config::JwtConfig {
            jwks_file: path.clone(),
            issuer: "https://idp.example".into(),
            audience: "assay".into(),
        })
        .err()
        .expect("malformed JWKS refused")
        .to_string();
        assert!(err.contains("jwks.json"), "{err}");
        assert!(err.contains("line 1"), "{err}");
        assert!(!err.contains(&secret[..12]), "{err}");
    }
}
