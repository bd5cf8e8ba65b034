//! Round trips between the text and JSON forms, and parse errors.

use super::*;
use crate::policy::Expr;
use crate::policy::{Policy, PolicyDocument, Principal, Request};
use alloc::format;
use alloc::string::String;
use alloc::string::ToString;
use alloc::vec::Vec;

const SAMPLE: &str = r#"version 2;

role "editor" inherits ["viewer"] description "writes documents";
role "viewer";

group "writes" = ["create", "update"];

assign "alice" = ["editor"];

permit "editors-write"
  description "editors write their own documents"
  principal in role "editor"
  action in group "writes"
  resource like "document:*"
  when { resource.owner == principal.id && (context.mfa == true || principal in role "viewer") }
  unless { inCidr(context.ip, "203.0.113.0/24") };

forbid "weekend"
  action any
  resource is "document"
  when { dayOfWeek(context.now) >= 5 && !(contains(principal.tags, "x") == false) };

permit "odd-names"
  principal == "bob"
  action == "read"
  resource like "*"
  when { principal["first name"] like "B*" && context has "x-y" && [1, -2, {a: "b", "c d": [true, false]}] == context.v && time("2026-01-01T00:00:00Z") < context.now && containsAll(principal.roles, ["a"]) };
"#;

fn limits() -> PolicyLimits {
    PolicyLimits::default()
}

