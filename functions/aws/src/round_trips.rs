//! Counts AWS round trips, and how many of them were dependent (the critical path), with an SDK interceptor.
//!
//! Every attempt's send and receive times are recorded. Two calls are dependent when one starts after the other
//! finished; the critical path is the longest chain of such calls. The launch gate's budget is three.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Shared record of calls; clone it into each client's config.
#[derive(Debug, Clone, Default)]
pub struct RoundTripCounter {
    calls: Arc<Mutex<Vec<(Instant, Instant)>>>,
}

#[derive(Debug, Clone)]
struct SentAt(Instant);

impl Storable for SentAt {
    type Storer = StoreReplace<Self>;
}

impl RoundTripCounter {
    /// A fresh counter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets what was recorded.
    pub fn reset(&self) {
        self.calls.lock().map(|mut c| c.clear()).ok();
    }

    /// Attempts recorded.
    pub fn total(&self) -> usize {
        self.calls.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// Length of the longest chain of calls each started after the previous one finished.
    pub fn dependent(&self) -> usize {
        let calls = self.calls.lock().map(|c| c.clone()).unwrap_or_default();
        critical_path(&calls)
    }
}

fn critical_path(calls: &[(Instant, Instant)]) -> usize {
    let mut by_end: Vec<(Instant, Instant)> = calls.to_vec();
    by_end.sort_by_key(|c| c.1);
    let mut depth = vec![1usize; by_end.len()];
    for i in 0..by_end.len() {
        for j in 0..i {
            if by_end[j].1 <= by_end[i].0 {
                depth[i] = depth[i].max(depth[j] + 1);
            }
        }
    }
    depth.into_iter().max().unwrap_or(0)
}

impl Intercept for RoundTripCounter {
    fn name(&self) -> &'static str {
        "RoundTripCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(SentAt(Instant::now()));
        Ok(())
    }

    fn read_after_transmit(
        &self,
        _context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(SentAt(sent)) = cfg.load::<SentAt>() {
            if let Ok(mut calls) = self.calls.lock() {
                calls.push((*sent, Instant::now()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn overlapping_calls_are_one_round_sequential_calls_add_up() {
        let t = Instant::now();
        let ms = |n| t + Duration::from_millis(n);
        // two concurrent, then two concurrent, then one
        let calls = [(ms(0), ms(10)), (ms(1), ms(12)), (ms(13), ms(20)), (ms(13), ms(25)), (ms(26), ms(30))];
        assert_eq!(critical_path(&calls), 3);
        assert_eq!(critical_path(&calls[..2]), 1);
        assert_eq!(critical_path(&[]), 0);
    }
}
