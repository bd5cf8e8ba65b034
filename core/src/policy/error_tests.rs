//! Messages and codes of load errors.
use super::*;
use alloc::vec;

#[test]
fn cycle_message_names_path() {
    let error = PolicyError::RoleCycle {
        path: vec!["a".into(), "b".into(), "a".into()],
    };
    assert_eq!(
        error.to_string(),
        "roles inherit in a cycle: `a` -> `b` -> `a`; remove one of these inheritances"
    );
    assert_eq!(error.code(), "role_cycle");
}

#[test]
fn unknown_role_message_names_both_roles() {
    let error = PolicyError::UnknownRole {
        role: "ghost".into(),
        referenced_by: Referrer::Role("admin".into()),
    };
    assert_eq!(
        error.to_string(),
        "unknown role `ghost` inherited by role `admin`; declare it under `roles` or fix \
         the name"
    );
}

#[test]
fn user_text_is_escaped() {
    let error = PolicyError::DuplicateRuleId { id: "a`\nb".into() };
    assert_eq!(
        error.to_string(),
        "duplicate rule id `a\\u{60}\\u{a}b`; give every rule a unique id"
    );
}

#[test]
fn pattern_messages_show_escape() {
    let error = PolicyError::InvalidPattern {
        rule: "r".into(),
        pattern: r"a\n".into(),
        reason: PatternProblem::UnknownEscape {
            offset: 1,
            escaped: 'n',
        },
    };
    assert_eq!(
        error.to_string(),
        r"invalid resource pattern `a\n` in rule `r`: unknown escape `\n` at byte 1; only `\*` and `\\` are escapes"
    );
}

#[test]
fn limit_message_names_limit() {
    let error = PolicyError::LimitExceeded {
        limit: LimitKind::InheritanceDepth,
        max: 64,
        subject: Some("root".into()),
    };
    assert_eq!(
        error.to_string(),
        "role `root` inherits through more steps than the limit of 64 \
         (`max_inheritance_depth`); shrink the policy or raise the limit"
    );
    assert_eq!(error.code(), "limit_exceeded");
}

#[test]
fn json_errors_get_own_codes() {
    let duplicate = PolicyError::from_json(JsonError::DuplicateMember { name: "id".into() });
    assert_eq!(duplicate.code(), "duplicate_member");

    let deep = PolicyError::from_json(JsonError::TooDeep { max: 16 });
    assert_eq!(
        deep,
        PolicyError::LimitExceeded {
            limit: LimitKind::JsonDepth,
            max: 16,
            subject: None
        }
    );

    let syntax = PolicyError::from_json(JsonError::Syntax { line: 1, column: 2 });
    assert_eq!(syntax.code(), "invalid_json");
    assert_eq!(
        syntax.to_string(),
        "policy is not valid JSON: invalid JSON at line 1, column 2"
    );
}

#[test]
fn document_message_is_bounded() {
    // A JSON escape, so the parsed member name contains real newlines.
    let long_name = "x\\n".repeat(1000);
    let text = alloc::format!(r#"{{"{long_name}":1}}"#);
    let error = serde_json::from_str::<RoleOnly>(&text).unwrap_err();
    let wrapped = PolicyError::invalid_document(DocumentLocation::Document, &error);
    let PolicyError::InvalidDocument { message, .. } = &wrapped else {
        panic!("expected invalid_document, got {wrapped:?}");
    };
    assert!(message.starts_with("unknown field `x\\u{a}x"), "{message}");
    assert!(message.ends_with("..."), "{message}");
    assert!(!message.contains('\n'));
}

#[test]
fn decision_error_carries_rule() {
    let error = PolicyError::InvalidPattern {
        rule: "r1".into(),
        pattern: String::new(),
        reason: PatternProblem::Empty,
    };
    let decision_error = DecisionError::from(&error);
    assert_eq!(decision_error.code, "invalid_pattern");
    assert_eq!(decision_error.rule.as_deref(), Some("r1"));
    assert_eq!(decision_error.message, error.to_string());
}

#[test]
fn every_code_is_snake_case() {
    let errors = [
        PolicyError::UnsupportedVersion { version: 2 },
        PolicyError::InvalidRole {
            role: String::new(),
            reason: "r",
        },
        PolicyError::InvalidRule {
            index: 0,
            id: String::new(),
            reason: "r",
        },
    ];
    for error in errors {
        let code = error.code();
        assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RoleOnly {
    role: Option<String>,
}

#[test]
fn text_form_suggested_for_non_object_syntax_error() {
    let text_form = "version 2;\npermit \"all\" action == \"read\" resource like \"*\";";
    let error = crate::policy::Policy::from_json(text_form.as_bytes()).unwrap_err();
    assert!(error.suggests_text_form(text_form.as_bytes()), "{error}");

    // Broken JSON that starts like an object is a JSON mistake.
    let broken = " \n{\"version\": 2,";
    let error = crate::policy::Policy::from_json(broken.as_bytes()).unwrap_err();
    assert!(!error.suggests_text_form(broken.as_bytes()), "{error}");

    // Valid JSON that is not an object is not a syntax error.
    let array = "[1]";
    let error = crate::policy::Policy::from_json(array.as_bytes()).unwrap_err();
    assert!(!error.suggests_text_form(array.as_bytes()), "{error}");
}
