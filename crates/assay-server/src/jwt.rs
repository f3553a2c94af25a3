//! OIDC/JWT bearer tokens (RFC 7519) verified against the identity provider's JWKS (RFC 7517).
//!
//! Only asymmetric keys are accepted (RSA, EC, Ed25519); a symmetric (`oct`) key in the JWKS is
//! refused at start, and a token whose `alg` does not match its key is refused, which closes
//! the classic algorithm-confusion attacks. `iss`, `aud`, `exp` and `sub` are required; `sub`
//! must name an enabled account, whose role comes from the database, not from the token.

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::config::JwtConfig;
use crate::error::ServerError;

/// Algorithms accepted in a token header.
const ASYMMETRIC: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Clock skew tolerated on `exp`/`nbf`, seconds.
const LEEWAY_S: u64 = 30;

/// Verifies JWTs against a fixed JWKS.
pub struct JwtVerifier {
    keys: JwkSet,
    issuer: String,
    audience: String,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
}

impl JwtVerifier {
    /// Reads and checks the JWKS file.
    pub fn from_config(c: &JwtConfig) -> Result<JwtVerifier, ServerError> {
        let text = std::fs::read_to_string(&c.jwks_file).map_err(|e| ServerError::Io {
            context: format!("reading JWKS {}", c.jwks_file.display()),
            source: e,
        })?;
        // serde_json's messages may quote values from the file (`invalid type: string "..."`),
        // and a JWKS file given by mistake may hold private keys: say where, never what.
        let keys: JwkSet = serde_json::from_str(&text).map_err(|e| {
            ServerError::Config(format!(
                "{}: not a JWKS document ({:?} error at line {} column {}; the content is not \
                 shown)",
                c.jwks_file.display(),
                e.classify(),
                e.line(),
                e.column()
            ))
        })?;
        if keys.keys.is_empty() {
            return Err(ServerError::Config(format!(
                "{}: the JWKS has no keys",
                c.jwks_file.display()
            )));
        }
        if keys
            .keys
            .iter()
            .any(|k| matches!(k.algorithm, AlgorithmParameters::OctetKey(_)))
        {
            return Err(ServerError::Config(format!(
                "{}: symmetric (oct) keys are not accepted for bearer tokens",
                c.jwks_file.display()
            )));
        }
        Ok(JwtVerifier {
            keys,
            issuer: c.issuer.clone(),
            audience: c.audience.clone(),
        })
    }

    /// The verified token's subject (`sub`), or why it was refused.
    pub fn verify(&self, token: &str) -> Result<String, String> {
        let header = decode_header(token).map_err(|e| format!("malformed token: {e}"))?;
        if !ASYMMETRIC.contains(&header.alg) {
            return Err(format!("algorithm {:?} not accepted", header.alg));
        }
        let jwk = match &header.kid {
            Some(kid) => self
                .keys
                .find(kid)
                .ok_or_else(|| format!("unknown key id {kid:?}"))?,
            None if self.keys.keys.len() == 1 => &self.keys.keys[0],
            None => return Err("token has no kid and the JWKS has several keys".into()),
        };
        if let Some(ka) = jwk.common.key_algorithm {
            if ka.to_string() != format!("{:?}", header.alg) {
                return Err(format!(
                    "token algorithm {:?} does not match its key's {ka}",
                    header.alg
                ));
            }
        }
        let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable key: {e}"))?;
        let mut v = Validation::new(header.alg);
        v.leeway = LEEWAY_S;
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        let data = decode::<Claims>(token, &key, &v).map_err(|e| e.to_string())?;
        Ok(data.claims.sub)
    }
}
