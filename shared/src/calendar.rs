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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// One listed day of a State Council schedule: `date,kind,name,year`, where `year`
/// is the schedule that lists it (2022-12-31 belongs to the 2023 New Year holiday).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarRow {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
    pub year: i32,
    /// 1-based line in the file it came from (0 when it did not come from a file).
    #[serde(skip)]
    pub line: usize,
}

/// A schedule may list days of the last week of the year before: the New Year holiday
/// and its make-up Saturday (the 2019 schedule listed 2018-12-29 to 12-31, the 2023
/// one 2022-12-31). For the same reason those days are provisional until the next
/// year's schedule is known.
pub const SPILLOVER_FROM_DECEMBER: u32 = 25;

/// From this month on, a missing next-year schedule is warned about.
pub const WARN_FROM_MONTH: u32 = 11;

/// Years a schedule file may declare.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Most rows one schedule file may hold (a year lists about 40).
pub const MAX_ROWS: usize = 2_000;

/// How one year's listed days changed when a file replaced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearChange {
    pub year: i32,
    /// Listed days before (None: the year had no data).
    pub before: Option<usize>,
    pub after: usize,
    pub added: Vec<CalendarRow>,
    pub removed: Vec<CalendarRow>,
}

/// A due date and whether it is final: `provisional` names the first year without
/// published data that the count went through, where only Saturdays and Sundays
/// were taken as rest days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Due {
    pub date: NaiveDate,
    pub provisional: Option<i32>,
}

/// Which dates are working days, for the years it has data for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeSet<i32>,
    exceptions: BTreeMap<NaiveDate, (DayKind, String, i32)>,
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
        let row = raw.trim_start_matches('\u{feff}').trim_end_matches('\r').trim();
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
            &format!("日期无效，应为真实存在的YYYY-MM-DD：{date:?} / not a real date in YYYY-MM-DD form: {date:?}"),
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

/// Whether `date` may stand in the schedule of `year`: in that year, or in the last
/// days of the year before (see [`SPILLOVER_FROM_DECEMBER`]).
fn belongs_to(date: NaiveDate, year: i32) -> bool {
    date.year() == year || (date.year() == year - 1 && date.month() == 12 && date.day() >= SPILLOVER_FROM_DECEMBER)
}

/// One row checked on its own: fields, date, kind, year, name.
fn parse_row(line: usize, fields: &[&str], require_name: bool) -> Result<CalendarRow, CalendarError> {
    if fields.len() != 4 {
        return Err(parse_err(
            line,
            "需要4列 date,kind,name,year / expected 4 columns date,kind,name,year",
        ));
    }
    let (date, kind) = parse_day(line, fields[0], fields[1])?;
    let year: i32 = fields[3]
        .parse()
        .ok()
        .filter(|y| YEARS.contains(y))
        .ok_or_else(|| parse_err(line, &format!("年份无效：{:?} / bad year: {:?}", fields[3], fields[3])))?;
    if !belongs_to(date, year) {
        return Err(parse_err(
            line,
            &format!("{date} 不在所声明的{year}年内 / {date} lies outside the declared year {year}"),
        ));
    }
    if kind == DayKind::Workday && !is_weekend(date) {
        return Err(parse_err(
            line,
            &format!("{date} 是平日，不能是调休上班日 / {date} is a weekday, not a make-up day"),
        ));
    }
    let name = fields[2];
    if (require_name && name.is_empty()) || !crate::text::is_plain_name(name) {
        return Err(parse_err(
            line,
            "名称应为1至50个字符的一行文字 / the name must be one line of 1 to 50 characters",
        ));
    }
    Ok(CalendarRow {
        date,
        kind,
        name: name.to_string(),
        year,
        line,
    })
}

