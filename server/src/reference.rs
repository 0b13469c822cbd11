//! Reference data in force: the holiday calendar and the policy with the store's
//! thresholds. Loaded from the store at start, swapped whole when an officer loads a
//! year or sets a threshold, and polled so that other server processes on the same
//! database follow within [`POLL`].

use crate::store::{CalendarYearInfo, ReferenceData, Store, StoreResult, ThresholdInfo};
use chrono::NaiveDate;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use zaofaxian_shared::reference::{InForce, ReferenceSnapshot};
use zaofaxian_shared::{Calendar, Policy};

/// How often a process checks whether another one changed the data.
pub const POLL: Duration = Duration::from_secs(30);

/// One consistent set of reference data.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The store's counter this was built from (-1: the shipped data, before any load).
    pub version: i64,
    pub calendar: Calendar,
    pub policy: Policy,
    pub years: Vec<CalendarYearInfo>,
    pub thresholds: Vec<ThresholdInfo>,
}

impl Reference {
    /// The data shipped with the program (what the store is seeded with).
    pub fn shipped() -> Reference {
        Reference {
            version: -1,
            calendar: Calendar::national().clone(),
            policy: Policy::embedded().clone(),
            years: Vec::new(),
            thresholds: Vec::new(),
        }
    }

    /// Builds the calendar and policy from what the store holds (the same way a
    /// phone builds them from the snapshot it is sent).
    pub fn from_data(data: ReferenceData) -> Result<Reference, String> {
        let snapshot = ReferenceSnapshot {
            version: data.version,
            years: data.years.iter().map(|y| y.year).collect(),
            days: data.days,
            thresholds: data.thresholds.iter().map(|t| t.threshold.clone()).collect(),
        };
        let InForce {
            version,
            calendar,
            policy,
        } = InForce::from_snapshot(&snapshot).map_err(|e| e.to_string())?;
        Ok(Reference {
            version,
            calendar,
            policy,
            years: data.years,
            thresholds: data.thresholds,
        })
    }

    /// What phones are sent.
    pub fn snapshot(&self) -> ReferenceSnapshot {
        ReferenceSnapshot::of(self.version, &self.calendar, &self.policy)
    }

    /// The schedule that should be loaded by `today` and is not (see the core's rule).
    pub fn missing_schedule(&self, today: NaiveDate) -> Option<i32> {
        self.calendar.missing_schedule(today)
    }
}

/// The reference data in force in this process.
#[derive(Debug)]
pub struct LiveReference(RwLock<Arc<Reference>>);

impl Default for LiveReference {
    fn default() -> Self {
        LiveReference(RwLock::new(Arc::new(Reference::shipped())))
    }
}

impl LiveReference {
    pub fn get(&self) -> Arc<Reference> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, r: Reference) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(r);
    }

    /// Reloads from the store when its counter moved; true when it did.
    pub async fn refresh(&self, store: &dyn Store) -> StoreResult<bool> {
        if store.reference_version().await? == self.get().version {
            return Ok(false);
        }
        self.reload(store).await?;
        Ok(true)
    }

    /// Reloads from the store unconditionally.
    pub async fn reload(&self, store: &dyn Store) -> StoreResult<()> {
        let data = store.reference_data().await?;
        let r = Reference::from_data(data).map_err(crate::store::StoreError::Corrupt)?;
        self.set(r);
        Ok(())
    }

    /// Seeds the store with the shipped data it lacks, then loads it.
    pub async fn seed_and_load(&self, store: &dyn Store, now_ms: i64) -> StoreResult<()> {
        let shipped = Policy::embedded().thresholds();
        store
            .seed_reference(&Calendar::shipped_rows(), &shipped, now_ms)
            .await?;
        self.reload(store).await
    }
}
