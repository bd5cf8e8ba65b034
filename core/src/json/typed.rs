//! Typed reading of parsed documents: [`from_value`] builds a serde type from
//! a [`Value`] like `serde_json::from_value`, except that a struct can only
//! come from a JSON object.
//!
//! serde's derived `Deserialize` also accepts the positional form of a struct,
//! a JSON array of its fields in order. A policy rule written as
//! `["id","permit",null,"read","*"]` would then load, bypassing every field
//! name and `deny_unknown_fields`. This deserializer never offers that form.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;
use serde::de::value::StrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Error as _, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Number, Value};

/// Deserializes `T` from `value`, accepting structs only as JSON objects.
///
/// # Errors
///
/// A `serde_json::Error` naming the first mismatch: a wrong type (including
/// an array where a struct is expected), a missing field or an unknown one.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, serde_json::Error> {
    T::deserialize(Strict(value)).map_err(Error::into_inner)
}

/// Deserializes `T` from `value` as [`from_value`] does, where `value` was
/// parsed from the JSON text `bytes`. A type error about a float shows the
/// float as `bytes` writes it (`1e2`), not as it reads (`100.0`).
///
/// NOTE: the float is found by value, so of two literals that read as the
/// same float, such as `1e2` and `100.0`, the first one in `bytes` is shown.
///
/// # Errors
///
/// The errors of [`from_value`].
pub fn from_value_in<T: DeserializeOwned>(
    value: &Value,
    bytes: &[u8],
) -> Result<T, serde_json::Error> {
    T::deserialize(Strict(value)).map_err(|error| error.into_written(bytes))
}

/// A `serde_json::Error` that describes unexpected values itself.
///
/// serde_json's `invalid_type` ends in serde's `Unexpected` formatting, whose
/// floating-point case pulls `core::fmt`'s `f64` formatting (about 6 KB of
/// the npm module, gzipped) into every build. This type words its messages
/// the same way and formats floats as `serde_json` prints them.
///
/// The error is one pointer wide, as `serde_json::Error` is, because every
/// deserializer's `Result` carries it: a wider error grows the code of all
/// of them.
struct Error(Box<ErrorParts>);

struct ErrorParts {
    inner: serde_json::Error,
    /// The location of a wrong type or value in the document, such as
    /// `rules[2].effect`. Empty at the top level, and `None` for other
    /// errors, whose serde messages name the field already.
    path: Option<String>,
    /// The float that the message names, if any, so that
    /// [`Error::into_written`] can write the message again with the float
    /// as written.
    float: Option<FloatError>,
}

/// The parts of a message about a float.
struct FloatError {
    value: f64,
    /// `invalid type` or `invalid value`.
    kind: &'static str,
    expected: String,
}

impl Error {
    fn naming(kind: &'static str, unexpected: Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        let inner = serde_json::Error::custom(format_args!(
            "{kind}: {}, expected {expected}",
            Described(unexpected)
        ));
        let float = match unexpected {
            Unexpected::Float(value) => Some(FloatError {
                value,
                kind,
                expected: alloc::format!("{expected}"),
            }),
            _ => None,
        };
        Self(Box::new(ErrorParts {
            inner,
            path: cfg!(feature = "value-paths").then(String::new),
            float,
        }))
    }

    /// Adds the member `name` to the front of the error's path. Not
    /// inlined: every deserializer's map access calls it, and the npm
    /// module's size counts each inlined copy.
    #[cfg(feature = "value-paths")]
    #[inline(never)]
    #[cold]
    fn in_member(self, name: &str) -> Self {
        let plain = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if plain {
            return self.within(format_args!("{name}"));
        }
        // A name that could read as a path (`a.b`, `[0]` or an empty
        // name) is quoted.
        match serde_json::to_string(name) {
            Ok(quoted) => self.within(format_args!("[{quoted}]")),
            Err(_) => self,
        }
    }

    /// Adds the array element at `index` to the front of the error's path.
    #[cfg(feature = "value-paths")]
    #[inline(never)]
    #[cold]
    fn in_element(self, index: usize) -> Self {
        self.within(format_args!("[{index}]"))
    }

    /// Adds the member or element that the error sits in to its path, for
    /// an error about a value.
    #[cfg(feature = "value-paths")]
    fn within(mut self, step: fmt::Arguments<'_>) -> Self {
        if let Some(path) = &mut self.0.path {
            let rest = core::mem::take(path);
            let separator = if rest.is_empty() || rest.starts_with('[') {
                ""
            } else {
                "."
            };
            *path = alloc::format!("{step}{separator}{rest}");
        }
        self
    }

    fn into_inner(self) -> serde_json::Error {
        let ErrorParts { inner, path, .. } = *self.0;
        placed(inner, path.as_deref())
    }

    /// Returns the error with the float it names written as in `bytes`.
    fn into_written(self, bytes: &[u8]) -> serde_json::Error {
        let ErrorParts { inner, path, float } = *self.0;
        let path = path.as_deref();
        let Some(float) = float else {
            return placed(inner, path);
        };
        let literal = super::number_literals(bytes).find(|literal| {
            literal
                .iter()
                .any(|byte| matches!(byte, b'.' | b'e' | b'E'))
                && super::parse_value(literal, &super::JsonLimits::default())
                    .is_ok_and(|value| value.as_f64() == Some(float.value))
        });
        match literal.and_then(|literal| core::str::from_utf8(literal).ok()) {
            Some(literal) => placed(
                serde_json::Error::custom(format_args!(
                    "{}: floating point `{literal}`, expected {}",
                    float.kind, float.expected
                )),
                path,
            ),
            None => placed(inner, path),
        }
    }
}

