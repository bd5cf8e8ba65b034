//! The nesting and entry counts of a document's JSON form, measured without
//! writing it.
//!
//! The JSON parser applies `max_json_depth` and the member limit to a JSON
//! policy while it reads. A document from the text form, or built in code,
//! gets the same limits through the JSON form it converts to, so that
//! every policy that loads has a JSON form that loads too.

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::Value;

use super::document::{ActionScope, PolicyDocument, ResourceScope};
use super::error::PolicyError;
use super::expr::Expr;
use super::limits::{LimitKind, PolicyLimits};

/// Checks that the JSON form of `document` nests at most `max_json_depth`
/// levels, the document object being level 1, and has at most the JSON
/// member limit of entries in every object and array.
///
/// # Errors
///
/// [`PolicyError::LimitExceeded`] for [`LimitKind::JsonDepth`] or
/// [`LimitKind::JsonMembers`], naming the rule when the excess is inside
/// one.
pub(crate) fn check_json_form(
    document: &PolicyDocument,
    limits: &PolicyLimits,
) -> Result<(), PolicyError> {
    let mut form = JsonForm {
        max_depth: limits.max_json_depth,
        max_members: limits.json_limits().max_members,
        rule: None,
    };

    // The document object is level 1 and its members are level 2.
    form.container(1, 5)?;
    if !document.roles.is_empty() {
        form.container(2, document.roles.len())?;
        for role in document.roles.values() {
            form.container(3, 2)?;
            if !role.inherits.is_empty() {
                form.container(4, role.inherits.len())?;
            }
        }
    }
    for lists in [&document.action_groups, &document.assignments] {
        if !lists.is_empty() {
            form.container(2, lists.len())?;
        }
        for list in lists.values() {
            form.container(3, list.len())?;
        }
    }

    form.container(2, document.rules.len())?;
    for rule in &document.rules {
        form.rule = Some(&rule.id);
        form.container(3, 8)?;
        if rule.principal.is_some() {
            form.container(4, 1)?;
        }
        match &rule.action {
            ActionScope::One(_) => {}
            ActionScope::Many(names) => form.container(4, names.len())?,
            ActionScope::Group(_) => form.container(4, 1)?,
        }
        if let ResourceScope::Type(_) = &rule.resource {
            form.container(4, 1)?;
        }
        for expr in [&rule.when, &rule.unless].into_iter().flatten() {
            form.expr(expr, 4)?;
        }
    }
    Ok(())
}

/// The limits being checked, and the rule being walked, for errors.
struct JsonForm<'a> {
    max_depth: usize,
    max_members: usize,
    rule: Option<&'a str>,
}

