//! What every handler shares.

use crate::auth::{CodeSender, RateLimiter, SessionCache};
use crate::reference::{LiveReference, Reference};
use crate::store::Store;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use zaofaxian_shared::Clock;

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn ClockDebug>,
    pub codes: Arc<dyn CodeSender>,
    pub login_limiter: Arc<RateLimiter>,
    /// The holiday calendar and policy (with the store's thresholds) in force.
    pub reference: Arc<LiveReference>,
    /// Session lifetime for staff and households, milliseconds.
    pub staff_session_ms: i64,
    pub household_session_ms: i64,
    /// Where photo files live (partial uploads under `partial/`).
    pub photo_dir: PathBuf,
    pub photo_locks: Arc<KeyedLocks>,
    /// Photo checks decode up to 50 MP (150 MB) each: at most one per core at a time,
    /// so a burst of small files claiming large canvases cannot exhaust memory.
    pub photo_checks: Arc<tokio::sync::Semaphore>,
    pub sessions: Arc<SessionCache>,
    /// Reports one household account may send in a day (self-reports join its open
    /// case; each still counts), and how many of those may be filed for others.
    pub report_limiter: Arc<RateLimiter>,
    /// Texted codes: per phone, per client address and in all (a real gateway costs
    /// money per message, and unlimited codes allow guessing at scale).
    pub code_limiters: Arc<CodeLimiters>,
    pub proxy_limiter: Arc<RateLimiter>,
    /// Division codes known to exist: they change only on import.
    pub known_divisions: Arc<std::sync::RwLock<std::collections::HashSet<zaofaxian_shared::DivisionCode>>>,
}

const DAY_MS: i64 = 24 * 3600 * 1000;

/// Limits on texting codes. Many village phones share one carrier address (CGNAT), so
/// the per-client figure is generous; the overall one caps what a flood can cost.
#[derive(Debug)]
pub struct CodeLimiters {
    /// 5 codes per phone in 15 minutes.
    pub per_phone: RateLimiter,
    /// 30 codes per client address in 10 minutes.
    pub per_client: RateLimiter,
    /// 600 codes a minute from the whole server.
    pub overall: RateLimiter,
}

impl Default for CodeLimiters {
    fn default() -> Self {
        CodeLimiters {
            per_phone: RateLimiter::new(5, 15 * 60 * 1000),
            per_client: RateLimiter::new(30, 10 * 60 * 1000),
            overall: RateLimiter::new(600, 60 * 1000),
        }
    }
}

/// A household reports its own hardship a few times at most; 20 a day is far above
/// any real family and far below a flood (one account once sent 400 in a second).
pub const HOUSEHOLD_REPORTS_PER_DAY: usize = 20;
/// 代为申报 by a household account (for a neighbour who has no phone): 3 a day. Cadres
/// file for many households with their own accounts, which these limits do not touch.
pub const HOUSEHOLD_PROXY_REPORTS_PER_DAY: usize = 3;

/// One async lock per key (a photo's hash), created on demand.
#[derive(Debug, Default)]
pub struct KeyedLocks(std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

impl KeyedLocks {
    pub async fn lock(&self, key: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let m = {
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            // Forget locks nobody holds, so the map does not grow with every photo ever sent.
            map.retain(|_, l| Arc::strong_count(l) > 1);
            map.entry(key.to_string()).or_default().clone()
        };
        m.lock_owned().await
    }
}

/// A clock that can be printed in debug output (for `AppState: Debug`).
pub trait ClockDebug: Clock + std::fmt::Debug {}
impl<T: Clock + std::fmt::Debug> ClockDebug for T {}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn ClockDebug>,
        codes: Arc<dyn CodeSender>,
        photo_dir: PathBuf,
    ) -> Self {
        AppState {
            store,
            clock,
            codes,
            // 5 failures per login name or phone in 15 minutes, then a growing delay.
            login_limiter: Arc::new(RateLimiter::progressive(5, 15 * 60 * 1000)),
            reference: Arc::default(),
            staff_session_ms: 12 * 3600 * 1000,
            // Households sign in rarely, on weak networks: a month.
            household_session_ms: 30 * 24 * 3600 * 1000,
            photo_dir,
            photo_locks: Arc::new(KeyedLocks::default()),
            photo_checks: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            )),
            // 30 s: a signed-out or expired token stops working within that.
            sessions: Arc::new(SessionCache::new(30_000, 100_000)),
            known_divisions: Arc::default(),
            report_limiter: Arc::new(RateLimiter::new(HOUSEHOLD_REPORTS_PER_DAY, DAY_MS)),
            code_limiters: Arc::new(CodeLimiters::default()),
            proxy_limiter: Arc::new(RateLimiter::new(HOUSEHOLD_PROXY_REPORTS_PER_DAY, DAY_MS)),
        }
    }

    /// The reference data in force now (a cheap clone of a shared pointer).
    pub fn reference(&self) -> Arc<Reference> {
        self.reference.get()
    }

    /// Seeds the store with the shipped calendar and thresholds it lacks and loads
    /// what it holds. Call once before serving.
    pub async fn load_reference(&self) -> crate::store::StoreResult<()> {
        self.reference.seed_and_load(self.store.as_ref(), self.now_ms()).await
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
}
