//! Strict JSON parsing with limits, shared by every document the core reads.
//!
//! `serde_json` on its own keeps the last of two members with the same name and
//! allows 128 levels of nesting. Security documents must not be ambiguous, so
//! this parser rejects duplicate member names and enforces a depth and member
//! count limit while it reads, before any value is built past the limit.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

mod literal;
mod typed;

pub(crate) use literal::top_level_number;
pub use typed::{from_value, from_value_in};

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
    /// The bytes are not one JSON text (syntax error, bad UTF-8 or trailing
    /// data).
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
    /// A number literal that is not zero reads as zero, because its
    /// magnitude is below the smallest `f64` (about `4.9e-324`).
    NumberUnderflow {
        /// The literal as written.
        literal: String,
    },
    /// A number literal whose magnitude is above the largest `f64` (about
    /// `1.8e308`), which no reader of this crate can hold.
    NumberOverflow {
        /// The literal as written.
        literal: String,
    },
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
            Self::NumberUnderflow { literal } => write!(
                f,
                "number `{}` is too small for a 64-bit float and would read as 0; write `0` \
                 or a number of at least `5e-324`",
                Printable(literal)
            ),
            Self::NumberOverflow { literal } => write!(
                f,
                "number `{}` is too large for a 64-bit float; write a number of at most \
                 `1.7976931348623157e308` in magnitude",
                Printable(literal)
            ),
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
        mut other => {
            other.scrub();
            Err(JsonError::NotObject)
        }
    }
}

/// Parses `bytes` as one JSON value of any type, with the same checks as
/// [`parse_object`].
///
/// # Errors
///
/// Returns [`JsonError`] when the text is not valid JSON, repeats a member
/// name, exceeds a limit, or has a non-zero number that reads as zero.
pub fn parse_value(bytes: &[u8], limits: &JsonLimits) -> Result<Value, JsonError> {
    parse(bytes, limits, Build::All)
}

/// The top-level members of an object that [`parse_object_members`] built,
/// with their names borrowed from the input where they have no escapes.
#[derive(Debug, Default)]
pub(crate) struct Members<'a>(Vec<(Cow<'a, str>, Value)>);

impl Members<'_> {
    /// Returns a built member by name.
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(member, _)| member == name)
            .map(|(_, value)| value)
    }
}

/// Checks `bytes` exactly as [`parse_object`] does, at every depth, but
/// builds only the top-level members whose names `keep` selects, and no
/// map.
///
/// A caller that needs a few members of an object, such as the registered
/// claims of a JWT, gets the same errors as from [`parse_object`] with a
/// fraction of the allocations.
///
/// # Errors
///
/// The errors of [`parse_object`], for the same input.
pub(crate) fn parse_object_members<'a>(
    bytes: &'a [u8],
    limits: &JsonLimits,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Members<'a>, JsonError> {
    // Anything but an object goes through the whole-value parser, for its
    // errors, so that the members parser reads only objects.
    let start = bytes
        .iter()
        .position(|byte| !matches!(byte, b' ' | b'\t' | b'\n' | b'\r'));
    if start.and_then(|index| bytes.get(index)) != Some(&b'{') {
        return parse_object(bytes, limits).and(Err(JsonError::NotObject));
    }
    read_numbers(bytes, limits, |fault, numbers| {
        let seed = MembersSeed {
            strict: StrictSeed {
                depth: 0,
                limits,
                fault,
                build: Build::Nothing,
                numbers,
            },
            keep,
        };
        run(bytes, seed)
    })
}

fn parse(bytes: &[u8], limits: &JsonLimits, build: Build) -> Result<Value, JsonError> {
    read_numbers(bytes, limits, |fault, numbers| {
        let seed = StrictSeed {
            depth: 0,
            limits,
            fault,
            build,
            numbers,
        };
        run(bytes, seed)
    })
}

