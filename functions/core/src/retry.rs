//! Retrying transient AWS errors: exponential backoff with full jitter, inside a time budget.

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

/// Calls `op` until it succeeds, fails for good, runs out of attempts, or would overrun the budget.
pub async fn retry<T, F, Fut>(policy: RetryPolicy, mut op: F) -> Retried<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let started = Instant::now();
    let mut seed = jitter_seed();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let result = op().await;
        let err = match result {
            Ok(v) => return Retried { result: Ok(v), attempts },
            Err(e) => e,
        };
        if !err.is_retryable() || attempts >= policy.max_attempts {
            return Retried { result: Err(err), attempts };
        }
        let ceiling = policy.cap.min(policy.base.saturating_mul(1 << (attempts - 1).min(16)));
        seed = xorshift(seed);
        let pause = Duration::from_nanos(seed % (ceiling.as_nanos() as u64).max(1));
        if started.elapsed() + pause > policy.budget {
            return Retried { result: Err(err), attempts };
        }
        tokio::time::sleep(pause).await;
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
