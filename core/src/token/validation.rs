//! Validation options and the checks of registered claims (RFC 7519 §4.1).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use super::error::{OptionProblem, TokenError};
use super::Algorithm;
use crate::json;

/// Largest [`Validation::leeway`] accepted, in seconds: one hour. A leeway
/// covers clock skew between issuer and verifier, which is seconds to
/// minutes; a larger one would keep accepting tokens long after `exp`.
pub const MAX_LEEWAY: u64 = 3600;

/// The largest `max_token_length` and `max_claims`: 4,294,967,295, the
/// largest length on 32-bit targets such as WebAssembly, so that a
/// validation loads alike in every build.
pub const MAX_COUNT_OPTION: u64 = u32::MAX as u64;

/// What a token must satisfy beyond a valid signature.
///
/// Stored form: a JSON object with these snake_case fields, all optional;
/// unknown fields are rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Validation {
    /// Algorithms accepted. Default `None`: exactly the algorithms named by
    /// the `alg` members of the keys in the set, so a key without `alg`
    /// verifies nothing until its algorithm is listed here.
    ///
    /// # Security
    ///
    /// Listing an algorithm lets every key of its family without `alg` verify
    /// it. A public key never verifies an HMAC algorithm either way.
    pub algorithms: Option<Vec<Algorithm>>,
    /// Accepted `iss` values. Default empty: `iss` is not checked. When set,
    /// `iss` must be present and equal one of them.
    pub issuers: Vec<String>,
    /// Accepted audiences. Default empty, and then a token that carries `aud`
    /// at all is rejected. When set, `aud` must be present and contain at
    /// least one of them.
    pub audiences: Vec<String>,
    /// Required `sub` value. Default `None`: not checked. An empty string
    /// fails [`Validation::check`], because no token could match it.
    pub subject: Option<String>,
    /// Required header `typ`, compared ASCII case-insensitively with any
    /// `application/` prefix removed (RFC 7515 §4.1.9). Default `None`. An
    /// empty string fails [`Validation::check`].
    pub typ: Option<String>,
    /// Claims that must be present. Default `["exp"]`. A claim is present
    /// when the payload has its member, whatever the value: `"sub": ""`
    /// satisfies a required `sub`. The [`Guard`](crate::guard::Guard)
    /// rejects an empty `sub` itself, because it becomes the principal's id.
    pub required_claims: Vec<String>,
    /// Clock skew tolerated, in seconds, for `exp`, `nbf` and the
    /// issued-in-the-future check of `iat`. Default 0, and at most
    /// [`MAX_LEEWAY`] (3600): a larger value fails [`Validation::check`].
    ///
    /// # Security
    ///
    /// Every second of leeway is a second in which an expired token is
    /// still accepted.
    pub leeway: u64,
    /// Maximum age in seconds, measured from `iat`, which it then requires.
    /// Default `None`: not checked.
    pub max_age: Option<u64>,
    /// Maximum length of the compact token in bytes. Default 16 384, and at
    /// most [`MAX_COUNT_OPTION`]: a larger value fails [`Validation::check`].
    pub max_token_length: u64,
    /// Maximum JSON nesting depth of header and payload; the outer object is
    /// depth 1. Default 16, and at most [`json::MAX_SUPPORTED_DEPTH`] (127):
    /// a larger value fails every verification with
    /// [`TokenError::InvalidOption`].
    pub max_json_depth: u64,
    /// Maximum members in any JSON object, and elements in any array, of
    /// header and payload. Default 100, and at most [`MAX_COUNT_OPTION`].
    pub max_claims: u64,
}

impl Default for Validation {
    fn default() -> Self {
        Self {
            algorithms: None,
            issuers: Vec::new(),
            audiences: Vec::new(),
            subject: None,
            typ: None,
            required_claims: vec![String::from("exp")],
            leeway: 0,
            max_age: None,
            max_token_length: 16 * 1024,
            max_json_depth: 16,
            max_claims: 100,
        }
    }
}

