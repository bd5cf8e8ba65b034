//! JSON Web Keys (RFC 7517) and key sets for signature verification.
//!
//! Each loaded key is bound to one algorithm family by its key type, and to
//! one algorithm when its JWK has an `alg` member. Keys of types or curves this
//! crate does not implement are skipped, so that a provider's key set with an
//! extra encryption key still loads; their `kid`s are then unknown.
//!
//! A key set for verification contains public keys and HMAC secrets only. A
//! JWK of any type but `oct` that carries a private member (`d`, or for RSA
//! `p`, `q`, `dp`, `dq`, `qi` or `oth`) fails the whole set, even when its
//! type would be skipped. Private key material in a verifier's configuration
//! is a leak, not a key.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use super::error::KeyError;
use super::{Algorithm, Family};
use crate::json::{self, JsonLimits, Printable};

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// Largest RSA modulus accepted, in bits; larger keys make verification slow
/// enough to be a denial-of-service lever.
pub const MAX_RSA_BITS: usize = 8192;

/// Limits for key set documents: depth 4 covers `{"keys":[{"oth":[{}]}]}`.
const KEY_SET_LIMITS: JsonLimits = JsonLimits {
    max_depth: 4,
    max_members: 1000,
};

/// A set of public keys (and HMAC secrets) that tokens are verified against.
pub struct KeySet {
    keys: Vec<VerifyingKey>,
    skipped: usize,
}

/// One verification key from a JWK.
pub struct VerifyingKey {
    kid: Option<String>,
    alg: Option<Algorithm>,
    material: PublicMaterial,
}

/// The cryptographic part of a [`VerifyingKey`].
pub(crate) enum PublicMaterial {
    /// An HMAC secret, zeroized on drop, with its prepared HS256 state.
    Hmac(super::mac::HmacKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
    Rsa(Box<rsa::RsaPublicKey>),
}

impl KeySet {
    /// Parses a JWK Set document (`{"keys": [...]}`).
    ///
    /// Unknown JWK members are ignored, as RFC 7517 §4 requires. Keys with an
    /// unsupported `kty`, `crv` or `alg`, or with a `use` other than `sig` or
    /// `key_ops` without `verify`, are skipped and counted in [`Self::skipped`].
    ///
    /// # Errors
    ///
    /// [`KeyError::InvalidKeySet`] when the document is not strict JSON or has
    /// no `keys` array; [`KeyError::PrivateKey`] when a JWK other than `oct`
    /// carries a private member; [`KeyError::InvalidKey`] or
    /// [`KeyError::WeakKey`] for a supported key that is malformed or too
    /// weak; [`KeyError::DuplicateKeyId`] when two keys share a `kid`.
    ///
    /// # Security
    ///
    /// A key without `alg` verifies nothing unless the validation options list
    /// algorithms explicitly. HMAC secrets shorter than 32 bytes, RSA moduli
    /// under 2048 bits, small-order Ed25519 points and asymmetric keys with
    /// private members are rejected.
    pub fn from_json(bytes: &[u8]) -> Result<Self, KeyError> {
        let document = json::parse_object(bytes, &KEY_SET_LIMITS).map_err(|error| {
            KeyError::InvalidKeySet {
                reason: alloc::format!("{error}"),
            }
        })?;
        // `oct` keys carry their secret: whatever the set fails on, the
        // JWKs not yet read are zeroized when `document` drops.
        let mut document = json::Scrubbed::new(Value::Object(document));
        let Some(Value::Array(entries)) = document.get_mut("keys") else {
            return Err(KeyError::InvalidKeySet {
                reason: String::from("expected a `keys` member holding an array of JWKs"),
            });
        };

        let mut set = KeySet {
            keys: Vec::with_capacity(entries.len()),
            skipped: 0,
        };
        let mut kids: Vec<String> = Vec::new();
        for (index, entry) in entries.iter_mut().enumerate() {
            let Value::Object(jwk) = core::mem::take(entry) else {
                return Err(KeyError::invalid(
                    index,
                    "keys",
                    "must hold only JSON objects",
                ));
            };
            let kid = match jwk.get("kid") {
                Some(Value::String(kid)) => Some(kid.clone()),
                _ => None,
            };
            // The key is read before its kid is compared, so that a private
            // key next to its own public key is reported as a private key.
            let parsed = parse_verifying(jwk, index)?;
            if let Some(kid) = kid {
                if kids.contains(&kid) {
                    return Err(KeyError::DuplicateKeyId {
                        kid: alloc::format!("{}", Printable(&kid)),
                    });
                }
                kids.push(kid);
            }
            match parsed {
                Some(key) => set.keys.push(key),
                None => set.skipped = set.skipped.saturating_add(1),
            }
        }
        Ok(set)
    }