/// Puts the path of the value that `error` is about in front of its
/// message, as in ``at `limits.max_rules`: invalid value: ...``.
fn placed(error: serde_json::Error, path: Option<&str>) -> serde_json::Error {
    match path {
        Some(path) if !path.is_empty() => {
            serde_json::Error::custom(format_args!("at `{}`: {error}", super::Printable(path)))
        }
        _ => error,
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self(Box::new(ErrorParts {
            inner: serde_json::Error::custom(message),
            path: None,
            float: None,
        }))
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self::naming("invalid type", unexpected, expected)
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self::naming("invalid value", unexpected, expected)
    }
}

impl de::StdError for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.inner, f)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0.inner, f)
    }
}

/// An unexpected value in serde_json's words.
struct Described<'a>(Unexpected<'a>);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Bool(b) => write!(f, "boolean `{b}`"),
            Unexpected::Unsigned(i) => write!(f, "integer `{i}`"),
            Unexpected::Signed(i) => write!(f, "integer `{i}`"),
            Unexpected::Float(x) => match Number::from_f64(x) {
                Some(number) => write!(f, "floating point `{number}`"),
                None => f.write_str("floating point"),
            },
            Unexpected::Char(c) => write!(f, "character `{c}`"),
            Unexpected::Str(s) => write!(f, "string {s:?}"),
            Unexpected::Bytes(_) => f.write_str("byte array"),
            Unexpected::Unit => f.write_str("null"),
            Unexpected::Option => f.write_str("Option value"),
            Unexpected::NewtypeStruct => f.write_str("newtype struct"),
            Unexpected::Seq => f.write_str("sequence"),
            Unexpected::Map => f.write_str("map"),
            Unexpected::Enum => f.write_str("enum"),
            Unexpected::UnitVariant => f.write_str("unit variant"),
            Unexpected::NewtypeVariant => f.write_str("newtype variant"),
            Unexpected::TupleVariant => f.write_str("tuple variant"),
            Unexpected::StructVariant => f.write_str("struct variant"),
            Unexpected::Other(other) => f.write_str(other),
        }
    }
}

