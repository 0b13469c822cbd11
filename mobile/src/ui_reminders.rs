//! The staff member's reminders on opening the app: the steps due soon or late and the
//! 督办 notes from the level above, as the server listed them at the last sync. The
//! words are pure functions (tested); the component only lays them out.

use crate::ui::t;
use dioxus::prelude::*;
use zaofaxian_shared::Lang;
use zaofaxian_shared::reminders::Urgency;
use zaofaxian_shared::wire::{ReminderItem, Reminders};

/// The number on the 待办 tab: steps due or late, and 督办 notes.
pub fn badge(r: &Reminders) -> usize {
    r.due.len() + r.supervision.len()
}

/// One due or late step in words: "王秀英 · 入户核实期限 · 今天到期".
pub fn line(i: &ReminderItem, lang: Lang) -> String {
    let when = match (i.urgency, i.days_left, lang) {
        (Urgency::Overdue, n, Lang::Zh) => format!("已超期{}个工作日", -n),
        (Urgency::Overdue, n, Lang::En) => format!("late by {} working day(s)", -n),
        (_, 0, _) => t(lang, "今天到期", "due today").to_string(),
        _ => t(lang, "下个工作日到期", "due the next working day").to_string(),
    };
    format!("{} · {} · {when}", i.household_name, i.deadline.label().get(lang))
}

#[component]
pub fn RemindersPanel(reminders: Reminders, lang: Lang) -> Element {
    if badge(&reminders) == 0 && reminders.report_due.is_none() {
        return rsx! {};
    }
    rsx! {
        section { class: "reminders", role: "status",
            h2 { class: "big", {t(lang, "提醒", "Reminders")} " ({badge(&reminders)})" }
            ul {
                for i in reminders.due.iter() {
                    li { key: "{i.case_id}", class: if i.urgency == Urgency::Overdue { "overdue" } else { "" }, "{line(i, lang)}" }
                }
                for n in reminders.supervision.iter() {
                    li { key: "{n.case_id}{n.at}", class: "supervision",
                        {t(lang, "上级督办", "Supervision")} " · {n.household_name} · {n.from}：" strong { "{n.note}" } }
                }
                if let Some(r) = &reminders.report_due { li { "{r}" } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zaofaxian_shared::lifecycle::DeadlineKind;
    use zaofaxian_shared::wire::SupervisionNote;

    fn item(urgency: Urgency, days_left: i64) -> ReminderItem {
        ReminderItem {
            case_id: "c1".into(),
            division: "530402001001".parse().unwrap(),
            household_name: "王秀英".into(),
            national_id: Some("110105********002X".into()),
            deadline: DeadlineKind::Verification,
            due: "2025-10-09".parse().unwrap(),
            urgency,
            days_left,
        }
    }

    #[test]
    fn a_step_says_when_it_is_due_or_how_late() {
        assert_eq!(
            line(&item(Urgency::DueSoon, 0), Lang::Zh),
            "王秀英 · 入户核实期限 · 今天到期"
        );
        assert_eq!(
            line(&item(Urgency::DueSoon, 1), Lang::Zh),
            "王秀英 · 入户核实期限 · 下个工作日到期"
        );
        assert_eq!(
            line(&item(Urgency::Overdue, -2), Lang::Zh),
            "王秀英 · 入户核实期限 · 已超期2个工作日"
        );
        assert!(line(&item(Urgency::Overdue, -1), Lang::En).ends_with("late by 1 working day(s)"));
    }

    /// The panel shows on opening with the count, each step and the note from above;
    /// with nothing to remind, nothing is shown.
    #[test]
    fn the_panel_lists_steps_and_notes() {
        let r = Reminders {
            due: vec![item(Urgency::Overdue, -1)],
            supervision: vec![SupervisionNote {
                case_id: "c1".into(),
                household_name: "王秀英".into(),
                at: 0,
                from: "乡镇干部".into(),
                note: "请今日完成入户核实".into(),
            }],
            ..Reminders::default()
        };
        assert_eq!(badge(&r), 2);
        let html = dioxus_ssr::render_element(rsx! { RemindersPanel { reminders: r, lang: Lang::Zh } });
        assert!(html.contains("提醒") && html.contains("(2)"), "{html}");
        assert!(
            html.contains("已超期1个工作日") && html.contains("请今日完成入户核实"),
            "{html}"
        );
        let empty =
            dioxus_ssr::render_element(rsx! { RemindersPanel { reminders: Reminders::default(), lang: Lang::Zh } });
        assert!(!empty.contains("提醒"), "{empty}");
    }
}