    /// Builds a set from keys already parsed.
    ///
    /// # Errors
    ///
    /// [`KeyError::DuplicateKeyId`] when two keys share a `kid`.
    pub fn from_keys(keys: Vec<VerifyingKey>) -> Result<Self, KeyError> {
        for (index, key) in keys.iter().enumerate() {
            let Some(kid) = key.kid() else { continue };
            let repeated = keys
                .iter()
                .skip(index.saturating_add(1))
                .any(|other| other.kid() == Some(kid));
            if repeated {
                return Err(KeyError::DuplicateKeyId {
                    kid: alloc::format!("{}", Printable(kid)),
                });
            }
        }
        Ok(Self { keys, skipped: 0 })
    }

    /// The usable keys, in document order.
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// Number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no usable key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Number of JWKs skipped because this crate does not verify with them.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The key with exactly this `kid`.
    pub fn find(&self, kid: &str) -> Option<&VerifyingKey> {
        self.keys.iter().find(|key| key.kid.as_deref() == Some(kid))
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("keys", &self.keys)
            .field("skipped", &self.skipped)
            .finish()
    }
}

impl VerifyingKey {
    /// Parses one JWK for verification.
    ///
    /// # Errors
    ///
    /// As [`KeySet::from_json`], plus [`KeyError::UnsupportedKey`] when the JWK
    /// would have been skipped in a set.
    pub fn from_jwk_json(bytes: &[u8]) -> Result<Self, KeyError> {
        let jwk =
            json::parse_object(bytes, &KEY_SET_LIMITS).map_err(|error| KeyError::InvalidKey {
                index: 0,
                reason: alloc::format!("{error}"),
            })?;
        match parse_verifying(jwk, 0)? {
            Some(key) => Ok(key),
            None => Err(KeyError::UnsupportedKey {
                reason: String::from(
                    "key type, curve, algorithm or use is not one this crate verifies with",
                ),
            }),
        }
    }

    pub(crate) fn from_parts(
        kid: Option<String>,
        alg: Option<Algorithm>,
        material: PublicMaterial,
    ) -> Self {
        Self { kid, alg, material }
    }

    /// The key's `kid`, if it has one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key's `alg`, if its JWK named one.
    pub fn alg(&self) -> Option<Algorithm> {
        self.alg
    }

    /// The algorithm family this key serves.
    pub fn family(&self) -> Family {
        match self.material {
            PublicMaterial::Hmac(_) => Family::Hmac,
            PublicMaterial::Ed25519(_) => Family::Ed25519,
            PublicMaterial::P256(_) => Family::P256,
            PublicMaterial::Rsa(_) => Family::Rsa,
        }
    }

    /// Whether this key may verify `alg`: its own `alg` must equal it, or, for
    /// a key without `alg`, `alg` must be in the explicit allow-list and fit
    /// the key's family (and, for HMAC, its length).
    pub fn usable_with(&self, alg: Algorithm, allow_list: Option<&[Algorithm]>) -> bool {
        if let Some(own) = self.alg {
            return own == alg;
        }
        let listed = allow_list.is_some_and(|list| list.contains(&alg));
        listed && self.family() == alg.family() && self.fits_length(alg)
    }

    /// Returns the minimum secret length of `alg`, in bytes, when that
    /// alone keeps this key from verifying it: an HMAC key without `alg`,
    /// with `alg` in the allow-list, whose secret is shorter. `None`
    /// otherwise.
    pub(crate) fn short_secret_for(
        &self,
        alg: Algorithm,
        allow_list: Option<&[Algorithm]>,
    ) -> Option<usize> {
        let listed = allow_list.is_some_and(|list| list.contains(&alg));
        let fits_otherwise = self.alg.is_none() && listed && self.family() == alg.family();
        if !fits_otherwise || self.fits_length(alg) {
            return None;
        }
        alg.min_hmac_key_len()
    }

    fn fits_length(&self, alg: Algorithm) -> bool {
        match (&self.material, alg.min_hmac_key_len()) {
            (PublicMaterial::Hmac(secret), Some(min)) => secret.len() >= min,
            _ => true,
        }
    }

