//! The verification queue, case pages and lifecycle steps over REST.

use crate::auth::Caller;
use crate::cases::{EventRequest, answer_of, apply_event, visible_case};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::{CaseFilter, Scope};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use zaofaxian_shared::wire::{CaseDetail, EventAnswer, QueueAnswer};
use zaofaxian_shared::{DivisionCode, Lang};

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    division: Option<DivisionCode>,
    stage: Option<String>,
    #[serde(default)]
    lang: Lang,
}

/// Open cases in the caller's area with their deadlines: overdue first (most overdue
/// at the top), then by due date, cases without a deadline last.
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> ApiResult<Json<QueueAnswer>> {
    let Query(q) = query?;
    let within = crate::board::area_for(&caller, q.division)?;
    let filter = CaseFilter {
        scope: Scope::Within(within),
        stage: q.stage,
        open_only: true,
    };
    let today = state.clock.today();
    let items = crate::board::items(&state, &filter, q.lang).await?;
    Ok(Json(QueueAnswer {
        today,
        division: within,
        count: items.len(),
        items,
    }))
}

pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseDetail>> {
    let case = visible_case(&state, &caller, &id).await?;
    let history = state.store.history(&id).await?;
    let chain_intact = crate::audit::verify_chain(&history).is_ok();
    let days_left = case
        .state
        .days_left(&state.reference().calendar, state.clock.today())
        .ok()
        .flatten();
    let same_pictures = match caller.scope()? {
        Scope::Within(area) => crate::cases::same_pictures(&state, &case, area).await?,
        // A household is not shown other households' cases.
        Scope::Owner(_) | Scope::All => Vec::new(),
    };
    let role = caller.role();
    let (case, history) = (
        crate::masking::case_for(role, case),
        crate::masking::history_for(role, history),
    );
    Ok(Json(CaseDetail {
        case,
        days_left,
        history,
        chain_intact,
        same_pictures,
    }))
}

pub async fn post_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<EventRequest>, JsonRejection>,
) -> ApiResult<Json<EventAnswer>> {
    let Json(req) = body?;
    let a = answer_of(apply_event(&state, &caller, &id, &req, None).await?);
    let case = visible_case(&state, &caller, &id).await?;
    Ok(Json(EventAnswer {
        case_id: a.case_id,
        version: a.version,
        state: case.state,
    }))
}
