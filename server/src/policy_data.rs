//! Loading policy data without a build: a year of the holiday calendar, a threshold.
//! Each change is written with what it causes to cases in one transaction: open
//! deadlines counted again (old → new due date in each case's history), and home
//! visits that waited for a threshold assessed (the cadre's own finding untouched).

use crate::reference::{LiveReference, Reference};
use crate::store::{Amendment, CaseFilter, CaseRecord, NewEntry, ReferenceChange, Scope, Store, StoreError};
use chrono::NaiveDate;
use serde::Serialize;
use zaofaxian_shared::calendar::{CalendarError, YearChange, parse_schedule};
use zaofaxian_shared::eligibility::assess;
use zaofaxian_shared::lifecycle::CaseState;
use zaofaxian_shared::policy::{PolicyError, Threshold};
use zaofaxian_shared::visit::HomeVisit;
use zaofaxian_shared::{Calendar, Role};

/// A household's further report, joined to its open case (no new deadline).
pub const HARDSHIP_ADDED: &str = "hardship_added";

/// History events that move no stage: the system's own (a deadline counted again, a
/// visit assessed) and a household's added hardship. A step a phone prepared before
/// one of these is not stale for it.
pub const AMENDMENT_EVENTS: [&str; 4] = ["deadline_recounted", "reassessed", HARDSHIP_ADDED, SUPERVISED];

/// A 督办 note from the level above on a late step.
pub const SUPERVISED: &str = "supervised";

/// The largest schedule file accepted (a year is about 2 KB).
pub const MAX_CALENDAR_BYTES: usize = 64 * 1024;

