//! "我的申报进展": the household's view of its own case, in plain words.

use chrono::NaiveDate;
use zaofaxian_shared::lifecycle::CaseState;
use zaofaxian_shared::{Calendar, Lang};

/// What the household screen shows: the stage and, when one runs, the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusView {
    pub stage: String,
    /// e.g. `入户核实期限：2025-10-14（还有3个工作日）`.
    pub deadline: Option<String>,
    pub overdue: bool,
}

/// Builds the status lines for `state` as seen on `today`. A deadline the calendar
/// cannot count (no holiday data yet) is still shown, without the count.
pub fn status_view(state: &CaseState, calendar: &Calendar, today: NaiveDate, lang: Lang) -> StatusView {
    let stage = state.stage.label().get(lang).to_string();
    let Some(deadline) = state.deadline else {
        // The village still has to act; only the date is not known yet.
        let pending = state.deadline_pending_year.map(|year| match lang {
            Lang::Zh => format!("核实期限待定（{year}年放假安排尚未导入）"),
            Lang::En => format!("deadline to be set ({year} holiday schedule not imported yet)"),
        });
        return StatusView {
            stage,
            deadline: pending,
            overdue: false,
        };
    };
    let label = deadline.kind.label();
    let left = calendar.working_days_left(today, deadline.due).ok();
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
    StatusView {
        stage,
        deadline: Some(format!("{}{sep}{}{count}", label.get(lang), deadline.due)),
        overdue: today > deadline.due,
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
        };
        open(Channel::SelfReport, &ctx).unwrap()
    }

    #[test]
    fn shows_stage_and_working_days_left_in_chinese_and_english() {
        let s = reported("2025-09-30");
        let zh = status_view(&s, Calendar::national(), d("2025-10-09"), Lang::Zh);
        assert_eq!(zh.stage, "待入户核实");
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
    fn a_pending_deadline_says_so() {
        let s = reported("2026-12-28");
        let v = status_view(&s, Calendar::national(), d("2026-12-29"), Lang::Zh);
        assert_eq!(v.deadline.as_deref(), Some("核实期限待定（2027年放假安排尚未导入）"));
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
