//! What every handler shares.

use crate::auth::{CodeSender, RateLimiter};
use crate::store::Store;
use std::sync::Arc;
use zaofaxian_shared::{Calendar, Clock, Policy};

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn ClockDebug>,
    pub codes: Arc<dyn CodeSender>,
    pub login_limiter: Arc<RateLimiter>,
    pub calendar: &'static Calendar,
    pub policy: &'static Policy,
    /// Session lifetime for staff and households, milliseconds.
    pub staff_session_ms: i64,
    pub household_session_ms: i64,
}

/// A clock that can be printed in debug output (for `AppState: Debug`).
pub trait ClockDebug: Clock + std::fmt::Debug {}
impl<T: Clock + std::fmt::Debug> ClockDebug for T {}

impl AppState {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn ClockDebug>, codes: Arc<dyn CodeSender>) -> Self {
        AppState {
            store,
            clock,
            codes,
            // 5 failures per login name or phone in 15 minutes.
            login_limiter: Arc::new(RateLimiter::new(5, 15 * 60 * 1000)),
            calendar: Calendar::national(),
            policy: Policy::embedded(),
            staff_session_ms: 12 * 3600 * 1000,
            // Households sign in rarely, on weak networks: a month.
            household_session_ms: 30 * 24 * 3600 * 1000,
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
}
