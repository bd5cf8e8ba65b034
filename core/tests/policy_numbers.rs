//! Numbers written as JSON floats (`7.0`, `0.0`, `-0.0`, `7e0`) are not
//! integers to the policy engine. Comparing them with `==` must fail closed
//! instead of quietly being false. JavaScript cannot express these (its
//! JSON reader turns `7.0` into 7), so the shared vectors use `7.5`; this
//! test covers the exact texts natively. The integer literal `-0` is the
//! integer 0, as JavaScript sends it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mem8_guard::json;
use mem8_guard::policy::{Outcome, Policy, RequestData};

const POLICY: &str = r#"{"version": 2, "rules": [
  {"id": "all-write", "effect": "permit", "action": "write", "resource": "*"},
  {"id": "blocked", "effect": "forbid", "action": "*", "resource": "*",
   "when": {"contains": [{".": [{"var": "context"}, "flags"]}, {"value": 7}]}}
]}"#;

#[test]
fn float_spellings_fail_closed() {
    let policy = Policy::from_json(POLICY.as_bytes()).unwrap();
    for flags in ["[7]", "[7.0]", "[7e0]", "[7.00]"] {
        let request: RequestData = serde_json::from_str(&format!(
            r#"{{"principal": {{"id": "p"}}, "action": "write", "resource": "x",
                "context": {{"flags": {flags}}}}}"#
        ))
        .unwrap();
        let decision = policy.evaluate(&request.as_request());
        assert_eq!(decision.decision, Outcome::Deny, "{flags}: {decision:?}");
        assert_eq!(decision.reasons, ["blocked"], "{flags}");
    }
}

#[test]
fn negative_zero_request_number_is_zero() {
    let policy = Policy::from_text(
        "version 2; permit \"p\" action any resource like \"*\" when { context.n == 0 && context.n < 1 };",
    )
    .unwrap();
    for (number, allowed) in [("0", true), ("-0", true), ("-0.0", false), ("0e0", false)] {
        let text = format!(
            r#"{{"principal": {{"id": "p"}}, "action": "a", "resource": "x", "context": {{"n": {number}}}}}"#
        );
        let value = json::parse_value(text.as_bytes(), &RequestData::JSON_LIMITS).unwrap();
        let request: RequestData = json::from_value(&value).unwrap();
        let decision = policy.evaluate(&request.as_request());
        assert_eq!(decision.is_allowed(), allowed, "{number}: {decision:?}");
        if !allowed {
            assert_eq!(decision.errors[0].code, "type_mismatch", "{number}");
        }
    }
}
