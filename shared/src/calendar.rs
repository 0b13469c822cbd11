//! The working-day calendar (工作日历).
//!
//! Statutory holidays and weekend make-up working days (调休) come from a data file,
//! one row per exception to the Monday–Friday week. Deadlines follow the Civil Code:
//! a period counts from the day after the event (民法典 第二百零一条), and a last day
//! that falls on a rest day moves to the next working day (第二百零三条).
//! A year without data is an error: silently counting weekdays would put a
//! deadline inside the Spring Festival holiday.

use crate::division::DivisionCode;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The national holiday data shipped with the project (from the State Council notices).
pub const NATIONAL_HOLIDAYS_CSV: &str = include_str!("../data/cn_holidays.csv");

/// How a listed date differs from an ordinary week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayKind {
    /// A day off on what would be a working day (or a holiday falling on a weekend).
    Holiday,
    /// A weekend day worked in exchange (调休上班).
    Workday,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "没有{year}年的节假日数据，无法计算工作日；请先导入该年国务院放假安排 / no holiday data for {year}: import that year's State Council schedule first"
    )]
    NoData { year: i32 },
    #[error("节假日数据第{line}行有误：{reason} / holiday data line {line}: {reason}")]
    Parse { line: usize, reason: String },
    #[error("日期超出可计算范围 / date out of range")]
    OutOfRange,
}

/// A local adjustment for one region, e.g. a prefecture's ethnic festival days off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionalOverlay {
    /// The division whose staff and households the days apply to (and everything inside it).
    pub region: DivisionCode,
    pub days: Vec<(NaiveDate, DayKind, String)>,
}

impl RegionalOverlay {
    /// Parses `region_code,date,kind,name` rows (header optional). Rows of several
    /// regions may share a file; one overlay per region comes back.
    pub fn parse_csv(text: &str) -> Result<Vec<RegionalOverlay>, CalendarError> {
        let mut by_region: BTreeMap<DivisionCode, Vec<(NaiveDate, DayKind, String)>> = BTreeMap::new();
        for (line, fields) in csv_rows(text) {
            if fields.len() < 3 {
                return Err(parse_err(
                    line,
                    "需要 region_code,date,kind,name / expected region_code,date,kind,name",
                ));
            }
            let region: DivisionCode = fields[0]
                .parse()
                .map_err(|e: crate::division::DivisionError| parse_err(line, &e.to_string()))?;
            let (date, kind) = parse_day(line, fields[1], fields[2])?;
            let name = fields.get(3).copied().unwrap_or("").to_string();
            by_region.entry(region).or_default().push((date, kind, name));
        }
        Ok(by_region
            .into_iter()
            .map(|(region, days)| RegionalOverlay { region, days })
            .collect())
    }
}

/// Which dates are working days, for the years it has data for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeSet<i32>,
    exceptions: BTreeMap<NaiveDate, (DayKind, String)>,
}

fn parse_err(line: usize, reason: &str) -> CalendarError {
    CalendarError::Parse {
        line,
        reason: reason.to_string(),
    }
}

/// Non-empty, non-header rows with their 1-based line numbers; tolerates CRLF.
fn csv_rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines().enumerate().filter_map(|(i, raw)| {
        let row = raw.trim_end_matches('\r').trim();
        let first = row.split(',').next().unwrap_or("");
        let is_header = !first.is_empty() && !first.as_bytes()[0].is_ascii_digit();
        (!row.is_empty() && !row.starts_with('#') && !is_header)
            .then(|| (i + 1, row.split(',').map(str::trim).collect()))
    })
}

