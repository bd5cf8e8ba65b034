//! Recursive-descent parser of the policy text form into a
//! [`PolicyDocument`]. Every recursive call counts against a frame budget
//! derived from `max_expression_depth`, and going past it is an error, so
//! hostile text cannot overflow the stack. The exact depth of each
//! condition is checked when the document is compiled.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Map, Value};

use super::super::document::{
    ActionScope, Effect, PolicyDocument, PrincipalScope, ResourceScope, RoleDefinition,
    RuleDefinition,
};
use super::super::error::PolicyError;
use super::super::expr::{Expr, Var};
use super::super::limits::{LimitKind, PolicyLimits, MAX_SUPPORTED_EXPRESSION_DEPTH};
use super::lexer::{syntax, tokenize, Spanned, Token};

/// Parses the text form of a whole document.
pub(crate) fn parse_document(
    text: &str,
    limits: &PolicyLimits,
) -> Result<PolicyDocument, PolicyError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        position: 0,
        limits,
        rule: String::new(),
        frames: 0,
    };
    parser.document()
}

struct Parser<'a> {
    tokens: Vec<Spanned>,
    position: usize,
    limits: &'a PolicyLimits,
    /// Id of the rule being parsed, for limit errors.
    rule: String,
    /// Nested calls of the expression parser in progress.
    frames: usize,
}

/// Parser frames allowed per level of `max_expression_depth`: one level of
/// canonical text passes through at most `expr`, `unary` and the
/// parentheses around it.
const FRAMES_PER_LEVEL: usize = 4;

/// The functions callable by name, with their operand counts.
const FUNCTIONS: [(&str, usize); 8] = [
    ("contains", 2),
    ("containsAll", 2),
    ("containsAny", 2),
    ("isIp", 1),
    ("inCidr", 2),
    ("time", 1),
    ("hourOfDay", 1),
    ("dayOfWeek", 1),
];

