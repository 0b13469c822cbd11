//! Every date 2020–2026 checked against the reference holiday file, and
//! properties of deadline arithmetic over random dates.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use proptest::prelude::*;
use std::collections::HashMap;
use zaofaxian_shared::Calendar;

/// The reference file beside the repository (`../shared/data`), as CI has it; a
/// checkout without it falls back to the project's copy, which must match it.
fn reference_csv() -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let reference = format!("{root}/shared/data/cn_holidays.csv");
    std::fs::read_to_string(&reference).unwrap_or_else(|_| {
        eprintln!("reference file {reference} not found; checking the project's copy");
        zaofaxian_shared::calendar::NATIONAL_HOLIDAYS_CSV.to_string()
    })
}

#[test]
fn every_date_2020_to_2026_matches_the_reference_file() {
    // Read the reference independently of the calendar's own parser.
    let mut listed: HashMap<NaiveDate, String> = HashMap::new();
    for line in reference_csv().lines().skip(1) {
        let cols: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
        if cols.len() >= 2 {
            listed.insert(cols[0].parse().expect("reference date"), cols[1].to_string());
        }
    }
    assert!(listed.len() > 200, "reference file looks truncated");
    let cal = Calendar::national();
    let mut day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    let mut checked = 0;
    while day <= end {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let expected = match listed.get(&day).map(String::as_str) {
            Some("holiday") => false,
            Some("workday") => true,
            _ => !weekend,
        };
        assert_eq!(cal.is_working_day(day).unwrap(), expected, "{day}");
        day += Duration::days(1);
        checked += 1;
    }
    assert_eq!(checked, 2557);
    assert_eq!(
        cal.years().iter().copied().collect::<Vec<_>>(),
        (2020..=2026).collect::<Vec<_>>()
    );
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // 2020-01-01 plus up to ~6.9 years, leaving room for a 30-working-day period.
    (0i64..2500).prop_map(|n| NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + Duration::days(n))
}

proptest! {
    #[test]
    fn a_due_date_is_a_working_day_exactly_n_working_days_later(event in any_date(), n in 1u32..30) {
        let cal = Calendar::national();
        let due = cal.add_working_days(event, n).unwrap();
        prop_assert!(due > event);
        prop_assert!(cal.is_working_day(due).unwrap());
        prop_assert_eq!(cal.working_days_left(event, due).unwrap(), i64::from(n));
        // The day before the due date still has one working day to go.
        prop_assert_eq!(cal.working_days_left(event, due - Duration::days(1)).unwrap(), i64::from(n) - 1);
    }

    #[test]
    fn longer_periods_end_later(event in any_date(), n in 1u32..20, extra in 1u32..10) {
        let cal = Calendar::national();
        prop_assert!(cal.add_working_days(event, n).unwrap() < cal.add_working_days(event, n + extra).unwrap());
    }

    #[test]
    fn rolling_forward_lands_on_a_working_day_and_is_idempotent(day in any_date()) {
        let cal = Calendar::national();
        let rolled = cal.roll_forward(day).unwrap();
        prop_assert!(rolled >= day);
        prop_assert!(cal.is_working_day(rolled).unwrap());
        prop_assert_eq!(cal.roll_forward(rolled).unwrap(), rolled);
        // Nothing between the day and its roll-forward is a working day.
        let mut d = day;
        while d < rolled {
            prop_assert!(!cal.is_working_day(d).unwrap());
            d += Duration::days(1);
        }
    }

    #[test]
    fn calendar_day_periods_are_never_shorter_than_asked(event in any_date(), n in 1u32..15) {
        let cal = Calendar::national();
        let due = cal.add_calendar_days(event, n).unwrap();
        prop_assert!(due >= event + Duration::days(i64::from(n)));
        prop_assert!(cal.is_working_day(due).unwrap());
    }
}
