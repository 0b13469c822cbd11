//! Deadlines that reach people: which level must act on a deadline, when a step is
//! due soon, overdue or escalated (督办), when texts may go out, and their words.
//! Pure rules; the server collects the cases, records what it sends and sends it.
//!
//! Decisions (the seeds set the periods, not how reminders are given):
//! - A step is *due soon* on its last day and on the working day before it; a
//!   working-day digest on a rest day would remind no one, so digests go on working
//!   days only (by the loaded calendar, provisionally Saturday/Sunday beyond it).
//! - A step late by one working day or more goes to the level above (村 → 乡镇,
//!   乡镇 → 县) as 超期督办.
//! - Texts go out between 08:00 and 20:00 China time; what is due at night waits for
//!   the morning. Digests are made from 08:00.

use crate::calendar::Calendar;
use crate::lifecycle::{CaseState, DeadlineKind, Stage};
use crate::role::Role;
use crate::text::Text;
use crate::text_messages::{TextKind, TextMessage};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// The level of government whose people take a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Village,
    Township,
    County,
}

impl Level {
    /// Who must act before a deadline: the village verifies and closes its notice
    /// (云南 三(三), 鹤庆 二), the township reviews, the county reviews monthly and
    /// closes its second notice (内蒙古).
    pub fn of_deadline(kind: DeadlineKind) -> Level {
        match kind {
            DeadlineKind::Verification | DeadlineKind::NoticeEnd => Level::Village,
            DeadlineKind::TownshipReview | DeadlineKind::TownshipReviewAtOnce => Level::Township,
            DeadlineKind::CountyMonthlyReview | DeadlineKind::SecondNoticeEnd => Level::County,
        }
    }

    /// The level a staff account works at; none for households, departments, admins.
    pub fn of_role(role: Role) -> Option<Level> {
        match role {
            Role::VillageCadre | Role::WorkTeam => Some(Level::Village),
            Role::Township => Some(Level::Township),
            Role::County => Some(Level::County),
            _ => None,
        }
    }

    /// Who supervises a late step of this level.
    pub fn above(self) -> Option<Level> {
        match self {
            Level::Village => Some(Level::Township),
            Level::Township => Some(Level::County),
            Level::County => None,
        }
    }

    pub fn label(self) -> Text {
        match self {
            Level::Village => Text::new("村级", "village"),
            Level::Township => Text::new("乡镇", "township"),
            Level::County => Text::new("县级", "county"),
        }
    }
}

/// The longest 督办 note (a note, not a letter).
pub const MAX_SUPERVISION_NOTE_CHARS: usize = 200;

/// Whether `note` may be sent as a 督办 note: not blank, not too long, nothing hidden
/// (line breaks allowed).
pub fn is_supervision_note(note: &str) -> bool {
    !note.trim().is_empty()
        && note.chars().count() <= MAX_SUPERVISION_NOTE_CHARS
        && !crate::text::has_hidden_characters(note, true)
}

/// How pressing a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Due today or on the next working day.
    DueSoon,
    /// The due date has passed.
    Overdue,
}

/// Working days from `today` to `due` (0 due today, negative when late), counted
/// provisionally through a year without holiday data.
pub fn working_days_left(calendar: &Calendar, today: NaiveDate, due: NaiveDate) -> i64 {
    calendar.days_left(today, due).map(|(n, _)| n).unwrap_or(0)
}

/// Whether a step due on `due` is due soon or overdue on `today`.
pub fn urgency(calendar: &Calendar, today: NaiveDate, due: NaiveDate) -> Option<Urgency> {
    if today > due {
        return Some(Urgency::Overdue);
    }
    (working_days_left(calendar, today, due) <= 1).then_some(Urgency::DueSoon)
}

/// Working days a step is late after which the level above supervises it.
pub const ESCALATE_AFTER_WORKING_DAYS: i64 = 1;

/// Working days late on `today` (0 when not late): a step due on Friday is 1 day late
/// on Monday.
pub fn working_days_late(calendar: &Calendar, today: NaiveDate, due: NaiveDate) -> i64 {
    if today <= due {
        0
    } else {
        -working_days_left(calendar, today, due)
    }
}

/// Whether a late step is on the level above's 超期督办 list.
pub fn escalated(calendar: &Calendar, today: NaiveDate, due: NaiveDate) -> bool {
    working_days_late(calendar, today, due) >= ESCALATE_AFTER_WORKING_DAYS
}

