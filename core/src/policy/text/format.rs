//! Writing a [`PolicyDocument`] in the text form, in one canonical layout.

use alloc::string::String;
use core::fmt::Write as _;

use serde_json::Value;

use super::super::document::{
    ActionScope, Effect, PolicyDocument, PrincipalScope, ResourceScope, RuleDefinition,
};
use super::super::expr::Expr;
use crate::json::is_invisible;

/// Writes the whole document. The caller has checked that every condition
/// is at most [`super::MAX_FORMAT_DEPTH`] deep, which bounds the recursion.
pub(crate) fn write_document(document: &PolicyDocument) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "version {};", document.version);

    if !document.roles.is_empty() {
        out.push('\n');
    }
    for (name, role) in &document.roles {
        out.push_str("role ");
        push_string(&mut out, name);
        if !role.inherits.is_empty() {
            out.push_str(" inherits ");
            push_string_list(&mut out, &role.inherits);
        }
        if let Some(description) = &role.description {
            out.push_str(" description ");
            push_string(&mut out, description);
        }
        out.push_str(";\n");
    }

    if !document.action_groups.is_empty() {
        out.push('\n');
    }
    for (name, actions) in &document.action_groups {
        out.push_str("group ");
        push_string(&mut out, name);
        out.push_str(" = ");
        push_string_list(&mut out, actions);
        out.push_str(";\n");
    }

    if !document.assignments.is_empty() {
        out.push('\n');
    }
    for (principal, roles) in &document.assignments {
        out.push_str("assign ");
        push_string(&mut out, principal);
        out.push_str(" = ");
        push_string_list(&mut out, roles);
        out.push_str(";\n");
    }

    for rule in &document.rules {
        out.push('\n');
        write_rule(&mut out, rule);
    }
    out
}

fn write_rule(out: &mut String, rule: &RuleDefinition) {
    out.push_str(match rule.effect {
        Effect::Permit => "permit ",
        Effect::Forbid => "forbid ",
    });
    push_string(out, &rule.id);
    if let Some(description) = &rule.description {
        out.push_str("\n  description ");
        push_string(out, description);
    }
    match &rule.principal {
        None => {}
        Some(PrincipalScope::Role(role)) => {
            out.push_str("\n  principal in role ");
            push_string(out, role);
        }
        Some(PrincipalScope::Id(id)) => {
            out.push_str("\n  principal == ");
            push_string(out, id);
        }
    }
    match &rule.action {
        ActionScope::One(name) if name == "*" => out.push_str("\n  action any"),
        ActionScope::One(name) => {
            out.push_str("\n  action == ");
            push_string(out, name);
        }
        ActionScope::Many(names) => {
            out.push_str("\n  action in ");
            push_string_list(out, names);
        }
        ActionScope::Group(group) => {
            out.push_str("\n  action in group ");
            push_string(out, group);
        }
    }
    match &rule.resource {
        ResourceScope::Pattern(pattern) => {
            out.push_str("\n  resource like ");
            push_string(out, pattern);
        }
        ResourceScope::Type(name) => {
            out.push_str("\n  resource is ");
            push_string(out, name);
        }
    }
    for (keyword, condition) in [("when", &rule.when), ("unless", &rule.unless)] {
        if let Some(expr) = condition {
            let _ = write!(out, "\n  {keyword} {{ ");
            write_expr(out, expr);
            out.push_str(" }");
        }
    }
    out.push_str(";\n");
}

/// Binding strength, from loosest to tightest, deciding where parentheses go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Or,
    And,
    Relation,
    /// `!` and its operand.
    Unary,
    /// Literals, variables, calls and attribute access.
    Postfix,
}

fn level_of(expr: &Expr) -> Level {
    match expr {
        Expr::Or(_) => Level::Or,
        Expr::And(_) => Level::And,
        Expr::Eq(..)
        | Expr::Ne(..)
        | Expr::Lt(..)
        | Expr::Le(..)
        | Expr::Gt(..)
        | Expr::Ge(..)
        | Expr::In(..)
        | Expr::Has(..)
        | Expr::Like(..) => Level::Relation,
        Expr::Not(_) => Level::Unary,
        _ => Level::Postfix,
    }
}

/// Writes `expr`, in parentheses unless it binds tighter than `context`.
fn write_operand(out: &mut String, expr: &Expr, context: Level) {
    if level_of(expr) > context {
        write_expr(out, expr);
    } else {
        out.push('(');
        write_expr(out, expr);
        out.push(')');
    }
}

