//! What the checks add up to.

use super::checks::{CheckResult, CheckStatus};
use serde::Serialize;

/// The gate's verdict on a snapshot of facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Every check passed: the instance may enter service.
    Continue,
    /// A check failed (or the gate could not decide safely): terminate and replace the instance.
    Abandon,
    /// Nothing failed, but something is still settling: heartbeat and look again.
    NotSettled,
}

impl Verdict {
    /// Any failure abandons at once (waiting cannot fix it); otherwise any pending check waits.
    pub fn from_checks(checks: &[CheckResult]) -> Self {
        if checks.iter().any(|c| c.status == CheckStatus::Fail) {
            Verdict::Abandon
        } else if checks.iter().any(|c| c.status == CheckStatus::Pending) {
            Verdict::NotSettled
        } else {
            Verdict::Continue
        }
    }
}