/// Runs `read`, which reads `bytes` with a seed on the given fault cell and
/// number log, then checks the floats that read as zero.
///
/// serde_json reads the integer literal `-0` as the float `-0.0`, which
/// conditions do not compare as an integer. When the document has such a
/// literal, `read` runs a second time with the log naming it, so that it
/// builds the integer 0, as JavaScript's `JSON.stringify(-0)` writes it.
fn read_numbers<T: Scrub>(
    bytes: &[u8],
    limits: &JsonLimits,
    read: impl Fn(&RefCell<Option<JsonError>>, &NumberLog) -> Result<T, serde_json::Error>,
) -> Result<T, JsonError> {
    let mut numbers = NumberLog::default();
    loop {
        let fault = RefCell::new(None);
        let mut value = finish(read(&fault, &numbers), fault, limits, bytes)?;
        let float_zeros = numbers.float_zeros.take();
        if float_zeros.is_empty() || !numbers.integer_zeros.is_empty() {
            return Ok(value);
        }
        // The first reading is dropped either way below.
        let integer_zeros = integer_zeros(bytes, &float_zeros);
        let integer_zeros = match integer_zeros {
            Ok(positions) if positions.is_empty() => return Ok(value),
            Ok(positions) => positions,
            Err(error) => {
                value.scrub();
                return Err(error);
            }
        };
        value.scrub();
        numbers = NumberLog {
            integer_zeros,
            ..NumberLog::default()
        };
    }
}

/// Runs `seed` over `bytes` as one JSON text, trailing data included.
fn run<'de, S: DeserializeSeed<'de>>(
    bytes: &'de [u8],
    seed: S,
) -> Result<S::Value, serde_json::Error>
where
    S::Value: Scrub,
{
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let mut value = seed.deserialize(&mut deserializer)?;
    if let Err(error) = deserializer.end() {
        value.scrub();
        return Err(error);
    }
    Ok(value)
}

/// A value read from a document that may hold key material: JWKs and
/// keyrings go through this parser. What a failed or repeated reading
/// built is zeroized before it is dropped, so that a secret read before the
/// failure leaves no copy in freed memory.
trait Scrub {
    /// Overwrites the strings of the value with zeros.
    fn scrub(&mut self);
}

impl Scrub for Value {
    fn scrub(&mut self) {
        zeroize_strings(self);
    }
}

impl Scrub for Members<'_> {
    fn scrub(&mut self) {
        self.0
            .iter_mut()
            .for_each(|(_, value)| zeroize_strings(value));
    }
}

/// Converts a failed run into the parser's error: the limit that a seed
/// recorded, or else serde_json's error for `bytes`.
fn finish<T>(
    parsed: Result<T, serde_json::Error>,
    fault: RefCell<Option<JsonError>>,
    limits: &JsonLimits,
    bytes: &[u8],
) -> Result<T, JsonError> {
    parsed.map_err(|error| {
        fault.into_inner().unwrap_or_else(|| {
            let message = alloc::format!("{error}");
            // serde_json stops at its own depth of 128 before this parser's
            // limit when that limit is set higher.
            if message.starts_with("recursion limit exceeded") {
                return JsonError::TooDeep {
                    max: limits.max_depth.min(MAX_SUPPORTED_DEPTH),
                };
            }
            let syntax = JsonError::Syntax {
                line: error.line(),
                column: error.column().max(1),
            };
            if !message.starts_with("number out of range") {
                return syntax;
            }
            match literal_at(bytes, error.line(), error.column()) {
                Some(literal) => JsonError::NumberOverflow { literal },
                None => syntax,
            }
        })
    })
}

/// Returns the number literal of `bytes` around the position that
/// serde_json reports for a number out of range: `line` from 1, and
/// `column`, the count of bytes of that line before the position, which is
/// just after the literal.
fn literal_at(bytes: &[u8], line: usize, column: usize) -> Option<String> {
    let line_start = if line <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, byte)| **byte == b'\n')
            .nth(line - 2)
            .map(|(index, _)| index + 1)?
    };
    let position = line_start.saturating_add(column).min(bytes.len());
    let (mut start, mut end) = (position, position);
    while bytes.get(end).is_some_and(|byte| is_number_byte(*byte)) {
        end += 1;
    }
    while start > 0
        && bytes
            .get(start - 1)
            .is_some_and(|byte| is_number_byte(*byte))
    {
        start -= 1;
    }
    let literal = bytes
        .get(start..end)
        .filter(|literal| !literal.is_empty())?;
    // A number literal is ASCII.
    Some(literal.iter().copied().map(char::from).collect())
}

