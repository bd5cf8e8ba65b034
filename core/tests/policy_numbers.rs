//! Numbers written as JSON floats (`7.0`, `0.0`, `-0`, `7e0`) are not
//! integers to the policy engine. Comparing them with `==` must fail closed
//! instead of quietly being false. JavaScript cannot express these (its
//! JSON reader turns `7.0` into 7), so the shared vectors use `7.5`; this
//! test covers the exact texts natively.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
