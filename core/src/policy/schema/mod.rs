//! An optional schema for policies: the principal's attributes, resource
//! types with theirs, the context's attributes and the actions, and a
//! checker that validates a policy document against it.
//!
//! ```json
//! {
//!   "principal": { "department": "string", "level": "integer",
//!                  "tags": { "list": "string" } },
//!   "resources": { "document": { "owner": "string", "locked": "boolean" } },
//!   "context": { "ip": "string", "now": "integer", "geo": { "record": { "country": "string" } } },
//!   "actions": { "read": { "resources": ["document"] }, "delete": {} }
//! }
//! ```
//!
//! A type is `"string"`, `"integer"`, `"boolean"`, `{"list": T}` or
//! `{"record": {NAME: T, ...}}`. Every declared attribute may be absent in a
//! request, and reading an absent one is an evaluation error that fails
//! closed, so guard optional ones with `has`.
//!
//! NOTE: principals have one declared shape, because requests carry no
//! principal type; resource types come from the resource's prefix.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::document::{ActionScope, PolicyDocument, ResourceScope, RuleDefinition};
use super::error::PolicyError;
use super::expr::{Expr, Var};
use crate::json::{self, JsonError, JsonLimits, Printable};

/// Deepest nesting of a schema's JSON, the schema object being level 1.
/// Each nested `list` type adds one level and each `record` type two.
pub const MAX_SCHEMA_DEPTH: usize = 32;

/// Maximum entries in any one object or array of a schema's JSON.
pub const MAX_SCHEMA_MEMBERS: usize = 10_000;

/// A policy schema. Every part is optional; an absent part is not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// Attributes of principals by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<BTreeMap<String, AttributeType>>,
    /// Resource types by name, each with its attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<BTreeMap<String, BTreeMap<String, AttributeType>>>,
    /// Attributes of the request context by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<BTreeMap<String, AttributeType>>,
    /// Actions by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<BTreeMap<String, ActionDeclaration>>,
}

/// One declared action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDeclaration {
    /// Resource types the action applies to; absent means every type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<String>>,
}

/// The type of an attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeType {
    /// A string.
    String,
    /// A 64-bit integer.
    Integer,
    /// A boolean.
    Boolean,
    /// A list whose elements all have this type.
    List(alloc::boxed::Box<AttributeType>),
    /// A record with these attributes.
    Record(BTreeMap<String, AttributeType>),
}

/// One finding of schema validation or of the linter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diagnostic {
    /// Stable snake_case code, such as `unknown_attribute`.
    pub code: String,
    /// `error` for schema violations, `warning` for lint findings.
    pub severity: Severity,
    /// Id of the rule concerned, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Lowercase message for people.
    pub message: String,
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The policy contradicts its schema.
    Error,
    /// The policy is valid but probably not what was meant.
    Warning,
}

/// The type the checker infers for an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ty {
    Bool,
    Int,
    Str,
    List(alloc::boxed::Box<Ty>),
    Record(Option<BTreeMap<String, AttributeType>>),
    Principal,
    /// The resource, with the type the rule's scope fixes, if any.
    Resource(Option<String>),
    Role,
    /// Not known statically, so not checked.
    Unknown,
}

impl Schema {
    /// Parses a schema from JSON text, strictly: duplicate members and
    /// unknown fields are errors. The JSON may nest at most
    /// [`MAX_SCHEMA_DEPTH`] levels, with at most [`MAX_SCHEMA_MEMBERS`]
    /// entries in any one object or array. Neither limit can be changed.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidSchema`] naming the problem.
    pub fn from_json(bytes: &[u8]) -> Result<Schema, PolicyError> {
        let limits = JsonLimits {
            max_depth: MAX_SCHEMA_DEPTH,
            max_members: MAX_SCHEMA_MEMBERS,
        };
        let value = json::parse_value(bytes, &limits).map_err(|error| {
            let reason = match error {
                JsonError::TooDeep { max } => format!(
                    "schema JSON is nested deeper than the limit of {max} levels, which cannot \
                     be raised; declare fewer levels of `list` and `record` types"
                ),
                JsonError::TooManyMembers { max } => format!(
                    "an object or array in the schema has more entries than the limit of \
                     {max}, which cannot be raised"
                ),
                JsonError::DuplicateMember { name } => format!(
                    "schema JSON repeats the member name `{}` in one object; remove one of them",
                    Printable(&name)
                ),
                other => format!("schema is not valid JSON: {other}"),
            };
            PolicyError::InvalidSchema { reason }
        })?;
        json::from_value(&value).map_err(|error| PolicyError::InvalidSchema {
            reason: super::error::escaped_message(&error),
        })
    }