fn is_number_byte(byte: u8) -> bool {
    matches!(byte, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
}

/// Checks the floats of `bytes`, a JSON text that parsed, that read as
/// zero, whose positions among all numbers in order are `float_zeros`.
/// Returns the positions of those written as integers, which only `-0`
/// can be.
///
/// # Errors
///
/// [`JsonError::NumberUnderflow`] for the first one that has a non-zero
/// digit before its exponent, as `1e-400` has.
fn integer_zeros(bytes: &[u8], float_zeros: &[usize]) -> Result<Vec<usize>, JsonError> {
    let mut integers = Vec::new();
    let mut float_zeros = float_zeros.iter().peekable();
    for (ordinal, literal) in number_literals(bytes).enumerate() {
        if float_zeros.peek().is_none() {
            break;
        }
        if float_zeros.next_if_eq(&&ordinal).is_none() {
            continue;
        }
        if !zero_as_written(literal) {
            return Err(JsonError::NumberUnderflow {
                // A number literal is ASCII.
                literal: literal.iter().copied().map(char::from).collect(),
            });
        }
        if !literal
            .iter()
            .any(|byte| matches!(byte, b'.' | b'e' | b'E'))
        {
            integers.push(ordinal);
        }
    }
    Ok(integers)
}

/// Iterates over the number literals of `bytes`, a JSON text that parsed,
/// in order, skipping strings, which may contain digits.
pub(crate) fn number_literals(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut index = 0;
    core::iter::from_fn(move || {
        while let Some(&byte) = bytes.get(index) {
            match byte {
                b'"' => {
                    index += 1;
                    while let Some(&byte) = bytes.get(index) {
                        index += if byte == b'\\' { 2 } else { 1 };
                        if byte == b'"' {
                            break;
                        }
                    }
                }
                b'-' | b'0'..=b'9' => {
                    let rest = bytes.get(index..).unwrap_or_default();
                    let length = rest
                        .iter()
                        .position(|byte| !is_number_byte(*byte))
                        .unwrap_or(rest.len());
                    index += length;
                    return rest.get(..length);
                }
                _ => index += 1,
            }
        }
        None
    })
}

/// Checks that every digit of the number `literal` before its exponent is
/// `0`, so that the literal is zero as written.
fn zero_as_written(literal: &[u8]) -> bool {
    literal
        .iter()
        .take_while(|&&byte| byte != b'e' && byte != b'E')
        .all(|byte| !matches!(byte, b'1'..=b'9'))
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

/// A parsed document that may hold key material: its strings are zeroized
/// when it is dropped, however the code reading it returns.
pub(crate) struct Scrubbed(Value);

impl Scrubbed {
    pub(crate) fn new(value: Value) -> Self {
        Self(value)
    }
}

impl core::ops::Deref for Scrubbed {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.0
    }
}

impl core::ops::DerefMut for Scrubbed {
    fn deref_mut(&mut self) -> &mut Value {
        &mut self.0
    }
}

impl Drop for Scrubbed {
    fn drop(&mut self) {
        zeroize_strings(&mut self.0);
    }
}

/// A string wrapper whose `Display` escapes the characters that
/// [`is_invisible`] selects and the backtick, and cuts long input, for
/// echoing untrusted names in error messages.
///
/// Messages put names in backticks, so an escaped backtick cannot end the
/// name early, and `p` and `p\u{200b}` read as two different names.
pub struct Printable<'a>(pub &'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX_CHARS: usize = 64;
        for (index, c) in self.0.chars().enumerate() {
            if index == MAX_CHARS {
                return f.write_str("...");
            }
            if is_invisible(c) || c == '`' {
                write!(f, "{}", c.escape_unicode())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// Returns whether `c` is a control, format or separator character: one
/// that prints as nothing, moves the cursor or reorders the text around
/// it. These are the Unicode 15.1 general categories Cc (controls), Cf
/// (format characters, such as zero-width spaces, bidirectional overrides
/// and tag characters), Zl and Zp (U+2028 and U+2029).
///
/// Error messages ([`Printable`]) and the policy formatter both escape
/// exactly these characters, so that two names that differ only in them
/// never look alike.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
}

/// The values that a [`StrictSeed`] builds. The checks are the same for both.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Build {
    /// The whole value.
    All,
    /// Nothing: the value is checked and dropped, and reads as `null`.
    Nothing,
}

/// Builds a [`Value`] while checking limits; records why it stopped in `fault`
/// because serde's error type can only carry a message.
struct StrictSeed<'a> {
    depth: usize,
    limits: &'a JsonLimits,
    fault: &'a RefCell<Option<JsonError>>,
    build: Build,
    numbers: &'a NumberLog,
}

