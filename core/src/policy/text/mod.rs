//! The text form of a policy: a readable syntax that maps one to one onto
//! the JSON form, with a formatter.
//!
//! ```text
//! version 2;
//!
//! role "editor" inherits ["viewer"];
//! role "viewer";
//! group "writes" = ["create", "update"];
//! assign "alice" = ["editor"];
//!
//! permit "editors-write"
//!   principal in role "editor"
//!   action in group "writes"
//!   resource like "document:*"
//!   when { resource.owner == principal.id && context.mfa == true }
//!   unless { inCidr(context.ip, "203.0.113.0/24") };
//! ```
//!
//! A rule is `permit` or `forbid`, its id, an optional `description`, an
//! optional principal scope (`principal in role R` or `principal == ID`),
//! an action scope (`action any`, `action == A`, `action in [A, ...]` or
//! `action in group G`), a resource scope (`resource like PATTERN` or
//! `resource is TYPE`), then optional `when { ... }` and `unless { ... }`.
//! Names and ids are strings in double quotes with JSON escapes. Comments
//! run from `//` to the end of the line.
//!
//! Conditions bind, from loosest: `||`, then `&&`, then one relation
//! (`==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `has`, `like`), then `!` and
//! attribute access (`.name` or `["any name"]`). `a && b && c` is one
//! `&&` with three operands, while `a && (b && c)` keeps its nesting, so
//! formatting and parsing give back the same JSON.
//!
//! NOTE: the JSON form has no comments, so formatting drops them.

mod format;
mod lexer;
mod parser;

use alloc::string::String;

use super::cond::Source;
use super::document::PolicyDocument;
use super::engine::Policy;
use super::error::PolicyError;
use super::limits::{LimitKind, PolicyLimits};

/// Deepest condition [`format_text`] writes. Recursion in the formatter is
/// bounded by it; documents loaded from JSON or text are far shallower.
pub const MAX_FORMAT_DEPTH: usize = 256;

/// Parses the text form into a document, without validating it further.
///
/// # Errors
///
/// [`PolicyError::InvalidLimit`] when a limit is above what this crate
/// supports; [`PolicyError::Syntax`] with the line and column of the first
/// problem, or [`PolicyError::LimitExceeded`] for a condition nested deeper
/// than `max_expression_depth`, or for a document whose JSON form would
/// nest deeper than `max_json_depth` or exceed the JSON member limit, so
/// that the JSON form of every document this returns loads.
pub fn parse_text(text: &str, limits: &PolicyLimits) -> Result<PolicyDocument, PolicyError> {
    limits.check()?;
    let document = parser::parse_document(text, limits)?;
    super::json_form::check_json_form(&document, limits)?;
    Ok(document)
}

/// Writes `document` in the text form, in the canonical layout that
/// `mem8-guard policy fmt` prints.
///
/// # Errors
///
/// [`PolicyError::LimitExceeded`] when a condition is deeper than
/// [`MAX_FORMAT_DEPTH`], which only a document built in code can be.
pub fn format_text(document: &PolicyDocument) -> Result<String, PolicyError> {
    for rule in &document.rules {
        for expr in [&rule.when, &rule.unless].into_iter().flatten() {
            if expr.depth() > MAX_FORMAT_DEPTH {
                return Err(PolicyError::LimitExceeded {
                    limit: LimitKind::ExpressionDepth,
                    max: MAX_FORMAT_DEPTH,
                    subject: Some(rule.id.clone()),
                });
            }
        }
    }
    Ok(format::write_document(document))
}

impl Policy {
    /// Parses and compiles a policy from the text form with the default
    /// [`PolicyLimits`].
    ///
    /// # Errors
    ///
    /// Returns [`PolicyError`] as [`Policy::from_text_with_limits`] does.
    pub fn from_text(text: &str) -> Result<Policy, PolicyError> {
        Self::from_text_with_limits(text, &PolicyLimits::default())
    }

    /// Parses and compiles a policy from the text form.
    ///
    /// # Errors
    ///
    /// Returns the errors of [`parse_text`], then every error of
    /// [`Policy::from_document`].
    pub fn from_text_with_limits(text: &str, limits: &PolicyLimits) -> Result<Policy, PolicyError> {
        let document = parse_text(text, limits)?;
        Self::compile(document, limits, Source::Text(text))
    }
}

/// Returns the first number literal of policy `text` that reads as
/// `number`, as written, or `None` when there is none or the text does not
/// tokenize.
pub(crate) fn number_literal(text: &str, number: &serde_json::Number) -> Option<String> {
    lexer::tokenize(text)
        .ok()?
        .into_iter()
        .find_map(|spanned| match spanned.token {
            lexer::Token::Number { value, literal } if value == *number => Some(literal),
            _ => None,
        })
}

#[cfg(test)]
mod tests;
