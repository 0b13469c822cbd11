//! The cadre's queue as rows: who, what happened and when, how to reach them, how
//! long is left, and the step this phone can take for the case's stage (or who takes
//! it instead). Pure: built from the pulled cases and the calendar in force.

use chrono::NaiveDate;
use zaofaxian_shared::report::Hardship;
use zaofaxian_shared::wire::CaseRecord;
use zaofaxian_shared::{Calendar, Lang, Stage, Text};

/// What the row offers for its stage.
#[derive(Debug, Clone, PartialEq)]
pub enum RowAction {
    /// 入户核实: the verification visit.
    Verify,
    /// 风险消除入户核查: the home check before the risk is marked eliminated.
    CheckElimination,
    /// A step the village, township or county takes on the console; said in words.
    Elsewhere(Text),
}

impl RowAction {
    pub fn for_stage(stage: Stage) -> RowAction {
        let elsewhere = |zh: &str, en: &str| RowAction::Elsewhere(Text::new(zh, en));
        match stage {
            Stage::AwaitingVerification => RowAction::Verify,
            Stage::Monitored => RowAction::CheckElimination,
            Stage::AwaitingApplication => elsewhere(
                "待签署纳入监测申请（在管理后台办理）",
                "application to be signed (on the console)",
            ),
            Stage::AwaitingAppraisal => {
                elsewhere("待村民主评议（在管理后台办理）", "village appraisal (on the console)")
            }
            Stage::InNotice | Stage::InSecondNotice => {
                elsewhere("公示中，期满后进入下一环节", "in public notice until it ends")
            }
            Stage::AwaitingTownshipReview => elsewhere("等待乡镇审核", "waiting for the township's review"),
            Stage::AwaitingCountyReview => elsewhere("等待县级审定", "waiting for the county's decision"),
            Stage::RiskEliminated | Stage::Closed(_) => elsewhere("已办结", "finished"),
        }
    }

    /// The button's words, for the steps this phone takes.
    pub fn button(&self) -> Option<Text> {
        match self {
            RowAction::Verify => Some(Text::new("入户核实", "Visit")),
            RowAction::CheckElimination => Some(Text::new("风险消除核查", "Elimination check")),
            RowAction::Elsewhere(_) => None,
        }
    }
}

/// One row of the cadre's queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    pub case_id: String,
    pub household_name: String,
    pub stage_label: String,
    /// 因病, 因灾… as reported.
    pub hardship: Option<String>,
    /// When it happened, as reported.
    pub happened_on: Option<NaiveDate>,
    /// The household's phone, for the cadre of its village to call.
    pub phone: Option<String>,
    /// 村民小组: as reported, else as the latest visit on this phone recorded it.
    pub group: Option<String>,
    pub due: Option<String>,
    pub days_left: Option<i64>,
    pub overdue: bool,
    pub action: RowAction,
}

/// The open cases with a deadline, in the queue's order (`CaseState::queue_order`).
pub fn queue_rows(
    cases: &[CaseRecord],
    visits: &[(String, serde_json::Value)],
    calendar: &Calendar,
    today: NaiveDate,
    lang: Lang,
) -> Vec<QueueRow> {
    let group_of = |c: &CaseRecord| {
        let visited = visits
            .iter()
            .rev()
            .find(|(id, _)| *id == c.id)
            .map(|(_, v)| &v["group"]);
        [Some(&c.report["group"]), visited]
            .into_iter()
            .flatten()
            .filter_map(|g| g.as_str().map(str::trim))
            .find(|g| !g.is_empty())
            .map(str::to_string)
    };
    let mut open: Vec<&CaseRecord> = cases
        .iter()
        .filter(|c| c.state.deadline.is_some() || c.state.deadline_pending_year.is_some())
        .collect();
    open.sort_by(|a, b| a.state.queue_order(&b.state).then_with(|| a.id.cmp(&b.id)));
    open.into_iter()
        .map(|c| {
            let s = &c.state;
            QueueRow {
                case_id: c.id.clone(),
                household_name: c.household_name().to_string(),
                stage_label: s.stage.label().get(lang).to_string(),
                hardship: serde_json::from_value::<Hardship>(c.report["hardship"].clone())
                    .ok()
                    .map(|h| h.label().get(lang).to_string()),
                happened_on: c.report["happened_on"].as_str().and_then(|d| d.parse().ok()),
                phone: c.report["phone"].as_str().map(str::to_string),
                group: group_of(c),
                due: s.deadline.map(|d| d.due.to_string()),
                days_left: s.days_left(calendar, today).ok().flatten(),
                overdue: s.is_overdue(today),
                action: RowAction::for_stage(s.stage),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use zaofaxian_shared::Policy;
    use zaofaxian_shared::Role;
    use zaofaxian_shared::lifecycle::{Channel, Ctx, open};

    fn case(id: &str, reported: &str, hardship: &str) -> CaseRecord {
        let ctx = Ctx {
            actor: Role::Household,
            today: reported.parse().unwrap(),
            calendar: Calendar::national(),
            profile: Policy::embedded().profile("yuxi-2021").unwrap(),
            evidence: None,
        };
        let state = open(Channel::SelfReport, &ctx).unwrap();
        serde_json::from_value(serde_json::json!({
            "id": id, "division": "530402001001", "profile_id": "yuxi-2021", "state": state,
            "report": { "household_name": format!("户{id}"), "hardship": hardship, "happened_on": reported,
                        "phone": "13812345678" }
        }))
        .unwrap()
    }

    #[test]
    fn rows_say_what_happened_who_to_call_and_the_step_for_the_stage() {
        let today = "2025-11-20".parse().unwrap();
        let later = case("b", "2025-11-18", "disaster");
        let mut noticed = case("c", "2025-11-01", "illness");
        noticed.state.stage = Stage::InNotice;
        let earlier = case("a", "2025-11-03", "illness");
        let mut grouped = later.clone();
        grouped.report["group"] = serde_json::json!("2组");
        let later = grouped;
        let visits = vec![("a".to_string(), serde_json::json!({ "group": "5组" }))];
        let rows = queue_rows(
            &[later, noticed, earlier],
            &visits,
            Calendar::national(),
            today,
            Lang::Zh,
        );
        let ids: Vec<&str> = rows.iter().map(|r| r.case_id.as_str()).collect();
        assert_eq!(ids, ["c", "a", "b"], "the earliest deadline first");
        let a = &rows[1];
        assert_eq!(a.hardship.as_deref(), Some("因病"));
        assert_eq!(a.happened_on, Some("2025-11-03".parse().unwrap()));
        assert_eq!(a.phone.as_deref(), Some("13812345678"));
        assert!(a.overdue, "5 working days from 2025-11-03 have passed: {a:?}");
        assert_eq!(a.action, RowAction::Verify);
        assert_eq!(a.group.as_deref(), Some("5组"), "the group the visit recorded");
        assert_eq!(rows[2].group.as_deref(), Some("2组"), "the group the household gave");
        assert_eq!(rows[0].group, None);
        assert!(rows[0].action.button().is_none(), "no visit offered for a case in 公示");
        assert_eq!(
            RowAction::for_stage(Stage::Monitored).button().unwrap().zh,
            "风险消除核查"
        );
    }
}
