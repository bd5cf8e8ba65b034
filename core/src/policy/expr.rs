//! Rule conditions as written: the JSON form of an expression.
//!
//! Each expression is a JSON object with exactly one member, whose name is
//! the operator: `{"==": [{".": [{"var": "principal"}, "department"]}, {"value": "sales"}]}`.
//! Operators with two operands take a two-element array, `!` and the
//! conversion functions take one expression, and `&&` and `||` take two or
//! more. Unknown operators and extra members are rejected when loading.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One condition expression.
///
/// Evaluation yields a boolean, an integer, a string, a list, a record, the
/// principal or resource entity, or a role. Comparing values of different
/// types with `==` is `false`; using a value of the wrong type elsewhere is
/// an evaluation error, which fails closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Expr {
    /// A literal: a string, an integer, a boolean, or a list or record of
    /// literals. `null` and numbers with a fraction are rejected at load.
    #[serde(rename = "value")]
    Literal(Value),
    /// One of the request's variables.
    #[serde(rename = "var")]
    Var(Var),
    /// An attribute of an entity or a record: `{".": [expr, "name"]}`.
    #[serde(rename = ".")]
    Attr(Box<Expr>, String),
    /// Whether an entity or record has an attribute: `{"has": [expr, "name"]}`.
    #[serde(rename = "has")]
    Has(Box<Expr>, String),
    /// Equality of any two values, exact for strings.
    #[serde(rename = "==")]
    Eq(Box<Expr>, Box<Expr>),
    /// Inequality, the negation of `==`.
    #[serde(rename = "!=")]
    Ne(Box<Expr>, Box<Expr>),
    /// Integer less-than.
    #[serde(rename = "<")]
    Lt(Box<Expr>, Box<Expr>),
    /// Integer less-than-or-equal.
    #[serde(rename = "<=")]
    Le(Box<Expr>, Box<Expr>),
    /// Integer greater-than.
    #[serde(rename = ">")]
    Gt(Box<Expr>, Box<Expr>),
    /// Integer greater-than-or-equal.
    #[serde(rename = ">=")]
    Ge(Box<Expr>, Box<Expr>),
    /// Conjunction of two or more booleans, evaluated left to right and
    /// stopping at the first `false`.
    #[serde(rename = "&&")]
    And(Vec<Expr>),
    /// Disjunction of two or more booleans, evaluated left to right and
    /// stopping at the first `true`.
    #[serde(rename = "||")]
    Or(Vec<Expr>),
    /// Boolean negation.
    #[serde(rename = "!")]
    Not(Box<Expr>),
    /// Membership: a value in a list, or the principal (or a role) in a role
    /// through the hierarchy.
    #[serde(rename = "in")]
    In(Box<Expr>, Box<Expr>),
    /// A declared role, the right operand of `in`.
    #[serde(rename = "role")]
    Role(String),
    /// Whether a list contains a value: `{"contains": [list, value]}`.
    #[serde(rename = "contains")]
    Contains(Box<Expr>, Box<Expr>),
    /// Whether a list contains every element of another list.
    #[serde(rename = "containsAll")]
    ContainsAll(Box<Expr>, Box<Expr>),
    /// Whether a list contains at least one element of another list.
    #[serde(rename = "containsAny")]
    ContainsAny(Box<Expr>, Box<Expr>),
    /// Whether a string matches an anchored glob, with the same syntax as
    /// resource patterns: `{"like": [expr, "pattern"]}`.
    #[serde(rename = "like")]
    Like(Box<Expr>, String),
    /// Whether a string is a valid IPv4 or IPv6 address.
    #[serde(rename = "isIp")]
    IsIp(Box<Expr>),
    /// Whether a string holding an IP address is inside a CIDR range, such
    /// as `10.0.0.0/8` or `2001:db8::/32`: `{"inCidr": [expr, "range"]}`.
    /// IPv4-mapped IPv6 addresses and ranges (`::ffff:10.0.0.1`,
    /// `::ffff:10.0.0.0/104`) are read as the IPv4 ones they map.
    #[serde(rename = "inCidr")]
    InCidr(Box<Expr>, String),
    /// A time as Unix seconds: an integer passes through, and an RFC 3339
    /// string such as `2026-01-01T00:00:00Z` is converted.
    #[serde(rename = "time")]
    Time(Box<Expr>),
    /// The hour of the day, 0 to 23 in UTC, of a time in Unix seconds.
    #[serde(rename = "hourOfDay")]
    HourOfDay(Box<Expr>),
    /// The day of the week, 0 for Monday to 6 for Sunday in UTC, of a time
    /// in Unix seconds.
    #[serde(rename = "dayOfWeek")]
    DayOfWeek(Box<Expr>),
}