    pub(crate) fn material(&self) -> &PublicMaterial {
        &self.material
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let material = match self.material {
            PublicMaterial::Hmac(_) => "[redacted]",
            PublicMaterial::Ed25519(_) => "Ed25519",
            PublicMaterial::P256(_) => "P-256",
            PublicMaterial::Rsa(_) => "RSA",
        };
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("material", &material)
            .finish()
    }
}

/// Reads the members every JWK shares, then the type-specific ones. Returns
/// `None` for a key type, curve, algorithm or use this crate does not verify
/// with.
fn parse_verifying(
    mut jwk: Map<String, Value>,
    index: usize,
) -> Result<Option<VerifyingKey>, KeyError> {
    let private = private_member(&jwk);
    let secrets = take_private_members(&mut jwk);
    let common = Common::read(&jwk, index)?;
    // Checked before skipping, so that a private key of a type this crate
    // does not verify with fails the set too.
    if let Some(member) = private {
        return Err(KeyError::PrivateKey {
            index,
            kid: common
                .kid
                .as_deref()
                .map(|kid| alloc::format!("{}", Printable(kid))),
            member,
        });
    }
    if !common.for_verification || common.alg_unsupported {
        return Ok(None);
    }
    if let Some(member) = secrets.invalid {
        return Err(KeyError::invalid(
            index,
            member,
            "is not unpadded base64url",
        ));
    }

    let material = match common.kty.as_str() {
        "oct" => {
            let Some(secret) = secrets.k else {
                return Err(KeyError::invalid(index, "k", "is required for kty `oct`"));
            };
            check_hmac_length(&secret, common.alg, index)?;
            PublicMaterial::Hmac(super::mac::HmacKey::new(secret))
        }
        "OKP" => match required_str(&jwk, "crv", index)? {
            "Ed25519" => PublicMaterial::Ed25519(ed25519_public(&jwk, index)?),
            _ => return Ok(None),
        },
        "EC" => match required_str(&jwk, "crv", index)? {
            "P-256" => PublicMaterial::P256(p256_public(&jwk, index)?),
            _ => return Ok(None),
        },
        "RSA" => PublicMaterial::Rsa(Box::new(rsa_public(&jwk, index)?)),
        _ => return Ok(None),
    };

    let key = VerifyingKey {
        kid: common.kid,
        alg: common.alg,
        material,
    };
    if let Some(alg) = key.alg {
        if alg.family() != key.family() {
            return Err(KeyError::invalid(
                index,
                "alg",
                "does not match the key type",
            ));
        }
    }
    Ok(Some(key))
}

/// Members shared by every JWK.
pub(crate) struct Common {
    pub(crate) kty: String,
    pub(crate) kid: Option<String>,
    pub(crate) alg: Option<Algorithm>,
    /// `alg` is present but names an algorithm this crate does not implement.
    pub(crate) alg_unsupported: bool,
    /// `use` and `key_ops` allow verification.
    pub(crate) for_verification: bool,
    /// `use` and `key_ops` allow signing.
    pub(crate) for_signing: bool,
}

impl Common {
    pub(crate) fn read(jwk: &Map<String, Value>, index: usize) -> Result<Self, KeyError> {
        let kty = String::from(required_str(jwk, "kty", index)?);
        let kid = optional_str(jwk, "kid", index)?.map(String::from);
        let alg_name = optional_str(jwk, "alg", index)?;
        let alg = alg_name.and_then(|name| name.parse::<Algorithm>().ok());
        let use_ok = optional_str(jwk, "use", index)?.is_none_or(|usage| usage == "sig");

        let ops = match jwk.get("key_ops") {
            None => None,
            Some(Value::Array(ops)) => {
                let mut names = Vec::with_capacity(ops.len());
                for op in ops {
                    let Value::String(op) = op else {
                        return Err(KeyError::invalid(index, "key_ops", "must hold strings"));
                    };
                    names.push(op.as_str());
                }
                Some(names)
            }
            Some(_) => return Err(KeyError::invalid(index, "key_ops", "must be an array")),
        };
        let allows = |op: &str| ops.as_ref().is_none_or(|names| names.contains(&op));

        Ok(Self {
            kty,
            kid,
            alg,
            alg_unsupported: alg_name.is_some() && alg.is_none(),
            for_verification: use_ok && allows("verify"),
            for_signing: use_ok && allows("sign"),
        })
    }
}

/// Private members removed from a JWK before anything else reads it, so that
/// their text is zeroized once decoded.
#[derive(Default)]
pub(crate) struct Secrets {
    /// `k` of an `oct` key, decoded.
    pub(crate) k: Option<Zeroizing<Vec<u8>>>,
    /// `d` of an OKP or EC key, decoded.
    pub(crate) d: Option<Zeroizing<Vec<u8>>>,
    /// A private member was present but not valid base64url.
    pub(crate) invalid: Option<&'static str>,
}

/// RSA private members; this crate never uses them, but zeroizes their text.
const RSA_PRIVATE: [&str; 6] = ["p", "q", "dp", "dq", "qi", "oth"];

/// Returns the first private member of an asymmetric JWK: `d` (EC, OKP and
/// RSA, RFC 7518 §6.2.2 and §6.3.2, RFC 8037 §2), then the RSA members `p`,
/// `q`, `dp`, `dq`, `qi` and `oth`. Any `kty` but `oct` counts as
/// asymmetric, and `None` means the JWK is public, or an `oct` secret.
///
/// Only member names are read, never their values, so the result can go
/// into an error message.
pub fn private_member(jwk: &Map<String, Value>) -> Option<&'static str> {
    if matches!(jwk.get("kty"), Some(Value::String(kty)) if kty == "oct") {
        return None;
    }
    core::iter::once("d")
        .chain(RSA_PRIVATE)
        .find(|member| jwk.contains_key(*member))
}