impl Validation {
    /// Checks that every option is within the range this crate supports.
    /// Verification runs this check first, and a caller can run it when the
    /// options are loaded, to fail there instead of on every token.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidOption`] when `max_json_depth` is above
    /// [`json::MAX_SUPPORTED_DEPTH`], the deepest nesting the parser can
    /// check, when `leeway` is above [`MAX_LEEWAY`], when `max_token_length`
    /// or `max_claims` is above [`MAX_COUNT_OPTION`], or when `typ` or
    /// `subject` is an empty string.
    pub fn check(&self) -> Result<(), TokenError> {
        let above = |option, value: u64, max: u64| TokenError::InvalidOption {
            option,
            problem: OptionProblem::AboveMaximum { value, max },
        };
        let max_depth = json::MAX_SUPPORTED_DEPTH as u64;
        if self.max_json_depth > max_depth {
            return Err(above("max_json_depth", self.max_json_depth, max_depth));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(above("leeway", self.leeway, MAX_LEEWAY));
        }
        let counts = [
            ("max_token_length", self.max_token_length),
            ("max_claims", self.max_claims),
        ];
        if let Some((option, value)) = counts.iter().find(|(_, value)| *value > MAX_COUNT_OPTION) {
            return Err(above(option, *value, MAX_COUNT_OPTION));
        }

        let empty = [("typ", &self.typ), ("subject", &self.subject)];
        if let Some((option, _)) = empty.iter().find(|(_, value)| value.as_deref() == Some("")) {
            return Err(TokenError::InvalidOption {
                option,
                problem: OptionProblem::Empty,
            });
        }
        Ok(())
    }
}

/// The payload of a verified JWT.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims(Map<String, Value>);

impl Claims {
    pub(crate) fn new(claims: Map<String, Value>) -> Self {
        Self(claims)
    }

    /// A claim by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The `sub` claim, when it is a string.
    pub fn subject(&self) -> Option<&str> {
        self.0.get("sub").and_then(Value::as_str)
    }

    /// The `iss` claim, when it is a string.
    pub fn issuer(&self) -> Option<&str> {
        self.0.get("iss").and_then(Value::as_str)
    }

    /// The `jti` claim, when it is a string.
    pub fn token_id(&self) -> Option<&str> {
        self.0.get("jti").and_then(Value::as_str)
    }