/// The latest due date that is on the 超期督办 list today: a step is escalated exactly
/// when it was due on or before this day (boards count it in the store with it).
pub fn escalated_if_due_by(calendar: &Calendar, today: NaiveDate) -> NaiveDate {
    let mut day = today;
    // The longest rest (Spring Festival with its weekends) is under three weeks.
    for _ in 0..60 {
        day = day.pred_opt().unwrap_or(day);
        if escalated(calendar, today, day) {
            break;
        }
    }
    day
}

/// Texts go out between these China times.
pub const TEXTS_FROM: NaiveTime = NaiveTime::from_hms_opt(8, 0, 0).expect("08:00");
pub const TEXTS_UNTIL: NaiveTime = NaiveTime::from_hms_opt(20, 0, 0).expect("20:00");

/// Whether a text may go out at `china_time` (never at night).
pub fn may_text_at(china_time: NaiveTime) -> bool {
    (TEXTS_FROM..TEXTS_UNTIL).contains(&china_time)
}

/// Whether today's digests are made now: a working day, in texting hours (a server
/// down all day does not text at night; the in-app list has it all).
pub fn digest_day(calendar: &Calendar, today: NaiveDate, china_time: NaiveTime) -> bool {
    may_text_at(china_time) && calendar.working_day_provisional(today).0
}

/// One case in a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestLine {
    pub household_name: String,
    pub kind: DeadlineKind,
    pub urgency: Urgency,
    /// Working days left (0 due today, negative when late).
    pub days_left: i64,
}

/// What one account's morning text covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Digest {
    /// Its own steps due soon or late.
    pub lines: Vec<DigestLine>,
    /// 督办 notes to it since the last digest.
    pub supervision_notes: usize,
    /// Late steps of the level below on its 超期督办 list.
    pub escalated: usize,
}

/// The morning text of one account: how many of its steps are due today or on the next
/// working day and how many are late, the most pressing household's name (no ID
/// numbers in a text), the 督办 notes and the late steps below. `None` when there is
/// nothing to say.
pub fn digest_message(d: &Digest) -> Option<TextMessage> {
    if d.lines.is_empty() {
        return (d.supervision_notes > 0 || d.escalated > 0).then(|| {
            TextMessage::new(
                TextKind::DigestBelow,
                [d.supervision_notes.to_string(), d.escalated.to_string()],
            )
        });
    }
    let late = d.lines.iter().filter(|l| l.urgency == Urgency::Overdue).count();
    // The most pressing: the latest overdue, else the one due first.
    let first = d
        .lines
        .iter()
        .min_by_key(|l| (std::cmp::Reverse(l.urgency), l.days_left))
        .map(|l| l.household_name.clone())
        .unwrap_or_default();
    Some(TextMessage::new(
        TextKind::Digest,
        [
            (d.lines.len() - late).to_string(),
            late.to_string(),
            first,
            d.supervision_notes.to_string(),
            d.escalated.to_string(),
        ],
    ))
}

/// A township's monthly report reminder: the month it is for, and the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportReminder {
    pub year: i32,
    pub month: u32,
    /// The words in the app's list.
    pub text: String,
    /// The text message.
    pub message: TextMessage,
}

/// The monthly report reminder of a township on `today`, if one is due: two working
/// days before the report's due date (the `day`th of the month, moved off rest days)
/// and on the day itself. (The caller leaves out a report already filed.)
pub fn report_reminder(calendar: &Calendar, today: NaiveDate, day: u32) -> Option<ReportReminder> {
    use chrono::Datelike;
    let (year, month) = crate::reporting::report_month_on(calendar, today, day);
    let due = crate::reporting::monthly_report_due(calendar, year, month, day).ok()?;
    let (text, when) = match working_days_left(calendar, today, due.date) {
        0 if today == due.date => (
            format!("{month}月防返贫监测月报今天到期，请今天上报。"),
            "今天".to_string(),
        ),
        2 => {
            let when = format!("{}月{}日", due.date.month(), due.date.day());
            (
                format!("{month}月防返贫监测月报{when}到期，还有2个工作日，请按时上报。"),
                when,
            )
        }
        _ => return None,
    };
    let message = TextMessage::new(TextKind::ReportDue, [month.to_string(), when]);
    Some(ReportReminder {
        year,
        month,
        text,
        message,
    })
}

