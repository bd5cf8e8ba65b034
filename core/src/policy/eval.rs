//! Evaluation of compiled conditions against one request.
//!
//! Evaluation recurses over the condition tree, whose depth loading bounds
//! by `max_expression_depth`, and every node and list element costs one step
//! from the decision's budget of `max_steps`. Errors carry a stable code and
//! fail the rule closed: the engine treats an erroring forbid as satisfied
//! and an erroring permit as not satisfied.

use alloc::format;
use alloc::string::String;

use serde_json::Value;

use super::cond::{Comparison, Cond};
use super::expr::Var;
use super::limits::LimitKind;
use super::request::Request;
use super::roles::{RoleGraph, RoleSet};
use super::scalar;
use crate::json::Printable;

/// Why a condition could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EvalError {
    /// `missing_attribute`, `type_mismatch`, `invalid_value` or
    /// `limit_exceeded`.
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

/// Everything a condition can read, and the step budget it spends.
pub(crate) struct Evaluator<'a> {
    pub(crate) request: &'a Request<'a>,
    /// The request's context: an object, with `null` already replaced by
    /// an empty one.
    pub(crate) context: &'a Value,
    pub(crate) principal_roles: &'a RoleSet,
    pub(crate) roles: &'a RoleGraph,
    pub(crate) max_list_length: usize,
    pub(crate) max_steps: usize,
    /// Steps left for the rest of the decision.
    pub(crate) steps_left: usize,
}