fn parse_day(line: usize, date: &str, kind: &str) -> Result<(NaiveDate, DayKind), CalendarError> {
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
        parse_err(
            line,
            &format!("日期应为YYYY-MM-DD：{date:?} / date must be YYYY-MM-DD: {date:?}"),
        )
    })?;
    let kind = match kind {
        "holiday" => DayKind::Holiday,
        "workday" => DayKind::Workday,
        other => {
            return Err(parse_err(
                line,
                &format!("类型应为 holiday 或 workday：{other:?} / kind must be holiday or workday: {other:?}"),
            ));
        }
    };
    Ok((date, kind))
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    /// The national calendar built from the shipped data file.
    pub fn national() -> &'static Calendar {
        static NATIONAL: OnceLock<Calendar> = OnceLock::new();
        NATIONAL.get_or_init(|| {
            Calendar::parse_csv(NATIONAL_HOLIDAYS_CSV).expect("shipped holiday data is valid (checked by tests)")
        })
    }

    /// Parses `date,kind,name[,year]` rows. Every calendar year that has a row is
    /// considered covered; a year is listed only once its whole schedule is known.
    pub fn parse_csv(text: &str) -> Result<Calendar, CalendarError> {
        let mut cal = Calendar {
            years: BTreeSet::new(),
            exceptions: BTreeMap::new(),
        };
        for (line, fields) in csv_rows(text) {
            if fields.len() < 2 {
                return Err(parse_err(line, "需要 date,kind,name / expected date,kind,name"));
            }
            let (date, kind) = parse_day(line, fields[0], fields[1])?;
            if kind == DayKind::Workday && !is_weekend(date) {
                return Err(parse_err(
                    line,
                    &format!("{date} 是平日，不能是调休上班日 / {date} is a weekday, not a make-up day"),
                ));
            }
            let name = fields.get(2).copied().unwrap_or("").to_string();
            if cal.exceptions.insert(date, (kind, name)).is_some() {
                return Err(parse_err(line, &format!("{date} 重复 / {date} listed twice")));
            }
            cal.years.insert(date.year());
        }
        Ok(cal)
    }

    /// This calendar with a region's own days applied on top. The overlay may only
    /// touch years this calendar covers.
    pub fn with_overlay(&self, overlay: &RegionalOverlay) -> Result<Calendar, CalendarError> {
        let mut cal = self.clone();
        for (date, kind, name) in &overlay.days {
            cal.check_year(*date)?;
            cal.exceptions.insert(*date, (*kind, name.clone()));
        }
        Ok(cal)
    }

    /// The calendar in force in `division`: the overlays of every region that contains it.
    pub fn for_division(
        &self,
        overlays: &[RegionalOverlay],
        division: DivisionCode,
    ) -> Result<Calendar, CalendarError> {
        overlays
            .iter()
            .filter(|o| o.region.contains(division))
            .try_fold(self.clone(), |cal, o| cal.with_overlay(o))
    }

    /// The years with holiday data, e.g. 2020..=2026.
    pub fn years(&self) -> &BTreeSet<i32> {
        &self.years
    }

    fn check_year(&self, d: NaiveDate) -> Result<(), CalendarError> {
        if self.years.contains(&d.year()) {
            Ok(())
        } else {
            Err(CalendarError::NoData { year: d.year() })
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        self.check_year(d)?;
        Ok(match self.exceptions.get(&d) {
            Some((DayKind::Holiday, _)) => false,
            Some((DayKind::Workday, _)) => true,
            None => !is_weekend(d),
        })
    }

    /// The holiday or make-up name of a listed date, e.g. `春节`.
    pub fn day_name(&self, d: NaiveDate) -> Option<&str> {
        self.exceptions.get(&d).map(|(_, n)| n.as_str())
    }

    /// `d` itself if it is a working day, otherwise the next working day (第二百零三条).
    pub fn roll_forward(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut day = d;
        while !self.is_working_day(day)? {
            day = day.succ_opt().ok_or(CalendarError::OutOfRange)?;
        }
        Ok(day)
    }

    /// The due date of a period of `n` working days after `event`: counting starts on
    /// the day after the event, so 5 working days from Friday end next Friday.
    /// With `n == 0` the due date is the event day, moved to a working day.
    pub fn add_working_days(&self, event: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n == 0 {
            return self.roll_forward(event);
        }
        let mut day = event;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().ok_or(CalendarError::OutOfRange)?;
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// The due date of a period of `n` calendar days ("不少于5天"): the day after the
    /// event counts first, and a last day on a rest day moves to the next working day.
    pub fn add_calendar_days(&self, event: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let last = event
            .checked_add_signed(Duration::days(i64::from(n)))
            .ok_or(CalendarError::OutOfRange)?;
        self.roll_forward(last)
    }

    /// Working days left after `today` until `due`: 0 when due today, negative when
    /// overdue (minus the working days that have passed since the due date).
    pub fn working_days_left(&self, today: NaiveDate, due: NaiveDate) -> Result<i64, CalendarError> {
        let (from, to, sign) = if today <= due {
            (today, due, 1)
        } else {
            (due, today, -1)
        };
        let mut count = 0i64;
        let mut day = from;
        while day < to {
            day = day.succ_opt().ok_or(CalendarError::OutOfRange)?;
            if self.is_working_day(day)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn national_day_2025_example_from_the_issue() {
        // Reported 2025-09-30; 10-01..08 off, 10-11 (Sat) worked: five working days end 10-14.
        let cal = Calendar::national();
        assert_eq!(cal.add_working_days(d("2025-09-30"), 5).unwrap(), d("2025-10-14"));
    }

    #[test]
    fn counting_starts_the_day_after_the_event() {
        // 民法典 第二百零一条: a Monday report with 5 working days is due the next Monday.
        let cal = Calendar::national();
        assert_eq!(cal.add_working_days(d("2025-11-03"), 5).unwrap(), d("2025-11-10"));
        assert_eq!(cal.add_working_days(d("2025-11-03"), 1).unwrap(), d("2025-11-04"));
        // An event on a Saturday: counting starts Sunday (rest), so Monday is day 1.
        assert_eq!(cal.add_working_days(d("2025-11-08"), 1).unwrap(), d("2025-11-10"));
    }

    #[test]
    fn spring_festival_2026_is_skipped_and_make_up_saturday_counts() {
        // 2026-02-13 (Fri) report: 02-14 (Sat) is a make-up working day, 02-15..23 off.
        let cal = Calendar::national();
        assert_eq!(cal.add_working_days(d("2026-02-13"), 1).unwrap(), d("2026-02-14"));
        assert_eq!(cal.add_working_days(d("2026-02-13"), 2).unwrap(), d("2026-02-24"));
    }

    #[test]
    fn calendar_day_periods_move_off_rest_days() {
        // 民法典 第二百零三条: a five-day notice posted 2025-09-28 would end 10-03, a holiday;
        // it moves to the first working day after the holiday, 10-09.
        let cal = Calendar::national();
        assert_eq!(cal.add_calendar_days(d("2025-09-28"), 5).unwrap(), d("2025-10-09"));
        assert_eq!(cal.add_calendar_days(d("2025-11-03"), 5).unwrap(), d("2025-11-10"));
    }

    #[test]
    fn a_year_without_data_fails_loudly() {
        let cal = Calendar::national();
        assert_eq!(
            cal.is_working_day(d("2027-01-04")),
            Err(CalendarError::NoData { year: 2027 })
        );
        // A deadline that would run into 2027 fails instead of guessing.
        assert_eq!(
            cal.add_working_days(d("2026-12-28"), 5),
            Err(CalendarError::NoData { year: 2027 })
        );
        assert_eq!(
            cal.is_working_day(d("2019-12-31")),
            Err(CalendarError::NoData { year: 2019 })
        );
        let msg = CalendarError::NoData { year: 2027 }.to_string();
        assert!(
            msg.contains("2027年") && msg.contains("no holiday data for 2027"),
            "{msg}"
        );
    }

    #[test]
    fn days_left_counts_working_days_and_goes_negative_when_overdue() {
        let cal = Calendar::national();
        let due = d("2025-10-14");
        assert_eq!(cal.working_days_left(d("2025-09-30"), due).unwrap(), 5);
        assert_eq!(cal.working_days_left(due, due).unwrap(), 0);
        assert_eq!(cal.working_days_left(d("2025-10-16"), due).unwrap(), -2);
    }

    #[test]
    fn regional_overlay_adds_local_days_off_only_inside_its_region() {
        // A prefecture (大理州) closes offices for a local festival on two weekdays.
        let overlays = RegionalOverlay::parse_csv(
            "region_code,date,kind,name\n532900000000,2025-04-10,holiday,三月街\n532900000000,2025-04-11,holiday,三月街\n",
        )
        .unwrap();
        let national = Calendar::national();
        let heqing_village: DivisionCode = "532932100201".parse().unwrap();
        let yuxi_village: DivisionCode = "530402001001".parse().unwrap();
        let dali = national.for_division(&overlays, heqing_village).unwrap();
        let yuxi = national.for_division(&overlays, yuxi_village).unwrap();
        // Wednesday 04-09 report, 2 working days.
        assert_eq!(yuxi.add_working_days(d("2025-04-09"), 2).unwrap(), d("2025-04-11"));
        assert_eq!(dali.add_working_days(d("2025-04-09"), 2).unwrap(), d("2025-04-15"));
        assert_eq!(dali.day_name(d("2025-04-10")), Some("三月街"));
        let bad = RegionalOverlay::parse_csv("532900000000,2030-04-10,holiday,x").unwrap();
        assert_eq!(
            national.with_overlay(&bad[0]),
            Err(CalendarError::NoData { year: 2030 })
        );
    }

    #[test]
    fn bad_data_is_rejected_with_its_line() {
        let err = Calendar::parse_csv("date,kind,name\n2025-10-01,holiday,国庆\n2025-10-13,workday,x\n").unwrap_err();
        assert!(matches!(err, CalendarError::Parse { line: 3, .. }), "{err:?}");
        assert!(matches!(
            Calendar::parse_csv("2025-13-01,holiday,x"),
            Err(CalendarError::Parse { line: 1, .. })
        ));
        assert!(matches!(
            Calendar::parse_csv("2025-10-01,off,x"),
            Err(CalendarError::Parse { .. })
        ));
    }
}
