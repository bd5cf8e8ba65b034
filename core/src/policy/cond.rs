//! Conditions compiled for evaluation: roles resolved to indices, patterns
//! and ranges parsed, literals checked, depth bounded.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Number, Value};

use super::error::PolicyError;
use super::expr::{Expr, Var};
use super::limits::{LimitKind, PolicyLimits};
use super::pattern::ResourcePattern;
use super::roles::RoleGraph;
use super::scalar::{self, Cidr};

/// A compiled condition. Mirrors [`Expr`], except that `time` on a literal
/// string is already converted to [`Cond::Literal`] of its Unix seconds.
#[derive(Debug, Clone)]
pub(crate) enum Cond {
    Literal(Value),
    Var(Var),
    Attr(Box<Cond>, String),
    Has(Box<Cond>, String),
    Compare(Comparison, Box<Cond>, Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    In(Box<Cond>, Box<Cond>),
    /// Index of a declared role in the [`RoleGraph`].
    Role(usize),
    Contains(Box<Cond>, Box<Cond>),
    ContainsAll(Box<Cond>, Box<Cond>),
    ContainsAny(Box<Cond>, Box<Cond>),
    Like(Box<Cond>, ResourcePattern),
    IsIp(Box<Cond>),
    InCidr(Box<Cond>, Cidr),
    Time(Box<Cond>),
    HourOfDay(Box<Cond>),
    DayOfWeek(Box<Cond>),
}

/// The comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The inputs for compiling one rule's conditions.
pub(crate) struct CondCompiler<'a> {
    pub(crate) rule: &'a str,
    pub(crate) roles: &'a RoleGraph,
    pub(crate) limits: &'a PolicyLimits,
    pub(crate) source: Source<'a>,
}

/// The text a document was read from, so that an error can show a number
/// literal as written (`1e2`, not the `100.0` it reads as).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source<'a> {
    /// A document built in code, or of unknown origin.
    Unknown,
    /// The JSON form.
    Json(&'a [u8]),
    /// The text form.
    Text(&'a str),
}

impl Source<'_> {
    /// Returns the first number literal of the source that reads as
    /// `number`, as written, or `None` when there is none.
    ///
    /// NOTE: the literal is found by value, so of two literals that read as
    /// the same number, such as `1e2` and `100.0`, the first one is shown.
    fn number_text(&self, number: &Number) -> Option<String> {
        match self {
            Self::Unknown => None,
            Self::Json(bytes) => crate::json::number_literals(bytes)
                .find(|literal| {
                    let limits = crate::json::JsonLimits {
                        max_depth: 1,
                        max_members: 1,
                    };
                    crate::json::parse_value(literal, &limits)
                        .is_ok_and(|value| value.as_number() == Some(number))
                })
                // A number literal is ASCII.
                .map(|literal| literal.iter().copied().map(char::from).collect()),
            Self::Text(text) => super::text::number_literal(text, number),
        }
    }
}

