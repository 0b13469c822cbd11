//! The deadline board: open cases of an area with their stage, due date and working
//! days left, overdue first; shared by the API queue and the staff console.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{BoardFilter, BoardRow, Scope};
use serde::Serialize;
use zaofaxian_shared::{DivisionCode, Lang, Role};

pub use zaofaxian_shared::wire::QueueItem;

/// The hardship a stored report names, in words.
pub fn hardship_label(report: &serde_json::Value, lang: Lang) -> Option<String> {
    let h = serde_json::from_value::<zaofaxian_shared::report::Hardship>(report["hardship"].clone()).ok()?;
    Some(h.label().get(lang).to_string())
}

/// The area a staff member asks about: their own, or a division inside it.
pub fn area_for(caller: &Caller, asked: Option<DivisionCode>) -> ApiResult<DivisionCode> {
    if caller.role() == Role::Household {
        return Err(ApiError::forbidden());
    }
    let Scope::Within(area) = caller.scope()? else {
        return Err(ApiError::forbidden());
    };
    let within = asked.unwrap_or(area);
    if !area.contains(within) {
        return Err(ApiError::forbidden());
    }
    Ok(within)
}

/// Snake-case name of a serde enum value (`awaiting_verification`, `self_report`).
pub fn tag<T: Serialize>(value: &T, field: Option<&str>) -> String {
    let v = serde_json::to_value(value).unwrap_or_default();
    let v = field.map(|f| v[f].clone()).unwrap_or(v);
    v.as_str().unwrap_or_default().to_string()
}

/// A board row in words, with its working days left counted on `calendar`.
pub fn item(c: &BoardRow, today: chrono::NaiveDate, calendar: &zaofaxian_shared::Calendar, lang: Lang) -> QueueItem {
    QueueItem {
        case_id: c.case_id.clone(),
        division: c.division,
        household_name: c.household_name.clone(),
        national_id: c.masked_id.clone(),
        stage: c.stage,
        stage_label: c.stage.label().get(lang).to_string(),
        channel: c.channel,
        category: c.category,
        category_label: c.category.map(|k| k.label().get(lang).to_string()),
        due: c.deadline.map(|d| d.due.to_string()),
        provisional: c.deadline.is_some_and(|d| d.provisional.is_some()),
        provisional_note: c
            .deadline
            .and_then(|d| d.provisional_note())
            .map(|t| t.get(lang).to_string()),
        deadline: match (c.deadline, c.deadline_pending_year) {
            (Some(d), _) => Some(d.kind.label().get(lang).to_string()),
            (None, Some(year)) => Some(match lang {
                Lang::Zh => format!("期限待定：缺少{year}年节假日数据"),
                Lang::En => format!("deadline pending: no {year} holiday data yet"),
            }),
            (None, None) => None,
        },
        days_left: c.deadline.and_then(|d| d.days_left(calendar, today).ok()),
        overdue: c.deadline.is_some_and(|d| d.is_overdue(today)),
        photos_missing: c.photos_missing,
        version: c.version,
    }
}

/// The board's rows: overdue first (most overdue at the top), then by due date,
/// cases without a deadline last.
pub async fn items(state: &AppState, filter: &BoardFilter, lang: Lang) -> ApiResult<Vec<QueueItem>> {
    let r = state.reference();
    let today = state.clock.today();
    let mut items: Vec<QueueItem> = state
        .store
        .board_rows(filter, None, None)
        .await?
        .iter()
        .map(|c| item(c, today, &r.calendar, lang))
        .collect();
    items.sort_by_key(|i| {
        (
            !i.overdue,
            i.days_left.is_none(),
            i.days_left.unwrap_or(i64::MAX),
            i.case_id.clone(),
        )
    });
    Ok(items)
}

/// Open, overdue and supervised (超期督办: late a working day or more) counts per
/// division one level below `area` (villages of a township, townships of a county).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rollup {
    pub division: String,
    pub open: usize,
    pub overdue: usize,
    pub escalated: usize,
}

/// The store's per-village counts added up per division one level below `area`.
pub fn rollup(area: DivisionCode, villages: &[crate::store::VillageCount]) -> Vec<Rollup> {
    let mut counts: std::collections::BTreeMap<String, (usize, usize, usize)> = Default::default();
    for v in villages {
        // The child of `area` on the way down to the village.
        let child = std::iter::once(v.village)
            .chain(v.village.ancestors())
            .find(|d| d.parent() == Some(area))
            .unwrap_or(v.village);
        let c = counts.entry(child.to_string()).or_default();
        c.0 += v.open as usize;
        c.1 += v.overdue as usize;
        c.2 += v.escalated as usize;
    }
    counts
        .into_iter()
        .map(|(division, (open, overdue, escalated))| Rollup {
            division,
            open,
            overdue,
            escalated,
        })
        .collect()
}
