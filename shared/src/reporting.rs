//! Periodic reporting rules: 鹤庆's monthly report and 玉溪's "benefits from the next month".

use crate::calendar::{Calendar, CalendarError, Due};
use chrono::{Datelike, NaiveDate};

/// The due date of the report for `year`/`month`: the `day`th of the following month
/// ("于每月5日前上报"), moved to the next working day when it falls on a rest day.
/// Provisional (see [`Due`]) when that month's year has no holiday data yet.
pub fn monthly_report_due(calendar: &Calendar, year: i32, month: u32, day: u32) -> Result<Due, CalendarError> {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    let nominal = NaiveDate::from_ymd_opt(y, m, day.clamp(1, 28)).ok_or(CalendarError::OutOfRange)?;
    calendar.roll_forward_due(nominal)
}

/// The month whose report a township works on `today`: last month's until its due
/// date has passed (the report made on 3 December is November's, due by the 5th), then
/// this month's. A due date that cannot be counted yet counts as passed.
pub fn report_month_on(calendar: &Calendar, today: NaiveDate, day: u32) -> (i32, u32) {
    let (y, m) = if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    };
    match monthly_report_due(calendar, y, m, day) {
        Ok(due) if today <= due.date => (y, m),
        _ => (today.year(), today.month()),
    }
}

/// The latest month whose report is past its due date on `today`, with that date:
/// the report a county expects to have been filed.
pub fn last_report_passed(calendar: &Calendar, today: NaiveDate, day: u32) -> Option<(i32, u32, NaiveDate)> {
    let (y, m) = report_month_on(calendar, today, day);
    let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    let due = monthly_report_due(calendar, py, pm, day).ok()?;
    (today > due.date).then_some((py, pm, due.date))
}

/// When the county's monthly review (鹤庆 "每月一复核，每月一研判") of a household the
/// township approved on `approved_on` is due: the township reports it by the 5th of the
/// next month, and the county reviews each month's reports within that month, so by the
/// last working day of the month after the approval. (Our reading: the seed sets the
/// rhythm, not a day.)
pub fn county_review_due(calendar: &Calendar, approved_on: NaiveDate) -> Result<Due, CalendarError> {
    let (y, m) = (approved_on.year(), approved_on.month());
    let (y2, m2) = if m >= 11 { (y + 1, m - 10) } else { (y, m + 2) };
    let first_after = NaiveDate::from_ymd_opt(y2, m2, 1).ok_or(CalendarError::OutOfRange)?;
    calendar.roll_back_due(first_after.pred_opt().ok_or(CalendarError::OutOfRange)?)
}

/// Which kind of monthly report a township files: "如若当月未有新增对象，则实行零报告".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthlyReportKind {
    /// New monitored households to list.
    Listing { new_households: usize },
    /// 零报告: nothing new this month, but the report is still due.
    Zero,
}

pub fn monthly_report_kind(new_households: usize) -> MonthlyReportKind {
    if new_households == 0 {
        MonthlyReportKind::Zero
    } else {
        MonthlyReportKind::Listing { new_households }
    }
}

/// 玉溪 五: "原则上从录入全国防返贫监测信息系统后次月开始享受有关政策" — the first day of
/// the month after the household was entered.
pub fn benefits_start(entered_on: NaiveDate) -> NaiveDate {
    let (y, m) = if entered_on.month() == 12 {
        (entered_on.year() + 1, 1)
    } else {
        (entered_on.year(), entered_on.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(entered_on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// 鹤庆 二(三): the report due "于每月5日前" is the last month's until that day.
    #[test]
    fn the_report_worked_on_is_last_months_until_it_is_due() {
        let cal = Calendar::national();
        assert_eq!(report_month_on(cal, d("2025-12-03"), 5), (2025, 11));
        assert_eq!(report_month_on(cal, d("2025-12-05"), 5), (2025, 11));
        assert_eq!(report_month_on(cal, d("2025-12-06"), 5), (2025, 12));
        // September 2025's report is due 10-09 (National Day): still September's on 10-08.
        assert_eq!(report_month_on(cal, d("2025-10-08"), 5), (2025, 9));
        assert_eq!(report_month_on(cal, d("2026-01-02"), 5), (2025, 12));
    }

    /// 鹤庆 二(三): "于每月5日前上报县扶贫开发领导小组".
    #[test]
    fn monthly_report_due_on_the_fifth_or_the_next_working_day() {
        let cal = Calendar::national();
        let due = |y, m| monthly_report_due(cal, y, m, 5).unwrap();
        assert_eq!(
            due(2025, 10),
            Due {
                date: d("2025-11-05"),
                provisional: None
            }
        );
        // The September 2025 report: 10-05 falls in the National Day holiday → 10-09.
        assert_eq!(due(2025, 9).date, d("2025-10-09"));
        // December's report is due in January of the next year.
        assert_eq!(due(2025, 12).date, d("2026-01-05"));
        // 2027 has no calendar data yet: 2027-01-05 is a Tuesday, provisionally.
        assert_eq!(
            due(2026, 12),
            Due {
                date: d("2027-01-05"),
                provisional: Some(2027)
            }
        );
    }

    /// September 2025's report is due 9 October: on the 9th the last one past due is
    /// August's, from the 10th September's.
    #[test]
    fn the_last_report_past_due() {
        let cal = Calendar::national();
        assert_eq!(
            last_report_passed(cal, d("2025-10-09"), 5),
            Some((2025, 8, d("2025-09-05")))
        );
        assert_eq!(
            last_report_passed(cal, d("2025-10-10"), 5),
            Some((2025, 9, d("2025-10-09")))
        );
        assert_eq!(
            last_report_passed(cal, d("2026-01-06"), 5),
            Some((2025, 12, d("2026-01-05")))
        );
    }

    #[test]
    fn a_month_with_nothing_new_still_files_a_zero_report() {
        assert_eq!(monthly_report_kind(0), MonthlyReportKind::Zero);
        assert_eq!(monthly_report_kind(3), MonthlyReportKind::Listing { new_households: 3 });
    }

    #[test]
    fn benefits_start_the_month_after_entry() {
        assert_eq!(benefits_start(d("2025-10-30")), d("2025-11-01"));
        assert_eq!(benefits_start(d("2025-12-01")), d("2026-01-01"));
    }
}