fn parse_error(text: &str) -> (usize, usize, String) {
    match parse_text(text, &limits()).unwrap_err() {
        PolicyError::Syntax {
            line,
            column,
            message,
        } => (line, column, message),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn sample_round_trips_through_json() {
    let document = parse_text(SAMPLE, &limits()).unwrap();
    assert_eq!(document.rules.len(), 3);
    let json = serde_json::to_string(&document).unwrap();
    let back: PolicyDocument = serde_json::from_str(&json).unwrap();
    assert_eq!(back, document);

    // Formatting is canonical: formatting the formatted text changes nothing.
    let formatted = format_text(&document).unwrap();
    let reparsed = parse_text(&formatted, &limits()).unwrap();
    assert_eq!(reparsed, document);
    assert_eq!(format_text(&reparsed).unwrap(), formatted);
}

#[test]
fn sample_compiles_and_decides() {
    let policy = Policy::from_text(SAMPLE).unwrap();
    let alice = Principal {
        id: "alice".into(),
        ..Default::default()
    };
    let context = serde_json::json!({"mfa": true, "ip": "198.51.100.1", "now": 1_767_225_600});
    let mut attributes = serde_json::Map::new();
    attributes.insert("owner".into(), "alice".into());
    let request = Request {
        principal: &alice,
        action: "update",
        resource: "document:1",
        resource_attributes: Some(&attributes),
        context: &context,
    };
    let decision = policy.evaluate(&request);
    assert_eq!(decision.reasons, ["editors-write"], "{decision:?}");
}

#[test]
fn nested_chains_keep_parentheses() {
    let text = "version 2; permit \"r\" action any resource like \"*\" when { a && (b && c) };";
    // `a` is not a name, so use real operands.
    let text = text
        .replace(" a ", " context.a ")
        .replace("(b", "(context.b")
        .replace(" c)", " context.c)");
    let document = parse_text(&text, &limits()).unwrap();
    let formatted = format_text(&document).unwrap();
    assert!(
        formatted.contains("context.a && (context.b && context.c)"),
        "{formatted}"
    );
    assert_eq!(parse_text(&formatted, &limits()).unwrap(), document);
}

#[test]
fn error_points_at_line_and_column() {
    let (line, column, message) = parse_error("version 2;\npermit \"r\"\n  action = \"x\"");
    assert_eq!((line, column), (3, 10));
    assert!(
        message.starts_with("expected `==`, `in` or `any`"),
        "{message}"
    );

    let (line, column, _) = parse_error("version 2;\n\n   role viewer;");
    assert_eq!((line, column), (3, 9));

    let (line, column, message) = parse_error(
        "version 2; permit \"r\" action any resource like \"*\" when { context.x == \"a }",
    );
    assert_eq!((line, column), (1, 72));
    assert!(message.contains("not closed"), "{message}");
}

#[test]
fn columns_count_characters() {
    let (line, column, _) = parse_error("version 2; role \"é\" é");
    assert_eq!((line, column), (1, 21));
}

#[test]
fn unknown_function_rejected() {
    let (_, _, message) = parse_error(
        "version 2; permit \"r\" action any resource like \"*\" when { regex(context.x) };",
    );
    assert!(message.starts_with("unknown name"), "{message}");
}

#[test]
fn deep_nesting_is_a_limit_error() {
    let mut text = String::from("version 2; permit \"r\" action any resource like \"*\" when { ");
    for _ in 0..100_000 {
        text.push('(');
    }
    text.push_str("true");
    let error = parse_text(&text, &limits()).unwrap_err();
    assert_eq!(error.code(), "limit_exceeded");
    let nots = "!".repeat(100_000);
    let text = alloc::format!(
        "version 2; permit \"r\" action any resource like \"*\" when {{ {nots}true }};"
    );
    assert_eq!(
        parse_text(&text, &limits()).unwrap_err().code(),
        "limit_exceeded"
    );
}

#[test]
fn version_one_text_stays_version_one() {
    let text = "version 1; role \"v\"; permit \"r\" principal in role \"v\" action in [\"read\"] resource like \"doc:*\";";
    let document = parse_text(text, &limits()).unwrap();
    assert_eq!(document.version, 1);
    let json = serde_json::to_string(&document).unwrap();
    assert_eq!(
        json,
        r#"{"version":1,"roles":{"v":{}},"rules":[{"id":"r","effect":"permit","principal":{"role":"v"},"action":["read"],"resource":"doc:*"}]}"#
    );
    assert!(Policy::from_document(document, &limits()).is_ok());
}

#[test]
fn json_examples_format_and_parse_back() {
    let documents: Vec<&str> = alloc::vec![
        r#"{"version":2,"rules":[{"id":"r","effect":"forbid","action":"*","resource":"*","when":{"!":{"has":[{"var":"context"},"ok"]}}}]}"#,
        r#"{"version":2,"rules":[{"id":"r","effect":"permit","action":["*"],"resource":"a\\*b","when":{"==":[{".":[{"!":{"value":true}},"x"]},{"value":{"true":1}}]}}]}"#,
        r#"{"version":2,"rules":[{"id":"r","effect":"permit","action":"a","resource":"*","when":{"in":[{"value":"x"},{"==":[{"value":1},{"value":1.5}]}]}}]}"#,
    ];
    for json in documents {
        let document: PolicyDocument = serde_json::from_str(json).unwrap();
        let text = format_text(&document).unwrap();
        let back = parse_text(&text, &limits()).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(back, document, "{text}");
        assert_eq!(serde_json::to_string(&back).unwrap(), json.to_string());
    }
}

#[test]
fn invisible_characters_are_escaped() {
    // A right-to-left override and a zero-width space in an id and a
    // literal, written with escapes.
    let text = "version 2;\n\npermit \"admin\\u202e\" action any resource like \"*\" \
                when { context.x == \"a\\u200bb\" };\n";
    let document = parse_text(text, &limits()).unwrap();
    assert_eq!(document.rules[0].id, "admin\u{202e}");

    let formatted = format_text(&document).unwrap();
    assert!(formatted.contains(r#""admin\u202e""#), "{formatted}");
    assert!(formatted.contains(r#""a\u200bb""#), "{formatted}");
    assert!(!formatted.contains('\u{202e}'));
    assert!(!formatted.contains('\u{200b}'));
    assert_eq!(parse_text(&formatted, &limits()).unwrap(), document);
}

#[test]
fn version_error_shows_literal() {
    let (line, column, message) = parse_error("version 99999999999999999999;");
    assert_eq!((line, column), (1, 9));
    assert!(
        message.ends_with("found `99999999999999999999`"),
        "{message}"
    );
    let (_, _, message) = parse_error("version 2.50;");
    assert!(message.ends_with("found `2.50`"), "{message}");
}

#[test]
fn underflowing_number_rejected_in_both_forms() {
    let text =
        "version 2; permit \"r\" action any resource like \"*\" when { context.x == 1e-400 };";
    let (line, column, message) = parse_error(text);
    assert_eq!((line, column), (1, 72));
    assert!(message.contains("number `1e-400`"), "{message}");

    let json = r#"{"version":2,"rules":[{"id":"r","effect":"permit","action":"*","resource":"*","when":{"==":[{"var":"context"},{"value":1e-400}]}}]}"#;
    let error = Policy::from_json(json.as_bytes()).unwrap_err();
    assert_eq!(error.code(), "invalid_json");
    let expected = crate::json::JsonError::NumberUnderflow {
        literal: "1e-400".to_string(),
    };
    assert_eq!(error, PolicyError::InvalidJson { source: expected });

    // Zero written with an exponent is still zero.
    let zero = text.replace("1e-400", "0e-400");
    assert!(parse_text(&zero, &limits()).is_ok());
}

#[test]
fn leading_byte_order_mark_skipped() {
    let text = "\u{feff}version 2;\nrole \"r\";\n";
    let document = parse_text(text, &limits()).unwrap();
    assert!(document.roles.contains_key("r"));
    // Only one, and only at the start.
    let (line, column, message) = parse_error("\u{feff}\u{feff}version 2;");
    assert_eq!((line, column), (1, 1));
    assert!(message.contains("\\u{feff}"), "{message}");
    let (line, _, _) = parse_error("version 2;\n\u{feff}role \"r\";");
    assert_eq!(line, 2);
}

/// Returns a rule whose condition compares `context.x` with a list
/// literal nested `levels` deep.
fn nested_literal_policy(levels: usize) -> String {
    format!(
        "version 2;\npermit \"p\" action any resource like \"*\" when {{ context.x == {}{} }};\n",
        "[".repeat(levels),
        "]".repeat(levels)
    )
}

#[test]
fn text_form_counts_the_json_form_nesting() {
    // The literal sits in `{"value": ...}` in the operands array of `==`,
    // in `when`, in the rule, in `rules`: its first list is level 7.
    let deepest = limits().max_json_depth - 6;
    let text = nested_literal_policy(deepest);
    let policy = Policy::from_text(&text).unwrap();
    let json = serde_json::to_string(policy.document()).unwrap();
    assert!(Policy::from_json(json.as_bytes()).is_ok());

    let text = nested_literal_policy(deepest + 1);
    let error = Policy::from_text(&text).unwrap_err();
    assert_eq!(
        error,
        PolicyError::LimitExceeded {
            limit: LimitKind::JsonDepth,
            max: 96,
            subject: Some("p".to_string()),
        }
    );
    assert!(
        error
            .to_string()
            .starts_with("the JSON form of rule `p` is nested deeper than the limit of 96 levels"),
        "{error}"
    );
    assert_eq!(parse_text(&text, &limits()).unwrap_err(), error);

    // The JSON form of the same document fails with the same code.
    let mut document = parse_text(&nested_literal_policy(deepest), &limits()).unwrap();
    if let Some(Expr::Eq(_, right)) = document.rules[0].when.as_mut() {
        **right = Expr::Literal(serde_json::json!([nested_value(deepest)]));
    }
    let json = serde_json::to_string(&document).unwrap();
    assert_eq!(
        Policy::from_json(json.as_bytes()).unwrap_err().code(),
        "limit_exceeded"
    );
    assert_eq!(
        Policy::from_document(document, &limits()).unwrap_err(),
        error
    );
}

fn nested_value(levels: usize) -> serde_json::Value {
    let mut value = serde_json::json!([]);
    for _ in 1..levels {
        value = serde_json::json!([value]);
    }
    value
}

#[test]
fn loaded_text_policy_json_reloads() {
    // Conditions at the expression limit, deep attribute chains and `!`
    // chains stay within the JSON limit of the same limits.
    let deep_not = format!("{}true", "!".repeat(30));
    let chain = format!("context{}", ".a".repeat(31));
    for condition in [
        deep_not.as_str(),
        chain.as_str(),
        "context.x == {a: [{b: [1]}]}",
    ] {
        let text = format!(
            "version 2; permit \"p\" action any resource like \"*\" when {{ {condition} }};"
        );
        let policy = Policy::from_text(&text).unwrap_or_else(|e| panic!("{condition}: {e}"));
        let json = serde_json::to_string(policy.document()).unwrap();
        assert!(Policy::from_json(json.as_bytes()).is_ok(), "{condition}");
    }
}

#[test]
fn condition_numbers_shown_as_written() {
    for literal in ["1e2", "10E0", "-0.0", "1.50", "18446744073709551615"] {
        let text = format!(
            "version 2; permit \"p\" action any resource like \"*\" when {{ context.n == {literal} }};"
        );
        let error = Policy::from_text(&text).unwrap_err();
        assert_eq!(error.code(), "invalid_condition", "{literal}");
        assert!(
            error
                .to_string()
                .contains(&format!("number `{literal}` is not")),
            "{literal}: {error}"
        );

        let json = format!(
            r#"{{"version":2,"rules":[{{"id":"p","effect":"permit","action":"*","resource":"*","when":{{"==":[{{"var":"context"}},{{"value":{literal}}}]}}}}]}}"#
        );
        let error = Policy::from_json(json.as_bytes()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains(&format!("number `{literal}` is not")),
            "{literal}: {error}"
        );
    }
}

#[test]
fn negative_zero_literal_is_integer_zero() {
    let text = "version 2; permit \"p\" action any resource like \"*\" when { context.n == -0 };";
    let policy = Policy::from_text(text).unwrap();
    let principal = Principal {
        id: "u".to_string(),
        ..Principal::default()
    };
    let context = serde_json::json!({ "n": 0 });
    let decision = policy.evaluate(&Request::new(&principal, "a", "r", &context));
    assert!(decision.is_allowed(), "{decision:?}");
    let formatted = format_text(policy.document()).unwrap();
    assert!(formatted.contains("context.n == 0"), "{formatted}");
}

#[test]
fn overflowing_number_rejected_in_both_forms() {
    let text =
        "version 2; permit \"r\" action any resource like \"*\" when { context.x == 1e400 };";
    let (line, column, message) = parse_error(text);
    assert_eq!((line, column), (1, 72));
    assert!(
        message.contains("number `1e400` is too large for a 64-bit float"),
        "{message}"
    );
    let json = r#"{"version":2,"rules":[{"id":"r","effect":"permit","action":"*","resource":"*","when":{"==":[{"var":"context"},{"value":1e400}]}}]}"#;
    let error = Policy::from_json(json.as_bytes()).unwrap_err();
    let expected = crate::json::JsonError::NumberOverflow {
        literal: "1e400".to_string(),
    };
    assert_eq!(error, PolicyError::InvalidJson { source: expected });
}

#[test]
fn astral_invisible_characters_escaped_as_surrogate_pairs() {
    let text = "version 2; permit \"p\\udb40\\udc41\" action any resource like \"*\";";
    let document = parse_text(text, &limits()).unwrap();
    assert_eq!(document.rules[0].id, "p\u{e0041}");
    let formatted = format_text(&document).unwrap();
    assert!(formatted.contains(r#""p\udb40\udc41""#), "{formatted}");
    assert_eq!(parse_text(&formatted, &limits()).unwrap(), document);
}
