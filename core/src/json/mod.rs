//! Strict JSON parsing with limits, shared by every document the core reads.
//!
//! `serde_json` on its own keeps the last of two members with the same name and
//! allows 128 levels of nesting. Security documents must not be ambiguous, so
//! this parser rejects duplicate member names and enforces a depth and member
//! count limit while it reads, before any value is built past the limit.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

mod typed;

pub use typed::from_value;

/// Deepest nesting `serde_json` itself allows; a larger
/// [`JsonLimits::max_depth`] acts as this one.
pub const MAX_SUPPORTED_DEPTH: usize = 127;

/// Limits applied while parsing a JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonLimits {
    /// Maximum nesting of objects and arrays; the outermost object is depth 1.
    /// Values above [`MAX_SUPPORTED_DEPTH`] act as that.
    pub max_depth: usize,
    /// Maximum members in any one object and elements in any one array.
    pub max_members: usize,
}

impl Default for JsonLimits {
    /// Depth 16 and 100 members: far above what tokens and policies need.
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_members: 100,
        }
    }
}

/// Why a document was rejected by [`parse_object`] or [`parse_value`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonError {
    /// The bytes are not one JSON text (syntax error, bad UTF-8, trailing data,
    /// or a number out of the range of `f64`).
    Syntax {
        /// Line of the error, starting at 1.
        line: usize,
        /// Column of the error, starting at 1.
        column: usize,
    },
    /// An object has two members with the same name.
    DuplicateMember {
        /// The repeated name.
        name: String,
    },
    /// Nesting deeper than [`JsonLimits::max_depth`].
    TooDeep {
        /// The limit that was exceeded.
        max: usize,
    },
    /// An object or array with more entries than [`JsonLimits::max_members`].
    TooManyMembers {
        /// The limit that was exceeded.
        max: usize,
    },
    /// The document parsed, but its top level is not an object.
    NotObject,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax { line, column } => {
                write!(f, "invalid JSON at line {line}, column {column}")
            }
            Self::DuplicateMember { name } => {
                write!(f, "duplicate member name `{}`", Printable(name))
            }
            Self::TooDeep { max } => write!(f, "JSON nested deeper than the limit of {max}"),
            Self::TooManyMembers { max } => {
                write!(
                    f,
                    "JSON object or array has more than the limit of {max} entries"
                )
            }
            Self::NotObject => f.write_str("JSON document is not an object"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for JsonError {}

/// Parses `bytes` as one JSON object, rejecting duplicates and limit overruns.
///
/// # Errors
///
/// Returns [`JsonError`] when the text is not valid JSON, repeats a member
/// name, exceeds a limit, or is not an object at the top level.
pub fn parse_object(bytes: &[u8], limits: &JsonLimits) -> Result<Map<String, Value>, JsonError> {
    match parse_value(bytes, limits)? {
        Value::Object(map) => Ok(map),
        _ => Err(JsonError::NotObject),
    }
}

/// Parses `bytes` as one JSON value of any type, with the same checks as
/// [`parse_object`].
///
/// # Errors
///
/// Returns [`JsonError`] when the text is not valid JSON, repeats a member
/// name or exceeds a limit.
pub fn parse_value(bytes: &[u8], limits: &JsonLimits) -> Result<Value, JsonError> {
    parse(bytes, limits, Build::All)
}

/// Checks `bytes` exactly as [`parse_object`] does, at every depth, but
/// builds only the top-level members whose names `keep` selects.
///
/// A caller that needs a few members of a large object, such as the
/// registered claims of a JWT, gets the same errors as from
/// [`parse_object`] without allocating the rest.
///
/// # Errors
///
/// The errors of [`parse_object`], for the same input.
pub fn parse_object_members(
    bytes: &[u8],
    limits: &JsonLimits,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Map<String, Value>, JsonError> {
    match parse(bytes, limits, Build::Members(keep))? {
        Value::Object(map) => Ok(map),
        _ => Err(JsonError::NotObject),
    }
}

fn parse(bytes: &[u8], limits: &JsonLimits, build: Build<'_>) -> Result<Value, JsonError> {
    let fault = RefCell::new(None);
    let seed = StrictSeed {
        depth: 0,
        limits,
        fault: &fault,
        build,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = seed
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));

    match parsed {
        Ok(value) => Ok(value),
        Err(error) => Err(fault.into_inner().unwrap_or_else(|| {
            // serde_json stops at its own depth of 128 before this parser's
            // limit when that limit is set higher.
            if alloc::format!("{error}").starts_with("recursion limit exceeded") {
                JsonError::TooDeep {
                    max: limits.max_depth.min(MAX_SUPPORTED_DEPTH),
                }
            } else {
                JsonError::Syntax {
                    line: error.line(),
                    column: error.column().max(1),
                }
            }
        })),
    }
}

/// Deserializes an optional field that, when present, must hold a value:
/// use with `#[serde(default, deserialize_with = "crate::json::present")]`
/// so that an explicit `null` is an error instead of meaning "absent".
///
/// # Errors
///
/// The deserializer's error when the value is `null` or not a `T`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Zeroizes every string in `value`, at any depth, before it is dropped.
pub(crate) fn zeroize_strings(value: &mut Value) {
    match value {
        Value::String(text) => zeroize::Zeroize::zeroize(text),
        Value::Array(items) => items.iter_mut().for_each(zeroize_strings),
        Value::Object(map) => map.values_mut().for_each(zeroize_strings),
        _ => {}
    }
}

/// A string wrapper whose `Display` escapes control characters and cuts long
/// input, for echoing untrusted names in error messages.
pub(crate) struct Printable<'a>(pub(crate) &'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX_CHARS: usize = 64;
        for (index, c) in self.0.chars().enumerate() {
            if index == MAX_CHARS {
                return f.write_str("...");
            }
            if c.is_control() || c == '`' {
                write!(f, "{}", c.escape_unicode())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// Which values a [`StrictSeed`] builds; the checks are the same for all.
#[derive(Clone, Copy)]
enum Build<'k> {
    /// The whole value.
    All,
    /// Nothing: the value is checked and dropped, and reads as `null`.
    Nothing,
    /// Of a top-level object, the members whose names the function selects.
    Members(&'k dyn Fn(&str) -> bool),
}

/// Builds a [`Value`] while checking limits; records why it stopped in `fault`
/// because serde's error type can only carry a message.
struct StrictSeed<'a> {
    depth: usize,
    limits: &'a JsonLimits,
    fault: &'a RefCell<Option<JsonError>>,
    build: Build<'a>,
}

impl StrictSeed<'_> {
    fn fail<E: serde::de::Error>(&self, error: JsonError) -> E {
        let message = alloc::format!("{error}");
        *self.fault.borrow_mut() = Some(error);
        E::custom(message)
    }

    fn nested<'s>(&'s self, build: Build<'s>) -> StrictSeed<'s> {
        StrictSeed {
            depth: self.depth.saturating_add(1),
            limits: self.limits,
            fault: self.fault,
            build,
        }
    }

    fn enter<E: serde::de::Error>(&self) -> Result<(), E> {
        if self.depth >= self.limits.max_depth {
            return Err(self.fail(JsonError::TooDeep {
                max: self.limits.max_depth,
            }));
        }
        Ok(())
    }

    /// Whether values of this seed are built, or only checked.
    fn builds(&self) -> bool {
        !matches!(self.build, Build::Nothing)
    }

    /// How the elements of an array are built: `Members` applies to the
    /// members of an object only.
    fn element_build(&self) -> Build<'static> {
        match self.build {
            Build::All => Build::All,
            Build::Nothing | Build::Members(_) => Build::Nothing,
        }
    }
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        // serde_json rejects out-of-range numbers itself, so this only guards
        // against a non-finite value reaching a NumericDate comparison.
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        if !self.builds() {
            return Ok(Value::Null);
        }
        Ok(Value::String(String::from(v)))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        if !self.builds() {
            return Ok(Value::Null);
        }
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.enter()?;
        let keep = matches!(self.build, Build::All);
        let mut items = Vec::new();
        let mut count = 0_usize;
        while let Some(item) = seq.next_element_seed(self.nested(self.element_build()))? {
            if count >= self.limits.max_members {
                return Err(self.fail(JsonError::TooManyMembers {
                    max: self.limits.max_members,
                }));
            }
            count = count.saturating_add(1);
            if keep {
                items.push(item);
            }
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        self.enter()?;
        // The members built, and the names of those that are not, for the
        // duplicate check. A name is built either every time or never, so
        // a repeat is always found where the first one went. The names use
        // the same map type as the members, so a build has one copy of its
        // code.
        let mut map = Map::new();
        let mut unbuilt = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            let build = match self.build {
                Build::All => Build::All,
                Build::Nothing => Build::Nothing,
                Build::Members(keep) if keep(&name) => Build::All,
                Build::Members(_) => Build::Nothing,
            };
            let seen = match build {
                Build::All => map.contains_key(&name),
                Build::Nothing | Build::Members(_) => unbuilt.contains_key(&name),
            };
            if seen {
                return Err(self.fail(JsonError::DuplicateMember { name }));
            }
            if map.len().saturating_add(unbuilt.len()) >= self.limits.max_members {
                return Err(self.fail(JsonError::TooManyMembers {
                    max: self.limits.max_members,
                }));
            }
            let value = access.next_value_seed(self.nested(build))?;
            match build {
                Build::All => map.insert(name, value),
                Build::Nothing | Build::Members(_) => unbuilt.insert(name, Value::Null),
            };
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Value, JsonError> {
        parse_value(text.as_bytes(), &JsonLimits::default())
    }

    #[test]
    fn duplicate_member_rejected() {
        let error = parse(r#"{"a":1,"b":{"c":1,"c":2}}"#).unwrap_err();
        assert_eq!(error, JsonError::DuplicateMember { name: "c".into() });
    }

    #[test]
    fn escaped_duplicate_rejected() {
        // `\u0061` is `a`, so these are the same member name.
        let error = parse(r#"{"a":1,"\u0061":2}"#).unwrap_err();
        assert_eq!(error, JsonError::DuplicateMember { name: "a".into() });
    }

    #[test]
    fn depth_limit_counts_outer_object() {
        let limits = JsonLimits {
            max_depth: 2,
            max_members: 10,
        };
        assert!(parse_value(br#"{"a":{"b":1}}"#, &limits).is_ok());
        let error = parse_value(br#"{"a":{"b":[1]}}"#, &limits).unwrap_err();
        assert_eq!(error, JsonError::TooDeep { max: 2 });
    }

    #[test]
    fn deep_nesting_stops_early() {
        let text = "[".repeat(100_000);
        let error = parse(&text).unwrap_err();
        assert_eq!(error, JsonError::TooDeep { max: 16 });
    }

    #[test]
    fn member_limit_applies_to_arrays() {
        let limits = JsonLimits {
            max_depth: 4,
            max_members: 2,
        };
        assert!(parse_value(b"[1,2]", &limits).is_ok());
        let error = parse_value(b"[1,2,3]", &limits).unwrap_err();
        assert_eq!(error, JsonError::TooManyMembers { max: 2 });
    }

    #[test]
    fn trailing_data_is_syntax_error() {
        let error = parse(r#"{"a":1} x"#).unwrap_err();
        assert!(matches!(error, JsonError::Syntax { line: 1, .. }));
    }

    #[test]
    fn huge_number_is_syntax_error() {
        assert!(matches!(parse("1e400"), Err(JsonError::Syntax { .. })));
    }

    #[test]
    fn depth_above_serde_limit_reported_as_too_deep() {
        let limits = JsonLimits {
            max_depth: 1000,
            max_members: 10,
        };
        let text = "[".repeat(200);
        let error = parse_value(text.as_bytes(), &limits).unwrap_err();
        assert_eq!(
            error,
            JsonError::TooDeep {
                max: MAX_SUPPORTED_DEPTH
            }
        );
    }

    #[test]
    fn empty_input_column_starts_at_one() {
        let error = parse("").unwrap_err();
        assert!(
            matches!(error, JsonError::Syntax { line: 1, column: 1 }),
            "{error:?}"
        );
    }

    #[test]
    fn non_object_reported() {
        let error = parse_object(b"[1]", &JsonLimits::default()).unwrap_err();
        assert_eq!(error, JsonError::NotObject);
    }

    #[test]
    fn printable_escapes_controls() {
        let shown = alloc::format!("{}", Printable("a\nb`"));
        assert_eq!(shown, "a\\u{a}b\\u{60}");
    }
}