impl Parser<'_> {
    fn document(&mut self) -> Result<PolicyDocument, PolicyError> {
        self.keyword("version")?;
        let version = match self.next() {
            Token::Number { value, .. } if value.as_u64().is_some() => value.as_u64().unwrap_or(0),
            _ => return Err(self.error_before("expected a version number such as `2`")),
        };
        self.symbol(";")?;

        let mut document = PolicyDocument {
            version,
            ..PolicyDocument::default()
        };
        loop {
            let keyword = match self.peek() {
                Token::End => return Ok(document),
                Token::Ident(name) => name.clone(),
                _ => {
                    return Err(
                        self.error_here("expected `role`, `group`, `assign`, `permit` or `forbid`")
                    )
                }
            };
            self.position += 1;
            match keyword.as_str() {
                "role" => {
                    let at = self.position;
                    let name = self.string()?;
                    let mut role = RoleDefinition::default();
                    if self.take_keyword("inherits") {
                        role.inherits = self.string_list()?;
                    }
                    if self.take_keyword("description") {
                        role.description = Some(self.string()?);
                    }
                    self.symbol(";")?;
                    if document.roles.contains_key(&name) {
                        return Err(self.duplicate(at, "role", &name));
                    }
                    document.roles.insert(name, role);
                }
                "group" => {
                    let at = self.position;
                    let name = self.string()?;
                    self.symbol("=")?;
                    let actions = self.string_list()?;
                    self.symbol(";")?;
                    if document.action_groups.contains_key(&name) {
                        return Err(self.duplicate(at, "action group", &name));
                    }
                    document.action_groups.insert(name, actions);
                }
                "assign" => {
                    let at = self.position;
                    let principal = self.string()?;
                    self.symbol("=")?;
                    let roles = self.string_list()?;
                    self.symbol(";")?;
                    if document.assignments.contains_key(&principal) {
                        return Err(self.duplicate(at, "assignment for principal", &principal));
                    }
                    document.assignments.insert(principal, roles);
                }
                "permit" => document.rules.push(self.rule(Effect::Permit)?),
                "forbid" => document.rules.push(self.rule(Effect::Forbid)?),
                _ => {
                    self.position -= 1;
                    return Err(
                        self.error_here("expected `role`, `group`, `assign`, `permit` or `forbid`")
                    );
                }
            }
        }
    }

    fn rule(&mut self, effect: Effect) -> Result<RuleDefinition, PolicyError> {
        let id = self.string()?;
        self.rule = id.clone();
        let description = if self.take_keyword("description") {
            Some(self.string()?)
        } else {
            None
        };

        let principal = if self.take_keyword("principal") {
            if self.take_symbol("==") {
                Some(PrincipalScope::Id(self.string()?))
            } else {
                self.keyword("in")?;
                self.keyword("role")?;
                Some(PrincipalScope::Role(self.string()?))
            }
        } else {
            None
        };

        self.keyword("action")?;
        let action = if self.take_symbol("==") {
            ActionScope::One(self.string()?)
        } else if self.take_keyword("in") {
            if self.take_keyword("group") {
                ActionScope::Group(self.string()?)
            } else {
                ActionScope::Many(self.string_list()?)
            }
        } else if self.take_keyword("any") {
            ActionScope::One(String::from("*"))
        } else {
            return Err(self.error_here("expected `==`, `in` or `any` after `action`"));
        };

        self.keyword("resource")?;
        let resource = if self.take_keyword("like") {
            ResourceScope::Pattern(self.string()?)
        } else if self.take_keyword("is") {
            ResourceScope::Type(self.string()?)
        } else {
            return Err(self.error_here("expected `like` or `is` after `resource`"));
        };

        let when = self.condition("when")?;
        let unless = self.condition("unless")?;
        self.symbol(";")?;
        Ok(RuleDefinition {
            id,
            effect,
            principal,
            action,
            resource,
            when,
            unless,
            description,
        })
    }

    fn condition(&mut self, keyword: &str) -> Result<Option<Expr>, PolicyError> {
        if !self.take_keyword(keyword) {
            return Ok(None);
        }
        self.symbol("{")?;
        let expr = self.expr()?;
        self.symbol("}")?;
        Ok(Some(expr))
    }

    /// Runs `parse` one frame deeper. Text written by the formatter needs
    /// at most [`FRAMES_PER_LEVEL`] frames per level of a condition, so the
    /// budget admits every condition within `max_expression_depth`.
    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, PolicyError>,
    ) -> Result<T, PolicyError> {
        let max_depth = self
            .limits
            .max_expression_depth
            .min(MAX_SUPPORTED_EXPRESSION_DEPTH);
        if self.frames >= max_depth.saturating_mul(FRAMES_PER_LEVEL) {
            return Err(self.too_deep());
        }
        self.frames += 1;
        let result = parse(self);
        self.frames -= 1;
        result
    }

    fn too_deep(&self) -> PolicyError {
        PolicyError::LimitExceeded {
            limit: LimitKind::ExpressionDepth,
            max: self.limits.max_expression_depth,
            subject: Some(self.rule.clone()),
        }
    }

    fn expr(&mut self) -> Result<Expr, PolicyError> {
        self.nested(Self::or_chain)
    }

    fn or_chain(&mut self) -> Result<Expr, PolicyError> {
        let first = self.and()?;
        if !self.at_symbol("||") {
            return Ok(first);
        }
        let mut items = alloc::vec![first];
        while self.take_symbol("||") {
            items.push(self.and()?);
        }
        Ok(Expr::Or(items))
    }

    fn and(&mut self) -> Result<Expr, PolicyError> {
        let first = self.relation()?;
        if !self.at_symbol("&&") {
            return Ok(first);
        }
        let mut items = alloc::vec![first];
        while self.take_symbol("&&") {
            items.push(self.relation()?);
        }
        Ok(Expr::And(items))
    }

    fn relation(&mut self) -> Result<Expr, PolicyError> {
        let left = self.unary()?;
        let boxed = Box::new(left);
        let expr = if self.take_symbol("==") {
            Expr::Eq(boxed, Box::new(self.unary()?))
        } else if self.take_symbol("!=") {
            Expr::Ne(boxed, Box::new(self.unary()?))
        } else if self.take_symbol("<=") {
            Expr::Le(boxed, Box::new(self.unary()?))
        } else if self.take_symbol(">=") {
            Expr::Ge(boxed, Box::new(self.unary()?))
        } else if self.take_symbol("<") {
            Expr::Lt(boxed, Box::new(self.unary()?))
        } else if self.take_symbol(">") {
            Expr::Gt(boxed, Box::new(self.unary()?))
        } else if self.take_keyword("in") {
            Expr::In(boxed, Box::new(self.unary()?))
        } else if self.take_keyword("has") {
            Expr::Has(boxed, self.attribute_name()?)
        } else if self.take_keyword("like") {
            Expr::Like(boxed, self.string()?)
        } else {
            *boxed
        };
        Ok(expr)
    }

    fn unary(&mut self) -> Result<Expr, PolicyError> {
        self.nested(Self::unary_inner)
    }

    fn unary_inner(&mut self) -> Result<Expr, PolicyError> {
        if self.take_symbol("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        // An attribute chain nests without recursion, so it is counted
        // here: a very long one would otherwise be dropped recursively.
        let mut expr = self.primary()?;
        let mut level = 1;
        loop {
            let name = if self.take_symbol(".") {
                match self.next() {
                    Token::Ident(name) => name,
                    _ => return Err(self.error_before("expected an attribute name after `.`")),
                }
            } else if self.at_symbol("[") && matches!(self.peek_at(1), Token::Str(_)) {
                self.position += 1;
                let name = self.string()?;
                self.symbol("]")?;
                name
            } else {
                return Ok(expr);
            };
            level += 1;
            if level
                > self
                    .limits
                    .max_expression_depth
                    .min(MAX_SUPPORTED_EXPRESSION_DEPTH)
            {
                return Err(self.too_deep());
            }
            expr = Expr::Attr(Box::new(expr), name);
        }
    }

    fn primary(&mut self) -> Result<Expr, PolicyError> {
        if self.take_symbol("(") {
            let expr = self.expr()?;
            self.symbol(")")?;
            return Ok(expr);
        }
        if self.at_symbol("[") || self.at_symbol("{") {
            return Ok(Expr::Literal(self.literal(1)?));
        }
        match self.peek().clone() {
            Token::Str(_) | Token::Number { .. } => Ok(Expr::Literal(self.literal(1)?)),
            Token::Ident(name) => {
                self.position += 1;
                self.named(&name)
            }
            _ => Err(self.error_here("expected an expression")),
        }
    }

    /// A keyword, variable or function call that starts with `name`.
    fn named(&mut self, name: &str) -> Result<Expr, PolicyError> {
        let expr = match name {
            "true" => Expr::Literal(Value::Bool(true)),
            "false" => Expr::Literal(Value::Bool(false)),
            "null" => Expr::Literal(Value::Null),
            "principal" => Expr::Var(Var::Principal),
            "action" => Expr::Var(Var::Action),
            "resource" => Expr::Var(Var::Resource),
            "context" => Expr::Var(Var::Context),
            "role" => Expr::Role(self.string()?),
            _ => {
                let Some(&(_, count)) = FUNCTIONS.iter().find(|(known, _)| *known == name) else {
                    self.position -= 1;
                    return Err(self
                        .error_here("unknown name; expected a variable, a literal or a function"));
                };
                self.symbol("(")?;
                let first = Box::new(self.expr()?);
                if count == 1 {
                    self.symbol(")")?;
                    return Ok(match name {
                        "isIp" => Expr::IsIp(first),
                        "time" => Expr::Time(first),
                        "hourOfDay" => Expr::HourOfDay(first),
                        _ => Expr::DayOfWeek(first),
                    });
                }
                self.symbol(",")?;
                if name == "inCidr" {
                    let range = self.string()?;
                    self.symbol(")")?;
                    return Ok(Expr::InCidr(first, range));
                }
                let second = Box::new(self.expr()?);
                self.symbol(")")?;
                match name {
                    "contains" => Expr::Contains(first, second),
                    "containsAll" => Expr::ContainsAll(first, second),
                    _ => Expr::ContainsAny(first, second),
                }
            }
        };
        Ok(expr)
    }

    /// Parses a literal value: string, number, boolean, `null`, list or
    /// record. `depth` is the literal's own nesting, bounded here to bound
    /// the recursion. The nesting of the literal in the JSON form, with the
    /// levels of the document around it, is checked once the whole document
    /// is read.
    fn literal(&mut self, depth: usize) -> Result<Value, PolicyError> {
        if depth
            > self
                .limits
                .max_json_depth
                .min(crate::json::MAX_SUPPORTED_DEPTH)
        {
            return Err(PolicyError::LimitExceeded {
                limit: LimitKind::JsonDepth,
                max: self.limits.max_json_depth,
                subject: Some(self.rule.clone()),
            });
        }
        match self.next() {
            Token::Str(text) => Ok(Value::String(text)),
            Token::Number { value, .. } => Ok(Value::Number(value)),
            Token::Ident(name) if name == "true" => Ok(Value::Bool(true)),
            Token::Ident(name) if name == "false" => Ok(Value::Bool(false)),
            Token::Ident(name) if name == "null" => Ok(Value::Null),
            Token::Symbol("[") => {
                let mut items = Vec::new();
                while !self.take_symbol("]") {
                    if !items.is_empty() {
                        self.symbol(",")?;
                    }
                    items.push(self.literal(depth + 1)?);
                }
                Ok(Value::Array(items))
            }
            Token::Symbol("{") => {
                let mut map = Map::new();
                while !self.take_symbol("}") {
                    if !map.is_empty() {
                        self.symbol(",")?;
                    }
                    let key = match self.next() {
                        Token::Ident(key) | Token::Str(key) => key,
                        _ => return Err(self.error_before("expected a record key")),
                    };
                    self.symbol(":")?;
                    if map.contains_key(&key) {
                        return Err(self.error_before("record repeats a key"));
                    }
                    let value = self.literal(depth + 1)?;
                    map.insert(key, value);
                }
                Ok(Value::Object(map))
            }
            _ => Err(self.error_before("expected a literal value")),
        }
    }

    fn attribute_name(&mut self) -> Result<String, PolicyError> {
        match self.next() {
            Token::Ident(name) | Token::Str(name) => Ok(name),
            _ => Err(self.error_before("expected an attribute name")),
        }
    }

    fn string_list(&mut self) -> Result<Vec<String>, PolicyError> {
        self.symbol("[")?;
        let mut items = Vec::new();
        while !self.take_symbol("]") {
            if !items.is_empty() {
                self.symbol(",")?;
            }
            items.push(self.string()?);
        }
        Ok(items)
    }

    fn string(&mut self) -> Result<String, PolicyError> {
        match self.next() {
            Token::Str(text) => Ok(text),
            _ => Err(self.error_before("expected a string in double quotes")),
        }
    }

    fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        self.tokens
            .get(self.position + ahead)
            .map_or(&Token::End, |spanned| &spanned.token)
    }

    fn next(&mut self) -> Token {
        let token = self.peek().clone();
        if token != Token::End {
            self.position += 1;
        }
        token
    }

    fn at_symbol(&self, symbol: &str) -> bool {
        matches!(self.peek(), Token::Symbol(found) if *found == symbol)
    }

    fn take_symbol(&mut self, symbol: &str) -> bool {
        let found = self.at_symbol(symbol);
        if found {
            self.position += 1;
        }
        found
    }

    fn symbol(&mut self, symbol: &str) -> Result<(), PolicyError> {
        if self.take_symbol(symbol) {
            Ok(())
        } else {
            Err(self.error_here(&format!("expected `{symbol}`")))
        }
    }

    fn take_keyword(&mut self, keyword: &str) -> bool {
        let found = matches!(self.peek(), Token::Ident(name) if name == keyword);
        if found {
            self.position += 1;
        }
        found
    }

    fn keyword(&mut self, keyword: &str) -> Result<(), PolicyError> {
        if self.take_keyword(keyword) {
            Ok(())
        } else {
            Err(self.error_here(&format!("expected `{keyword}`")))
        }
    }

    /// Builds an error at the token about to be read.
    fn error_here(&self, message: &str) -> PolicyError {
        self.error_at(self.position, message)
    }

    /// Builds an error at the token just read.
    fn error_before(&self, message: &str) -> PolicyError {
        self.error_at(self.position.saturating_sub(1), message)
    }

    /// Returns the error for a second declaration of `name`. The JSON form
    /// cannot repeat a member, so a later text line must not replace an
    /// earlier one either.
    fn duplicate(&self, position: usize, what: &str, name: &str) -> PolicyError {
        let (line, column) = self
            .tokens
            .get(position)
            .map_or((1, 1), |spanned| (spanned.line, spanned.column));
        syntax(
            line,
            column,
            format!(
                "{what} `{}` is declared twice; merge the two declarations",
                crate::json::Printable(name)
            ),
        )
    }

    fn error_at(&self, position: usize, message: &str) -> PolicyError {
        let (line, column) = self
            .tokens
            .get(position)
            .map_or((1, 1), |spanned| (spanned.line, spanned.column));
        let found = match self.tokens.get(position).map(|spanned| &spanned.token) {
            Some(Token::End) | None => String::from("the end of the text"),
            Some(Token::Ident(name)) => format!("`{}`", crate::json::Printable(name)),
            Some(Token::Str(_)) => String::from("a string"),
            Some(Token::Number { literal, .. }) => format!("`{}`", crate::json::Printable(literal)),
            Some(Token::Symbol(symbol)) => format!("`{symbol}`"),
        };
        syntax(line, column, format!("{message}, found {found}"))
    }
}
