//! "我的申报进展": the household's view of its own case, in plain words.

use chrono::NaiveDate;
use zaofaxian_shared::lifecycle::CaseState;
use zaofaxian_shared::{Calendar, Lang};

/// What the household screen shows: the stage, what happens next and, when one runs,
/// the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusView {
    pub stage: String,
    /// The next step in plain words (who acts, what the household may do).
    pub next: String,
    /// e.g. `入户核实期限：2025-10-14（还有3个工作日）`.
    pub deadline: Option<String>,
    /// Why the date is only provisional (暂定), shown under it.
    pub provisional: Option<String>,
    pub overdue: bool,
    /// Why the household was refused or its case ended, as the deciding step gave it.
    pub reason: Option<String>,
}

/// Builds the status lines for `state` as seen on `today`. A deadline the calendar
/// cannot count (no holiday data yet) is still shown, without the count.
pub fn status_view(state: &CaseState, calendar: &Calendar, today: NaiveDate, lang: Lang) -> StatusView {
    let stage = state.stage.label().get(lang).to_string();
    let next = zaofaxian_shared::household_words::next_step(state)
        .get(lang)
        .to_string();
    let reason = state.reason.clone().filter(|_| state.stage.is_closed());
    let Some(deadline) = state.deadline else {
        // The village still has to act; only the date is not known yet.
        let pending = state.deadline_pending_year.map(|year| match lang {
            Lang::Zh => format!("核实期限待定（{year}年放假安排尚未导入）"),
            Lang::En => format!("deadline to be set ({year} holiday schedule not imported yet)"),
        });
        return StatusView {
            stage,
            next,
            deadline: pending,
            provisional: None,
            overdue: false,
            reason,
        };
    };
    let label = deadline.kind.label();
    // Counted provisionally too: a date into a year without holiday data is marked below.
    let left = calendar.days_left(today, deadline.due).ok().map(|(n, _)| n);
    let count = match (lang, left) {
        (Lang::Zh, Some(n)) if n > 0 => format!("（还有{n}个工作日）"),
        (Lang::Zh, Some(0)) => "（今天到期）".to_string(),
        (Lang::Zh, Some(n)) => format!("（已超期{}个工作日）", -n),
        (Lang::En, Some(n)) if n > 0 => format!(" ({n} working days left)"),
        (Lang::En, Some(0)) => " (due today)".to_string(),
        (Lang::En, Some(n)) => format!(" ({} working days overdue)", -n),
        (_, None) => String::new(),
    };
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    let mark = match (lang, deadline.provisional) {
        (_, None) => "",
        (Lang::Zh, Some(_)) => "（暂定）",
        (Lang::En, Some(_)) => " (provisional)",
    };
    StatusView {
        stage,
        next,
        deadline: Some(format!("{}{sep}{}{mark}{count}", label.get(lang), deadline.due)),
        provisional: deadline.provisional_note().map(|t| t.get(lang).to_string()),
        overdue: today > deadline.due,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zaofaxian_shared::lifecycle::{Channel, Ctx, open};
    use zaofaxian_shared::{Policy, Role};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn reported(on: &str) -> CaseState {
        let ctx = Ctx {
            actor: Role::Household,
            today: d(on),
            calendar: Calendar::national(),
            profile: Policy::embedded().profile("yuxi-2021").unwrap(),
            evidence: None,
        };
        open(Channel::SelfReport, &ctx).unwrap()
    }

    #[test]
    fn shows_stage_and_working_days_left_in_chinese_and_english() {
        let s = reported("2025-09-30");
        let zh = status_view(&s, Calendar::national(), d("2025-10-09"), Lang::Zh);
        assert_eq!(zh.stage, "待入户核实");
        assert!(zh.next.contains("入户核实"), "{}", zh.next);
        assert_eq!(
            zh.deadline.as_deref(),
            Some("入户核实期限：2025-10-14（还有4个工作日）")
        );
        assert!(!zh.overdue);
        let en = status_view(&s, Calendar::national(), d("2025-10-14"), Lang::En);
        assert_eq!(
            en.deadline.as_deref(),
            Some("home verification due: 2025-10-14 (due today)")
        );
    }

    #[test]
    fn a_provisional_deadline_says_so_and_why() {
        let s = reported("2026-12-28");
        let v = status_view(&s, Calendar::national(), d("2026-12-29"), Lang::Zh);
        assert_eq!(
            v.deadline.as_deref(),
            Some("入户核实期限：2027-01-04（暂定）（还有4个工作日）")
        );
        assert!(v.provisional.unwrap().contains("2027年节假日安排尚未导入"));
        let en = status_view(&s, Calendar::national(), d("2026-12-29"), Lang::En);
        assert_eq!(
            en.deadline.as_deref(),
            Some("home verification due: 2027-01-04 (provisional) (4 working days left)")
        );
        // A case stored before provisional dates still says its date is to be set.
        let mut old = s.clone();
        old.deadline = None;
        old.deadline_pending_year = Some(2027);
        let v = status_view(&old, Calendar::national(), d("2026-12-29"), Lang::Zh);
        assert_eq!(v.deadline.as_deref(), Some("核实期限待定（2027年放假安排尚未导入）"));
    }

    /// The reason a refusal gave is shown once the case is closed, not while it runs.
    #[test]
    fn a_closed_case_shows_its_reason() {
        use zaofaxian_shared::lifecycle::{Event, transition};
        let s = reported("2025-09-30");
        let ctx = Ctx {
            actor: Role::VillageCadre,
            today: d("2025-10-09"),
            calendar: Calendar::national(),
            profile: Policy::embedded().profile("yuxi-2021").unwrap(),
            evidence: None,
        };
        let mut closed = transition(&s, &Event::RecordVerification { at_risk: false }, &ctx).unwrap();
        closed.reason = Some("务工收入稳定，人均超过监测底线".into());
        let v = status_view(&closed, Calendar::national(), d("2025-10-09"), Lang::Zh);
        assert_eq!(v.reason.as_deref(), Some("务工收入稳定，人均超过监测底线"));
        let mut open_case = s.clone();
        open_case.reason = Some("旧的原因".into());
        assert_eq!(
            status_view(&open_case, Calendar::national(), d("2025-10-09"), Lang::Zh).reason,
            None
        );
    }

    #[test]
    fn overdue_is_marked() {
        let s = reported("2025-09-30");
        let v = status_view(&s, Calendar::national(), d("2025-10-16"), Lang::Zh);
        assert!(v.overdue);
        assert_eq!(
            v.deadline.as_deref(),
            Some("入户核实期限：2025-10-14（已超期2个工作日）")
        );
    }
}
