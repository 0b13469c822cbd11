//! Injected time. The core never reads the system clock itself, so tests can
//! stand on any date (a holiday week, the last day of a notice).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use std::sync::Mutex;

/// China Standard Time: deadlines are counted in local dates.
pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The China date of a moment given in Unix milliseconds (history entries, uploads).
pub fn china_date(ms: i64) -> NaiveDate {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&china_offset())
        .date_naive()
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in China (UTC+8).
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&china_offset()).date_naive()
    }
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved: for tests and simulations.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(at))
    }

    /// Noon, China time, on `date`.
    pub fn at_date(date: NaiveDate) -> Self {
        let noon = date
            .and_hms_opt(12, 0, 0)
            .expect("noon exists")
            .and_local_timezone(china_offset())
            .single()
            .expect("fixed offset is unambiguous");
        ManualClock::new(noon.with_timezone(&Utc))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_china_date() {
        // 2025-09-30 17:00 UTC is already 10-01 in Beijing.
        let c = ManualClock::new("2025-09-30T17:00:00Z".parse().unwrap());
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2025, 10, 1).unwrap());
        c.advance(chrono::Duration::days(1));
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2025, 10, 2).unwrap());
        let d = NaiveDate::from_ymd_opt(2026, 2, 17).unwrap();
        assert_eq!(ManualClock::at_date(d).today(), d);
    }
}
