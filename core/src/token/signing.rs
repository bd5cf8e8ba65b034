//! Private keys for issuing tokens: HMAC secrets, Ed25519 and P-256.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use rand_core::CryptoRngCore;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::error::KeyError;
use super::jwk::{self, Common, PublicMaterial, VerifyingKey};
use super::{Algorithm, Family};
use crate::json::{self, JsonLimits};

const JWK_LIMITS: JsonLimits = JsonLimits {
    max_depth: 3,
    max_members: 100,
};

/// A private key that signs tokens with one algorithm.
///
/// The key material is zeroized on drop, and `Debug` prints `[redacted]` in
/// its place. There is deliberately no `Clone` or `PartialEq`.
pub struct SigningKey {
    kid: Option<String>,
    alg: Algorithm,
    material: PrivateMaterial,
}

enum PrivateMaterial {
    Hmac(Zeroizing<Vec<u8>>),
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
}

impl SigningKey {
    /// Parses a private JWK: `oct` with `alg` HS256, HS384 or HS512; `OKP`
    /// Ed25519 with `d`; or `EC` P-256 with `d`.
    ///
    /// # Errors
    ///
    /// [`KeyError::UnsupportedKey`] for RSA, other curves, a missing private
    /// part, an `oct` key without `alg`, or `use`/`key_ops` that forbid
    /// signing; [`KeyError::InvalidKey`] when members are malformed or `d`
    /// does not match the public part; [`KeyError::WeakKey`] for a short
    /// HMAC secret.
    pub fn from_jwk_json(bytes: &[u8]) -> Result<Self, KeyError> {
        let mut jwk =
            json::parse_object(bytes, &JWK_LIMITS).map_err(|error| KeyError::InvalidKey {
                index: 0,
                reason: alloc::format!("{error}"),
            })?;
        let secrets = jwk::take_private_members(&mut jwk);
        let common = Common::read(&jwk, 0)?;
        if !common.for_signing {
            return Err(unsupported(
                "the JWK's `use` or `key_ops` does not allow signing",
            ));
        }
        if common.alg_unsupported {
            return Err(unsupported(
                "the JWK's `alg` is not one this crate signs with",
            ));
        }
        if let Some(member) = secrets.invalid {
            return Err(KeyError::invalid(0, member, "is not unpadded base64url"));
        }

        let (alg, material) = match common.kty.as_str() {
            "oct" => {
                let Some(alg) = common.alg else {
                    return Err(unsupported(
                        "an `oct` signing key needs `alg` (HS256, HS384 or HS512)",
                    ));
                };
                let Some(secret) = secrets.k else {
                    return Err(KeyError::invalid(0, "k", "is required for kty `oct`"));
                };
                jwk::check_hmac_length(&secret, Some(alg), 0)?;
                (alg, PrivateMaterial::Hmac(secret))
            }
            "OKP" if jwk::required_str(&jwk, "crv", 0)? == "Ed25519" => {
                let public = jwk::ed25519_public(&jwk, 0)?;
                let d = secrets
                    .d
                    .ok_or_else(|| unsupported("the JWK has no private part `d`"))?;
                let key = ed25519_private(&d, &public, 0)?;
                (Algorithm::EdDSA, PrivateMaterial::Ed25519(key))
            }
            "EC" if jwk::required_str(&jwk, "crv", 0)? == "P-256" => {
                let public = jwk::p256_public(&jwk, 0)?;
                let d = secrets
                    .d
                    .ok_or_else(|| unsupported("the JWK has no private part `d`"))?;
                let key = p256_private(&d, &public, 0)?;
                (Algorithm::ES256, PrivateMaterial::P256(key))
            }
            "RSA" => return Err(unsupported("RSA signing is not implemented; verify only")),
            _ => return Err(unsupported("only oct, OKP Ed25519 and EC P-256 keys sign")),
        };

        if common.alg.is_some_and(|named| named != alg) {
            return Err(KeyError::invalid(0, "alg", "does not match the key type"));
        }
        Ok(Self {
            kid: common.kid,
            alg,
            material,
        })
    }

