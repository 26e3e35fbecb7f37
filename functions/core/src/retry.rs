//! Retrying transient AWS errors: exponential backoff with full jitter, inside a time budget.
//!
//! This is the one retry layer. The SDK clients are built with their own retries off (`scalegate_aws::sdk`), so a
//! call makes at most `max_attempts` HTTP attempts, every workflow's port calls go through [`retry`] (or, for a
//! batch whose items fail one by one, through a [`Backoff`]), and the budget is the workflow's: the gate's comes from
//! its rules, the others use [`RetryPolicy::standard`].

use crate::ports::AwsError;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// How hard to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Most attempts, the first included.
    pub max_attempts: u32,
    /// Give up once the next pause would end past this.
    pub budget: Duration,
    /// First backoff ceiling; doubles each attempt.
    pub base: Duration,
    /// Largest backoff ceiling.
    pub cap: Duration,
}

impl RetryPolicy {
    /// Five attempts inside ten seconds: the gate's default, and what the other workflows use.
    pub fn standard() -> Self {
        Self::new(5, Duration::from_secs(10))
    }

    /// A policy with the usual base (100 ms) and cap (2 s).
    pub fn new(max_attempts: u32, budget: Duration) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            budget,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(2),
        }
    }
}

/// What a retried call came to, and how many attempts it took.
#[derive(Debug)]
pub struct Retried<T> {
    /// The last attempt's result.
    pub result: Result<T, AwsError>,
    /// Attempts made.
    pub attempts: u32,
}

/// The pauses between attempts of one call (or one batch): exponential ceilings, full jitter, inside the budget.
#[derive(Debug)]
pub struct Backoff {
    policy: RetryPolicy,
    started: Instant,
    seed: u64,
    attempts: u32,
}

impl Backoff {
    /// Starts counting attempts and time now.
    pub fn new(policy: RetryPolicy) -> Self {
        Self { policy, started: Instant::now(), seed: jitter_seed(), attempts: 1 }
    }

    /// Attempts made so far (the first included).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// After a failed attempt: the pause before the next one, or `None` when the error is permanent, the attempts
    /// are spent, or the pause would overrun the budget.
    pub fn next_pause(&mut self, err: &AwsError) -> Option<Duration> {
        if !err.is_retryable() || self.attempts >= self.policy.max_attempts {
            return None;
        }
        let ceiling = self.policy.cap.min(self.policy.base.saturating_mul(1 << (self.attempts - 1).min(16)));
        self.seed = xorshift(self.seed);
        let pause = Duration::from_nanos(self.seed % (ceiling.as_nanos() as u64).max(1));
        if self.started.elapsed() + pause > self.policy.budget {
            return None;
        }
        self.attempts += 1;
        Some(pause)
    }
}

/// `op` under [`RetryPolicy::standard`]: its last result.
pub async fn retried<T, F, Fut>(op: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    retry(RetryPolicy::standard(), op).await.result
}

/// Calls `op` until it succeeds, fails for good, runs out of attempts, or would overrun the budget.
pub async fn retry<T, F, Fut>(policy: RetryPolicy, mut op: F) -> Retried<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let mut backoff = Backoff::new(policy);
    loop {
        let err = match op().await {
            Ok(v) => return Retried { result: Ok(v), attempts: backoff.attempts() },
            Err(e) => e,
        };
        match backoff.next_pause(&err) {
            Some(pause) => tokio::time::sleep(pause).await,
            None => return Retried { result: Err(err), attempts: backoff.attempts() },
        }
    }
}

// Full jitter needs a little randomness, not a crate: xorshift64 seeded from the clock.
fn jitter_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    nanos | 1
}

fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::AwsErrorKind;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn err(kind: AwsErrorKind) -> AwsError {
        AwsError::new("Op", kind, "boom")
    }

    #[tokio::test(start_paused = true)]
    async fn retries_transient_errors_until_success() {
        let calls = AtomicU32::new(0);
        let out = retry(RetryPolicy::new(5, Duration::from_secs(10)), || async {
            if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                Err(err(AwsErrorKind::Throttled))
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(out.result.unwrap(), 7);
        assert_eq!(out.attempts, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn permanent_errors_are_not_retried() {
        let out: Retried<()> =
            retry(RetryPolicy::new(5, Duration::from_secs(10)), || async { Err(err(AwsErrorKind::AccessDenied)) })
                .await;
        assert_eq!(out.attempts, 1);
        assert_eq!(out.result.unwrap_err().kind, AwsErrorKind::AccessDenied);
    }

    #[tokio::test(start_paused = true)]
    async fn stops_at_max_attempts_and_within_budget() {
        let out: Retried<()> =
            retry(RetryPolicy::new(4, Duration::from_secs(60)), || async { Err(err(AwsErrorKind::ServerError)) }).await;
        assert_eq!(out.attempts, 4);
        let started = Instant::now();
        let out: Retried<()> =
            retry(RetryPolicy::new(1000, Duration::from_secs(3)), || async { Err(err(AwsErrorKind::Timeout)) }).await;
        assert!(out.attempts > 1);
        assert!(started.elapsed() <= Duration::from_secs(3), "{:?}", started.elapsed());
    }
}