/// A deserializer over a borrowed [`Value`].
struct Strict<'a>(&'a Value);

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Unexpected::Unsigned(u),
            (_, Some(i), _) => Unexpected::Signed(i),
            (_, _, Some(f)) => Unexpected::Float(f),
            _ => Unexpected::Other("number"),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> de::Deserializer<'de> for Strict<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else if let Some(f) = n.as_f64() {
                    visitor.visit_f64(f)
                } else {
                    Err(Error::custom("number out of range"))
                }
            }
            Value::String(s) => visitor.visit_str(s),
            Value::Array(items) => visit_array(items, visitor),
            Value::Object(map) => visitor.visit_map(Members::new(map)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Members::new(map)),
            other => Err(Error::invalid_type(unexpected(other), &"a JSON object")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(name) => visitor.visit_enum(name.as_str().into_deserializer()),
            Value::Object(map) if map.len() == 1 => match map.iter().next() {
                Some((name, value)) => visitor.visit_enum(Variant { name, value }),
                None => Err(Error::custom("expected one variant")),
            },
            other => Err(Error::invalid_type(
                unexpected(other),
                &"a variant name or a one-member object",
            )),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

/// Visits `items` as a sequence and rejects elements the visitor left, so
/// that a two-operand form written with three elements is an error instead
/// of silently dropping the third, as `serde_json::from_value` also does.
fn visit_array<'de, V: Visitor<'de>>(items: &[Value], visitor: V) -> Result<V::Value, Error> {
    let mut elements = Elements(items.iter().enumerate());
    let value = visitor.visit_seq(&mut elements)?;
    if elements.0.len() == 0 {
        Ok(value)
    } else {
        Err(Error::invalid_length(
            items.len(),
            &"fewer elements in array",
        ))
    }
}

struct Elements<'a>(core::iter::Enumerate<core::slice::Iter<'a, Value>>);

impl<'de> SeqAccess<'de> for Elements<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|(index, value)| {
                let element = seed.deserialize(Strict(value));
                #[cfg(feature = "value-paths")]
                let element = element.map_err(|error| error.in_element(index));
                #[cfg(not(feature = "value-paths"))]
                let _ = index;
                element
            })
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Members<'a> {
    entries: serde_json::map::Iter<'a>,
    pending: Option<(&'a String, &'a Value)>,
}

impl<'a> Members<'a> {
    fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            entries: map.iter(),
            pending: None,
        }
    }
}