fn write_expr(out: &mut String, expr: &Expr) {
    match expr {
        Expr::Literal(value) => write_literal(out, value),
        Expr::Var(var) => out.push_str(var.name()),
        Expr::Attr(inner, name) => {
            write_operand(out, inner, Level::Unary);
            if is_identifier(name) {
                out.push('.');
                out.push_str(name);
            } else {
                out.push('[');
                push_string(out, name);
                out.push(']');
            }
        }
        Expr::Has(inner, name) => {
            write_operand(out, inner, Level::Relation);
            out.push_str(" has ");
            if is_identifier(name) {
                out.push_str(name);
            } else {
                push_string(out, name);
            }
        }
        Expr::Eq(l, r) => write_binary(out, l, "==", r),
        Expr::Ne(l, r) => write_binary(out, l, "!=", r),
        Expr::Lt(l, r) => write_binary(out, l, "<", r),
        Expr::Le(l, r) => write_binary(out, l, "<=", r),
        Expr::Gt(l, r) => write_binary(out, l, ">", r),
        Expr::Ge(l, r) => write_binary(out, l, ">=", r),
        Expr::In(l, r) => write_binary(out, l, "in", r),
        Expr::And(items) => write_chain(out, items, " && ", Level::And),
        Expr::Or(items) => write_chain(out, items, " || ", Level::Or),
        Expr::Not(inner) => {
            out.push('!');
            write_operand(out, inner, Level::Relation);
        }
        Expr::Role(name) => {
            out.push_str("role ");
            push_string(out, name);
        }
        Expr::Like(inner, pattern) => {
            write_operand(out, inner, Level::Relation);
            out.push_str(" like ");
            push_string(out, pattern);
        }
        Expr::Contains(l, r) => write_call(out, "contains", &[l, r]),
        Expr::ContainsAll(l, r) => write_call(out, "containsAll", &[l, r]),
        Expr::ContainsAny(l, r) => write_call(out, "containsAny", &[l, r]),
        Expr::IsIp(inner) => write_call(out, "isIp", &[inner]),
        Expr::InCidr(inner, range) => {
            out.push_str("inCidr(");
            write_expr(out, inner);
            out.push_str(", ");
            push_string(out, range);
            out.push(')');
        }
        Expr::Time(inner) => write_call(out, "time", &[inner]),
        Expr::HourOfDay(inner) => write_call(out, "hourOfDay", &[inner]),
        Expr::DayOfWeek(inner) => write_call(out, "dayOfWeek", &[inner]),
    }
}

fn write_binary(out: &mut String, left: &Expr, operator: &str, right: &Expr) {
    write_operand(out, left, Level::Relation);
    let _ = write!(out, " {operator} ");
    write_operand(out, right, Level::Relation);
}

/// Writes `&&` or `||` operands; a nested chain of the same kind keeps its
/// parentheses, so the text parses back to the same tree.
fn write_chain(out: &mut String, items: &[Expr], separator: &str, level: Level) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        write_operand(out, item, level);
    }
}

fn write_call(out: &mut String, name: &str, arguments: &[&alloc::boxed::Box<Expr>]) {
    out.push_str(name);
    out.push('(');
    for (index, argument) in arguments.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        write_expr(out, argument);
    }
    out.push(')');
}

/// Writes a literal in JSON syntax, except that record keys that are
/// identifiers are written bare. JSON's own nesting is bounded when parsed.
fn write_literal(out: &mut String, value: &Value) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_literal(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (index, (key, item)) in map.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                if is_identifier(key) && !is_reserved(key) {
                    out.push_str(key);
                } else {
                    push_string(out, key);
                }
                out.push_str(": ");
                write_literal(out, item);
            }
            out.push('}');
        }
        Value::String(text) => push_string(out, text),
        scalar => {
            let _ = write!(out, "{scalar}");
        }
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names that read as literals, so a record key with one of them is quoted.
fn is_reserved(name: &str) -> bool {
    matches!(name, "true" | "false" | "null")
}

/// Writes `text` as a JSON string. Besides JSON's own escapes, it writes
/// every character that [`is_invisible`] selects as `\uXXXX`, or as a
/// surrogate pair above U+FFFF, so that it is visible in the formatted
/// policy. These are bidirectional controls, zero-width and other format
/// characters, line and paragraph separators, DEL and C1 controls. Error
/// messages escape the same characters.
fn push_string(out: &mut String, text: &str) {
    let quoted = alloc::format!("{}", Value::from(text));
    for c in quoted.chars() {
        if is_invisible(c) {
            let mut units = [0_u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{:04x}", unit);
            }
        } else {
            out.push(c);
        }
    }
}

fn push_string_list(out: &mut String, items: &[String]) {
    out.push('[');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        push_string(out, item);
    }
    out.push(']');
}