/// The numbers a parse has read, so that a float zero can be matched to
/// its literal afterwards: serde passes the value, not the text.
#[derive(Default)]
struct NumberLog {
    /// How many numbers were read so far.
    count: Cell<usize>,
    /// The positions, among all numbers, of the floats that read as zero.
    float_zeros: RefCell<Vec<usize>>,
    /// The positions, in ascending order, of the `-0` literals to build as
    /// the integer 0.
    integer_zeros: Vec<usize>,
}

impl NumberLog {
    /// Counts one number and returns its position among all numbers.
    fn count(&self, float_zero: bool) -> usize {
        let position = self.count.get();
        if float_zero {
            self.float_zeros.borrow_mut().push(position);
        }
        self.count.set(position.saturating_add(1));
        position
    }
}

impl StrictSeed<'_> {
    fn fail<E: serde::de::Error>(&self, error: JsonError) -> E {
        let message = alloc::format!("{error}");
        *self.fault.borrow_mut() = Some(error);
        E::custom(message)
    }

    fn nested(&self, build: Build) -> StrictSeed<'_> {
        StrictSeed {
            depth: self.depth.saturating_add(1),
            limits: self.limits,
            fault: self.fault,
            build,
            numbers: self.numbers,
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

    /// Returns whether this seed builds values, or only checks them.
    fn builds(&self) -> bool {
        self.build == Build::All
    }

    /// Fails when an object or array already contains `count` entries,
    /// the maximum it may contain.
    fn check_count<E: serde::de::Error>(&self, count: usize) -> Result<(), E> {
        if count >= self.limits.max_members {
            return Err(self.fail(JsonError::TooManyMembers {
                max: self.limits.max_members,
            }));
        }
        Ok(())
    }

    /// Reads the elements of an array into `items`. On an error, `items`
    /// contains what was read so far, for the caller to zeroize.
    fn read_items<'de, A: SeqAccess<'de>>(
        &self,
        seq: &mut A,
        items: &mut Vec<Value>,
    ) -> Result<(), A::Error> {
        let mut count = 0_usize;
        while let Some(item) = seq.next_element_seed(self.nested(self.build))? {
            // Kept before the count check, so that an item over the limit
            // is zeroized with the others.
            if self.builds() {
                items.push(item);
            }
            self.check_count(count)?;
            count = count.saturating_add(1);
        }
        Ok(())
    }

    /// Reads the members of an object into `map`. On an error, `map`
    /// contains what was read so far, for the caller to zeroize.
    fn read_members<'de, A: MapAccess<'de>>(
        &self,
        access: &mut A,
        map: &mut Map<String, Value>,
    ) -> Result<(), A::Error> {
        while let Some(name) = access.next_key::<String>()? {
            if map.contains_key(&name) {
                return Err(self.fail(JsonError::DuplicateMember { name }));
            }
            self.check_count(map.len())?;
            let value = access.next_value_seed(self.nested(self.build))?;
            map.insert(name, value);
        }
        Ok(())
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
        self.numbers.count(false);
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        self.numbers.count(false);
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        let position = self.numbers.count(v == 0.0);
        if v == 0.0 && self.numbers.integer_zeros.binary_search(&position).is_ok() {
            return Ok(Value::Number(Number::from(0_u8)));
        }
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
        let mut items = Vec::new();
        if let Err(error) = self.read_items(&mut seq, &mut items) {
            items.iter_mut().for_each(zeroize_strings);
            return Err(error);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        self.enter()?;
        // Without building, the map keeps only the names, for the duplicate
        // check. It is the same map type, so a build has one copy of its code.
        let mut map = Map::new();
        if let Err(error) = self.read_members(&mut access, &mut map) {
            map.values_mut().for_each(zeroize_strings);
            return Err(error);
        }
        if !self.builds() {
            map.clear();
        }
        Ok(Value::Object(map))
    }
}

/// Reads the top-level object of a document for [`parse_object_members`],
/// with the checks of a [`StrictSeed`]; of its members, only those `keep`
/// selects are built, with borrowed names.
struct MembersSeed<'a> {
    strict: StrictSeed<'a>,
    keep: &'a dyn Fn(&str) -> bool,
}

