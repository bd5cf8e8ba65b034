//! The epoch deadline stops a guest that loops forever within 100 ms of
//! the deadline. This test has its own binary so that no other test of the
//! host competes with it for the two cores of a small machine.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use mem8_guard::policy::PolicyLimits;
use mem8_guard_host::sandbox::{HostConfig, HostError, HostGuard, Limits};

#[test]
fn hostile_loop_stops_at_deadline() {
    let deadline = Duration::from_millis(200);
    let mut limits = Limits::default();
    limits.deadline = deadline;
    let mut config = HostConfig::default();
    config.limits = limits;
    let host = HostGuard::new(&common::hostile(), config).unwrap();
    let healthy = |host: &HostGuard| {
        let policy = host.policy("ok", &PolicyLimits::default()).unwrap();
        assert_eq!(policy.rule_count().unwrap(), 7);
    };
    healthy(&host);
    for _ in 0..3 {
        let started = Instant::now();
        let error = host.policy("loop", &PolicyLimits::default()).unwrap_err();
        let elapsed = started.elapsed();
        assert!(matches!(error, HostError::Timeout { .. }), "got {error:?}");
        assert!(elapsed >= deadline, "stopped early, after {elapsed:?}");
        assert!(
            elapsed < deadline + Duration::from_millis(100),
            "stopped {elapsed:?} after the call started"
        );
        healthy(&host);
    }
}
