#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests of policy loading and evaluation against simple reference
//! implementations.

use std::collections::BTreeSet;

use mem8_guard::policy::{
    ActionScope, Effect, Policy, PolicyDocument, PolicyLimits, Principal, PrincipalScope, Request,
    RoleDefinition, RuleDefinition,
};
use proptest::prelude::*;
use serde_json::Value;

/// One element of a generated pattern.
#[derive(Debug, Clone)]
enum Token {
    Star,
    Char(char),
}

/// Characters that exercise escapes and multibyte UTF-8 together.
const ALPHABET: [char; 5] = ['a', 'b', '*', '\\', 'é'];

/// Stars are frequent, because bugs in choosing where a middle piece
/// matches only show with two or more middle pieces, so three stars.
fn token() -> impl Strategy<Value = Token> {
    prop_oneof![
        2 => Just(Token::Star),
        3 => prop::sample::select(&ALPHABET[..]).prop_map(Token::Char),
    ]
}

/// Mostly `a` and `b`, so that pieces occur in the resource several times.
fn resource() -> impl Strategy<Value = String> {
    let character = prop_oneof![
        6 => prop::sample::select(&['a', 'b'][..]),
        1 => prop::sample::select(&ALPHABET[..]),
    ];
    prop::collection::vec(character, 0..12).prop_map(|chars| chars.into_iter().collect())
}

/// Writes tokens as pattern text, escaping literal stars and backslashes.
fn pattern_text(tokens: &[Token]) -> String {
    let mut text = String::new();
    for token in tokens {
        match token {
            Token::Star => text.push('*'),
            Token::Char(c @ ('*' | '\\')) => {
                text.push('\\');
                text.push(*c);
            }
            Token::Char(c) => text.push(*c),
        }
    }
    text
}

/// Glob matching by dynamic programming over characters: `matched[i][j]`
/// is whether the first `i` tokens match the first `j` characters.
fn reference_matches(tokens: &[Token], resource: &str) -> bool {
    let chars: Vec<char> = resource.chars().collect();
    let mut matched = vec![vec![false; chars.len() + 1]; tokens.len() + 1];
    matched[0][0] = true;
    for (i, token) in tokens.iter().enumerate() {
        for j in 0..=chars.len() {
            matched[i + 1][j] = match token {
                Token::Star => matched[i][j] || (j > 0 && matched[i + 1][j - 1]),
                Token::Char(c) => j > 0 && matched[i][j - 1] && chars[j - 1] == *c,
            };
        }
    }
    matched[tokens.len()][chars.len()]
}

fn evaluate(policy: &Policy, principal: &Principal, action: &str, resource: &str) -> bool {
    let context = Value::Null;
    policy
        .evaluate(&Request {
            principal,
            action,
            resource,
            resource_attributes: None,
            context: &context,
        })
        .is_allowed()
}

/// Role `i` inherits role `j` for each `(i, j)` in `edges`, over `count` roles.
fn role_document(count: usize, edges: &[(usize, usize)]) -> PolicyDocument {
    let mut document = PolicyDocument::default();
    for role in 0..count {
        let inherits = edges
            .iter()
            .filter(|(from, _)| *from == role)
            .map(|(_, to)| format!("r{to}"))
            .collect();
        let definition = RoleDefinition {
            inherits,
            description: None,
        };
        document.roles.insert(format!("r{role}"), definition);
    }
    document
}