    /// Checks `document` against the schema and returns every violation:
    /// undeclared actions and resource types, rules that can never match,
    /// unknown attributes, and type errors in conditions. An empty result
    /// means the document conforms.
    pub fn validate(&self, document: &PolicyDocument) -> Vec<Diagnostic> {
        let mut checker = Checker {
            schema: self,
            rule: "",
            found: Vec::new(),
        };
        for rule in &document.rules {
            checker.rule = &rule.id;
            checker.check_rule(rule, document);
        }
        checker.found
    }
}

struct Checker<'a> {
    schema: &'a Schema,
    rule: &'a str,
    found: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    fn report(&mut self, code: &str, message: String) {
        self.found.push(Diagnostic {
            code: String::from(code),
            severity: Severity::Error,
            rule: Some(String::from(self.rule)),
            message,
        });
    }

    fn check_rule(&mut self, rule: &'a RuleDefinition, document: &PolicyDocument) {
        let resource_type = match &rule.resource {
            ResourceScope::Type(name) => Some(name.clone()),
            ResourceScope::Pattern(pattern) => fixed_type(pattern),
        };
        if let (Some(name), Some(types)) = (&resource_type, &self.schema.resources) {
            if !types.contains_key(name) {
                self.report(
                    "unknown_resource_type",
                    format!(
                        "resource type `{}` is not declared in the schema",
                        Printable(name)
                    ),
                );
            }
        }

        let actions: Vec<&String> = match &rule.action {
            ActionScope::Group(group) => document
                .action_groups
                .get(group)
                .into_iter()
                .flatten()
                .collect(),
            other => other.names().iter().collect(),
        };
        if let Some(declared) = &self.schema.actions {
            let mut reachable = actions.iter().any(|name| *name == "*");
            for name in actions.iter().filter(|name| **name != "*") {
                match declared.get(*name) {
                    None => self.report(
                        "unknown_action",
                        format!("action `{}` is not declared in the schema", Printable(name)),
                    ),
                    Some(declaration) => {
                        let allowed = match (&declaration.resources, &resource_type) {
                            (Some(types), Some(rule_type)) => types.contains(rule_type),
                            _ => true,
                        };
                        reachable |= allowed;
                    }
                }
            }
            if !reachable && actions.iter().all(|name| declared.contains_key(*name)) {
                self.report(
                    "unreachable_rule",
                    format!(
                        "no action of the rule applies to resource type `{}`, so the rule can never match",
                        Printable(resource_type.as_deref().unwrap_or(""))
                    ),
                );
            }
        }

        for expr in [&rule.when, &rule.unless].into_iter().flatten() {
            let ty = self.infer(expr, &resource_type);
            self.expect(&ty, &Ty::Bool, "a condition");
        }
    }

    /// Infers the type of `expr`. The depth of conditions in a loaded
    /// document is bounded by `max_expression_depth`, which bounds this
    /// recursion.
    fn infer(&mut self, expr: &Expr, resource_type: &Option<String>) -> Ty {
        match expr {
            Expr::Literal(value) => literal_type(value),
            Expr::Var(Var::Principal) => Ty::Principal,
            Expr::Var(Var::Resource) => Ty::Resource(resource_type.clone()),
            Expr::Var(Var::Action) => Ty::Str,
            Expr::Var(Var::Context) => Ty::Record(self.schema.context.clone()),
            Expr::Attr(inner, name) => {
                let target = self.infer(inner, resource_type);
                self.attribute(&target, name)
            }
            Expr::Has(inner, name) => {
                let target = self.infer(inner, resource_type);
                self.attribute(&target, name);
                Ty::Bool
            }
            Expr::Eq(l, r) | Expr::Ne(l, r) => {
                let (left, right) = (self.infer(l, resource_type), self.infer(r, resource_type));
                if left != Ty::Unknown && right != Ty::Unknown && !same_kind(&left, &right) {
                    self.report(
                        "type_error",
                        format!(
                            "`==` compares {} with {}, which is never equal",
                            name_of(&left),
                            name_of(&right)
                        ),
                    );
                }
                Ty::Bool
            }
            Expr::Lt(l, r) | Expr::Le(l, r) | Expr::Gt(l, r) | Expr::Ge(l, r) => {
                for side in [l, r] {
                    let ty = self.infer(side, resource_type);
                    self.expect(&ty, &Ty::Int, "an operand of `<`, `<=`, `>` or `>=`");
                }
                Ty::Bool
            }
            Expr::And(items) | Expr::Or(items) => {
                for item in items {
                    let ty = self.infer(item, resource_type);
                    self.expect(&ty, &Ty::Bool, "an operand of `&&` or `||`");
                }
                Ty::Bool
            }
            Expr::Not(inner) => {
                let ty = self.infer(inner, resource_type);
                self.expect(&ty, &Ty::Bool, "the operand of `!`");
                Ty::Bool
            }
            Expr::In(l, r) => {
                let (left, right) = (self.infer(l, resource_type), self.infer(r, resource_type));
                match right {
                    Ty::Role => {
                        if !matches!(left, Ty::Principal | Ty::Role | Ty::Str | Ty::Unknown) {
                            self.report(
                                "type_error",
                                format!("{} cannot be in a role", name_of(&left)),
                            );
                        }
                    }
                    Ty::List(_) | Ty::Unknown => {}
                    other => self.report(
                        "type_error",
                        format!(
                            "the right operand of `in` must be a list or a role, not {}",
                            name_of(&other)
                        ),
                    ),
                }
                Ty::Bool
            }
            Expr::Role(_) => Ty::Role,
            Expr::Contains(l, r) => {
                let list = self.infer(l, resource_type);
                self.infer(r, resource_type);
                self.expect_list(&list, "the first operand of `contains`");
                Ty::Bool
            }
            Expr::ContainsAll(l, r) | Expr::ContainsAny(l, r) => {
                for side in [l, r] {
                    let ty = self.infer(side, resource_type);
                    self.expect_list(&ty, "an operand of `containsAll` or `containsAny`");
                }
                Ty::Bool
            }
            Expr::Like(inner, _) | Expr::IsIp(inner) | Expr::InCidr(inner, _) => {
                let ty = self.infer(inner, resource_type);
                self.expect(&ty, &Ty::Str, "the operand of `like`, `isIp` or `inCidr`");
                Ty::Bool
            }
            Expr::Time(inner) => {
                let ty = self.infer(inner, resource_type);
                if !matches!(ty, Ty::Str | Ty::Int | Ty::Unknown) {
                    self.report(
                        "type_error",
                        format!("`time` needs a string or integer, not {}", name_of(&ty)),
                    );
                }
                Ty::Int
            }
            Expr::HourOfDay(inner) | Expr::DayOfWeek(inner) => {
                let ty = self.infer(inner, resource_type);
                self.expect(&ty, &Ty::Int, "the operand of `hourOfDay` or `dayOfWeek`");
                Ty::Int
            }
        }
    }

    fn attribute(&mut self, target: &Ty, name: &str) -> Ty {
        let attributes = match target {
            Ty::Principal => match name {
                "id" => return Ty::Str,
                "roles" => return Ty::List(alloc::boxed::Box::new(Ty::Str)),
                _ => self
                    .schema
                    .principal
                    .as_ref()
                    .map(|map| (map, "the principal")),
            },
            Ty::Resource(resource_type) => match name {
                "id" | "type" => return Ty::Str,
                _ => match (&self.schema.resources, resource_type) {
                    (Some(types), Some(rule_type)) => {
                        types.get(rule_type).map(|map| (map, "the resource type"))
                    }
                    // Without a fixed type, any declared type may have it.
                    (Some(types), None) => {
                        let found = types.values().find_map(|map| map.get(name));
                        if found.is_none() {
                            self.report(
                                "unknown_attribute",
                                format!(
                                    "no resource type in the schema has attribute `{}`",
                                    Printable(name)
                                ),
                            );
                        }
                        return found.map_or(Ty::Unknown, to_ty);
                    }
                    _ => None,
                },
            },
            Ty::Record(Some(map)) => Some((map, "the record")),
            Ty::Record(None) | Ty::Unknown => None,
            other => {
                self.report(
                    "type_error",
                    format!("{} has no attributes", name_of(other)),
                );
                return Ty::Unknown;
            }
        };
        let Some((map, owner)) = attributes else {
            return Ty::Unknown;
        };
        match map.get(name) {
            Some(declared) => to_ty(declared),
            None => {
                self.report(
                    "unknown_attribute",
                    format!(
                        "{owner} has no attribute `{}` in the schema",
                        Printable(name)
                    ),
                );
                Ty::Unknown
            }
        }
    }

    fn expect(&mut self, found: &Ty, expected: &Ty, what: &str) {
        if *found != Ty::Unknown && found != expected {
            self.report(
                "type_error",
                format!(
                    "{what} must be {}, not {}",
                    name_of(expected),
                    name_of(found)
                ),
            );
        }
    }

    fn expect_list(&mut self, found: &Ty, what: &str) {
        if !matches!(found, Ty::List(_) | Ty::Unknown) {
            self.report(
                "type_error",
                format!("{what} must be a list, not {}", name_of(found)),
            );
        }
    }
}