/// Reads a schedule file (`date,kind,name,year`, header optional) as an officer would
/// upload it, and lists every bad line rather than only the first: a malformed or
/// impossible date, a date outside its declared year, an unknown kind, a weekday
/// marked as a make-up day, a date listed twice.
pub fn parse_schedule(text: &str) -> Result<Vec<CalendarRow>, Vec<CalendarError>> {
    let mut rows: Vec<CalendarRow> = Vec::new();
    let mut errors = Vec::new();
    let mut seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (line, fields) in csv_rows(text) {
        if rows.len() + errors.len() >= MAX_ROWS {
            errors.push(parse_err(
                line,
                &format!("超过{MAX_ROWS}行 / more than {MAX_ROWS} rows"),
            ));
            break;
        }
        match parse_row(line, &fields, true) {
            Ok(row) => {
                if let Some(first) = seen.insert(row.date, line) {
                    errors.push(parse_err(
                        line,
                        &format!(
                            "{} 重复（第{first}行已列出） / {} listed twice (line {first})",
                            row.date, row.date
                        ),
                    ));
                } else {
                    rows.push(row);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(parse_err(0, "文件中没有日期 / the file lists no dates"));
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

impl Calendar {
    /// The national calendar built from the shipped data file.
    pub fn national() -> &'static Calendar {
        static NATIONAL: OnceLock<Calendar> = OnceLock::new();
        NATIONAL.get_or_init(|| {
            Calendar::parse_csv(NATIONAL_HOLIDAYS_CSV).expect("shipped holiday data is valid (checked by tests)")
        })
    }

    /// The rows of the shipped data file.
    pub fn shipped_rows() -> Vec<CalendarRow> {
        Calendar::national().rows()
    }

    /// Parses `date,kind,name[,year]` rows. Every year declared by a row (or, without
    /// the year column, every year that has a row) is covered: a year is listed only
    /// once its whole schedule is known.
    pub fn parse_csv(text: &str) -> Result<Calendar, CalendarError> {
        let mut rows = Vec::new();
        for (line, fields) in csv_rows(text) {
            if fields.len() < 2 || fields.len() > 4 {
                return Err(parse_err(
                    line,
                    "需要 date,kind,name,year / expected date,kind,name,year",
                ));
            }
            let year = match fields.get(3) {
                Some(y) => y.to_string(),
                None => parse_day(line, fields[0], fields[1])?.0.year().to_string(),
            };
            let name = fields.get(2).copied().unwrap_or("");
            rows.push(parse_row(line, &[fields[0], fields[1], name, &year], false)?);
        }
        Calendar::from_rows(&rows)
    }

    /// A calendar covering exactly the years the rows declare.
    pub fn from_rows(rows: &[CalendarRow]) -> Result<Calendar, CalendarError> {
        let empty = Calendar {
            years: BTreeSet::new(),
            exceptions: BTreeMap::new(),
        };
        empty.replacing(rows).map(|(cal, _)| cal).map_err(|mut e| e.remove(0))
    }

    /// Every listed day, in date order.
    pub fn rows(&self) -> Vec<CalendarRow> {
        self.exceptions
            .iter()
            .map(|(date, (kind, name, year))| CalendarRow {
                date: *date,
                kind: *kind,
                name: name.clone(),
                year: *year,
                line: 0,
            })
            .collect()
    }

    /// This calendar with the years the rows declare replaced as a whole by the rows,
    /// and what changed in each. A row whose date another (kept) year already lists is
    /// refused with its line.
    pub fn replacing(&self, rows: &[CalendarRow]) -> Result<(Calendar, Vec<YearChange>), Vec<CalendarError>> {
        let years: BTreeSet<i32> = rows.iter().map(|r| r.year).collect();
        let mut cal = self.clone();
        cal.exceptions.retain(|_, (_, _, y)| !years.contains(y));
        let mut errors = Vec::new();
        for r in rows {
            if let Some((_, _, other)) = cal.exceptions.get(&r.date) {
                errors.push(parse_err(
                    r.line,
                    &format!(
                        "{} 已列在{other}年的安排中 / {} is already listed by the {other} schedule",
                        r.date, r.date
                    ),
                ));
                continue;
            }
            cal.exceptions.insert(r.date, (r.kind, r.name.clone(), r.year));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        cal.years.extend(years.iter().copied());
        let of_year =
            |c: &Calendar, y: i32| -> Vec<CalendarRow> { c.rows().into_iter().filter(|r| r.year == y).collect() };
        let changes = years
            .iter()
            .map(|&year| {
                let old = of_year(self, year);
                let new = of_year(&cal, year);
                let same = |a: &CalendarRow, b: &CalendarRow| a.date == b.date && a.kind == b.kind && a.name == b.name;
                YearChange {
                    year,
                    before: self.years.contains(&year).then_some(old.len()),
                    after: new.len(),
                    added: new
                        .iter()
                        .filter(|n| !old.iter().any(|o| same(n, o)))
                        .cloned()
                        .collect(),
                    removed: old
                        .iter()
                        .filter(|o| !new.iter().any(|n| same(n, o)))
                        .cloned()
                        .collect(),
                }
            })
            .collect();
        Ok((cal, changes))
    }

    /// This calendar with a region's own days applied on top. The overlay may only
    /// touch years this calendar covers.
    pub fn with_overlay(&self, overlay: &RegionalOverlay) -> Result<Calendar, CalendarError> {
        let mut cal = self.clone();
        for (date, kind, name) in &overlay.days {
            cal.check_year(*date)?;
            cal.exceptions.insert(*date, (*kind, name.clone(), date.year()));
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

    /// The schedule that should be loaded by now and is not: this year's, or from
    /// 1 November (the State Council publishes the next year's in November or
    /// December) the next year's.
    pub fn missing_schedule(&self, today: NaiveDate) -> Option<i32> {
        let year = today.year();
        if !self.years.contains(&year) {
            return Some(year);
        }
        (today.month() >= WARN_FROM_MONTH && !self.years.contains(&(year + 1))).then_some(year + 1)
    }

    /// This calendar also covering `years` (with no listed day of their own).
    pub fn with_years(&self, years: &[i32]) -> Calendar {
        let mut cal = self.clone();
        cal.years.extend(years.iter().copied());
        cal
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
        Ok(self.listed_or_weekday(d))
    }

    fn listed_or_weekday(&self, d: NaiveDate) -> bool {
        match self.exceptions.get(&d) {
            Some((DayKind::Holiday, _, _)) => false,
            Some((DayKind::Workday, _, _)) => true,
            None => !is_weekend(d),
        }
    }

    /// Whether `d` is a working day, and the year whose missing schedule makes that a
    /// guess: a year without data counts Saturdays and Sundays only, and the last days
    /// of December wait for the next year's schedule too.
    pub fn working_day_provisional(&self, d: NaiveDate) -> (bool, Option<i32>) {
        let year = d.year();
        if !self.years.contains(&year) {
            return (!is_weekend(d), Some(year));
        }
        let spills = d.month() == 12 && d.day() >= SPILLOVER_FROM_DECEMBER && !self.years.contains(&(year + 1));
        (self.listed_or_weekday(d), spills.then_some(year + 1))
    }

    /// The holiday or make-up name of a listed date, e.g. `春节`.
    pub fn day_name(&self, d: NaiveDate) -> Option<&str> {
        self.exceptions.get(&d).map(|(_, n, _)| n.as_str())
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
    /// Strict: a year without data is an error (see [`Calendar::due_in_working_days`]).
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

    /// [`Calendar::add_working_days`], but a year without data does not stop the count:
    /// it goes on with Saturdays and Sundays as the only rest days, and the result names
    /// the year that made it provisional.
    pub fn due_in_working_days(&self, event: NaiveDate, n: u32) -> Result<Due, CalendarError> {
        if n == 0 {
            return self.roll_forward_provisional(event, None);
        }
        let mut day = event;
        let mut left = n;
        let mut provisional = None;
        while left > 0 {
            day = day.succ_opt().ok_or(CalendarError::OutOfRange)?;
            let (working, guess) = self.working_day_provisional(day);
            provisional = provisional.or(guess);
            if working {
                left -= 1;
            }
        }
        Ok(Due { date: day, provisional })
    }

    /// The last working day on or before `d`, provisionally through a year without data.
    pub fn roll_back_due(&self, d: NaiveDate) -> Result<Due, CalendarError> {
        let (mut day, mut provisional) = (d, None);
        loop {
            let (working, guess) = self.working_day_provisional(day);
            provisional = provisional.or(guess);
            if working {
                return Ok(Due { date: day, provisional });
            }
            day = day.pred_opt().ok_or(CalendarError::OutOfRange)?;
        }
    }

    /// [`Calendar::roll_forward`] that goes on, provisionally, through a year without data.
    pub fn roll_forward_due(&self, d: NaiveDate) -> Result<Due, CalendarError> {
        self.roll_forward_provisional(d, None)
    }

    fn roll_forward_provisional(&self, d: NaiveDate, mut provisional: Option<i32>) -> Result<Due, CalendarError> {
        let mut day = d;
        loop {
            let (working, guess) = self.working_day_provisional(day);
            provisional = provisional.or(guess);
            if working {
                return Ok(Due { date: day, provisional });
            }
            day = day.succ_opt().ok_or(CalendarError::OutOfRange)?;
        }
    }

    /// The due date of a period of `n` calendar days ("不少于5天"): the day after the
    /// event counts first, and a last day on a rest day moves to the next working day.
    pub fn add_calendar_days(&self, event: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let last = event
            .checked_add_signed(Duration::days(i64::from(n)))
            .ok_or(CalendarError::OutOfRange)?;
        self.roll_forward(last)
    }

    /// [`Calendar::add_calendar_days`] that goes on, provisionally, through a year without data.
    pub fn due_in_calendar_days(&self, event: NaiveDate, n: u32) -> Result<Due, CalendarError> {
        let last = event
            .checked_add_signed(Duration::days(i64::from(n)))
            .ok_or(CalendarError::OutOfRange)?;
        self.roll_forward_provisional(last, None)
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

    /// [`Calendar::working_days_left`] counted provisionally through a year without data,
    /// with the year that made it provisional.
    pub fn days_left(&self, today: NaiveDate, due: NaiveDate) -> Result<(i64, Option<i32>), CalendarError> {
        let (from, to, sign) = if today <= due {
            (today, due, 1)
        } else {
            (due, today, -1)
        };
        let mut count = 0i64;
        let mut provisional = None;
        let mut day = from;
        while day < to {
            day = day.succ_opt().ok_or(CalendarError::OutOfRange)?;
            let (working, guess) = self.working_day_provisional(day);
            provisional = provisional.or(guess);
            if working {
                count += 1;
            }
        }
        Ok((sign * count, provisional))
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

    #[test]
    fn an_uploaded_schedule_lists_every_bad_line() {
        let text = "date,kind,name,year\n\
                    2027-02-30,holiday,春节,2027\n\
                    2027/01/01,holiday,元旦,2027\n\
                    2028-01-01,holiday,元旦,2027\n\
                    2027-01-02,off,元旦,2027\n\
                    2027-01-05,workday,元旦,2027\n\
                    2027-01-01,holiday,元旦,2027\n\
                    2027-01-01,holiday,元旦,2027\n\
                    2026-12-31,holiday,元旦,2027\n\
                    2027-05-01,holiday,劳动节\n";
        let errors = parse_schedule(text).unwrap_err();
        let lines: Vec<usize> = errors
            .iter()
            .map(|e| match e {
                CalendarError::Parse { line, .. } => *line,
                other => panic!("{other:?}"),
            })
            .collect();
        // 02-30 impossible, slashes malformed, outside 2027, unknown kind, weekday make-up,
        // line 8 repeats line 7, line 10 lacks the year. Line 9 (12-31 of the year before) is fine.
        assert_eq!(lines, [2, 3, 4, 5, 6, 8, 10]);
        assert!(errors[2].to_string().contains("不在所声明的2027年内"), "{}", errors[2]);
        assert!(errors[5].to_string().contains("第7行"), "{}", errors[5]);
        assert!(matches!(parse_schedule("date,kind,name,year\n"), Err(e) if e.len() == 1));
    }

    #[test]
    fn a_file_replaces_its_years_and_says_what_changed() {
        let rows = parse_schedule("2026-10-01,holiday,国庆节,2026\n2026-10-02,holiday,国庆节,2026\n").unwrap();
        let (cal, changes) = Calendar::national().replacing(&rows).unwrap();
        assert_eq!(changes.len(), 1);
        let c = &changes[0];
        assert_eq!((c.year, c.before, c.after), (2026, Some(39), 2));
        assert_eq!(c.added.len(), 0);
        assert_eq!(c.removed.len(), 37);
        // The rest of 2026 is now ordinary: 10-05 is a Monday worked, other years untouched.
        assert_eq!(cal.is_working_day(d("2026-10-05")), Ok(true));
        assert_eq!(cal.is_working_day(d("2025-10-06")), Ok(false));
        // A date another kept year lists is refused with its line.
        let clash = parse_schedule("# x\n2025-10-01,holiday,国庆节,2026\n");
        assert!(clash.is_err(), "outside its year");
        let spill = parse_schedule("2025-12-31,holiday,元旦,2026\n").unwrap();
        assert!(Calendar::national().replacing(&spill).is_ok());
        let twice = parse_schedule("2022-12-31,holiday,元旦,2022\n").unwrap();
        let err = Calendar::national().replacing(&twice).unwrap_err();
        assert!(err[0].to_string().contains("2023"), "{}", err[0]);
    }

    #[test]
    fn provisional_counts_weekends_only_and_names_the_year() {
        let cal = Calendar::national();
        // 2026-12-18 (Fri) + 5: 12-21..12-25; 12-25 lies in the week a 2027 schedule may touch.
        assert_eq!(
            cal.due_in_working_days(d("2026-12-18"), 5).unwrap(),
            Due {
                date: d("2026-12-25"),
                provisional: Some(2027)
            }
        );
        assert_eq!(
            cal.due_in_working_days(d("2026-12-11"), 5).unwrap(),
            Due {
                date: d("2026-12-18"),
                provisional: None
            }
        );
        assert_eq!(
            cal.due_in_calendar_days(d("2026-12-30"), 5).unwrap(),
            Due {
                date: d("2027-01-04"),
                provisional: Some(2027)
            }
        );
        assert_eq!(
            cal.days_left(d("2026-12-30"), d("2027-01-05")).unwrap(),
            (4, Some(2027))
        );
        // The strict count still refuses to guess.
        assert!(cal.add_working_days(d("2026-12-28"), 5).is_err());
        // Within published data nothing is provisional, across New Year 2026 either
        // (01-01..03 off, Sunday 01-04 worked).
        assert_eq!(
            cal.due_in_working_days(d("2025-12-29"), 5).unwrap(),
            Due {
                date: d("2026-01-06"),
                provisional: None
            }
        );
    }
}