    /// Generates a fresh key for `alg` with a random 128-bit `kid`.
    ///
    /// HMAC secrets are as long as the hash output.
    ///
    /// # Errors
    ///
    /// [`KeyError::UnsupportedKey`] for RSA algorithms.
    pub fn generate(alg: Algorithm, rng: &mut impl CryptoRngCore) -> Result<Self, KeyError> {
        let material = match (alg.family(), alg.min_hmac_key_len()) {
            (Family::Hmac, Some(len)) => {
                let mut secret = Zeroizing::new(alloc::vec![0u8; len]);
                rng.fill_bytes(&mut secret);
                PrivateMaterial::Hmac(secret)
            }
            (Family::Ed25519, _) => {
                PrivateMaterial::Ed25519(ed25519_dalek::SigningKey::generate(rng))
            }
            (Family::P256, _) => PrivateMaterial::P256(p256::ecdsa::SigningKey::random(rng)),
            _ => return Err(unsupported("RSA key generation is not implemented")),
        };

        let mut kid = [0u8; 16];
        rng.fill_bytes(&mut kid);
        Ok(Self {
            kid: Some(Base64UrlUnpadded::encode_string(&kid)),
            alg,
            material,
        })
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The key's `kid`, written into the header of tokens it signs.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Replaces the key's `kid`.
    pub fn set_kid(&mut self, kid: Option<String>) {
        self.kid = kid;
    }

    /// The public JWK, or `None` for an HMAC secret, which has no public part.
    pub fn to_public_jwk(&self) -> Option<Map<String, Value>> {
        let mut jwk = self.common_members();
        match &self.material {
            PrivateMaterial::Hmac(_) => return None,
            PrivateMaterial::Ed25519(key) => {
                insert_b64(&mut jwk, "x", key.verifying_key().as_bytes());
            }
            PrivateMaterial::P256(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                let x: &[u8] = point.x().map(|x| &x[..]).unwrap_or_default();
                let y: &[u8] = point.y().map(|y| &y[..]).unwrap_or_default();
                insert_b64(&mut jwk, "x", x);
                insert_b64(&mut jwk, "y", y);
            }
        }
        Some(jwk)
    }

    /// The private JWK as JSON text, zeroized when dropped.
    ///
    /// # Security
    ///
    /// The text contains the secret. Write it only where the key is meant to
    /// be stored.
    pub fn to_private_jwk_json(&self) -> Zeroizing<String> {
        let mut jwk = self
            .to_public_jwk()
            .unwrap_or_else(|| self.common_members());
        // NOTE: the byte arrays returned by the dalek and RustCrypto `to_bytes`
        // are temporaries that are not zeroized; only the copies made here are.
        match &self.material {
            PrivateMaterial::Hmac(secret) => insert_b64(&mut jwk, "k", secret),
            PrivateMaterial::Ed25519(key) => {
                insert_b64(&mut jwk, "d", &*Zeroizing::new(key.to_bytes()))
            }
            PrivateMaterial::P256(key) => {
                insert_b64(
                    &mut jwk,
                    "d",
                    &*Zeroizing::new(<[u8; 32]>::from(key.to_bytes())),
                );
            }
        }

        let mut value = Value::Object(jwk);
        let text = Zeroizing::new(alloc::format!("{value}"));
        json::zeroize_strings(&mut value);
        text
    }

    /// The matching verification key, with the same `kid` and `alg`.
    pub fn verifying_key(&self) -> VerifyingKey {
        let material = match &self.material {
            PrivateMaterial::Hmac(secret) => {
                PublicMaterial::Hmac(super::mac::HmacKey::new(secret.clone()))
            }
            PrivateMaterial::Ed25519(key) => PublicMaterial::Ed25519(key.verifying_key()),
            PrivateMaterial::P256(key) => PublicMaterial::P256(*key.verifying_key()),
        };
        VerifyingKey::from_parts(self.kid.clone(), Some(self.alg), material)
    }

    /// Signs `input` (the JWS signing input) and returns the raw signature.
    pub(crate) fn sign(&self, input: &[u8]) -> Result<Vec<u8>, KeyError> {
        use p256::ecdsa::signature::Signer;

        match (&self.material, self.alg) {
            (
                PrivateMaterial::Hmac(secret),
                Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512,
            ) => super::mac::tag(self.alg, secret, input)
                .ok_or_else(|| unsupported("the HMAC primitive rejected the key")),
            (PrivateMaterial::Ed25519(key), _) => Ok(key.sign(input).to_bytes().to_vec()),
            (PrivateMaterial::P256(key), _) => {
                let signature: p256::ecdsa::Signature = key
                    .try_sign(input)
                    .map_err(|_| unsupported("P-256 signing failed"))?;
                Ok(signature.to_bytes().to_vec())
            }
            (PrivateMaterial::Hmac(_), _) => Err(unsupported("an HMAC key signs only HS*")),
        }
    }

    fn common_members(&self) -> Map<String, Value> {
        let mut jwk = Map::new();
        let (kty, crv) = match self.material {
            PrivateMaterial::Hmac(_) => ("oct", None),
            PrivateMaterial::Ed25519(_) => ("OKP", Some("Ed25519")),
            PrivateMaterial::P256(_) => ("EC", Some("P-256")),
        };
        jwk.insert(String::from("kty"), Value::from(kty));
        if let Some(crv) = crv {
            jwk.insert(String::from("crv"), Value::from(crv));
        }
        jwk.insert(String::from("alg"), Value::from(self.alg.as_str()));
        jwk.insert(String::from("use"), Value::from("sig"));
        if let Some(kid) = &self.kid {
            jwk.insert(String::from("kid"), Value::from(kid.as_str()));
        }
        jwk
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("material", &"[redacted]")
            .finish()
    }
}

/// Checks that the Ed25519 private scalar seed `d` belongs to `public`.
pub(crate) fn ed25519_private(
    d: &[u8],
    public: &ed25519_dalek::VerifyingKey,
    index: usize,
) -> Result<ed25519_dalek::SigningKey, KeyError> {
    let seed: &[u8; 32] = d
        .try_into()
        .map_err(|_| KeyError::invalid(index, "d", "has the wrong length for Ed25519"))?;
    let key = ed25519_dalek::SigningKey::from_bytes(seed);
    if key.verifying_key() != *public {
        return Err(KeyError::invalid(
            index,
            "d",
            "does not match the public key `x`",
        ));
    }
    Ok(key)
}

/// Checks that the P-256 private scalar `d` belongs to `public`.
pub(crate) fn p256_private(
    d: &[u8],
    public: &p256::ecdsa::VerifyingKey,
    index: usize,
) -> Result<p256::ecdsa::SigningKey, KeyError> {
    if d.len() != 32 {
        return Err(KeyError::invalid(
            index,
            "d",
            "has the wrong length for P-256",
        ));
    }
    let key = p256::ecdsa::SigningKey::from_slice(d)
        .map_err(|_| KeyError::invalid(index, "d", "is not a valid P-256 scalar"))?;
    if key.verifying_key() != public {
        return Err(KeyError::invalid(
            index,
            "d",
            "does not match the public key `x`, `y`",
        ));
    }
    Ok(key)
}

fn unsupported(reason: &str) -> KeyError {
    KeyError::UnsupportedKey {
        reason: String::from(reason),
    }
}

fn insert_b64(jwk: &mut Map<String, Value>, member: &str, bytes: &[u8]) {
    jwk.insert(
        String::from(member),
        Value::String(Base64UrlUnpadded::encode_string(bytes)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Ed25519 private JWK of RFC 8037 Appendix A.1.
    const RFC8037_JWK: &str = r#"{"kty":"OKP","crv":"Ed25519",
        "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;

    #[test]
    fn rfc8037_private_key_loads() {
        let key = SigningKey::from_jwk_json(RFC8037_JWK.as_bytes()).unwrap();
        assert_eq!(key.alg(), Algorithm::EdDSA);
        let public = key.to_public_jwk().unwrap();
        assert_eq!(public["x"], "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    }

    #[test]
    fn mismatched_d_rejected() {
        let text = RFC8037_JWK.replace("nWGxne", "mWGxne");
        let error = SigningKey::from_jwk_json(text.as_bytes()).unwrap_err();
        assert_eq!(error.code(), "invalid_key");
    }

    #[test]
    fn debug_redacts_material() {
        let key = SigningKey::from_jwk_json(RFC8037_JWK.as_bytes()).unwrap();
        let shown = alloc::format!("{key:?}");
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(!shown.contains("nWGxne"), "{shown}");
    }

    #[test]
    fn oct_needs_alg_to_sign() {
        let k = Base64UrlUnpadded::encode_string(&[9u8; 32]);
        let text = alloc::format!(r#"{{"kty":"oct","k":"{k}"}}"#);
        let error = SigningKey::from_jwk_json(text.as_bytes()).unwrap_err();
        assert_eq!(error.code(), "unsupported_key");
    }

    #[test]
    fn typ_mismatch_names_both_values() {
        use crate::token::{KeySet, Validation};

        let key = SigningKey::generate(Algorithm::HS256, &mut rand_core::OsRng).unwrap();
        let keys = KeySet::from_keys(alloc::vec![key.verifying_key()]).unwrap();
        let validation = Validation {
            typ: Some(String::from("at+jwt")),
            ..Validation::default()
        };
        let claims = serde_json::json!({"exp": 200});
        let jwt = crate::token::sign(claims.as_object().unwrap(), &key).unwrap();
        let error = crate::token::verify(&jwt, &keys, &validation, 100).unwrap_err();
        assert_eq!(error.code(), "invalid_header");
        assert_eq!(
            alloc::format!("{error}"),
            "header parameter `typ` is `JWT`, not the required `at+jwt`"
        );

        let untyped =
            crate::token::sign_jws(br#"{"alg":"HS256"}"#, br#"{"exp":200}"#, &key).unwrap();
        let error = crate::token::verify_json(&untyped, &keys, &validation, 100).unwrap_err();
        assert_eq!(
            alloc::format!("{error}"),
            "header parameter `typ` is `(absent)`, not the required `at+jwt`"
        );
    }

    #[test]
    fn skipped_keys_named_in_key_errors() {
        use crate::token::{KeySet, Validation};

        let key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
        let mut public = key.to_public_jwk().unwrap();
        public.insert(String::from("use"), Value::from("enc"));
        let text = alloc::format!(r#"{{"keys":[{}]}}"#, Value::Object(public));
        let keys = KeySet::from_json(text.as_bytes()).unwrap();
        assert_eq!(keys.skipped(), 1);

        let claims = serde_json::json!({"exp": 200});
        let jwt = crate::token::sign(claims.as_object().unwrap(), &key).unwrap();
        let error = crate::token::verify(&jwt, &keys, &Validation::default(), 100).unwrap_err();
        assert_eq!(error.code(), "disallowed_algorithm");
        let shown = alloc::format!("{error}");
        assert!(
            shown.ends_with(
                "(the key set skipped 1 JWK as unusable: its kty, crv, alg, use or key_ops)"
            ),
            "{shown}"
        );

        let validation = Validation {
            algorithms: Some(alloc::vec![Algorithm::EdDSA]),
            ..Validation::default()
        };
        let untagged =
            crate::token::sign_jws(br#"{"alg":"EdDSA"}"#, br#"{"exp":200}"#, &key).unwrap();
        let error = crate::token::verify(&untagged, &keys, &validation, 100).unwrap_err();
        assert_eq!(error.code(), "no_matching_key");
        assert!(
            alloc::format!("{error}").contains("skipped 1 JWK"),
            "{error}"
        );
    }

    #[test]
    fn public_only_jwk_cannot_sign() {
        let text =
            r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let error = SigningKey::from_jwk_json(text.as_bytes()).unwrap_err();
        assert_eq!(error.code(), "unsupported_key");
    }
}