/// How often a change is tried again when a case moved while it was being counted.
const ATTEMPTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum PolicyDataError {
    /// The file's bad lines, each with its number.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Lines(Vec<CalendarError>),
    #[error("{0}")]
    Policy(#[from] PolicyError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// What moved on the open cases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recount {
    /// Cases whose due date (or its provisional mark) changed.
    pub changed: usize,
    /// Of those, how many are overdue by the new date.
    pub overdue: usize,
    /// Visits that waited for a threshold and are now assessed.
    pub assessed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarImport {
    pub changes: Vec<YearChange>,
    pub recount: Recount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThresholdSet {
    pub threshold: Threshold,
    /// The figure it replaced, if any.
    pub previous: Option<zaofaxian_shared::Fen>,
    pub recount: Recount,
}

/// Whether everything written to `case` after `version` was a system amendment.
pub async fn only_amended_since(store: &dyn Store, case: &CaseRecord, version: u64) -> Result<bool, StoreError> {
    if version >= case.state.version {
        return Ok(false);
    }
    // A case's entry `seq` is its version + 1 (the report is seq 1 at version 0).
    let history = store.history(&case.id).await?;
    let after = i64::try_from(version).unwrap_or(i64::MAX).saturating_add(1);
    Ok(history.iter().filter(|e| e.seq > after).all(|e| {
        e.entry["event"]
            .as_str()
            .is_some_and(|ev| AMENDMENT_EVENTS.contains(&ev))
    }))
}

/// A case change the system makes on its own, with its history entry.
fn system_amendment(case: &CaseRecord, next: CaseState, actor: &str, at: i64, entry: serde_json::Value) -> Amendment {
    Amendment {
        case_id: case.id.clone(),
        expected_version: case.state.version,
        entry: NewEntry {
            at,
            actor_account: actor.to_string(),
            actor_role: Role::System,
            entry,
            photos: Vec::new(),
            text: None,
        },
        state: next,
    }
}

/// Every case that is not closed.
async fn open_cases(store: &dyn Store) -> Result<Vec<CaseRecord>, StoreError> {
    store
        .cases(&CaseFilter {
            scope: Scope::All,
            stage: None,
            open_only: true,
        })
        .await
}

/// The due dates of `cases` counted again under `calendar`.
fn recount_deadlines(
    cases: &[CaseRecord],
    r: &Reference,
    calendar: &Calendar,
    today: NaiveDate,
    actor: &str,
    at: i64,
    why: &str,
) -> (Vec<Amendment>, Recount) {
    let mut recount = Recount::default();
    let mut out = Vec::new();
    for c in cases {
        let Some(profile) = r.policy.profile(&c.profile_id) else {
            continue;
        };
        let Ok(Some(mut next)) = c.state.recounted(profile, calendar) else {
            continue;
        };
        next.version = c.state.version + 1;
        recount.changed += 1;
        recount.overdue += usize::from(next.is_overdue(today));
        let entry = serde_json::json!({
            "event": "deadline_recounted",
            "kind": next.deadline.map(|d| d.kind),
            "old_due": c.state.deadline.map(|d| d.due),
            "old_provisional": c.state.deadline.and_then(|d| d.provisional).or(c.state.deadline_pending_year),
            "new_due": next.deadline.map(|d| d.due),
            "new_provisional": next.deadline.and_then(|d| d.provisional),
            "because": why,
        });
        out.push(system_amendment(c, next, actor, at, entry));
    }
    (out, recount)
}

/// Loads a schedule file: its years replace the stored ones whole, and every open
/// deadline is counted again, in one transaction.
pub async fn import_calendar(
    store: &dyn Store,
    live: &LiveReference,
    text: &str,
    source: &str,
    actor: &str,
    today: NaiveDate,
    at: i64,
) -> Result<CalendarImport, PolicyDataError> {
    if text.len() > MAX_CALENDAR_BYTES {
        return Err(PolicyDataError::Invalid(format!(
            "文件过大（不超过{} KB） / the file is too large (at most {} KB)",
            MAX_CALENDAR_BYTES / 1024,
            MAX_CALENDAR_BYTES / 1024
        )));
    }
    let source = checked_source(source)?;
    let rows = parse_schedule(text).map_err(PolicyDataError::Lines)?;
    for attempt in 1..=ATTEMPTS {
        live.reload(store).await?;
        let r = live.get();
        let (calendar, changes) = r.calendar.replacing(&rows).map_err(PolicyDataError::Lines)?;
        let why = format!(
            "calendar:{}",
            changes.iter().map(|c| c.year.to_string()).collect::<Vec<_>>().join(",")
        );
        let cases = open_cases(store).await?;
        let (amendments, recount) = recount_deadlines(&cases, &r, &calendar, today, actor, at, &why);
        let change = ReferenceChange::CalendarYears {
            rows: rows.clone(),
            source: source.clone(),
        };
        match store.change_reference(&change, actor, at, &amendments).await {
            Ok(()) => {
                live.reload(store).await?;
                return Ok(CalendarImport { changes, recount });
            }
            Err(StoreError::Stale) if attempt < ATTEMPTS => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Stale.into())
}

fn checked_source(source: &str) -> Result<String, PolicyDataError> {
    let s = source.trim();
    if s.chars().count() > 200 || zaofaxian_shared::text::has_hidden_characters(s, false) {
        return Err(PolicyDataError::Invalid(
            "文件依据应为200字以内的一行文字 / the source must be one line of at most 200 characters".into(),
        ));
    }
    Ok(if s.is_empty() {
        "未注明文号 / no document named".to_string()
    } else {
        s.to_string()
    })
}

/// The latest home visit in a case's history, with its entry number.
async fn latest_visit(store: &dyn Store, case_id: &str) -> Result<Option<(i64, HomeVisit)>, StoreError> {
    let history = store.history(case_id).await?;
    Ok(history.iter().rev().find_map(|e| {
        let v = e.entry.get("visit").filter(|v| v.is_object())?;
        Some((e.seq, serde_json::from_value(v.clone()).ok()?))
    }))
}

/// Sets a threshold (replacing the region's figure for that year) and assesses the
/// visits in that region that waited for it, in one transaction.
pub async fn set_threshold(
    store: &dyn Store,
    live: &LiveReference,
    threshold: Threshold,
    actor: &str,
    at: i64,
) -> Result<ThresholdSet, PolicyDataError> {
    for attempt in 1..=ATTEMPTS {
        live.reload(store).await?;
        let r = live.get();
        let policy = r.policy.with_threshold(&threshold)?;
        let previous = r
            .policy
            .thresholds()
            .into_iter()
            .find(|t| t.region == threshold.region && t.year == threshold.year)
            .map(|t| t.amount);
        let waiting: Vec<CaseRecord> = store
            .cases(&CaseFilter::scope(Scope::Within(threshold.region)))
            .await?
            .into_iter()
            .filter(|c| c.state.assessment_pending_year == Some(threshold.year))
            .collect();
        let mut recount = Recount::default();
        let mut amendments = Vec::new();
        for c in &waiting {
            let Some((seq, visit)) = latest_visit(store, &c.id).await? else {
                continue;
            };
            let Ok(facts) = visit.facts() else { continue };
            let Ok(a) = assess(&policy, &facts) else { continue };
            let mut next: CaseState = c.state.clone();
            next.version += 1;
            next.assessment_pending_year = None;
            next.category = a.category;
            recount.assessed += 1;
            let entry = serde_json::json!({
                "event": "reassessed",
                "visit_entry": seq,
                "assessment": a,
                "threshold": threshold,
            });
            amendments.push(system_amendment(c, next, actor, at, entry));
        }
        match store
            .change_reference(&ReferenceChange::Threshold(threshold.clone()), actor, at, &amendments)
            .await
        {
            Ok(()) => {
                live.reload(store).await?;
                return Ok(ThresholdSet {
                    threshold,
                    previous,
                    recount,
                });
            }
            Err(StoreError::Stale) if attempt < ATTEMPTS => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Stale.into())
}

/// Bilingual lines describing a calendar import, for the CLI and the console.
pub fn describe_import(i: &CalendarImport) -> Vec<String> {
    let mut out = Vec::new();
    for c in &i.changes {
        let (zh, en) = match c.before {
            Some(n) => (format!("{n}天"), format!("{n} days")),
            None => ("无数据".to_string(), "no data".to_string()),
        };
        out.push(format!(
            "{}年：导入前 {zh}，导入后 {}天 / {}: before {en}, after {} days",
            c.year, c.after, c.year, c.after
        ));
        for r in &c.added {
            out.push(format!("  + {} {:?} {}", r.date, r.kind, r.name));
        }
        for r in &c.removed {
            out.push(format!("  - {} {:?} {}", r.date, r.kind, r.name));
        }
    }
    out.push(describe_recount(&i.recount));
    out
}

pub fn describe_recount(r: &Recount) -> String {
    format!(
        "重新计算期限：{}件案件变更，其中{}件已超期；补评估入户记录{}件 / deadlines counted again: {} case(s) changed, {} now overdue; {} visit(s) assessed",
        r.changed, r.overdue, r.assessed, r.changed, r.overdue, r.assessed
    )
}
