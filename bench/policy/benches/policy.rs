//! Decisions per second of mem8-guard and Cedar on the same RBAC + ABAC
//! workload (see the crate docs), at 10, 100, 1,000 and 10,000 rules.

use std::hint::black_box;

use cedar_policy::Authorizer;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use mem8_guard_policy_bench as workload;

const RULE_COUNTS: [usize; 4] = [10, 100, 1_000, 10_000];

fn decisions(c: &mut Criterion) {
    let mut group = c.benchmark_group("decision");
    for rules in RULE_COUNTS {
        let policy = workload::mem8_policy(rules);
        let principal = workload::mem8_principal();
        let context = workload::context();
        let requests = workload::mem8_requests(rules);
        let (policies, entities) = workload::cedar_policy(rules);
        let cedar_requests = workload::cedar_requests(rules);
        let authorizer = Authorizer::new();

        // Both engines must agree before their speed means anything, and
        // the samples must include allows and denies by a condition.
        let mut allowed_count = 0;
        for (ours, theirs) in requests.iter().zip(&cedar_requests) {
            let allowed = workload::mem8_decide(&policy, &principal, ours, &context);
            assert_eq!(
                allowed,
                workload::cedar_decide(&authorizer, theirs, &policies, &entities)
            );
            allowed_count += usize::from(allowed);
        }
        assert!(allowed_count > 0, "no request was allowed");
        assert!(allowed_count < requests.len(), "no request was denied");

        let mut next = 0;
        group.bench_with_input(BenchmarkId::new("mem8-guard", rules), &rules, |b, _| {
            b.iter(|| {
                next = (next + 1) % requests.len();
                black_box(workload::mem8_decide(
                    &policy,
                    &principal,
                    &requests[next],
                    &context,
                ))
            })
        });
        let mut next = 0;
        group.bench_with_input(BenchmarkId::new("cedar", rules), &rules, |b, _| {
            b.iter(|| {
                next = (next + 1) % cedar_requests.len();
                black_box(workload::cedar_decide(
                    &authorizer,
                    &cedar_requests[next],
                    &policies,
                    &entities,
                ))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