impl<'de> MapAccess<'de> for Members<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((name, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some((name, value));
        let name: StrDeserializer<'_, Error> = name.as_str().into_deserializer();
        seed.deserialize(name).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.pending.take() {
            Some((name, value)) => {
                let member = seed.deserialize(Strict(value));
                #[cfg(feature = "value-paths")]
                let member = member.map_err(|error| error.in_member(name));
                #[cfg(not(feature = "value-paths"))]
                let _ = name;
                member
            }
            None => Err(Error::custom("value requested before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum written as a one-member object: `{"variant": value}`.
struct Variant<'a> {
    name: &'a str,
    value: &'a Value,
}

impl<'de, 'a> de::EnumAccess<'de> for Variant<'a> {
    type Error = Error;
    type Variant = Strict<'a>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Strict<'a>), Error> {
        let name: StrDeserializer<'_, Error> = self.name.into_deserializer();
        Ok((seed.deserialize(name)?, Strict(self.value)))
    }
}

impl<'de> de::VariantAccess<'de> for Strict<'_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.0 {
            Value::Null => Ok(()),
            other => Err(Error::invalid_type(unexpected(other), &"null")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Rule {
        id: String,
        #[serde(default)]
        tags: Vec<String>,
        inner: Option<Inner>,
        kind: Kind,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        n: u32,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Plain,
        Tagged(String),
    }

    fn parse(text: &str) -> Result<Rule, serde_json::Error> {
        from_value(&serde_json::from_str::<Value>(text).unwrap())
    }

    #[test]
    fn objects_deserialize() {
        let rule =
            parse(r#"{"id":"r","tags":["a"],"inner":{"n":3},"kind":{"tagged":"x"}}"#).unwrap();
        assert_eq!(rule.inner, Some(Inner { n: 3 }));
        assert_eq!(rule.kind, Kind::Tagged("x".into()));
        assert_eq!(
            parse(r#"{"id":"r","kind":"plain"}"#).unwrap().kind,
            Kind::Plain
        );
    }

    #[test]
    fn positional_struct_rejected() {
        assert!(serde_json::from_str::<Rule>(r#"["r",[],null,"plain"]"#).is_ok());
        let error = parse(r#"["r",[],null,"plain"]"#).unwrap_err();
        assert!(
            alloc::format!("{error}").contains("a JSON object"),
            "{error}"
        );
        assert!(parse(r#"{"id":"r","inner":[3],"kind":"plain"}"#).is_err());
    }

    #[test]
    fn unknown_fields_still_rejected() {
        assert!(parse(r#"{"id":"r","kind":"plain","extra":1}"#).is_err());
    }

    #[test]
    fn numbers_keep_their_range() {
        #[derive(Deserialize)]
        struct Numbers {
            a: u64,
            b: i64,
            c: f64,
        }
        let value = serde_json::json!({"a": u64::MAX, "b": -5, "c": 1.5});
        let numbers: Numbers = from_value(&value).unwrap();
        assert_eq!((numbers.a, numbers.b, numbers.c), (u64::MAX, -5, 1.5));
        let negative = serde_json::json!({"a": -1, "b": 0, "c": 0});
        assert!(from_value::<Numbers>(&negative).is_err());
    }

    #[test]
    fn floats_in_type_errors_shown_as_written() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Config {
            leeway: u64,
        }
        let at = if cfg!(feature = "value-paths") {
            "at `leeway`: "
        } else {
            ""
        };
        for literal in ["1e2", "10E1", "100.0", "-0.0", "1.5e300"] {
            let text = alloc::format!(r#"{{"note":"1e2","leeway":{literal}}}"#);
            let value: Value = serde_json::from_str(&text).unwrap();
            let error = from_value_in::<Config>(&value, text.as_bytes()).unwrap_err();
            let message = error.to_string();
            assert!(
                message.starts_with(&alloc::format!(
                    "{at}invalid type: floating point `{literal}`"
                )),
                "{message}"
            );
        }
        // Other errors are unchanged.
        let value = serde_json::json!({"leeway": "x"});
        let error = from_value_in::<Config>(&value, br#"{"leeway":"x"}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            alloc::format!(r#"{at}invalid type: string "x", expected u64"#)
        );
    }

    #[cfg(feature = "value-paths")]
    #[test]
    fn type_errors_name_their_path() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Rule {
            id: String,
        }

        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Document {
            rules: Vec<Rule>,
            limits: Option<Limits>,
        }

        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Limits {
            max_rules: u64,
        }

        let rules = serde_json::json!({"rules": [{"id": "a"}, {"id": 5}]});
        assert_eq!(
            from_value::<Document>(&rules).unwrap_err().to_string(),
            "at `rules[1].id`: invalid type: integer `5`, expected a string"
        );
        let limits = serde_json::json!({"rules": [], "limits": {"max_rules": -1}});
        assert_eq!(
            from_value::<Document>(&limits).unwrap_err().to_string(),
            "at `limits.max_rules`: invalid value: integer `-1`, expected u64"
        );

        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Named {
            #[serde(rename = "a.b")]
            dotted: u8,
        }
        let dotted = serde_json::json!({"a.b": "x"});
        assert_eq!(
            from_value::<Named>(&dotted).unwrap_err().to_string(),
            r#"at `["a.b"]`: invalid type: string "x", expected u8"#
        );

        // serde names a missing or unknown field itself.
        let missing = serde_json::json!({"rules": [{}]});
        assert_eq!(
            from_value::<Document>(&missing).unwrap_err().to_string(),
            "missing field `id`"
        );
    }

    #[test]
    fn type_errors_read_as_serde_json_words_them() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Typed {
            count: u8,
            flag: bool,
            name: String,
            kind: Kind,
        }
        let documents = [
            serde_json::json!({"count": 1.5}),
            serde_json::json!({"count": -1e300}),
            serde_json::json!({"count": 300}),
            serde_json::json!({"count": -3}),
            serde_json::json!({"count": "7"}),
            serde_json::json!({"count": null}),
            serde_json::json!({"count": [1]}),
            serde_json::json!({"count": {"a": 1}}),
            serde_json::json!({"flag": 0.25}),
            serde_json::json!({"flag": "yes\n"}),
            serde_json::json!({"name": true}),
            serde_json::json!({"name": 2.0}),
            serde_json::json!({"kind": "unknown"}),
            serde_json::json!({"kind": {"tagged": 1e-7}}),
        ];
        for document in documents {
            let ours = from_value::<Typed>(&document).unwrap_err().to_string();
            let theirs = serde_json::from_value::<Typed>(document.clone())
                .unwrap_err()
                .to_string();
            // Ours puts the member in front, as in "at `count`: ".
            let words = ours
                .strip_prefix("at `")
                .and_then(|rest| rest.split_once("`: "))
                .map_or(ours.as_str(), |(_, words)| words);
            assert_eq!(words, theirs, "{document}");
        }
    }
}