/// Returns the roles reachable from `start` including itself, or `None` when
/// a cycle is reachable from it.
fn reference_closure(start: usize, edges: &[(usize, usize)]) -> Option<BTreeSet<usize>> {
    fn visit(
        role: usize,
        edges: &[(usize, usize)],
        path: &mut Vec<usize>,
        seen: &mut BTreeSet<usize>,
    ) -> bool {
        if path.contains(&role) {
            return false;
        }
        seen.insert(role);
        path.push(role);
        for &(from, to) in edges {
            if from == role && !visit(to, edges, path, seen) {
                return false;
            }
        }
        path.pop();
        true
    }

    let mut seen = BTreeSet::new();
    visit(start, edges, &mut Vec::new(), &mut seen).then_some(seen)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn pattern_matches_reference(
        tokens in prop::collection::vec(token(), 1..8),
        resource in resource(),
    ) {
        let mut document = PolicyDocument::default();
        document.rules.push(RuleDefinition {
            id: "r".into(),
            effect: Effect::Permit,
            principal: None,
            action: ActionScope::One("get".into()),
            resource: pattern_text(&tokens).as_str().into(),
            when: None,
            unless: None,
            description: None,
        });
        let policy = Policy::from_document(document, &PolicyLimits::default()).unwrap();
        let principal = Principal::default();
        prop_assert_eq!(
            evaluate(&policy, &principal, "get", &resource),
            reference_matches(&tokens, &resource),
            "pattern {:?} resource {:?}", pattern_text(&tokens), resource
        );
    }

    #[test]
    fn role_closure_matches_reference(
        count in 1_usize..7,
        raw_edges in prop::collection::vec((0_usize..7, 0_usize..7), 0..10),
    ) {
        let edges: Vec<(usize, usize)> = raw_edges
            .into_iter()
            .filter(|(from, to)| *from < count && *to < count)
            .collect();
        let closures: Option<Vec<BTreeSet<usize>>> =
            (0..count).map(|role| reference_closure(role, &edges)).collect();
        let loaded = Policy::from_document(role_document(count, &edges), &PolicyLimits::default());

        match (closures, loaded) {
            (None, Err(error)) => prop_assert_eq!(error.code(), "role_cycle"),
            (None, Ok(_)) => prop_assert!(false, "cycle not found in {:?}", edges),
            (Some(_), Err(error)) => prop_assert!(false, "{} for {:?}", error, edges),
            (Some(closures), Ok(policy)) => {
                for (role, closure) in closures.iter().enumerate() {
                    let expected: Vec<String> = closure.iter().map(|r| format!("r{r}")).collect();
                    prop_assert_eq!(policy.effective_roles(&[format!("r{role}")]), expected);
                }
            }
        }
    }

    #[test]
    fn role_rule_matches_closure(
        count in 1_usize..6,
        raw_edges in prop::collection::vec((0_usize..6, 0_usize..6), 0..8),
        rule_role in 0_usize..6,
        principal_role in 0_usize..6,
    ) {
        // Edges only from higher to lower indices, so the graph is acyclic.
        let edges: Vec<(usize, usize)> = raw_edges
            .into_iter()
            .filter(|(from, to)| from > to && *from < count)
            .collect();
        let rule_role = rule_role % count;
        let principal_role = principal_role % count;

        let mut document = role_document(count, &edges);
        document.rules.push(RuleDefinition {
            id: "r".into(),
            effect: Effect::Permit,
            principal: Some(PrincipalScope::Role(format!("r{rule_role}"))),
            action: ActionScope::One("get".into()),
            resource: "*".into(),
            when: None,
            unless: None,
            description: None,
        });
        let policy = Policy::from_document(document, &PolicyLimits::default()).unwrap();

        let principal = Principal {
            id: "p".into(),
            roles: vec![format!("r{principal_role}")],
            ..Principal::default()
        };
        let closure = reference_closure(principal_role, &edges).unwrap();
        prop_assert_eq!(
            evaluate(&policy, &principal, "get", "x"),
            closure.contains(&rule_role)
        );
    }

    #[test]
    fn loading_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = Policy::from_json(&bytes);
    }

    #[test]
    fn loading_arbitrary_json_never_panics(text in r#"[{}\[\]":,01a-z\\* ]{0,80}"#) {
        let document = format!(r#"{{"version":1,"roles":{{"a":{{}}}},"rules":[{text}]}}"#);
        if let Ok(policy) = Policy::from_json(document.as_bytes()) {
            let principal = Principal::default();
            let _ = evaluate(&policy, &principal, "a", "a");
        }
    }
}

#[test]
fn reference_matcher_sanity() {
    let tokens = [Token::Char('a'), Token::Star, Token::Char('b')];
    assert!(reference_matches(&tokens, "ab"));
    assert!(reference_matches(&tokens, "aXb"));
    assert!(!reference_matches(&tokens, "a"));
    assert!(!reference_matches(&[Token::Char('a')], ""));
}
