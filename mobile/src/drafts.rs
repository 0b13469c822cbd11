//! Unfinished work kept as it is typed, so a call, a killed app or a flat battery
//! loses nothing: one home visit per case, the household's report, and which visit
//! was open. Drafts live in the store's own table, never in the outbox: a draft is
//! not sent until it is finished. Plain data and pure rules; the screens save and
//! load through the store.

use crate::report_form::{ReportDraft, Step};
use crate::visit_form::VisitForm;
use crate::worksheet_form::WorksheetForm;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use zaofaxian_shared::DivisionCode;

/// The household's report in progress.
pub const REPORT_KEY: &str = "report";
/// Which visit was on screen when the app last ran.
pub const OPEN_VISIT_KEY: &str = "open_visit";
/// The head of household's name from the last report sent on this phone: offered
/// again so a second report needs no typing (kept with the drafts, never synced).
pub const REMEMBERED_NAME_KEY: &str = "remembered_name";
const VISIT_PREFIX: &str = "visit:";

/// The store key of a case's visit draft.
pub fn visit_key(case_id: &str) -> String {
    format!("{VISIT_PREFIX}{case_id}")
}

/// A home visit as far as it was typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitDraft {
    pub household_name: String,
    pub village: DivisionCode,
    pub form: VisitForm,
    pub worksheet: WorksheetForm,
}

/// Every draft on the phone, as the screens hold them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Drafts {
    /// By case id.
    pub visits: BTreeMap<String, VisitDraft>,
    pub report: Option<ReportDraft>,
    /// The case whose visit was open.
    pub open_visit: Option<String>,
    pub remembered_name: Option<String>,
}

impl Drafts {
    /// Reads the store's rows. A row this version cannot read (written by an older
    /// app) is left out here and left alone in the store.
    pub fn from_rows(rows: Vec<(String, Value)>) -> Drafts {
        let mut d = Drafts::default();
        for (key, json) in rows {
            if let Some(case_id) = key.strip_prefix(VISIT_PREFIX) {
                if let Ok(v) = serde_json::from_value::<VisitDraft>(json) {
                    d.visits.insert(case_id.to_string(), v);
                }
            } else if key == REPORT_KEY {
                d.report = serde_json::from_value::<ReportDraft>(json)
                    .ok()
                    .filter(report_worth_keeping);
            } else if key == OPEN_VISIT_KEY {
                d.open_visit = json.as_str().map(str::to_string);
            } else if key == REMEMBERED_NAME_KEY {
                d.remembered_name = json.as_str().map(str::to_string).filter(|n| !n.trim().is_empty());
            }
        }
        d.open_visit = d.open_visit.filter(|id| d.visits.contains_key(id));
        d
    }

    /// The form to show for a case's visit: its draft if there is one for the same
    /// purpose (taking the case's version now, so a pull since then does not make
    /// it stale), else the fresh form. True when a draft was resumed.
    pub fn resume(&self, fresh: VisitDraft) -> (VisitDraft, bool) {
        match self.visits.get(&fresh.form.case_id) {
            Some(d) if d.form.purpose == fresh.form.purpose => {
                let mut d = d.clone();
                d.form.expected_version = fresh.form.expected_version;
                (d, true)
            }
            _ => (fresh, false),
        }
    }
}

/// Whether a report is worth keeping: something was chosen or typed (the name alone,
/// often the remembered one, is not enough), and it is not already in the outbox.
pub fn report_worth_keeping(d: &ReportDraft) -> bool {
    let untouched = ReportDraft {
        household_name: d.household_name.clone(),
        shown_month: d.shown_month,
        ..ReportDraft::new(d.village)
    };
    d.step != Step::Saved && *d != untouched
}