impl<'de> DeserializeSeed<'de> for MembersSeed<'_> {
    type Value = Members<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Members<'de>, D::Error> {
        // Not `deserialize_map`: serde_json's type error for a non-object
        // formats floats with `core::fmt`, which the npm module leaves out.
        deserializer.deserialize_any(self)
    }
}

impl MembersSeed<'_> {
    /// Fails on a document that is not an object. [`parse_object_members`]
    /// sends those to [`parse_object`] first, for its errors.
    fn not_object<E: serde::de::Error, T>(&self) -> Result<T, E> {
        Err(self.strict.fail(JsonError::NotObject))
    }
}

impl<'de> Visitor<'de> for MembersSeed<'_> {
    type Value = Members<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
        self.not_object()
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
        self.not_object()
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
        self.not_object()
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
        self.not_object()
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
        self.not_object()
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.not_object()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        self.not_object()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let strict = &self.strict;
        strict.enter()?;
        // A name is built either every time or never, so a repeat is found
        // where the first one went.
        let mut built = Vec::new();
        let mut unbuilt = Map::new();
        while let Some(name) = access.next_key_seed(NameSeed)? {
            let keep = (self.keep)(&name);
            let seen = if keep {
                built.iter().any(|(other, _)| *other == name)
            } else {
                unbuilt.contains_key(&*name)
            };
            if seen {
                return Err(strict.fail(JsonError::DuplicateMember {
                    name: name.into_owned(),
                }));
            }
            strict.check_count(built.len().saturating_add(unbuilt.len()))?;
            if keep {
                built.push((name, access.next_value_seed(strict.nested(Build::All))?));
            } else {
                access.next_value_seed(strict.nested(Build::Nothing))?;
                unbuilt.insert(name.into_owned(), Value::Null);
            }
        }
        Ok(Members(built))
    }
}

