//! The verification queue, case pages and lifecycle steps over REST.

use crate::auth::Caller;
use crate::cases::{EventRequest, answer_of, apply_event, visible_case};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{CaseFilter, CaseRecord, Scope};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use zaofaxian_shared::{DivisionCode, DivisionLevel, Lang, NationalId, Role};

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    division: Option<DivisionCode>,
    stage: Option<String>,
    #[serde(default)]
    lang: Lang,
}

#[derive(Debug, Serialize)]
pub struct QueueItem {
    case_id: String,
    division: DivisionCode,
    household_name: String,
    /// Masked: queues are shown on shared screens.
    national_id: Option<String>,
    stage: String,
    stage_label: String,
    due: Option<String>,
    deadline: Option<String>,
    days_left: Option<i64>,
    overdue: bool,
    version: u64,
}

/// Open cases in the caller's area with their deadlines: overdue first (most overdue
/// at the top), then by due date, cases without a deadline last.
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Query(q) = query?;
    if caller.role() == Role::Household {
        return Err(ApiError::forbidden());
    }
    let Scope::Within(area) = caller.scope()? else {
        return Err(ApiError::forbidden());
    };
    let within = q.division.unwrap_or(area);
    if !area.contains(within) {
        return Err(ApiError::forbidden());
    }
    let filter = CaseFilter {
        scope: Scope::Within(within),
        stage: q.stage,
        open_only: true,
    };
    let today = state.clock.today();
    let mut items = Vec::new();
    for c in state.store.cases(&filter).await? {
        let days_left = c.state.days_left(state.calendar, today).ok().flatten();
        let report = &c.report;
        items.push(QueueItem {
            case_id: c.id.clone(),
            division: c.division,
            household_name: report["household_name"].as_str().unwrap_or_default().to_string(),
            national_id: report["national_id"]
                .as_str()
                .and_then(|s| NationalId::parse(s).ok())
                .map(|id| id.masked()),
            stage: serde_json::to_value(c.state.stage)
                .ok()
                .and_then(|v| v["stage"].as_str().map(str::to_string))
                .unwrap_or_default(),
            stage_label: c.state.stage.label().get(q.lang).to_string(),
            due: c.state.deadline.map(|d| d.due.to_string()),
            deadline: match (c.state.deadline, c.state.deadline_pending_year) {
                (Some(d), _) => Some(d.kind.label().get(q.lang).to_string()),
                (None, Some(year)) => Some(match q.lang {
                    Lang::Zh => format!("期限待定：缺少{year}年节假日数据"),
                    Lang::En => format!("deadline pending: no {year} holiday data yet"),
                }),
                (None, None) => None,
            },
            days_left,
            overdue: c.state.is_overdue(today),
            version: c.state.version,
        });
    }
    items.sort_by_key(|i| {
        (
            !i.overdue,
            i.days_left.is_none(),
            i.days_left.unwrap_or(i64::MAX),
            i.case_id.clone(),
        )
    });
    Ok(Json(
        serde_json::json!({ "today": today, "division": within, "count": items.len(), "items": items }),
    ))
}

pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let case = visible_case(&state, &caller, &id).await?;
    let history = state.store.history(&id).await?;
    let chain_intact = crate::audit::verify_chain(&history).is_ok();
    let days_left = case.state.days_left(state.calendar, state.clock.today()).ok().flatten();
    let same_pictures = match caller.scope()? {
        Scope::Within(area) => same_pictures(&state, &case, area).await?,
        // A household is not shown other households' cases.
        Scope::Owner(_) => Vec::new(),
    };
    Ok(Json(serde_json::json!({
        "case": case, "days_left": days_left, "history": history, "chain_intact": chain_intact,
        "same_pictures": same_pictures,
    })))
}

/// This case's photos that look like a photo of another case (the same picture used
/// for two households). Compared within the case's township, or the caller's area if
/// that is smaller, so nothing outside the caller's area is named.
async fn same_pictures(state: &AppState, case: &CaseRecord, area: DivisionCode) -> ApiResult<Vec<serde_json::Value>> {
    use zaofaxian_shared::photo::{SAME_PICTURE_MAX_DISTANCE, hash_distance};
    let township = case
        .division
        .ancestor(DivisionLevel::Township)
        .unwrap_or(case.division)
        .prefix();
    let prefix = std::cmp::max_by_key(township, area.prefix(), String::len);
    let hashes = state.store.area_photo_hashes(&prefix).await?;
    let (mine, others): (Vec<_>, Vec<_>) = hashes.iter().partition(|h| h.case_id == case.id);
    let mut out = Vec::new();
    for m in &mine {
        for o in &others {
            if let Some(d) = hash_distance(&m.perceptual_hash, &o.perceptual_hash)
                && d <= SAME_PICTURE_MAX_DISTANCE
            {
                out.push(serde_json::json!({
                    "photo": m.sha256, "other_case": o.case_id, "other_photo": o.sha256, "distance": d,
                }));
            }
        }
    }
    Ok(out)
}

pub async fn post_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<EventRequest>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Json(req) = body?;
    let a = answer_of(apply_event(&state, &caller, &id, &req, None).await?);
    let case = visible_case(&state, &caller, &id).await?;
    Ok(Json(
        serde_json::json!({ "case_id": a.case_id, "version": a.version, "state": case.state }),
    ))
}
