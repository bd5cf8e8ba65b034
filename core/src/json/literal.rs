//! Finding the text of a top-level member in a JSON object that the strict
//! parser has accepted, so that a message can show a number as the document
//! wrote it: `99.50` or `1e300`, not the `f64` it reads as.
//!
//! The scanner trusts that the text is valid JSON with unique member names.
//! On anything it does not expect it returns `None`, and the caller falls
//! back to the parsed value.

/// Returns the text of the number that is the value of the top-level member
/// `name` in `bytes`, a JSON object, or `None` when the member is absent or
/// not a number.
pub(crate) fn top_level_number<'a>(bytes: &'a [u8], name: &str) -> Option<&'a str> {
    let mut scanner = Scanner { bytes, index: 0 };
    scanner.skip_whitespace();
    scanner.expect(b'{')?;
    loop {
        scanner.skip_whitespace();
        if scanner.peek()? == b'}' {
            return None;
        }
        let key = scanner.string()?;
        scanner.skip_whitespace();
        scanner.expect(b':')?;
        scanner.skip_whitespace();
        let value = scanner.value()?;
        if key_is(key, name) {
            let is_number = matches!(value.first(), Some(b'-' | b'0'..=b'9'));
            return is_number.then(|| core::str::from_utf8(value).ok())?;
        }
        scanner.skip_whitespace();
        match scanner.next()? {
            b',' => {}
            _ => return None,
        }
    }
}

/// Compares a quoted key, escapes and all, with `name`.
fn key_is(quoted: &[u8], name: &str) -> bool {
    let inner = quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default();
    if !inner.contains(&b'\\') {
        return inner == name.as_bytes();
    }
    // An escaped key such as `"\u0065xp"` is decoded by the strict parser.
    // Not `serde_json::from_slice::<String>`: its type errors would pull
    // `f64` formatting into the npm module (see `json::typed`).
    super::parse_value(quoted, &super::JsonLimits::default())
        .is_ok_and(|key| key.as_str() == Some(name))
}

struct Scanner<'a> {
    bytes: &'a [u8],
    index: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.index).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.index += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.index += 1;
        }
    }

    /// Skips a string, quotes included, and returns its text.
    fn string(&mut self) -> Option<&'a [u8]> {
        let start = self.index;
        self.expect(b'"')?;
        loop {
            match self.next()? {
                b'\\' => {
                    self.next()?;
                }
                b'"' => return self.bytes.get(start..self.index),
                _ => {}
            }
        }
    }

    /// Skips one value and returns its text.
    fn value(&mut self) -> Option<&'a [u8]> {
        let start = self.index;
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            b'{' | b'[' => self.container()?,
            // A number, `true`, `false` or `null` ends at the first byte
            // that none of them contains.
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.index += 1;
                }
            }
        }
        self.bytes.get(start..self.index)
    }

    /// Skips an object or array, whatever its depth, without recursion.
    fn container(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.checked_sub(1)?,
                _ => {}
            }
            self.index += 1;
            if depth == 0 {
                return Some(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number<'a>(text: &'a str, name: &str) -> Option<&'a str> {
        top_level_number(text.as_bytes(), name)
    }

    #[test]
    fn number_found_as_written() {
        assert_eq!(number(r#"{"exp":1e300}"#, "exp"), Some("1e300"));
        assert_eq!(
            number(r#"{ "a" : 1 , "exp" : 99.50 }"#, "exp"),
            Some("99.50")
        );
        assert_eq!(number(r#"{"exp":-0.0}"#, "exp"), Some("-0.0"));
    }

    #[test]
    fn earlier_members_skipped() {
        let text = r#"{"s":"x\"exp\":1,}","o":{"exp":[1,{"exp":2}]},"l":[true,null],"exp":7E+2}"#;
        assert_eq!(number(text, "exp"), Some("7E+2"));
    }

    #[test]
    fn escaped_key_matches() {
        assert_eq!(number(r#"{"\u0065xp":12.5}"#, "exp"), Some("12.5"));
        assert_eq!(number(r#"{"e\"xp":12.5}"#, "exp"), None);
    }

    #[test]
    fn absent_or_not_number_is_none() {
        assert_eq!(number(r#"{"nbf":1}"#, "exp"), None);
        assert_eq!(number(r#"{"exp":"1"}"#, "exp"), None);
        assert_eq!(number(r#"{"exp":{"n":1}}"#, "exp"), None);
        assert_eq!(number(r#"{}"#, "exp"), None);
        assert_eq!(number(r#"[1]"#, "exp"), None);
        assert_eq!(number(r#"{"exp":1"#, "exp"), Some("1"));
        assert_eq!(number("", "exp"), None);
    }
}
