//! Tokens of the policy text form, with the line and column of each.

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Number, Value};

use super::super::error::PolicyError;
use crate::json::JsonError;

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    /// A name: letters, digits and `_`, not starting with a digit.
    Ident(String),
    /// A string in JSON syntax, already unescaped.
    Str(String),
    /// A JSON number, with its literal as written for error messages.
    Number {
        /// The number, kept exact.
        value: Number,
        /// The literal in the text.
        literal: String,
    },
    /// Punctuation or an operator such as `==`, `&&`, `{`.
    Symbol(&'static str),
    End,
}

/// A token and where it starts.
#[derive(Debug, Clone)]
pub(crate) struct Spanned {
    pub(crate) token: Token,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// Operators and punctuation, longest first so that `==` wins over `=`.
const SYMBOLS: [&str; 20] = [
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "=", "(", ")", "[", "]", "{", "}", ",", ";",
    ".", ":",
];

/// Splits `text` into tokens, ending with [`Token::End`]. One leading
/// UTF-8 byte order mark (U+FEFF), which some editors write, is skipped.
///
/// # Errors
///
/// [`PolicyError::Syntax`] for a character that starts no token, an
/// unterminated string, an invalid escape or an invalid number.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Spanned>, PolicyError> {
    let mut tokens = Vec::new();
    let mut cursor = Cursor {
        text: text.strip_prefix('\u{feff}').unwrap_or(text),
        offset: 0,
        line: 1,
        column: 1,
    };
    loop {
        cursor.skip_space_and_comments();
        let (line, column) = (cursor.line, cursor.column);
        let Some(c) = cursor.peek() else {
            tokens.push(Spanned {
                token: Token::End,
                line,
                column,
            });
            return Ok(tokens);
        };
        let token = if c == '"' {
            cursor.string()?
        } else if c.is_ascii_digit() || c == '-' {
            cursor.number()?
        } else if c.is_ascii_alphabetic() || c == '_' {
            Token::Ident(String::from(
                cursor.take_while(|c| c.is_ascii_alphanumeric() || c == '_'),
            ))
        } else if let Some(symbol) = SYMBOLS.iter().find(|s| cursor.rest().starts_with(**s)) {
            cursor.advance(symbol.len());
            Token::Symbol(symbol)
        } else {
            return Err(syntax(
                line,
                column,
                alloc::format!("unexpected character `{}`", c.escape_default()),
            ));
        };
        tokens.push(Spanned {
            token,
            line,
            column,
        });
    }
}

/// Builds a syntax error.
pub(crate) fn syntax(line: usize, column: usize, message: String) -> PolicyError {
    PolicyError::Syntax {
        line,
        column,
        message,
    }
}

struct Cursor<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    column: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.offset..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Moves forward `bytes` bytes, which must end on a character boundary.
    fn advance(&mut self, bytes: usize) {
        let taken = self.rest().get(..bytes).unwrap_or("");
        for c in taken.chars() {
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.offset += taken.len();
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let rest = self.rest();
        let length = rest.find(|c: char| !keep(c)).unwrap_or(rest.len());
        self.advance(length);
        rest.get(..length).unwrap_or("")
    }

    fn skip_space_and_comments(&mut self) {
        loop {
            self.take_while(char::is_whitespace);
            if self.rest().starts_with("//") {
                self.take_while(|c| c != '\n');
            } else {
                return;
            }
        }
    }

    /// Reads a JSON string literal and unescapes it with `serde_json`.
    fn string(&mut self) -> Result<Token, PolicyError> {
        let (line, column) = (self.line, self.column);
        let rest = self.rest();
        let mut escaped = false;
        let mut end = None;
        for (index, c) in rest.char_indices().skip(1) {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = Some(index + 1);
                    break;
                }
                '\n' => break,
                _ => {}
            }
        }
        let Some(end) = end else {
            return Err(syntax(
                line,
                column,
                String::from("string is not closed on its line"),
            ));
        };
        let literal = rest.get(..end).unwrap_or("");
        // The module's one JSON parser reads the literal, which keeps a
        // second copy of `serde_json`'s string and number code out of it.
        let Ok(Value::String(value)) = scalar(literal) else {
            return Err(syntax(
                line,
                column,
                String::from(
                    "invalid string: use JSON escapes such as `\\\"`, `\\\\` and `\\u00e9`",
                ),
            ));
        };
        self.advance(end);
        Ok(Token::Str(value))
    }

    /// Reads a JSON number: an optional minus, digits, then optionally a
    /// fraction and an exponent.
    fn number(&mut self) -> Result<Token, PolicyError> {
        let (line, column) = (self.line, self.column);
        let rest = self.rest();
        let length = rest
            .char_indices()
            .find(|&(index, c)| {
                !(c.is_ascii_digit()
                    || matches!(c, '.' | 'e' | 'E' | '+')
                    || (c == '-' && (index == 0 || rest[..index].ends_with(['e', 'E']))))
            })
            .map_or(rest.len(), |(index, _)| index);
        let literal = rest.get(..length).unwrap_or("");
        match scalar(literal) {
            Ok(Value::Number(value)) => {
                self.advance(length);
                Ok(Token::Number {
                    value,
                    literal: String::from(literal),
                })
            }
            // The JSON form rejects the same literal with this message.
            Err(error @ (JsonError::NumberUnderflow { .. } | JsonError::NumberOverflow { .. })) => {
                Err(syntax(line, column, alloc::format!("{error}")))
            }
            _ => Err(syntax(
                line,
                column,
                alloc::format!("invalid number `{}`", literal.escape_default()),
            )),
        }
    }
}

/// Parses `literal` as one JSON scalar with the core's strict parser.
fn scalar(literal: &str) -> Result<Value, JsonError> {
    let limits = crate::json::JsonLimits {
        max_depth: 1,
        max_members: 1,
    };
    crate::json::parse_value(literal.as_bytes(), &limits)
}