pub(crate) fn take_private_members(jwk: &mut Map<String, Value>) -> Secrets {
    let mut secrets = Secrets::default();
    let is_rsa = matches!(jwk.get("kty"), Some(Value::String(kty)) if kty == "RSA");
    for member in ["k", "d"] {
        let Some(value) = jwk.remove(member) else {
            continue;
        };
        let decoded = match value {
            Value::String(mut text) => {
                let decoded = Base64UrlUnpadded::decode_vec(&text)
                    .ok()
                    .map(Zeroizing::new);
                text.zeroize();
                decoded
            }
            mut other => {
                json::zeroize_strings(&mut other);
                None
            }
        };
        if is_rsa {
            continue;
        }
        match (member, decoded) {
            ("k", Some(bytes)) => secrets.k = Some(bytes),
            ("d", Some(bytes)) => secrets.d = Some(bytes),
            (member, None) => secrets.invalid = Some(if member == "k" { "k" } else { "d" }),
            _ => {}
        }
    }
    for member in RSA_PRIVATE {
        if let Some(mut value) = jwk.remove(member) {
            json::zeroize_strings(&mut value);
        }
    }
    secrets
}

pub(crate) fn check_hmac_length(
    secret: &[u8],
    alg: Option<Algorithm>,
    index: usize,
) -> Result<(), KeyError> {
    let min = alg.and_then(Algorithm::min_hmac_key_len).unwrap_or(32);
    if secret.len() < min {
        return Err(KeyError::WeakKey {
            index,
            reason: "HMAC secret is shorter than the hash output (32, 48 or 64 bytes)",
        });
    }
    Ok(())
}

pub(crate) fn ed25519_public(
    jwk: &Map<String, Value>,
    index: usize,
) -> Result<ed25519_dalek::VerifyingKey, KeyError> {
    let x = fixed_bytes::<32>(jwk, "x", index)?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&x)
        .map_err(|_| KeyError::invalid(index, "x", "is not a valid Ed25519 point"))?;
    if key.is_weak() {
        return Err(KeyError::WeakKey {
            index,
            reason: "Ed25519 public key is a small-order point",
        });
    }
    Ok(key)
}

pub(crate) fn p256_public(
    jwk: &Map<String, Value>,
    index: usize,
) -> Result<p256::ecdsa::VerifyingKey, KeyError> {
    let x = fixed_bytes::<32>(jwk, "x", index)?;
    let y = fixed_bytes::<32>(jwk, "y", index)?;
    let point = p256::EncodedPoint::from_affine_coordinates(&x.into(), &y.into(), false);
    p256::ecdsa::VerifyingKey::from_encoded_point(&point)
        .map_err(|_| KeyError::invalid(index, "x", "and `y` are not a point on P-256"))
}

