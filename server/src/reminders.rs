//! Deadlines that reach people: each account's due and late steps (the in-app list and
//! the working-morning digest text), the level above's 超期督办 list and its notes, and
//! the township's monthly report reminder. The rules are the core's
//! (`zaofaxian_shared::reminders`); this gathers the cases and accounts they apply to.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{Account, CaseFilter, CaseRecord, NewText, Scope, StaffEntry, StoreResult, Supervision};
use std::collections::HashMap;
use zaofaxian_shared::reminders::{
    Digest, Level, ReportReminder, digest_message, escalated, report_reminder, urgency, working_days_late,
};
use zaofaxian_shared::reporting::{last_report_passed, monthly_report_due, report_month_on};
use zaofaxian_shared::wire::{EscalatedItem, MonthlyReportStatus, ReminderItem, Reminders, SupervisionNote};
use zaofaxian_shared::{Calendar, DivisionCode, Role};

pub use zaofaxian_shared::reminders::MAX_SUPERVISION_NOTE_CHARS as MAX_NOTE_CHARS;

/// How far back an account's list shows 督办 notes.
const NOTES_SHOWN_MS: i64 = 30 * 24 * 3600 * 1000;

fn name_of(c: &CaseRecord) -> String {
    c.report["household_name"].as_str().unwrap_or_default().to_string()
}

/// The open cases of `area` with a running deadline.
fn with_deadline(
    cases: &[CaseRecord],
    area: DivisionCode,
) -> impl Iterator<Item = (&CaseRecord, zaofaxian_shared::lifecycle::Deadline)> {
    cases
        .iter()
        .filter(move |c| !c.state.stage.is_closed() && area.contains(c.division))
        .filter_map(|c| Some((c, c.state.deadline?)))
}

/// The steps of `level` in `area` that are due soon or late, most pressing first.
pub fn due_items(
    level: Level,
    area: DivisionCode,
    cases: &[CaseRecord],
    calendar: &Calendar,
    today: chrono::NaiveDate,
) -> Vec<ReminderItem> {
    let mut items: Vec<ReminderItem> = with_deadline(cases, area)
        .filter_map(|(c, d)| {
            if Level::of_deadline(d.kind) != level {
                return None;
            }
            Some(ReminderItem {
                case_id: c.id.clone(),
                division: c.division,
                household_name: name_of(c),
                national_id: c.report["national_id"]
                    .as_str()
                    .and_then(zaofaxian_shared::NationalId::mask),
                deadline: d.kind,
                due: d.due,
                urgency: urgency(calendar, today, d.due)?,
                days_left: zaofaxian_shared::reminders::working_days_left(calendar, today, d.due),
            })
        })
        .collect();
    items.sort_by(|a, b| (a.due, &a.case_id).cmp(&(b.due, &b.case_id)));
    items
}

/// The late steps one level below `level` in `area`, a working day or more late, with
/// who was to take them and how many 督办 notes they had.
pub fn escalated_items(
    level: Level,
    area: DivisionCode,
    cases: &[CaseRecord],
    staff: &[StaffEntry],
    notes: &[Supervision],
    calendar: &Calendar,
    today: chrono::NaiveDate,
) -> Vec<EscalatedItem> {
    let mut items: Vec<EscalatedItem> = with_deadline(cases, area)
        .filter_map(|(c, d)| {
            let step_level = Level::of_deadline(d.kind);
            if step_level.above() != Some(level) || !escalated(calendar, today, d.due) {
                return None;
            }
            let responsible = staff
                .iter()
                .filter(|s| {
                    s.disabled_at.is_none()
                        && Level::of_role(s.account.role) == Some(step_level)
                        && s.account.division.is_some_and(|div| div.contains(c.division))
                })
                .map(|s| s.account.name.clone())
                .collect();
            Some(EscalatedItem {
                case_id: c.id.clone(),
                division: c.division,
                household_name: name_of(c),
                national_id: c.report["national_id"]
                    .as_str()
                    .and_then(zaofaxian_shared::NationalId::mask),
                deadline: d.kind,
                due: d.due,
                level: step_level,
                responsible,
                working_days_late: working_days_late(calendar, today, d.due),
                notes: notes.iter().filter(|n| n.case_id == c.id).count(),
            })
        })
        .collect();
    items.sort_by(|a, b| (a.due, &a.case_id).cmp(&(b.due, &b.case_id)));
    items
}

/// The level and area of a staff account that is reminded (village, township, county).
fn level_and_area(a: &Account) -> Option<(Level, DivisionCode)> {
    Some((Level::of_role(a.role)?, a.division?))
}