impl CondCompiler<'_> {
    /// Compiles `expr` after checking its depth without recursion, so the
    /// recursive compilation below is bounded by `max_expression_depth`.
    pub(crate) fn compile(&self, expr: &Expr) -> Result<Cond, PolicyError> {
        let max_depth = self
            .limits
            .max_expression_depth
            .min(super::limits::MAX_SUPPORTED_EXPRESSION_DEPTH);
        if expr.depth() > max_depth {
            return Err(PolicyError::LimitExceeded {
                limit: LimitKind::ExpressionDepth,
                max: self.limits.max_expression_depth,
                subject: Some(String::from(self.rule)),
            });
        }
        self.compile_node(expr)
    }

    fn compile_node(&self, expr: &Expr) -> Result<Cond, PolicyError> {
        let cond = match expr {
            Expr::Literal(value) => {
                self.check_literal(value)?;
                Cond::Literal(value.clone())
            }
            Expr::Var(var) => Cond::Var(*var),
            Expr::Attr(inner, name) => Cond::Attr(self.boxed(inner)?, name.clone()),
            Expr::Has(inner, name) => Cond::Has(self.boxed(inner)?, name.clone()),
            Expr::Eq(l, r) => self.compare(Comparison::Eq, l, r)?,
            Expr::Ne(l, r) => self.compare(Comparison::Ne, l, r)?,
            Expr::Lt(l, r) => self.compare(Comparison::Lt, l, r)?,
            Expr::Le(l, r) => self.compare(Comparison::Le, l, r)?,
            Expr::Gt(l, r) => self.compare(Comparison::Gt, l, r)?,
            Expr::Ge(l, r) => self.compare(Comparison::Ge, l, r)?,
            Expr::And(items) => Cond::And(self.operands("&&", items)?),
            Expr::Or(items) => Cond::Or(self.operands("||", items)?),
            Expr::Not(inner) => Cond::Not(self.boxed(inner)?),
            Expr::In(l, r) => Cond::In(self.boxed(l)?, self.boxed(r)?),
            Expr::Role(name) => match self.roles.index_of(name) {
                Some(index) => Cond::Role(index),
                None => {
                    return Err(PolicyError::UnknownRole {
                        role: name.clone(),
                        referenced_by: super::error::Referrer::Rule(String::from(self.rule)),
                    })
                }
            },
            Expr::Contains(l, r) => Cond::Contains(self.boxed(l)?, self.boxed(r)?),
            Expr::ContainsAll(l, r) => Cond::ContainsAll(self.boxed(l)?, self.boxed(r)?),
            Expr::ContainsAny(l, r) => Cond::ContainsAny(self.boxed(l)?, self.boxed(r)?),
            Expr::Like(inner, pattern) => {
                let compiled = ResourcePattern::parse(pattern).map_err(|problem| {
                    self.invalid(format!(
                        "invalid `like` pattern `{}`: {}",
                        crate::json::Printable(pattern),
                        super::error::describe_pattern_problem(problem)
                    ))
                })?;
                Cond::Like(self.boxed(inner)?, compiled)
            }
            Expr::IsIp(inner) => Cond::IsIp(self.boxed(inner)?),
            Expr::InCidr(inner, range) => {
                let cidr = Cidr::parse(range).map_err(|reason| {
                    self.invalid(format!(
                        "invalid CIDR range `{}`: {reason}",
                        crate::json::Printable(range)
                    ))
                })?;
                Cond::InCidr(self.boxed(inner)?, cidr)
            }
            Expr::Time(inner) => self.time(inner)?,
            Expr::HourOfDay(inner) => Cond::HourOfDay(self.boxed(inner)?),
            Expr::DayOfWeek(inner) => Cond::DayOfWeek(self.boxed(inner)?),
        };
        Ok(cond)
    }

    fn boxed(&self, expr: &Expr) -> Result<Box<Cond>, PolicyError> {
        self.compile_node(expr).map(Box::new)
    }

    fn compare(&self, op: Comparison, left: &Expr, right: &Expr) -> Result<Cond, PolicyError> {
        let ordering = !matches!(op, Comparison::Eq | Comparison::Ne);
        for side in [left, right] {
            if let (true, Expr::Literal(value)) = (ordering, side) {
                if value.as_i64().is_none() {
                    return Err(self.invalid(String::from(
                        "`<`, `<=`, `>` and `>=` compare integers, and a literal operand is not one",
                    )));
                }
            }
        }
        Ok(Cond::Compare(op, self.boxed(left)?, self.boxed(right)?))
    }

    fn operands(&self, operator: &str, items: &[Expr]) -> Result<Vec<Cond>, PolicyError> {
        if items.len() < 2 {
            return Err(self.invalid(format!("`{operator}` needs at least two operands")));
        }
        items.iter().map(|item| self.compile_node(item)).collect()
    }

    /// Converts `time("...")` of a literal at load, so a bad literal is a
    /// load error and evaluation does not parse it again.
    fn time(&self, inner: &Expr) -> Result<Cond, PolicyError> {
        if let Expr::Literal(Value::String(text)) = inner {
            return match scalar::parse_rfc3339(text) {
                Some(seconds) => Ok(Cond::Literal(Value::from(seconds))),
                None => Err(self.invalid(format!(
                    "`{}` is not an RFC 3339 time such as `2026-01-01T00:00:00Z`",
                    crate::json::Printable(text)
                ))),
            };
        }
        Ok(Cond::Time(self.boxed(inner)?))
    }

    /// Checks a literal without recursion: no `null`, no number that is not
    /// a 64-bit integer, and no list longer than `max_list_length`.
    fn check_literal(&self, value: &Value) -> Result<(), PolicyError> {
        let mut pending = alloc::vec![value];
        while let Some(value) = pending.pop() {
            match value {
                Value::Null => {
                    return Err(self.invalid(String::from(
                        "`null` is not a value in conditions; use `has` to test for absence",
                    )))
                }
                Value::Number(number) if number.as_i64().is_none() => {
                    let written = self
                        .source
                        .number_text(number)
                        .unwrap_or_else(|| alloc::string::ToString::to_string(number));
                    return Err(self.invalid(format!(
                        "number `{}` is not a 64-bit integer; conditions compare integers only",
                        crate::json::Printable(&written)
                    )));
                }
                Value::Array(items) => {
                    if items.len() > self.limits.max_list_length {
                        return Err(PolicyError::LimitExceeded {
                            limit: LimitKind::ListLength,
                            max: self.limits.max_list_length,
                            subject: Some(String::from(self.rule)),
                        });
                    }
                    pending.extend(items);
                }
                Value::Object(map) => pending.extend(map.values()),
                _ => {}
            }
        }
        Ok(())
    }

    fn invalid(&self, reason: String) -> PolicyError {
        PolicyError::InvalidCondition {
            rule: String::from(self.rule),
            reason,
        }
    }
}