/// A value during evaluation. Strings, lists and records borrow from the
/// policy or the request.
#[derive(Debug, Clone, Copy)]
enum Val<'a> {
    Bool(bool),
    Int(i64),
    Str(&'a str),
    /// A JSON list, record, `null` or non-integer number.
    Json(&'a Value),
    /// The principal's role names as given.
    Names(&'a [String]),
    Principal,
    Resource,
    Role(usize),
}

/// A list during evaluation.
#[derive(Clone, Copy)]
enum List<'a> {
    Json(&'a [Value]),
    Names(&'a [String]),
}

impl<'a> Evaluator<'a> {
    /// Evaluates `cond`, which must yield a boolean.
    pub(crate) fn condition(&mut self, cond: &'a Cond) -> Result<bool, EvalError> {
        let value = self.eval(cond)?;
        self.boolean(value, "a condition")
    }

    fn eval(&mut self, cond: &'a Cond) -> Result<Val<'a>, EvalError> {
        self.step()?;
        match cond {
            Cond::Literal(value) => Ok(from_json(value)),
            Cond::Var(Var::Principal) => Ok(Val::Principal),
            Cond::Var(Var::Resource) => Ok(Val::Resource),
            Cond::Var(Var::Action) => Ok(Val::Str(self.request.action)),
            Cond::Var(Var::Context) => Ok(from_json(self.context)),
            Cond::Role(index) => Ok(Val::Role(*index)),
            Cond::Attr(..) | Cond::Has(..) => self.eval_access(cond),
            Cond::Compare(op, left, right) => self.compare(*op, left, right),
            Cond::And(..) | Cond::Or(..) | Cond::Not(..) => self.eval_logic(cond),
            Cond::In(..) | Cond::Contains(..) | Cond::ContainsAll(..) | Cond::ContainsAny(..) => {
                self.eval_membership(cond)
            }
            _ => self.eval_scalar(cond),
        }
    }

    /// Evaluates `.` and `has`.
    fn eval_access(&mut self, cond: &'a Cond) -> Result<Val<'a>, EvalError> {
        match cond {
            Cond::Attr(inner, name) => {
                let target = self.eval(inner)?;
                match self.attribute(target, name)? {
                    Some(value) => Ok(value),
                    None => Err(EvalError {
                        code: "missing_attribute",
                        message: format!(
                            "{} has no attribute `{}`; guard the access with `has`",
                            describe(target),
                            Printable(name)
                        ),
                    }),
                }
            }
            Cond::Has(inner, name) => {
                let target = self.eval(inner)?;
                Ok(Val::Bool(self.attribute(target, name)?.is_some()))
            }
            _ => Err(unexpected_node()),
        }
    }

    /// Evaluates `&&` and `||`, which stop at the first operand that
    /// decides them, and `!`.
    fn eval_logic(&mut self, cond: &'a Cond) -> Result<Val<'a>, EvalError> {
        match cond {
            Cond::And(items) => {
                for item in items {
                    let value = self.eval(item)?;
                    if !self.boolean(value, "an operand of `&&`")? {
                        return Ok(Val::Bool(false));
                    }
                }
                Ok(Val::Bool(true))
            }
            Cond::Or(items) => {
                for item in items {
                    let value = self.eval(item)?;
                    if self.boolean(value, "an operand of `||`")? {
                        return Ok(Val::Bool(true));
                    }
                }
                Ok(Val::Bool(false))
            }
            Cond::Not(inner) => {
                let value = self.eval(inner)?;
                Ok(Val::Bool(!self.boolean(value, "the operand of `!`")?))
            }
            _ => Err(unexpected_node()),
        }
    }

    /// Evaluates `in`, `contains`, `containsAll` and `containsAny`.
    fn eval_membership(&mut self, cond: &'a Cond) -> Result<Val<'a>, EvalError> {
        match cond {
            Cond::In(left, right) => {
                let (left, right) = (self.eval(left)?, self.eval(right)?);
                self.membership(left, right).map(Val::Bool)
            }
            Cond::Contains(list, item) => {
                let (list, item) = (self.eval(list)?, self.eval(item)?);
                let list = self.list(list, "the first operand of `contains`")?;
                self.list_contains(list, item).map(Val::Bool)
            }
            Cond::ContainsAll(left, right) => self.contains_set(left, right, true),
            Cond::ContainsAny(left, right) => self.contains_set(left, right, false),
            _ => Err(unexpected_node()),
        }
    }

    /// Evaluates the string, address and time functions.
    fn eval_scalar(&mut self, cond: &'a Cond) -> Result<Val<'a>, EvalError> {
        match cond {
            Cond::Like(inner, pattern) => {
                let value = self.eval(inner)?;
                let text = self.string(value, "the operand of `like`")?;
                Ok(Val::Bool(pattern.matches(text)))
            }
            Cond::IsIp(inner) => {
                let value = self.eval(inner)?;
                let text = self.string(value, "the operand of `isIp`")?;
                Ok(Val::Bool(scalar::parse_ip(text).is_some()))
            }
            Cond::InCidr(inner, range) => {
                let value = self.eval(inner)?;
                let text = self.string(value, "the operand of `inCidr`")?;
                match scalar::parse_ip(text) {
                    Some(address) => Ok(Val::Bool(range.contains(address))),
                    // The text is left out, because it can be a claim value.
                    None => Err(invalid_value(format!(
                        "the operand of `inCidr` is a string of {} characters that is not \
                         an IP address",
                        text.chars().count()
                    ))),
                }
            }
            Cond::Time(inner) => match self.eval(inner)? {
                Val::Int(seconds) => Ok(Val::Int(seconds)),
                Val::Str(text) => match scalar::parse_rfc3339(text) {
                    Some(seconds) => Ok(Val::Int(seconds)),
                    None => Err(invalid_value(format!(
                        "the operand of `time` is a string of {} characters that is not an \
                         RFC 3339 time such as `2026-01-01T00:00:00Z`",
                        text.chars().count()
                    ))),
                },
                other => Err(mismatch(
                    "the operand of `time`",
                    "a string or integer",
                    other,
                )),
            },
            Cond::HourOfDay(inner) => {
                let value = self.eval(inner)?;
                let time = self.integer(value, "the operand of `hourOfDay`")?;
                Ok(Val::Int(scalar::hour_of_day(time)))
            }
            Cond::DayOfWeek(inner) => {
                let value = self.eval(inner)?;
                let time = self.integer(value, "the operand of `dayOfWeek`")?;
                Ok(Val::Int(scalar::day_of_week(time)))
            }
            _ => Err(unexpected_node()),
        }
    }

    /// Spends one step of the decision's budget.
    fn step(&mut self) -> Result<(), EvalError> {
        match self.steps_left.checked_sub(1) {
            Some(left) => {
                self.steps_left = left;
                Ok(())
            }
            None => Err(EvalError {
                code: "limit_exceeded",
                message: format!(
                    "evaluation took more than the limit of {} steps (`{}`)",
                    self.max_steps,
                    LimitKind::Steps.name()
                ),
            }),
        }
    }

    /// Reads attribute `name` of an entity or record; `None` when absent.
    fn attribute(&self, target: Val<'a>, name: &str) -> Result<Option<Val<'a>>, EvalError> {
        let request = self.request;
        let found = match target {
            Val::Principal => match name {
                "id" => return Ok(Some(Val::Str(&request.principal.id))),
                "roles" => return Ok(Some(Val::Names(&request.principal.roles))),
                _ => request.principal.attributes.get(name),
            },
            Val::Resource => match name {
                "id" => return Ok(Some(Val::Str(request.resource))),
                "type" => return Ok(super::resource_type(request.resource).map(Val::Str)),
                _ => request.resource_attributes.and_then(|map| map.get(name)),
            },
            // An attribute whose value is `null` has no attributes itself.
            Val::Json(Value::Null) => None,
            Val::Json(Value::Object(map)) => map.get(name),
            other => {
                return Err(mismatch(
                    "an attribute access",
                    "an entity or record",
                    other,
                ))
            }
        };
        Ok(found.map(from_json))
    }

    fn compare(
        &mut self,
        op: Comparison,
        left: &'a Cond,
        right: &'a Cond,
    ) -> Result<Val<'a>, EvalError> {
        let (left, right) = (self.eval(left)?, self.eval(right)?);
        let result = match op {
            Comparison::Eq => self.equal(left, right)?,
            Comparison::Ne => !self.equal(left, right)?,
            _ => {
                let what = "an operand of `<`, `<=`, `>` or `>=`";
                let (left, right) = (self.integer(left, what)?, self.integer(right, what)?);
                match op {
                    Comparison::Lt => left < right,
                    Comparison::Le => left <= right,
                    Comparison::Gt => left > right,
                    _ => left >= right,
                }
            }
        };
        Ok(Val::Bool(result))
    }

    /// Equality: exact for strings, structural for lists and records, and
    /// `false` between values of different types.
    fn equal(&mut self, left: Val<'a>, right: Val<'a>) -> Result<bool, EvalError> {
        // `0.0`, `-0` and `7e0` are not integers here, so comparing them
        // with `0` or `7` would quietly be false: an error fails closed.
        for side in [left, right] {
            if let Val::Json(Value::Number(_)) = side {
                return Err(mismatch("an operand of `==`", "an integer", side));
            }
        }
        let equal = match (left, right) {
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Int(a), Val::Int(b)) => a == b,
            (Val::Str(a), Val::Str(b)) => a == b,
            (Val::Json(a), Val::Json(b)) => a == b,
            (Val::Principal, Val::Principal) | (Val::Resource, Val::Resource) => true,
            (Val::Role(a), Val::Role(b)) => a == b,
            (Val::Names(names), Val::Json(Value::Array(items)))
            | (Val::Json(Value::Array(items)), Val::Names(names)) => {
                names.len() == items.len()
                    && names
                        .iter()
                        .zip(items)
                        .all(|(name, item)| item.as_str() == Some(name.as_str()))
            }
            (Val::Names(a), Val::Names(b)) => a == b,
            _ => false,
        };
        Ok(equal)
    }

    /// `left in right`: role membership through the hierarchy, or list
    /// membership by equality.
    fn membership(&mut self, left: Val<'a>, right: Val<'a>) -> Result<bool, EvalError> {
        if let Val::Role(role) = right {
            return match left {
                Val::Principal => Ok(self.principal_roles.contains(role)),
                Val::Role(inner) => Ok(self.roles.inherits(inner, role)),
                Val::Str(name) => Ok(self
                    .roles
                    .index_of(name)
                    .is_some_and(|inner| self.roles.inherits(inner, role))),
                other => Err(mismatch(
                    "the left operand of `in` a role",
                    "the principal, a role or a role name",
                    other,
                )),
            };
        }
        let list = self.list(right, "the right operand of `in`")?;
        self.list_contains(list, left)
    }

    fn list_contains(&mut self, list: List<'a>, item: Val<'a>) -> Result<bool, EvalError> {
        match list {
            List::Json(items) => {
                for element in items {
                    self.step()?;
                    if self.equal(from_json(element), item)? {
                        return Ok(true);
                    }
                }
            }
            List::Names(names) => {
                for name in names {
                    self.step()?;
                    if self.equal(Val::Str(name), item)? {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }

    /// `containsAll` when `all`, else `containsAny`.
    fn contains_set(
        &mut self,
        left: &'a Cond,
        right: &'a Cond,
        all: bool,
    ) -> Result<Val<'a>, EvalError> {
        let operator = if all { "containsAll" } else { "containsAny" };
        let left = self.eval(left)?;
        let right = self.eval(right)?;
        let haystack = self.list(left, operator)?;
        let needles = self.list(right, operator)?;
        let needles: alloc::vec::Vec<Val<'a>> = match needles {
            List::Json(items) => items.iter().map(from_json).collect(),
            List::Names(names) => names.iter().map(|name| Val::Str(name)).collect(),
        };
        for needle in needles {
            let found = self.list_contains(haystack, needle)?;
            if found != all {
                return Ok(Val::Bool(found));
            }
        }
        Ok(Val::Bool(all))
    }

    fn list(&self, value: Val<'a>, what: &str) -> Result<List<'a>, EvalError> {
        let list = match value {
            Val::Json(Value::Array(items)) => List::Json(items),
            Val::Names(names) => List::Names(names),
            other => return Err(mismatch(what, "a list", other)),
        };
        let length = match list {
            List::Json(items) => items.len(),
            List::Names(names) => names.len(),
        };
        if length > self.max_list_length {
            return Err(EvalError {
                code: "limit_exceeded",
                message: format!(
                    "a list of {length} elements is longer than the limit of {} (`{}`)",
                    self.max_list_length,
                    LimitKind::ListLength.name()
                ),
            });
        }
        Ok(list)
    }

    fn boolean(&self, value: Val<'a>, what: &str) -> Result<bool, EvalError> {
        match value {
            Val::Bool(value) => Ok(value),
            other => Err(mismatch(what, "a boolean", other)),
        }
    }

    fn integer(&self, value: Val<'a>, what: &str) -> Result<i64, EvalError> {
        match value {
            Val::Int(value) => Ok(value),
            other => Err(mismatch(what, "an integer", other)),
        }
    }

    fn string(&self, value: Val<'a>, what: &str) -> Result<&'a str, EvalError> {
        match value {
            Val::Str(text) => Ok(text),
            other => Err(mismatch(what, "a string", other)),
        }
    }
}

/// Classifies a JSON value: integers and strings become their own kinds.
fn from_json(value: &Value) -> Val<'_> {
    match value {
        Value::Bool(value) => Val::Bool(*value),
        Value::String(text) => Val::Str(text),
        Value::Number(number) => match number.as_i64() {
            Some(value) => Val::Int(value),
            None => Val::Json(value),
        },
        other => Val::Json(other),
    }
}

/// Names the type of a value for messages, without its content, which can
/// be a claim value.
fn describe(value: Val<'_>) -> &'static str {
    match value {
        Val::Bool(_) | Val::Json(Value::Bool(_)) => "a boolean",
        Val::Int(_) => "an integer",
        Val::Str(_) | Val::Json(Value::String(_)) => "a string",
        Val::Json(Value::Array(_)) | Val::Names(_) => "a list",
        Val::Json(Value::Object(_)) => "a record",
        Val::Json(Value::Null) => "null",
        Val::Json(Value::Number(number)) if number.as_i64().is_some() => "an integer",
        Val::Json(Value::Number(_)) => "a number that is not a 64-bit integer",
        Val::Principal => "the principal",
        Val::Resource => "the resource",
        Val::Role(_) => "a role",
    }
}

fn mismatch(what: &str, expected: &str, found: Val<'_>) -> EvalError {
    EvalError {
        code: "type_mismatch",
        message: format!("{what} must be {expected}, not {}", describe(found)),
    }
}

/// The error for a node handed to the wrong helper, which `eval`'s
/// dispatch rules out.
fn unexpected_node() -> EvalError {
    EvalError {
        code: "internal",
        message: String::from("condition node reached the wrong evaluator"),
    }
}

fn invalid_value(message: String) -> EvalError {
    EvalError {
        code: "invalid_value",
        message,
    }
}

/// Names the type of a JSON value as [`describe`] does, for tests.
#[cfg(test)]
pub(crate) fn describe_json(value: &Value) -> &'static str {
    describe(Val::Json(value))
}