/// The resource type a pattern fixes: the text before `:` in its literal
/// prefix, when that prefix contains `:` and has no escape.
fn fixed_type(pattern: &str) -> Option<String> {
    let prefix: &str = pattern.split(['*', '\\']).next().unwrap_or("");
    prefix.split_once(':').map(|(name, _)| String::from(name))
}

fn to_ty(declared: &AttributeType) -> Ty {
    match declared {
        AttributeType::String => Ty::Str,
        AttributeType::Integer => Ty::Int,
        AttributeType::Boolean => Ty::Bool,
        AttributeType::List(element) => Ty::List(alloc::boxed::Box::new(to_ty(element))),
        AttributeType::Record(map) => Ty::Record(Some(map.clone())),
    }
}

fn literal_type(value: &serde_json::Value) -> Ty {
    match value {
        serde_json::Value::Bool(_) => Ty::Bool,
        serde_json::Value::Number(_) => Ty::Int,
        serde_json::Value::String(_) => Ty::Str,
        serde_json::Value::Array(_) => Ty::List(alloc::boxed::Box::new(Ty::Unknown)),
        serde_json::Value::Object(_) => Ty::Record(None),
        serde_json::Value::Null => Ty::Unknown,
    }
}

/// Whether two known types can hold equal values.
fn same_kind(left: &Ty, right: &Ty) -> bool {
    match (left, right) {
        (Ty::List(_), Ty::List(_)) | (Ty::Record(_), Ty::Record(_)) => true,
        (Ty::Resource(_), Ty::Resource(_)) => true,
        _ => core::mem::discriminant(left) == core::mem::discriminant(right),
    }
}

fn name_of(ty: &Ty) -> &'static str {
    match ty {
        Ty::Bool => "a boolean",
        Ty::Int => "an integer",
        Ty::Str => "a string",
        Ty::List(_) => "a list",
        Ty::Record(_) => "a record",
        Ty::Principal => "the principal",
        Ty::Resource(_) => "the resource",
        Ty::Role => "a role",
        Ty::Unknown => "a value of unknown type",
    }
}

#[cfg(test)]
mod tests;