/// A node of the JSON form still to walk, with its level.
enum Node<'a> {
    Expr(&'a Expr),
    Value(&'a Value),
}

impl JsonForm<'_> {
    /// Checks one object or array at `level` with `entries` entries.
    fn container(&self, level: usize, entries: usize) -> Result<(), PolicyError> {
        if level > self.max_depth {
            return Err(self.exceeded(LimitKind::JsonDepth, self.max_depth));
        }
        if entries > self.max_members {
            return Err(self.exceeded(LimitKind::JsonMembers, self.max_members));
        }
        Ok(())
    }

    fn exceeded(&self, limit: LimitKind, max: usize) -> PolicyError {
        PolicyError::LimitExceeded {
            limit,
            max,
            subject: self.rule.map(String::from),
        }
    }

    /// Checks a condition whose object is at `level`, without recursion.
    ///
    /// Each operator is an object with one member. A literal's value, the
    /// operand of `!` and the operand of a one-operand function are one
    /// level below that object. The other operands are in an array, two
    /// levels below.
    fn expr(&self, expr: &Expr, level: usize) -> Result<(), PolicyError> {
        let mut pending: Vec<(Node<'_>, usize)> = alloc::vec![(Node::Expr(expr), level)];
        while let Some((node, level)) = pending.pop() {
            match node {
                Node::Value(Value::Array(items)) => {
                    self.container(level, items.len())?;
                    pending.extend(items.iter().map(|item| (Node::Value(item), level + 1)));
                }
                Node::Value(Value::Object(map)) => {
                    self.container(level, map.len())?;
                    pending.extend(map.values().map(|item| (Node::Value(item), level + 1)));
                }
                Node::Value(_) => {}
                Node::Expr(expr) => {
                    self.container(level, 1)?;
                    match expr {
                        Expr::Literal(value) => pending.push((Node::Value(value), level + 1)),
                        Expr::Var(_) | Expr::Role(_) => {}
                        Expr::Not(inner)
                        | Expr::IsIp(inner)
                        | Expr::Time(inner)
                        | Expr::HourOfDay(inner)
                        | Expr::DayOfWeek(inner) => pending.push((Node::Expr(inner), level + 1)),
                        Expr::Attr(inner, _)
                        | Expr::Has(inner, _)
                        | Expr::Like(inner, _)
                        | Expr::InCidr(inner, _) => {
                            self.container(level + 1, 2)?;
                            pending.push((Node::Expr(inner), level + 2));
                        }
                        other => {
                            let operands = other.children();
                            self.container(level + 1, operands.len())?;
                            pending.extend(
                                operands
                                    .into_iter()
                                    .map(|operand| (Node::Expr(operand), level + 2)),
                            );
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::parse_text;

    /// Returns the nesting of `value`, where a scalar is 0.
    fn depth(value: &Value) -> usize {
        match value {
            Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
            Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// Returns the deepest `max_json_depth` under which `document` passes.
    fn measured(document: &PolicyDocument) -> usize {
        (1..=127)
            .find(|&max_json_depth| {
                let limits = PolicyLimits {
                    max_json_depth,
                    ..PolicyLimits::default()
                };
                check_json_form(document, &limits).is_ok()
            })
            .unwrap()
    }

    #[test]
    fn depth_matches_the_written_json() {
        let texts = [
            "version 2;",
            "version 2; role \"a\"; permit \"p\" action any resource like \"*\";",
            "version 2; role \"a\" inherits [\"b\"]; role \"b\"; group \"g\" = [\"x\"]; \
             assign \"u\" = [\"a\"]; permit \"p\" principal in role \"a\" action in group \"g\" \
             resource is \"doc\";",
            "version 2; permit \"p\" action in [\"a\"] resource like \"*\" \
             when { context.x == [[1, {a: [2]}]] };",
            "version 2; permit \"p\" action any resource like \"*\" \
             when { !(principal.a.b has c) && isIp(context.ip) || time(context.t) > 3 } \
             unless { inCidr(context.ip, \"10.0.0.0/8\") && context.s like \"a*\" };",
            "version 2; permit \"p\" action any resource like \"*\" \
             when { containsAll(context.l, [1, 2]) && hourOfDay(context.t) in [[[]]] };",
        ];
        for text in texts {
            let document = parse_text(text, &PolicyLimits::default()).unwrap();
            let written = serde_json::to_value(&document).unwrap();
            assert_eq!(measured(&document), depth(&written), "{text}");
        }
    }

    #[test]
    fn member_count_matches_the_parser() {
        let limits = PolicyLimits {
            max_rules: 2,
            max_roles: 2,
            max_actions_per_rule: 2,
            max_list_length: 2,
            ..PolicyLimits::default()
        };
        let operands = ["context.a"; 65].join(" && ");
        let text = alloc::format!(
            "version 2; permit \"p\" action any resource like \"*\" when {{ {operands} }};"
        );
        let document = parse_text(&text, &PolicyLimits::default()).unwrap();
        let error = check_json_form(&document, &limits).unwrap_err();
        assert_eq!(
            error,
            PolicyError::LimitExceeded {
                limit: LimitKind::JsonMembers,
                max: 64,
                subject: Some(String::from("p")),
            }
        );
        let written = serde_json::to_vec(&document).unwrap();
        let from_json = super::super::Policy::from_json_with_limits(&written, &limits).unwrap_err();
        assert_eq!(from_json.code(), error.code());
    }
}