/// What to do with a report after a change: keep it, or drop the draft.
pub fn report_row(d: &ReportDraft) -> Option<Value> {
    if report_worth_keeping(d) {
        serde_json::to_value(d).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report_form::{Action, reduce};
    use crate::visit_form::MemberForm;
    use zaofaxian_shared::Policy;
    use zaofaxian_shared::report::Hardship;

    fn village() -> DivisionCode {
        "530402001001".parse().unwrap()
    }

    fn fresh(case_id: &str, version: u64) -> VisitDraft {
        let profile = Policy::embedded().profile_for(village()).unwrap();
        VisitDraft {
            household_name: "王秀英".into(),
            village: village(),
            form: VisitForm::new(case_id, version, profile),
            worksheet: WorksheetForm::default(),
        }
    }

    fn rows(d: &VisitDraft) -> Vec<(String, Value)> {
        vec![
            (visit_key(&d.form.case_id), serde_json::to_value(d).unwrap()),
            (OPEN_VISIT_KEY.into(), Value::from(d.form.case_id.clone())),
        ]
    }

    #[test]
    fn a_visit_typed_halfway_comes_back_as_it_was() {
        let mut d = fresh("c1", 2);
        d.form.group = "3组".into();
        d.form.members.push(MemberForm {
            name: "王秀英".into(),
            national_id: "11010519491231002X".into(),
            ..MemberForm::default()
        });
        d.form.signature.start(1.0, 2.0);
        d.form.signature.extend(30.0, 40.0);
        d.worksheet.set("pension", "1,500".into());
        // Through the store as JSON, as after the app was killed.
        let back = Drafts::from_rows(rows(&d));
        assert_eq!(back.open_visit.as_deref(), Some("c1"), "the app returns to the visit");
        let (resumed, was_draft) = back.resume(fresh("c1", 3));
        assert!(was_draft);
        assert_eq!(resumed.form.members, d.form.members);
        assert_eq!(resumed.form.signature.path(), "M1 2 L30 40");
        assert_eq!(
            resumed.worksheet.get("pension"),
            "1,500",
            "kept as typed, even unfinished"
        );
        assert_eq!(resumed.form.expected_version, 3, "the case's version now");
    }

    #[test]
    fn another_case_or_purpose_starts_fresh() {
        let mut d = fresh("c1", 0);
        d.form.group = "3组".into();
        let drafts = Drafts::from_rows(rows(&d));
        let (other, was_draft) = drafts.resume(fresh("c2", 0));
        assert!(!was_draft && other.form.group.is_empty());
        let mut elimination = fresh("c1", 5);
        elimination.form.purpose = crate::visit_form::VisitPurpose::Elimination;
        assert!(
            !drafts.resume(elimination).1,
            "a verification draft is not an elimination check"
        );
    }

    #[test]
    fn a_report_is_kept_until_it_is_in_the_outbox() {
        let today = "2026-12-02".parse().unwrap();
        let empty = ReportDraft::new(village());
        assert_eq!(report_row(&empty), None, "nothing typed, nothing kept");
        let d = reduce(empty, Action::Pick(Hardship::Illness), today);
        let d = reduce(d, Action::Name("王秀英".into()), today);
        let row = report_row(&d).expect("kept");
        let back = Drafts::from_rows(vec![(REPORT_KEY.into(), row)]);
        assert_eq!(back.report.as_ref(), Some(&d));
        let saved = reduce(d, Action::Saved, today);
        assert_eq!(report_row(&saved), None, "once saved it is the outbox's");
        let named = reduce(ReportDraft::new(village()), Action::Remembered("王秀英".into()), today);
        assert_eq!(report_row(&named), None, "the remembered name alone is no draft");
        let back = Drafts::from_rows(vec![(REMEMBERED_NAME_KEY.into(), Value::from("王秀英"))]);
        assert_eq!(back.remembered_name.as_deref(), Some("王秀英"));
    }

    #[test]
    fn unreadable_rows_and_a_dangling_open_visit_are_ignored() {
        let drafts = Drafts::from_rows(vec![
            (visit_key("c1"), serde_json::json!({ "form": 1 })),
            (REPORT_KEY.into(), serde_json::json!("?")),
            (OPEN_VISIT_KEY.into(), Value::from("c1")),
        ]);
        assert_eq!(drafts, Drafts::default());
    }
}