fn rsa_public(jwk: &Map<String, Value>, index: usize) -> Result<rsa::RsaPublicKey, KeyError> {
    let n = rsa::BigUint::from_bytes_be(&required_bytes(jwk, "n", index)?);
    let e = rsa::BigUint::from_bytes_be(&required_bytes(jwk, "e", index)?);
    if n.bits() < MIN_RSA_BITS {
        return Err(KeyError::WeakKey {
            index,
            reason: "RSA modulus is shorter than 2048 bits",
        });
    }
    if n.bits() > MAX_RSA_BITS {
        let reason = alloc::format!(
            "is a {}-bit RSA modulus, above the supported maximum of {MAX_RSA_BITS} bits; use \
             a key of 2048 to {MAX_RSA_BITS} bits",
            n.bits()
        );
        return Err(KeyError::invalid(index, "n", &reason));
    }
    rsa::RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS)
        .map_err(|_| KeyError::invalid(index, "n", "and `e` are not a usable RSA public key"))
}

pub(crate) fn required_str<'a>(
    jwk: &'a Map<String, Value>,
    member: &str,
    index: usize,
) -> Result<&'a str, KeyError> {
    optional_str(jwk, member, index)?.ok_or_else(|| KeyError::invalid(index, member, "is required"))
}

fn optional_str<'a>(
    jwk: &'a Map<String, Value>,
    member: &str,
    index: usize,
) -> Result<Option<&'a str>, KeyError> {
    match jwk.get(member) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(KeyError::invalid(index, member, "must be a string")),
    }
}

fn required_bytes(
    jwk: &Map<String, Value>,
    member: &str,
    index: usize,
) -> Result<Vec<u8>, KeyError> {
    let text = required_str(jwk, member, index)?;
    Base64UrlUnpadded::decode_vec(text)
        .map_err(|_| KeyError::invalid(index, member, "is not unpadded base64url"))
}