    /// All claims.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// All claims, by value.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

/// Claims as [`validate_claims`] reads them: the whole payload, or only the
/// members that [`reads_claim`] selects.
pub(crate) trait ClaimSource {
    /// Returns a claim by name.
    fn claim(&self, name: &str) -> Option<&Value>;
}

impl ClaimSource for Map<String, Value> {
    fn claim(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

impl ClaimSource for json::Members<'_> {
    fn claim(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

/// The registered claims whose types [`validate_claims`] checks.
const REGISTERED: [&str; 7] = ["exp", "nbf", "iat", "iss", "sub", "jti", "aud"];

/// Returns whether [`validate_claims`] reads the claim `name` under
/// `validation`: a registered claim, or one of the required ones.
pub(crate) fn reads_claim(validation: &Validation, name: &str) -> bool {
    REGISTERED.contains(&name) || validation.required_claims.iter().any(|claim| claim == name)
}

/// Checks the registered claims of `claims` against `validation` at `now`
/// (Unix seconds), in the order the crate documents. `claims` contains at
/// least every claim that [`reads_claim`] selects, parsed from `payload`,
/// whose text time-claim errors quote.
pub(crate) fn validate_claims(
    claims: &dyn ClaimSource,
    payload: &[u8],
    validation: &Validation,
    now: u64,
) -> Result<(), TokenError> {
    // Types first, so that a later check never reads a wrongly typed value.
    let exp = numeric_date(claims, "exp")?;
    let nbf = numeric_date(claims, "nbf")?;
    let iat = numeric_date(claims, "iat")?;
    for name in ["iss", "sub", "jti"] {
        if claims.claim(name).is_some_and(|value| !value.is_string()) {
            return Err(invalid(name, "must be a string"));
        }
    }
    let audiences = audience(claims)?;

    for name in &validation.required_claims {
        if claims.claim(name.as_str()).is_none() {
            return Err(TokenError::MissingClaim {
                claim: name.clone(),
            });
        }
    }

    let times = Times {
        exp,
        nbf,
        iat,
        payload,
    };
    check_times(validation, now, times)?;
    check_identity(claims, validation, audiences.as_deref())
}

/// The time claims of a token, and the payload they were parsed from.
struct Times<'a> {
    exp: Option<NumericDate<'a>>,
    nbf: Option<NumericDate<'a>>,
    iat: Option<NumericDate<'a>>,
    payload: &'a [u8],
}

impl Times<'_> {
    /// Returns the claim `name` as the payload writes it, for a message.
    fn text(&self, name: &str, date: &NumericDate<'_>) -> String {
        match json::top_level_number(self.payload, name) {
            Some(literal) => alloc::format!("{}", json::Printable(literal)),
            // Unreachable for a payload that parsed, but the parsed number
            // is exact too.
            None => alloc::format!("{}", date.number),
        }
    }
}

fn check_times(validation: &Validation, now: u64, times: Times<'_>) -> Result<(), TokenError> {
    // NumericDate values may be fractional, and f64 represents every Unix second of
    // the next 285 million years exactly.
    let now_f = now as f64;
    let leeway = validation.leeway;
    let leeway_f = leeway as f64;

    if let Some(exp) = &times.exp {
        if now_f >= exp.seconds + leeway_f {
            return Err(TokenError::Expired {
                exp: times.text("exp", exp),
                now,
                leeway,
            });
        }
    }
    if let Some(nbf) = &times.nbf {
        if now_f + leeway_f < nbf.seconds {
            return Err(TokenError::NotYetValid {
                nbf: times.text("nbf", nbf),
                now,
                leeway,
            });
        }
    }
    let iat = times.iat.as_ref();
    if let Some(iat) = iat {
        if iat.seconds > now_f + leeway_f {
            return Err(TokenError::IssuedInFuture {
                iat: times.text("iat", iat),
                now,
                leeway,
            });
        }
    }
    if let Some(max_age) = validation.max_age {
        let Some(iat) = iat else {
            return Err(TokenError::MissingClaim {
                claim: String::from("iat"),
            });
        };
        if now_f - iat.seconds > max_age as f64 {
            return Err(TokenError::TooOld { max_age });
        }
    }
    Ok(())
}

fn check_identity(
    claims: &dyn ClaimSource,
    validation: &Validation,
    audiences: Option<&[&str]>,
) -> Result<(), TokenError> {
    if !validation.issuers.is_empty() {
        match claims.claim("iss").and_then(Value::as_str) {
            None => return Err(missing("iss")),
            Some(iss) if !validation.issuers.iter().any(|allowed| allowed == iss) => {
                return Err(invalid("iss", "is not an accepted issuer"));
            }
            Some(_) => {}
        }
    }

    match (audiences, validation.audiences.is_empty()) {
        (None, true) => {}
        (None, false) => return Err(missing("aud")),
        (Some(_), true) => {
            return Err(invalid("aud", "is present but no audience is configured"));
        }
        (Some(token_audiences), false) => {
            let accepted = token_audiences
                .iter()
                .any(|aud| validation.audiences.iter().any(|allowed| allowed == aud));
            if !accepted {
                return Err(invalid("aud", "names none of the accepted audiences"));
            }
        }
    }

    if let Some(subject) = &validation.subject {
        match claims.claim("sub").and_then(Value::as_str) {
            None => return Err(missing("sub")),
            Some(sub) if sub != subject => {
                return Err(invalid("sub", "is not the required subject"));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// A NumericDate claim: its value in seconds for the checks, and the parsed
/// JSON number, which a message shows if the payload text is not found.
struct NumericDate<'a> {
    seconds: f64,
    number: &'a Number,
}

/// Reads a NumericDate claim: a JSON number, which the parser guarantees is
/// finite.
fn numeric_date<'a>(
    claims: &'a dyn ClaimSource,
    name: &'static str,
) -> Result<Option<NumericDate<'a>>, TokenError> {
    match claims.claim(name) {
        None => Ok(None),
        Some(Value::Number(number)) => number
            .as_f64()
            .filter(|value| value.is_finite())
            .map(|seconds| Some(NumericDate { seconds, number }))
            .ok_or_else(|| invalid(name, "is not a finite number")),
        Some(_) => Err(invalid(name, "must be a number of seconds")),
    }
}

/// Reads `aud`: a string or an array of strings (RFC 7519 §4.1.3).
fn audience(claims: &dyn ClaimSource) -> Result<Option<Vec<&str>>, TokenError> {
    match claims.claim("aud") {
        None => Ok(None),
        Some(Value::String(aud)) => Ok(Some(vec![aud.as_str()])),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .ok_or_else(|| invalid("aud", "must hold only strings"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid("aud", "must be a string or an array of strings")),
    }
}

fn missing(claim: &str) -> TokenError {
    TokenError::MissingClaim {
        claim: String::from(claim),
    }
}

fn invalid(claim: &str, reason: &'static str) -> TokenError {
    TokenError::InvalidClaim {
        claim: String::from(claim),
        reason,
    }
}

/// Whether a header `typ` matches the expected one (RFC 7515 §4.1.9).
pub(crate) fn typ_matches(actual: Option<&str>, expected: &str) -> bool {
    fn strip(media_type: &str) -> &str {
        let prefix = "application/";
        match media_type.get(..prefix.len()) {
            Some(head) if head.eq_ignore_ascii_case(prefix) => {
                media_type.get(prefix.len()..).unwrap_or_default()
            }
            _ => media_type,
        }
    }
    actual.is_some_and(|actual| strip(actual).eq_ignore_ascii_case(strip(expected)))
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    fn claims(text: &str) -> Map<String, Value> {
        serde_json::from_str(text).unwrap()
    }

    fn check(text: &str, validation: &Validation, now: u64) -> Result<(), TokenError> {
        validate_claims(&claims(text), text.as_bytes(), validation, now)
    }

    #[test]
    fn exp_equal_to_now_expired() {
        let validation = Validation::default();
        assert!(check(r#"{"exp":101}"#, &validation, 100).is_ok());
        let error = check(r#"{"exp":100}"#, &validation, 100).unwrap_err();
        assert_eq!(error.code(), "expired");
    }

    #[test]
    fn nbf_equal_to_now_valid() {
        let validation = Validation::default();
        assert!(check(r#"{"exp":200,"nbf":100}"#, &validation, 100).is_ok());
        let error = check(r#"{"exp":200,"nbf":101}"#, &validation, 100).unwrap_err();
        assert_eq!(error.code(), "not_yet_valid");
    }

    #[test]
    fn leeway_widens_both_bounds() {
        let validation = Validation {
            leeway: 5,
            ..Validation::default()
        };
        assert!(check(r#"{"exp":96}"#, &validation, 100).is_ok());
        assert_eq!(
            check(r#"{"exp":95}"#, &validation, 100).unwrap_err().code(),
            "expired"
        );
        assert!(check(r#"{"exp":200,"nbf":105}"#, &validation, 100).is_ok());
        let error = check(r#"{"exp":200,"nbf":106}"#, &validation, 100).unwrap_err();
        assert_eq!(error.code(), "not_yet_valid");
    }

    #[test]
    fn fractional_exp_compared_exactly() {
        let validation = Validation::default();
        assert!(check(r#"{"exp":100.5}"#, &validation, 100).is_ok());
        assert!(check(r#"{"exp":99.5}"#, &validation, 100).is_err());
    }

    #[test]
    fn fractional_times_shown_exactly() {
        let validation = Validation::default();
        let error = check(r#"{"exp":99.5}"#, &validation, 100).unwrap_err();
        assert_eq!(
            error.to_string(),
            "token expired: exp `99.5` is not after now `100`"
        );
        let error = check(r#"{"exp":200,"nbf":100.25}"#, &validation, 100).unwrap_err();
        assert_eq!(
            error.to_string(),
            "token not yet valid: nbf `100.25` is after now `100`"
        );
    }

    #[test]
    fn huge_iat_shown_unclamped() {
        let error = check(r#"{"exp":200,"iat":1e300}"#, &Validation::default(), 100).unwrap_err();
        assert_eq!(
            error.to_string(),
            "token issued in the future: iat `1e300` is after now `100`"
        );
        let error = check(r#"{"exp":99.50}"#, &Validation::default(), 100).unwrap_err();
        assert_eq!(
            error.to_string(),
            "token expired: exp `99.50` is not after now `100`"
        );
    }

    #[test]
    fn nonzero_leeway_in_messages() {
        let validation = Validation {
            leeway: 5,
            ..Validation::default()
        };
        let expired = check(r#"{"exp":95}"#, &validation, 100).unwrap_err();
        assert_eq!(
            expired.to_string(),
            "token expired: exp `95` plus the leeway of 5 s is not after now `100`"
        );
        let early = check(r#"{"exp":200,"nbf":106}"#, &validation, 100).unwrap_err();
        assert_eq!(
            early.to_string(),
            "token not yet valid: nbf `106` is after now `100` plus the leeway of 5 s"
        );
        let future = check(r#"{"exp":200,"iat":106}"#, &validation, 100).unwrap_err();
        assert_eq!(
            future.to_string(),
            "token issued in the future: iat `106` is after now `100` plus the leeway of 5 s"
        );
    }

    #[test]
    fn count_options_above_u32_rejected() {
        let parsed: Validation =
            serde_json::from_str(r#"{"max_token_length":4294967296,"max_claims":4294967295}"#)
                .unwrap();
        let error = parsed.check().unwrap_err();
        assert_eq!(
            error,
            TokenError::InvalidOption {
                option: "max_token_length",
                problem: OptionProblem::AboveMaximum {
                    value: 4_294_967_296,
                    max: MAX_COUNT_OPTION,
                },
            }
        );
        let claims = Validation {
            max_claims: MAX_COUNT_OPTION + 1,
            ..Validation::default()
        };
        assert_eq!(
            claims.check().unwrap_err().to_string(),
            "validation option `max_claims` is 4294967296, above the supported maximum of \
             4294967295; set it to 4294967295 or less"
        );
        let largest = Validation {
            max_token_length: MAX_COUNT_OPTION,
            max_claims: MAX_COUNT_OPTION,
            ..Validation::default()
        };
        assert_eq!(largest.check(), Ok(()));
    }

    #[test]
    fn json_depth_above_supported_rejected() {
        let validation = Validation {
            max_json_depth: 128,
            ..Validation::default()
        };
        let error = validation.check().unwrap_err();
        assert_eq!(
            error,
            TokenError::InvalidOption {
                option: "max_json_depth",
                problem: OptionProblem::AboveMaximum {
                    value: 128,
                    max: 127,
                },
            }
        );
        assert_eq!(error.code(), "invalid_option");
        assert!(
            error
                .to_string()
                .contains("`max_json_depth` is 128, above the supported maximum of 127"),
            "{error}"
        );
        let supported = Validation {
            max_json_depth: 127,
            ..Validation::default()
        };
        assert_eq!(supported.check(), Ok(()));
    }

    #[test]
    fn leeway_above_maximum_rejected() {
        let validation = Validation {
            leeway: MAX_LEEWAY + 1,
            ..Validation::default()
        };
        let error = validation.check().unwrap_err();
        assert_eq!(error.code(), "invalid_option");
        assert_eq!(
            error.to_string(),
            "validation option `leeway` is 3601 s, above the maximum of 3600 s; a leeway \
             covers clock skew, and a larger one would accept tokens long after `exp`, so set \
             it to 3600 or less"
        );
        let huge = Validation {
            leeway: u64::MAX,
            ..Validation::default()
        };
        assert_eq!(huge.check().unwrap_err().code(), "invalid_option");
        let hour = Validation {
            leeway: MAX_LEEWAY,
            ..Validation::default()
        };
        assert_eq!(hour.check(), Ok(()));
    }

    #[test]
    fn empty_typ_and_subject_rejected() {
        let typ = Validation {
            typ: Some(String::new()),
            ..Validation::default()
        };
        let error = typ.check().unwrap_err();
        assert_eq!(
            error,
            TokenError::InvalidOption {
                option: "typ",
                problem: OptionProblem::Empty,
            }
        );
        assert_eq!(
            error.to_string(),
            "validation option `typ` is an empty string, which no token can match; leave the \
             option out, or give the value that tokens must have"
        );
        let subject = Validation {
            subject: Some(String::new()),
            ..Validation::default()
        };
        let error = subject.check().unwrap_err();
        assert_eq!(
            error,
            TokenError::InvalidOption {
                option: "subject",
                problem: OptionProblem::Empty,
            }
        );
        let given = Validation {
            typ: Some(String::from("at+jwt")),
            subject: Some(String::from("alice")),
            ..Validation::default()
        };
        assert_eq!(given.check(), Ok(()));
    }

    #[test]
    fn empty_sub_counts_as_present() {
        let validation = Validation {
            required_claims: vec![String::from("exp"), String::from("sub")],
            ..Validation::default()
        };
        assert!(check(r#"{"exp":200,"sub":""}"#, &validation, 100).is_ok());
        let error = check(r#"{"exp":200}"#, &validation, 100).unwrap_err();
        assert_eq!(error.code(), "missing_claim");
    }

    #[test]
    fn aud_present_without_configuration_rejected() {
        let error = check(r#"{"exp":200,"aud":"api"}"#, &Validation::default(), 100).unwrap_err();
        assert_eq!(error.claim(), Some("aud"));
        assert_eq!(error.code(), "invalid_claim");
    }

    #[test]
    fn aud_array_needs_one_match() {
        let validation = Validation {
            audiences: vec![String::from("api")],
            ..Validation::default()
        };
        assert!(check(r#"{"exp":200,"aud":["web","api"]}"#, &validation, 100).is_ok());
        assert!(check(r#"{"exp":200,"aud":["web"]}"#, &validation, 100).is_err());
        let error = check(r#"{"exp":200,"aud":["api",1]}"#, &validation, 100).unwrap_err();
        assert_eq!(error.code(), "invalid_claim");
    }

    #[test]
    fn max_age_requires_iat() {
        let validation = Validation {
            max_age: Some(60),
            ..Validation::default()
        };
        assert_eq!(
            check(r#"{"exp":200}"#, &validation, 100)
                .unwrap_err()
                .code(),
            "missing_claim"
        );
        assert!(check(r#"{"exp":200,"iat":40}"#, &validation, 100).is_ok());
        assert_eq!(
            check(r#"{"exp":200,"iat":39}"#, &validation, 100)
                .unwrap_err()
                .code(),
            "too_old"
        );
    }

    #[test]
    fn typ_comparison_ignores_case_and_prefix() {
        assert!(typ_matches(Some("JWT"), "jwt"));
        assert!(typ_matches(Some("application/at+jwt"), "at+JWT"));
        assert!(!typ_matches(Some("at+jwt"), "jwt"));
        assert!(!typ_matches(None, "JWT"));
    }

    #[test]
    fn options_reject_unknown_fields() {
        let parsed = serde_json::from_str::<Validation>(r#"{"leway": 5}"#);
        assert!(parsed.is_err());
    }
}
