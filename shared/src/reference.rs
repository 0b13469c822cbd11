//! Reference data as the server holds it and hands it to phones: the holiday years
//! loaded so far and the thresholds, each figure with its document. One snapshot
//! type for the wire, one way to turn it into the calendar and policy in force.

use crate::calendar::{Calendar, CalendarError, CalendarRow};
use crate::policy::{Policy, PolicyError, Threshold};
use serde::{Deserialize, Serialize};

/// What `GET /api/v1/reference` answers (and a phone keeps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferenceSnapshot {
    /// The server's counter: bumped by every load, so a phone asks only when it moved.
    pub version: i64,
    /// Years with a loaded holiday schedule.
    pub years: Vec<i32>,
    /// Every listed day of those years.
    pub days: Vec<CalendarRow>,
    pub thresholds: Vec<Threshold>,
}

impl ReferenceSnapshot {
    /// What a calendar and a policy in force come to on the wire.
    pub fn of(version: i64, calendar: &Calendar, policy: &Policy) -> ReferenceSnapshot {
        ReferenceSnapshot {
            version,
            years: calendar.years().iter().copied().collect(),
            days: calendar.rows(),
            thresholds: policy.thresholds(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// The calendar and the policy (profiles shipped, thresholds loaded) in force.
#[derive(Debug, Clone, PartialEq)]
pub struct InForce {
    /// The snapshot's version (-1: the data shipped with the program).
    pub version: i64,
    pub calendar: Calendar,
    pub policy: Policy,
}

impl Default for InForce {
    fn default() -> Self {
        InForce::shipped()
    }
}

impl InForce {
    /// The data shipped with the program, before anything was loaded.
    pub fn shipped() -> InForce {
        InForce {
            version: -1,
            calendar: Calendar::national().clone(),
            policy: Policy::embedded().clone(),
        }
    }

    /// Builds the calendar and policy a snapshot describes.
    pub fn from_snapshot(s: &ReferenceSnapshot) -> Result<InForce, ReferenceError> {
        // A year loaded with no listed day of its own is still covered.
        let calendar = Calendar::from_rows(&s.days)?.with_years(&s.years);
        let policy = Policy::embedded().with_thresholds(&s.thresholds)?;
        Ok(InForce {
            version: s.version,
            calendar,
            policy,
        })
    }

    /// The snapshot of this data, to hand on.
    pub fn snapshot(&self) -> ReferenceSnapshot {
        ReferenceSnapshot::of(self.version, &self.calendar, &self.policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_round_trips_through_json() {
        let shipped = InForce::shipped();
        let snap = shipped.snapshot();
        let json = serde_json::to_string(&snap).unwrap();
        let back: ReferenceSnapshot = serde_json::from_str(&json).unwrap();
        let again = InForce::from_snapshot(&back).unwrap();
        assert_eq!(again.calendar, shipped.calendar);
        assert_eq!(again.policy.thresholds(), shipped.policy.thresholds());
    }

    #[test]
    fn a_snapshot_below_a_province_is_refused() {
        let mut snap = InForce::shipped().snapshot();
        snap.thresholds
            .push(Threshold::checked("530400000000".parse().unwrap(), 2025, 8000, "TEST ONLY").unwrap());
        assert!(matches!(InForce::from_snapshot(&snap), Err(ReferenceError::Policy(_))));
    }
}