/// The text a household gets when its case reaches a stage that concerns it, in plain
/// words and about its own case only: the visit done, the notice with its last day,
/// monitoring with the person to call (`contact`, the village's cadre when unknown),
/// the risk eliminated.
pub fn household_message(before: &CaseState, after: &CaseState, contact: Option<&str>) -> Option<TextMessage> {
    use chrono::Datelike;
    if before.stage == after.stage {
        return None;
    }
    let (kind, params) = match after.stage {
        Stage::InNotice | Stage::InSecondNotice => {
            let (_, last) = after.notice?;
            (TextKind::InNotice, vec![format!("{}月{}日", last.month(), last.day())])
        }
        Stage::Monitored if before.stage != Stage::RiskEliminated => {
            (TextKind::Monitored, vec![contact.unwrap_or("村干部").to_string()])
        }
        Stage::RiskEliminated => (TextKind::Eliminated, Vec::new()),
        _ if before.stage == Stage::AwaitingVerification => (TextKind::Verified, Vec::new()),
        _ => return None,
    };
    Some(TextMessage::new(kind, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn cal() -> &'static Calendar {
        Calendar::national()
    }

    /// 2025: 1–8 October is the National Day holiday; Saturday 11 October is a make-up
    /// working day (国办发明电〔2024〕12号).
    #[test]
    fn due_soon_and_late_count_working_days_across_a_holiday() {
        // Due Tuesday 30 September: on Monday it is due on the next working day; on
        // Sunday 28 September, a make-up working day, two working days remain.
        assert_eq!(urgency(cal(), d("2025-09-29"), d("2025-09-30")), Some(Urgency::DueSoon));
        assert_eq!(urgency(cal(), d("2025-09-28"), d("2025-09-30")), None);
        // Due on the make-up Saturday 11 October: Friday is the working day before.
        assert_eq!(urgency(cal(), d("2025-10-10"), d("2025-10-11")), Some(Urgency::DueSoon));
        // Late across the holiday: not one working day late until 9 October.
        assert_eq!(working_days_late(cal(), d("2025-10-08"), d("2025-09-30")), 0);
        assert!(!escalated(cal(), d("2025-10-08"), d("2025-09-30")));
        assert!(escalated(cal(), d("2025-10-09"), d("2025-09-30")));
        // Due Friday: Monday is one working day late.
        assert!(!escalated(cal(), d("2025-11-08"), d("2025-11-07")));
        assert!(escalated(cal(), d("2025-11-10"), d("2025-11-07")));
    }

    #[test]
    fn the_escalation_cutoff_agrees_with_escalated_for_every_due_date() {
        // Across the 2025 National Day holiday and its make-up days, and a weekend.
        for today in [
            "2025-09-28",
            "2025-10-01",
            "2025-10-08",
            "2025-10-09",
            "2025-10-11",
            "2025-11-08",
            "2025-11-10",
        ] {
            let today = d(today);
            let cutoff = escalated_if_due_by(cal(), today);
            for back in 0..40 {
                let due = today - chrono::Days::new(back);
                assert_eq!(due <= cutoff, escalated(cal(), today, due), "today {today}, due {due}");
            }
        }
        // Monday 10 November: anything due by Sunday is a working day late.
        assert_eq!(escalated_if_due_by(cal(), d("2025-11-10")), d("2025-11-09"));
    }

    #[test]
    fn digests_go_on_working_mornings_and_texts_never_at_night() {
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert!(
            digest_day(cal(), d("2025-10-11"), at(8, 0)),
            "a make-up working Saturday"
        );
        assert!(!digest_day(cal(), d("2025-10-03"), at(9, 0)), "a holiday");
        assert!(!digest_day(cal(), d("2025-11-08"), at(9, 0)), "a Saturday");
        assert!(!digest_day(cal(), d("2025-11-10"), at(7, 59)));
        assert!(!digest_day(cal(), d("2025-11-10"), at(20, 0)));
        assert!(may_text_at(at(19, 59)) && !may_text_at(at(20, 0)) && !may_text_at(at(3, 0)));
    }

    #[test]
    fn a_digest_counts_by_step_and_names_the_households() {
        let line = |name: &str, urgency, days_left| DigestLine {
            household_name: name.into(),
            kind: DeadlineKind::Verification,
            urgency,
            days_left,
        };
        let text = digest_message(&Digest {
            lines: vec![
                line("李四", Urgency::DueSoon, 1),
                line("王秀英", Urgency::Overdue, -2),
                line("张三", Urgency::DueSoon, 0),
            ],
            supervision_notes: 1,
            ..Digest::default()
        })
        .unwrap();
        assert_eq!(
            text.body(),
            "您有2户事项今天或下个工作日到期、1户已超期，含王秀英家。上级督办1条，下级超期0户。请在早发现应用中查看处理。"
        );
        // Without a late one, the one due first is named.
        let text = digest_message(&Digest {
            lines: vec![line("李四", Urgency::DueSoon, 1), line("张三", Urgency::DueSoon, 0)],
            ..Digest::default()
        })
        .unwrap();
        assert_eq!(text.params, ["2", "0", "张三", "0", "0"]);
        let above = digest_message(&Digest {
            escalated: 2,
            ..Digest::default()
        });
        assert_eq!(
            above.map(|m| m.body()).as_deref(),
            Some("上级督办0条，下级超期2户，请在早发现应用中查看处理。")
        );
        assert_eq!(digest_message(&Digest::default()), None);
    }

    /// 鹤庆: the report is due by the 5th; December 2025's is due Monday 5 January 2026
    /// after the New Year holiday (1–3 January; Sunday 4 January is a make-up working day).
    #[test]
    fn townships_are_reminded_two_working_days_before_the_report_and_on_the_day() {
        let text = |day| report_reminder(cal(), d(day), 5).map(|r| r.text);
        assert_eq!(
            text("2025-12-31").as_deref(),
            Some("12月防返贫监测月报1月5日到期，还有2个工作日，请按时上报。")
        );
        assert_eq!(report_reminder(cal(), d("2026-01-04"), 5), None, "one working day left");
        assert_eq!(
            text("2026-01-05").as_deref(),
            Some("12月防返贫监测月报今天到期，请今天上报。")
        );
        let message = |day| report_reminder(cal(), d(day), 5).map(|r| r.message.body());
        assert_eq!(
            message("2025-12-31").as_deref(),
            Some("12月防返贫监测月报1月5日到期，请按时上报。")
        );
        assert_eq!(
            message("2026-01-05").as_deref(),
            Some("12月防返贫监测月报今天到期，请按时上报。")
        );
        let month = report_reminder(cal(), d("2026-01-05"), 5).map(|r| (r.year, r.month));
        assert_eq!(month, Some((2025, 12)));
        assert_eq!(report_reminder(cal(), d("2026-01-06"), 5), None);
    }

    #[test]
    fn a_household_hears_of_the_stages_that_concern_it() {
        use crate::lifecycle::{Channel, Ctx, open};
        let ctx = Ctx {
            actor: Role::Household,
            today: d("2025-09-30"),
            calendar: cal(),
            profile: crate::Policy::embedded().profile("yuxi-2021").unwrap(),
            evidence: None,
        };
        let mut before = open(Channel::SelfReport, &ctx).unwrap();
        let mut after = before.clone();
        after.stage = Stage::AwaitingAppraisal;
        let kind = |b: &CaseState, a: &CaseState| household_message(b, a, None).map(|m| m.kind);
        assert_eq!(kind(&before, &after), Some(TextKind::Verified));
        before.stage = Stage::AwaitingAppraisal;
        after.stage = Stage::InNotice;
        after.notice = Some((d("2025-11-03"), d("2025-11-10")));
        let m = household_message(&before, &after, None).unwrap();
        assert_eq!(
            (m.kind, m.params.as_slice()),
            (TextKind::InNotice, &["11月10日".to_string()][..])
        );
        before.stage = Stage::AwaitingCountyReview;
        after.stage = Stage::Monitored;
        let m = household_message(&before, &after, Some("张华")).unwrap();
        assert!(m.body().contains("联系人：张华，"), "{}", m.body());
        let m = household_message(&before, &after, None).unwrap();
        assert!(m.body().contains("联系人：村干部，"), "{}", m.body());
        after.stage = Stage::RiskEliminated;
        assert_eq!(kind(&before, &after), Some(TextKind::Eliminated));
        // A step inside one stage, or one the household need not hear of, says nothing.
        before.stage = Stage::InNotice;
        after.stage = Stage::AwaitingTownshipReview;
        assert_eq!(kind(&before, &after), None);
        assert_eq!(kind(&after, &after), None);
    }
}