/// The monthly report day of a township's policy (鹤庆: the 5th), if it sets one.
fn report_day(state: &AppState, township: DivisionCode) -> Option<u32> {
    state.reference().policy.profile_for(township).ok()?.monthly_report_day
}

/// The monthly report reminder of a township account today, unless that report is filed.
async fn report_due_for(
    state: &AppState,
    a: &Account,
    today: chrono::NaiveDate,
) -> StoreResult<Option<ReportReminder>> {
    let (Role::Township, Some(township)) = (a.role, a.division) else {
        return Ok(None);
    };
    let Some(day) = report_day(state, township) else {
        return Ok(None);
    };
    let Some(r) = report_reminder(&state.reference().calendar, today, day) else {
        return Ok(None);
    };
    let filed = state
        .store
        .monthly_report_filed(&township.to_string(), r.year, r.month)
        .await?;
    Ok(filed.is_none().then_some(r))
}

/// A township's reports to mark: the last one past due if not marked filed, and the
/// one being worked on, each with when it was marked.
async fn report_status(
    state: &AppState,
    a: &Account,
    today: chrono::NaiveDate,
) -> StoreResult<Vec<MonthlyReportStatus>> {
    let (Role::Township, Some(township)) = (a.role, a.division) else {
        return Ok(Vec::new());
    };
    let Some(day) = report_day(state, township) else {
        return Ok(Vec::new());
    };
    let calendar = &state.reference().calendar;
    // (year, month, due, past due)
    let mut months = Vec::new();
    if let Some((year, month, due)) = last_report_passed(calendar, today, day) {
        months.push((year, month, due, true));
    }
    let (year, month) = report_month_on(calendar, today, day);
    if let Ok(due) = monthly_report_due(calendar, year, month, day) {
        months.push((year, month, due.date, false));
    }
    let mut out = Vec::new();
    for (year, month, due, past_due) in months {
        let filed_at = state
            .store
            .monthly_report_filed(&township.to_string(), year, month)
            .await?;
        // The one past due is offered only while it is missing.
        if past_due && filed_at.is_some() {
            continue;
        }
        out.push(MonthlyReportStatus {
            year,
            month,
            due,
            filed_at,
        });
    }
    Ok(out)
}

/// Marks one of the township's reports to mark (see [`report_status`]) as filed.
pub async fn file_report(state: &AppState, a: &Account, year: i32, month: u32) -> ApiResult<MonthlyReportStatus> {
    let today = state.clock.today();
    let Some(status) = report_status(state, a, today)
        .await?
        .into_iter()
        .find(|s| (s.year, s.month) == (year, month))
    else {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "no_such_report",
            "没有这个月的月报可标记（本乡镇的政策未规定月报，或不是当前或上一期）",
            "no such report to mark (the township's policy sets none, or it is not the current or last one)",
        ));
    };
    let township = a.division.map(|d| d.to_string()).unwrap_or_default();
    state
        .store
        .file_monthly_report(&township, year, month, state.now_ms(), &a.id)
        .await?;
    Ok(status)
}

/// A township of `county` whose last report past due is not marked filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingReport {
    pub township: DivisionCode,
    pub name: String,
    pub year: i32,
    pub month: u32,
    pub due: chrono::NaiveDate,
}

/// The townships of a county with a report day whose last report past due is missing
/// (shown on the county's board).
pub async fn missing_reports(state: &AppState, county: DivisionCode) -> StoreResult<Vec<MissingReport>> {
    if county.level() != zaofaxian_shared::DivisionLevel::County {
        return Ok(Vec::new());
    }
    let today = state.clock.today();
    let calendar = &state.reference().calendar;
    let mut out = Vec::new();
    for t in state.store.child_divisions(county).await? {
        let Some(day) = report_day(state, t.code) else {
            continue;
        };
        let Some((year, month, due)) = last_report_passed(calendar, today, day) else {
            continue;
        };
        if state
            .store
            .monthly_report_filed(&t.code.to_string(), year, month)
            .await?
            .is_none()
        {
            out.push(MissingReport {
                township: t.code,
                name: t.name,
                year,
                month,
                due,
            });
        }
    }
    Ok(out)
}

