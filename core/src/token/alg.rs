//! JWS algorithm identifiers (RFC 7518 §3, RFC 8037 §3.1).

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A JWS signature algorithm this crate implements.
///
/// Names are case-sensitive, as RFC 7515 §4.1.1 requires, so `hs256` is not
/// `HS256`. `none` is deliberately absent: an unsecured token never verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// Ed25519 signatures (RFC 8037), verified strictly.
    EdDSA,
    /// ECDSA on P-256 with SHA-256; signatures are the 64-byte `R || S`.
    ES256,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 and a 32-byte salt.
    PS256,
    /// RSASSA-PSS with SHA-384 and a 48-byte salt.
    PS384,
    /// RSASSA-PSS with SHA-512 and a 64-byte salt.
    PS512,
}

/// The key type an algorithm needs; a key serves exactly one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A shared secret (`kty: "oct"`).
    Hmac,
    /// An Ed25519 key (`kty: "OKP"`, `crv: "Ed25519"`).
    Ed25519,
    /// A P-256 key (`kty: "EC"`, `crv: "P-256"`).
    P256,
    /// An RSA key (`kty: "RSA"`).
    Rsa,
}

impl Algorithm {
    /// Every supported algorithm, in a stable order.
    pub const ALL: [Algorithm; 11] = [
        Self::HS256,
        Self::HS384,
        Self::HS512,
        Self::EdDSA,
        Self::ES256,
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
    ];

    /// The registered name, as it appears in a JWS header.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
            Self::EdDSA => "EdDSA",
            Self::ES256 => "ES256",
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
        }
    }

    /// The key family this algorithm needs.
    pub const fn family(self) -> Family {
        match self {
            Self::HS256 | Self::HS384 | Self::HS512 => Family::Hmac,
            Self::EdDSA => Family::Ed25519,
            Self::ES256 => Family::P256,
            _ => Family::Rsa,
        }
    }

    /// For HMAC algorithms, the hash output length in bytes, which is also the
    /// minimum secret length (RFC 7518 §3.2).
    pub const fn min_hmac_key_len(self) -> Option<usize> {
        match self {
            Self::HS256 => Some(32),
            Self::HS384 => Some(48),
            Self::HS512 => Some(64),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Rejection of a name that is not a supported algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownAlgorithm;

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    fn from_str(name: &str) -> Result<Self, UnknownAlgorithm> {
        Self::ALL
            .into_iter()
            .find(|alg| alg.as_str() == name)
            .ok_or(UnknownAlgorithm)
    }
}

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = alloc::string::String::deserialize(deserializer)?;
        name.parse().map_err(|UnknownAlgorithm| {
            serde::de::Error::custom(alloc::format!(
                "unsupported algorithm `{}`; expected one of HS256, HS384, HS512, EdDSA, ES256, \
                 RS256, RS384, RS512, PS256, PS384, PS512",
                crate::json::Printable(&name)
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>(), Ok(alg));
        }
    }

    #[test]
    fn none_and_case_variants_unknown() {
        for name in [
            "none", "None", "NONE", "hs256", "Hs256", "eddsa", "ES256K", "",
        ] {
            assert_eq!(name.parse::<Algorithm>(), Err(UnknownAlgorithm), "{name}");
        }
    }
}