/// The variables of a request that an expression can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Var {
    /// The principal entity. Its attribute `id` is the principal's id,
    /// `roles` its role names as given, and every other name reads
    /// [`Principal::attributes`](super::Principal::attributes).
    Principal,
    /// The action name, a string.
    Action,
    /// The resource entity. Its attribute `id` is the resource string,
    /// `type` the part before the first `:`, and every other name reads
    /// [`Request::resource_attributes`](super::Request::resource_attributes).
    Resource,
    /// The request context, a record.
    Context,
}

impl Var {
    /// Returns the variable's name as written in both forms.
    pub fn name(self) -> &'static str {
        match self {
            Self::Principal => "principal",
            Self::Action => "action",
            Self::Resource => "resource",
            Self::Context => "context",
        }
    }
}

impl Expr {
    /// Returns the sub-expressions of this expression, left to right.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Self::Literal(_) | Self::Var(_) | Self::Role(_) => Vec::new(),
            Self::Attr(inner, _)
            | Self::Has(inner, _)
            | Self::Not(inner)
            | Self::Like(inner, _)
            | Self::IsIp(inner)
            | Self::InCidr(inner, _)
            | Self::Time(inner)
            | Self::HourOfDay(inner)
            | Self::DayOfWeek(inner) => alloc::vec![inner.as_ref()],
            Self::Eq(left, right)
            | Self::Ne(left, right)
            | Self::Lt(left, right)
            | Self::Le(left, right)
            | Self::Gt(left, right)
            | Self::Ge(left, right)
            | Self::In(left, right)
            | Self::Contains(left, right)
            | Self::ContainsAll(left, right)
            | Self::ContainsAny(left, right) => alloc::vec![left.as_ref(), right.as_ref()],
            Self::And(items) | Self::Or(items) => items.iter().collect(),
        }
    }

    /// Returns the nesting depth, where a literal or variable is depth 1,
    /// without recursion, so any parsed expression can be measured.
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut pending: Vec<(&Expr, usize)> = alloc::vec![(self, 1)];
        while let Some((expr, depth)) = pending.pop() {
            deepest = deepest.max(depth);
            for child in expr.children() {
                pending.push((child, depth.saturating_add(1)));
            }
        }
        deepest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;

    #[test]
    fn equality_reads_as_one_member_object() {
        let text = r#"{"==":[{".":[{"var":"principal"},"dept"]},{"value":"sales"}]}"#;
        let expr: Expr = serde_json::from_str(text).unwrap();
        let expected = Expr::Eq(
            Box::new(Expr::Attr(
                Box::new(Expr::Var(Var::Principal)),
                "dept".into(),
            )),
            Box::new(Expr::Literal(Value::from("sales"))),
        );
        assert_eq!(expr, expected);
        assert_eq!(serde_json::to_string(&expr).unwrap(), text);
    }

    #[test]
    fn unknown_operator_rejected() {
        assert!(serde_json::from_str::<Expr>(r#"{"regex":[{"var":"action"},"x"]}"#).is_err());
        assert!(serde_json::from_str::<Expr>(r#"{"var":"principal","value":1}"#).is_err());
        assert!(serde_json::from_str::<Expr>(r#"{"var":"subject"}"#).is_err());
    }

    #[test]
    fn depth_counts_levels() {
        let leaf = Expr::Var(Var::Context);
        assert_eq!(leaf.depth(), 1);
        let not = Expr::Not(Box::new(Expr::Not(Box::new(leaf))));
        assert_eq!(not.depth(), 3);
    }
}