/// What `account` is reminded of now.
pub async fn for_account(state: &AppState, account: &Account) -> StoreResult<Reminders> {
    let muted = state.store.texts_muted(&account.id).await?;
    let Some((level, area)) = level_and_area(account) else {
        return Ok(Reminders {
            texts_muted: muted,
            ..Reminders::default()
        });
    };
    let today = state.clock.today();
    let r = state.reference();
    let cases = state
        .store
        .cases(&CaseFilter {
            scope: Scope::Within(area),
            stage: None,
            open_only: true,
        })
        .await?;
    let notes = state
        .store
        .supervision_within(&area.prefix(), state.now_ms() - NOTES_SHOWN_MS)
        .await?;
    // Who was to act on a late step below: a village has no level below it.
    let staff = match level {
        Level::Village => Vec::new(),
        _ => state.store.staff_within(&area.prefix()).await?,
    };
    let names: HashMap<&str, String> = cases.iter().map(|c| (c.id.as_str(), name_of(c))).collect();
    let mut from_names = HashMap::new();
    let mut supervision = Vec::new();
    for n in notes.iter().filter(|n| n.level == level) {
        if !from_names.contains_key(&n.from_account) {
            let name = state
                .store
                .account(&n.from_account)
                .await?
                .map(|a| a.name)
                .unwrap_or_default();
            from_names.insert(n.from_account.clone(), name);
        }
        supervision.push(SupervisionNote {
            case_id: n.case_id.clone(),
            household_name: names.get(n.case_id.as_str()).cloned().unwrap_or_default(),
            at: n.at,
            from: from_names.get(&n.from_account).cloned().unwrap_or_default(),
            note: n.note.clone(),
        });
    }
    Ok(Reminders {
        due: due_items(level, area, &cases, &r.calendar, today),
        escalated: escalated_items(level, area, &cases, &staff, &notes, &r.calendar, today),
        supervision,
        report_due: report_due_for(state, account, today).await?.map(|r| r.text),
        reports: report_status(state, account, today).await?,
        texts_muted: muted,
    })
}

/// The working day before `today` (looking back at most 30 days).
fn previous_digest_day(calendar: &Calendar, today: chrono::NaiveDate) -> chrono::NaiveDate {
    let mut day = today;
    for _ in 0..30 {
        day = day.pred_opt().unwrap_or(day);
        if calendar.working_day_provisional(day).0 {
            break;
        }
    }
    day
}

/// When a day's digests begin (08:00 China time), in Unix ms.
fn digest_start(day: chrono::NaiveDate) -> i64 {
    day.and_time(zaofaxian_shared::reminders::TEXTS_FROM)
        .and_local_timezone(zaofaxian_shared::clock::china_offset())
        .single()
        .map_or(0, |t| t.timestamp_millis())
}

/// Records today's digest texts (on working days from 08:00 China time): one per
/// account with something due, late or supervised, a phone and texts not muted, and a
/// township's report reminder beside it. Idempotent by key: a second process or a
/// restart records nothing new.
/// `None` when it is no time for digests (a rest day, night), else how many were
/// recorded now.
pub async fn make_digests(state: &AppState) -> StoreResult<Option<usize>> {
    let now = state.clock.now();
    let china = now.with_timezone(&zaofaxian_shared::clock::china_offset());
    let today = china.date_naive();
    let r = state.reference();
    if !zaofaxian_shared::reminders::digest_day(&r.calendar, today, china.time()) {
        return Ok(None);
    }
    let phones = state.store.staff_phones().await?;
    let muted = state.store.muted_accounts().await?;
    let staff = state.store.staff_within("").await?;
    let mut cases = state
        .store
        .cases(&CaseFilter {
            scope: Scope::All,
            stage: None,
            open_only: true,
        })
        .await?;
    // By division code: an area's cases are then one run (see `within`), so each
    // account reads its own, not every open case.
    cases.sort_by_key(|c| c.division);
    // 督办 notes between the last digest day's morning and this one's.
    let since = digest_start(previous_digest_day(&r.calendar, today));
    let until = digest_start(today);
    let mut notes = state.store.supervision_within("", since).await?;
    notes.retain(|n| n.at < until);
    let mut made = 0;
    for s in staff.iter().filter(|s| s.disabled_at.is_none()) {
        let (Some((level, area)), Some(phone)) = (level_and_area(&s.account), phones.get(&s.account.id)) else {
            continue;
        };
        if muted.contains(&s.account.id) {
            continue;
        }
        let mine = within(&cases, area);
        let lines: Vec<_> = due_items(level, area, mine, &r.calendar, today)
            .into_iter()
            .map(|i| zaofaxian_shared::reminders::DigestLine {
                household_name: i.household_name,
                kind: i.deadline,
                urgency: i.urgency,
                days_left: i.days_left,
            })
            .collect();
        let supervised = notes
            .iter()
            .filter(|n| n.level == level && n.division.parse().is_ok_and(|d| area.contains(d)))
            .count();
        let digest = Digest {
            lines,
            supervision_notes: supervised,
            escalated: escalated_items(level, area, mine, &[], &[], &r.calendar, today).len(),
        };
        // The digest, and a township's report reminder (its own template), each keyed
        // by account and day.
        let texts = [
            digest_message(&digest).map(|m| ("digest", m)),
            report_due_for(state, &s.account, today)
                .await?
                .map(|r| ("report", r.message)),
        ];
        for (what, message) in texts.into_iter().flatten() {
            let text = NewText {
                key: format!("{what}:{}:{today}", s.account.id),
                phone: phone.clone(),
                message,
                account_id: Some(s.account.id.clone()),
                case_id: None,
                created_at: now.timestamp_millis(),
            };
            made += usize::from(state.store.put_text(&text).await?);
        }
    }
    Ok(Some(made))
}

