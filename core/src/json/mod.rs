//! Strict JSON parsing with limits, shared by every document the core reads.
//!
//! `serde_json` on its own keeps the last of two members with the same name and
//! allows 128 levels of nesting. Security documents must not be ambiguous, so
//! the parser (in `mem8-guard-primitives`, re-exported here) rejects duplicate
//! member names and enforces a depth and member count limit while it reads,
//! before any value is built past the limit.

use serde_json::Value;

mod typed;

pub(crate) use mem8_guard_primitives::json::Printable;
pub use mem8_guard_primitives::json::{
    parse_object, parse_value, JsonError, JsonLimits, MAX_SUPPORTED_DEPTH,
};
pub use typed::from_value;

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