/// Reads a member name, borrowed from the input when it has no escapes.
struct NameSeed;

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Cow<'de, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NameSeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(String::from(v)))
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
    fn huge_number_named_as_written() {
        let digits = "9".repeat(400);
        let texts = [
            (String::from("1e400"), "1e400"),
            (String::from(r#"{"exp":1e400}"#), "1e400"),
            (
                String::from("{\"a\":\"1e400\",\n \"b\":[1, -2.5E+309]}"),
                "-2.5E+309",
            ),
            (alloc::format!(r#"{{"n":{digits}}}"#), digits.as_str()),
        ];
        for (text, literal) in &texts {
            let error = parse(text).unwrap_err();
            let expected = JsonError::NumberOverflow {
                literal: String::from(*literal),
            };
            assert_eq!(error, expected, "{text}");
        }
        let message = alloc::format!("{}", parse("[1e400]").unwrap_err());
        assert_eq!(
            message,
            "number `1e400` is too large for a 64-bit float; write a number of at most \
             `1.7976931348623157e308` in magnitude"
        );
        // The largest finite float still reads.
        assert!(parse("1.7976931348623157e308").is_ok());
    }

    #[test]
    fn negative_zero_integer_reads_as_zero() {
        let value = parse(r#"{"a":-0,"b":[-0.0,"-0",-0e0,0.0],"c":{"d":-0}}"#).unwrap();
        assert_eq!(value["a"], Value::from(0));
        assert_eq!(value["a"].as_i64(), Some(0));
        assert_eq!(value["c"]["d"].as_i64(), Some(0));
        // Zeros written with a fraction or exponent stay floats.
        assert_eq!(value["b"][0].as_i64(), None);
        assert_eq!(value["b"][1], Value::from("-0"));
        assert_eq!(value["b"][2].as_i64(), None);
        assert_eq!(value["b"][3].as_i64(), None);
        assert_eq!(parse("-0").unwrap().as_i64(), Some(0));
    }

    #[test]
    fn negative_zero_in_kept_members() {
        let members = parse_object_members(
            br#"{"x":-0.0,"n":-0,"m":[-0]}"#,
            &JsonLimits::default(),
            &|name| name != "x",
        )
        .unwrap();
        assert_eq!(members.get("n").and_then(Value::as_i64), Some(0));
        assert_eq!(members.get("m"), Some(&serde_json::json!([0])));
    }

    #[test]
    fn underflowing_number_rejected() {
        for literal in ["1e-400", "-1e-400", "0.0000001e-320", "2E-324"] {
            let text = alloc::format!(r#"{{"s":"1e-400 \" 5","n":[0.0,-7,0e-400,{literal},3]}}"#);
            let error = parse(&text).unwrap_err();
            let expected = JsonError::NumberUnderflow {
                literal: String::from(literal),
            };
            assert_eq!(error, expected, "{text}");
            let message = alloc::format!("{error}");
            assert!(
                message.contains(&alloc::format!("`{literal}`")),
                "{message}"
            );
        }
    }

    #[test]
    fn zero_literals_still_parse() {
        let text = r#"{"a":[0.0,-0.0,0e-400,0.000e5,0,5e-324],"s":"1e-400"}"#;
        let value = parse(text).unwrap();
        assert_eq!(value["a"][0], Value::from(0.0));
        assert_eq!(value["a"][5], Value::from(5e-324));
        assert_eq!(value["s"], Value::from("1e-400"));
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

    #[test]
    fn printable_escapes_invisible_characters() {
        let cases = [
            ("p\u{200b}", "p\\u{200b}"),
            ("abc\u{202e}def", "abc\\u{202e}def"),
            ("a\u{2066}b\u{2069}", "a\\u{2066}b\\u{2069}"),
            ("x\u{2028}y\u{2029}", "x\\u{2028}y\\u{2029}"),
            ("\u{feff}bom", "\\u{feff}bom"),
            ("\u{ad}\u{61c}\u{180e}", "\\u{ad}\\u{61c}\\u{180e}"),
            ("tag\u{e0041}", "tag\\u{e0041}"),
            ("del\u{7f}\u{85}", "del\\u{7f}\\u{85}"),
        ];
        for (name, expected) in cases {
            assert_eq!(alloc::format!("{}", Printable(name)), expected, "{name:?}");
        }
        // Visible characters outside ASCII stay as they are.
        assert_eq!(alloc::format!("{}", Printable("Zoë 🔒 ß")), "Zoë 🔒 ß");
    }

    #[test]
    fn invisible_set_is_controls_format_and_separators() {
        for c in [
            '\u{0}',
            '\u{1f}',
            '\u{9f}',
            '\u{200d}',
            '\u{206f}',
            '\u{1343f}',
            '\u{e007f}',
        ] {
            assert!(is_invisible(c), "{c:?}");
        }
        for c in [
            ' ',
            'a',
            '\u{a0}',
            '\u{2027}',
            '\u{2030}',
            '\u{fffc}',
            '\u{e0080}',
        ] {
            assert!(!is_invisible(c), "{c:?}");
        }
    }
}