/// The cases of `area` among `cases` sorted by division: codes inside an area share its
/// leading digits, so they follow one another from the area's own code on.
fn within(cases: &[CaseRecord], area: DivisionCode) -> &[CaseRecord] {
    let start = cases.partition_point(|c| c.division < area);
    let len = cases[start..].partition_point(|c| area.contains(c.division));
    &cases[start..start + len]
}

/// One round: today's digests, then whatever is waiting to be sent.
pub async fn round(state: &AppState) -> StoreResult<(usize, usize)> {
    let made = make_digests(state).await?.unwrap_or(0);
    let sent = crate::texts::deliver(state).await?;
    Ok((made, sent))
}

/// Runs a round every minute for as long as the server runs; a failed round is logged
/// once and the next one tries again. Today's digests read every open case, so this
/// process makes them once a day (after a restart once more: the keys keep it to one
/// text each); deliveries run every minute.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut digested_on = None;
    loop {
        tick.tick().await;
        let today = state.clock.today();
        let made = if digested_on == Some(today) {
            Ok(None)
        } else {
            make_digests(&state).await
        };
        let made = match made {
            Ok(Some(n)) => {
                digested_on = Some(today);
                n
            }
            Ok(None) => 0,
            Err(e) => {
                tracing::error!(error = %e, "提醒汇总失败 / making the reminder digests failed");
                0
            }
        };
        match crate::texts::deliver(&state).await {
            Ok(sent) => tracing::debug!(made, sent, "提醒轮次 / reminder round"),
            Err(e) => tracing::error!(error = %e, "短信发送轮次失败 / the text round failed"),
        }
    }
}

/// A 督办 note on a late step by the level above: kept, shown to the responsible level
/// in its list and next digest, and written into the case's history.
pub async fn supervise(state: &AppState, caller: &Caller, case_id: &str, note: &str) -> ApiResult<()> {
    if !zaofaxian_shared::reminders::is_supervision_note(note) {
        return Err(ApiError::bad_request(
            "bad_note",
            format!("督办意见为1至{MAX_NOTE_CHARS}字，不含控制字符"),
            format!("a supervision note is 1 to {MAX_NOTE_CHARS} characters, without control characters"),
        )
        .with_field("note"));
    }
    let note = note.trim();
    let case = crate::cases::visible_case(state, caller, case_id).await?;
    let r = state.reference();
    let today = state.clock.today();
    let late_step = case
        .state
        .deadline
        .filter(|d| escalated(&r.calendar, today, d.due))
        .map(|d| Level::of_deadline(d.kind));
    let Some(level) = late_step.filter(|l| l.above() == Level::of_role(caller.role())) else {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "not_escalated",
            "此户没有下级超期一个工作日以上的环节，无需督办",
            "no step of the level below is a working day or more late on this case",
        ));
    };
    state
        .limit_all(&[(
            "supervise",
            caller.0.id.as_str(),
            state.limits.supervision,
            "今天督办次数已达上限，请明天再发",
            "this account's supervision notes for today are used up: send more tomorrow",
        )])
        .await?;
    let at = state.now_ms();
    crate::cases::record_supervision(state, caller, &case, level, note, at).await?;
    state
        .store
        .add_supervision(&Supervision {
            id: zaofaxian_shared::RecordId::new().to_string(),
            case_id: case.id.clone(),
            division: case.division.to_string(),
            level,
            from_account: caller.0.id.clone(),
            at,
            note: note.to_string(),
        })
        .await?;
    Ok(())
}
