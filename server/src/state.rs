//! What every handler shares.

use crate::auth::{CodeSender, SessionCache};
use crate::error::{ApiError, ApiResult};
use crate::limits::{LimitPolicy, Limits, limit_key};
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
    /// Reminder digests and household notices (none until the server is configured).
    pub texts: Arc<dyn crate::texts::TextSender>,
    /// Sign-in, code and report limits (counted in the store, see `crate::limits`).
    pub limits: Limits,
    /// The holiday calendar and policy (with the store's thresholds) in force.
    pub reference: Arc<LiveReference>,
    /// Session lifetime for staff and households, milliseconds.
    pub staff_session_ms: i64,
    pub household_session_ms: i64,
    /// Where photo files live: a folder, or a bucket several processes share.
    pub photo_files: crate::photo_files::PhotoFiles,
    /// The built web app (scripts/build-web.sh), served at `/app/`.
    pub web_app_dir: Option<PathBuf>,
    /// The address phones use to reach the server (`ZAOFAXIAN_PUBLIC_URL`), for the
    /// notice-board poster's QR code; else the address the console was asked on.
    pub public_url: Option<String>,
    pub photo_locks: Arc<KeyedLocks>,
    /// Photo checks hold memory by the canvas they decode: permits are MiB of
    /// `photos::CHECK_BUDGET_MIB`, so a burst of files claiming large canvases waits
    /// instead of exhausting memory, while the app's small photos go side by side.
    pub photo_checks: Arc<tokio::sync::Semaphore>,
    pub sessions: Arc<SessionCache>,
    /// Division codes known to exist: they change only on import.
    pub known_divisions: Arc<std::sync::RwLock<std::collections::HashSet<zaofaxian_shared::DivisionCode>>>,
    /// This process's request and sync metrics (served on the admin address).
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// A limit to count: its scope and what is counted (the store's key), its policy, and
/// what ran out in words (Chinese, English) for the refusal.
pub type LimitCheck<'a> = (&'a str, &'a str, LimitPolicy, &'a str, &'a str);

/// The store's keys and policies of some checks.
pub fn limit_keys(checks: &[LimitCheck<'_>]) -> Vec<(String, LimitPolicy)> {
    checks
        .iter()
        .map(|(scope, what, policy, _, _)| (limit_key(scope, what), *policy))
        .collect()
}

/// The 429 for the `i`th check, which allows again in `wait` ms.
pub fn limit_refusal(checks: &[LimitCheck<'_>], i: usize, wait: u64) -> ApiError {
    let (_, _, _, zh, en) = checks[i];
    let (w_zh, w_en) = crate::auth::wait_in_words(wait);
    let mut e = ApiError::new(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("{zh}，请{w_zh}后再试"),
        format!("{en}: try again in {w_en}"),
    );
    e.retry_after = Some(wait);
    e
}

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
        photo_files: crate::photo_files::PhotoFiles,
    ) -> Self {
        AppState {
            store,
            clock,
            codes,
            texts: Arc::new(crate::texts::NoTexts),
            limits: Limits::default(),
            reference: Arc::default(),
            staff_session_ms: 12 * 3600 * 1000,
            // Households sign in rarely, on weak networks: a month.
            household_session_ms: 30 * 24 * 3600 * 1000,
            photo_files,
            web_app_dir: None,
            public_url: None,
            photo_locks: Arc::new(KeyedLocks::default()),
            photo_checks: Arc::new(tokio::sync::Semaphore::new(crate::photos::CHECK_BUDGET_MIB as usize)),
            // 30 s: a signed-out or expired token stops working within that.
            sessions: Arc::new(SessionCache::new(30_000, 100_000)),
            known_divisions: Arc::default(),
            metrics: Arc::default(),
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

    /// Counts one attempt of `what` under `scope` against `policy`, in the store (so it
    /// holds across processes); refused: a 429 saying what ran out and how long to wait.
    pub async fn limit(&self, scope: &str, what: &str, policy: LimitPolicy, zh: &str, en: &str) -> ApiResult<()> {
        self.limit_all(&[(scope, what, policy, zh, en)]).await
    }

    /// Several limits counted together (all or none); the first refusal is answered.
    pub async fn limit_all(&self, checks: &[LimitCheck<'_>]) -> ApiResult<()> {
        match self.store.limit_attempts(&limit_keys(checks), self.now_ms()).await? {
            Ok(()) => Ok(()),
            Err((i, wait)) => Err(limit_refusal(checks, i, wait)),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
}