pub(crate) fn fixed_bytes<const N: usize>(
    jwk: &Map<String, Value>,
    member: &str,
    index: usize,
) -> Result<[u8; N], KeyError> {
    let bytes = required_bytes(jwk, member, index)?;
    bytes
        .try_into()
        .map_err(|_| KeyError::invalid(index, member, "has the wrong length for its curve"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED25519_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    fn load(text: &str) -> Result<KeySet, KeyError> {
        KeySet::from_json(text.as_bytes())
    }

    #[test]
    fn unsupported_keys_skipped() {
        let set = load(
            r#"{"keys":[
                {"kty":"EC","crv":"P-384","x":"AA","y":"AA"},
                {"kty":"OKP","crv":"X25519","x":"AA"},
                {"kty":"RSA","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"},
                {"kty":"OKP","crv":"Ed25519","use":"enc","x":"AA"},
                {"kty":"OKP","crv":"Ed25519","key_ops":["sign"],"x":"AA"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(set.len(), 0);
        assert_eq!(set.skipped(), 5);
    }

    #[test]
    fn ed25519_key_loads_with_unknown_members() {
        let text = alloc::format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":"{ED25519_X}","kid":"a","x5t":"z"}}]}}"#
        );
        let set = load(&text).unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(
            set.find("a").map(VerifyingKey::family),
            Some(Family::Ed25519)
        );
    }

    #[test]
    fn short_hmac_secret_weak() {
        let error = load(r#"{"keys":[{"kty":"oct","k":"c2hvcnQ"}]}"#).unwrap_err();
        assert_eq!(error.code(), "weak_key");
    }

    #[test]
    fn hs512_needs_64_bytes() {
        let k = Base64UrlUnpadded::encode_string(&[7u8; 32]);
        let text = alloc::format!(r#"{{"keys":[{{"kty":"oct","alg":"HS512","k":"{k}"}}]}}"#);
        assert_eq!(load(&text).unwrap_err().code(), "weak_key");
    }

    #[test]
    fn alg_must_match_kty() {
        let text = alloc::format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","alg":"HS256","x":"{ED25519_X}"}}]}}"#
        );
        assert_eq!(load(&text).unwrap_err().code(), "invalid_key");
    }

    #[test]
    fn duplicate_kid_rejected() {
        let k = Base64UrlUnpadded::encode_string(&[7u8; 32]);
        let text = alloc::format!(
            r#"{{"keys":[{{"kty":"oct","kid":"x","k":"{k}"}},{{"kty":"oct","kid":"x","k":"{k}"}}]}}"#
        );
        assert_eq!(load(&text).unwrap_err().code(), "duplicate_key_id");
    }

    #[test]
    fn unkeyed_set_rejected() {
        assert_eq!(load(r#"{"key":[]}"#).unwrap_err().code(), "invalid_key_set");
        assert_eq!(
            load(r#"{"keys":{}}"#).unwrap_err().code(),
            "invalid_key_set"
        );
        assert_eq!(
            load(r#"{"keys":[],"keys":[]}"#).unwrap_err().code(),
            "invalid_key_set"
        );
    }

    #[test]
    fn hmac_debug_redacted() {
        let k = Base64UrlUnpadded::encode_string(b"0123456789abcdef0123456789abcdef");
        let text = alloc::format!(r#"{{"keys":[{{"kty":"oct","kid":"h","k":"{k}"}}]}}"#);
        let shown = alloc::format!("{:?}", load(&text).unwrap());
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(!shown.contains(&k), "{shown}");
    }

    /// A made-up `d`, which no message may contain.
    const PRIVATE_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";

    #[test]
    fn private_okp_key_rejected() {
        let text = alloc::format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"{ED25519_X}","d":"{PRIVATE_D}"}}]}}"#
        );
        let error = load(&text).unwrap_err();
        assert_eq!(
            error,
            KeyError::PrivateKey {
                index: 0,
                kid: Some(String::from("ed")),
                member: "d",
            }
        );
        assert_eq!(error.code(), "private_key");
        let message = alloc::format!("{error}");
        assert!(message.contains("kid `ed`"), "{message}");
        assert!(message.contains("`d`"), "{message}");
        assert!(!message.contains(PRIVATE_D), "{message}");
    }

    #[test]
    fn private_rsa_member_named_by_index() {
        let k = Base64UrlUnpadded::encode_string(&[7u8; 32]);
        let text = alloc::format!(
            r#"{{"keys":[{{"kty":"oct","k":"{k}"}},{{"kty":"RSA","n":"AQAB","e":"AQAB","qi":"{PRIVATE_D}"}}]}}"#
        );
        let error = load(&text).unwrap_err();
        assert_eq!(
            error,
            KeyError::PrivateKey {
                index: 1,
                kid: None,
                member: "qi",
            }
        );
        let message = alloc::format!("{error}");
        assert!(message.starts_with("key at index 1 contains"), "{message}");
    }

    #[test]
    fn private_key_reported_before_repeated_kid() {
        let text = alloc::format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"{ED25519_X}"}},{{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"{ED25519_X}","d":"{PRIVATE_D}"}}]}}"#
        );
        assert_eq!(load(&text).unwrap_err().code(), "private_key");
    }

    #[test]
    fn private_key_of_skipped_type_rejected() {
        let text = alloc::format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"X25519","use":"enc","x":"AA","d":"{PRIVATE_D}"}}]}}"#
        );
        assert_eq!(load(&text).unwrap_err().code(), "private_key");
    }

    #[test]
    fn private_single_jwk_rejected() {
        let text = alloc::format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED25519_X}","d":"{PRIVATE_D}"}}"#
        );
        let error = VerifyingKey::from_jwk_json(text.as_bytes()).unwrap_err();
        assert_eq!(error.code(), "private_key");
    }

    #[test]
    fn oct_key_with_d_unaffected() {
        let k = Base64UrlUnpadded::encode_string(&[7u8; 32]);
        let text = alloc::format!(r#"{{"keys":[{{"kty":"oct","k":"{k}","d":"AA"}}]}}"#);
        assert_eq!(load(&text).unwrap().len(), 1);
    }

    #[test]
    fn unlisted_alg_unusable_without_own_alg() {
        let k = Base64UrlUnpadded::encode_string(&[7u8; 48]);
        let text = alloc::format!(r#"{{"keys":[{{"kty":"oct","k":"{k}"}}]}}"#);
        let set = load(&text).unwrap();
        let key = &set.keys()[0];
        assert!(!key.usable_with(Algorithm::HS256, None));
        assert!(key.usable_with(Algorithm::HS384, Some(&[Algorithm::HS384])));
        assert!(!key.usable_with(Algorithm::HS512, Some(&[Algorithm::HS512])));
        assert!(!key.usable_with(Algorithm::RS256, Some(&[Algorithm::RS256])));
    }
}
