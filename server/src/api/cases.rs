//! The verification queue, case pages and lifecycle steps over REST.

use crate::api::json_body::JsonBody;
use crate::auth::Caller;
use crate::cases::{EventRequest, answer_of, apply_event, visible_case};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{BoardFilter, Scope};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use zaofaxian_shared::wire::{CaseDetail, ErrorBody, EventAnswer, QueueAnswer, QueueCursor};
use zaofaxian_shared::{DivisionCode, Lang};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// 区划（默认本账号的辖区）/ the area (default: the caller's own)
    division: Option<DivisionCode>,
    /// 只看某一环节 / only cases at this open stage
    #[param(schema_with = open_stage_schema)]
    stage: Option<String>,
    /// 文字语言 / the language of labels
    #[serde(default)]
    lang: Lang,
    /// 每页最多几件（1–1000，默认500）/ cases per page (1–1000, default 500)
    #[serde(default = "default_page")]
    limit: i64,
    /// 从上一页答复的 next 处继续（首次不填）/ go on from the previous page's `next` (none at first)
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}|-)/[^/]{1,64}$")]
    after: Option<String>,
}

fn default_page() -> i64 {
    500
}

/// What `stage=` takes: the key of an open stage (`awaiting_verification`, …).
fn open_stage_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(zaofaxian_shared::Stage::OPEN.map(|s| s.key())))
        .build()
}

/// Open cases in the caller's area with their deadlines: overdue first (most overdue
/// at the top), then by due date, cases without a deadline last.
#[utoipa::path(get, path = "/api/v1/queue", tag = "cases", security(("bearer" = []), ("cookie" = [])), params(QueueQuery),
    responses(
        (status = 200, body = QueueAnswer, description = "在办案件与期限 / open cases with their deadlines"),
        crate::openapi::QueryRefusals, crate::openapi::AuthRefusals,
    ))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> ApiResult<Json<QueueAnswer>> {
    let Query(q) = query?;
    if q.stage
        .as_deref()
        .is_some_and(|k| !zaofaxian_shared::Stage::OPEN.iter().any(|s| s.key() == k))
    {
        return Err(
            crate::error::ApiError::bad_request("bad_stage", "未知的环节", "unknown stage").with_field("stage"),
        );
    }
    let after = match q.after.as_deref().map(QueueCursor::parse) {
        Some(None) => {
            return Err(crate::error::ApiError::bad_request(
                "bad_cursor",
                "after 应为上一页答复的 next",
                "after is the previous page's next",
            )
            .with_field("after"));
        }
        Some(Some(c)) => Some(c),
        None => None,
    };
    let within = crate::board::area_for(&caller, q.division)?;
    let filter = BoardFilter {
        area: within,
        stage: q.stage,
        channel: None,
        category: None,
    };
    let limit = q.limit.clamp(1, 1000);
    let today = state.clock.today();
    let r = state.reference();
    // Counted in the store; only the page's cases are read.
    let escalated_by = zaofaxian_shared::reminders::escalated_if_due_by(&r.calendar, today);
    let count: i64 = state
        .store
        .village_counts(&filter, today, escalated_by)
        .await?
        .iter()
        .map(|v| v.open)
        .sum();
    let mut cases = state.store.board_rows(&filter, after.as_ref(), Some(limit + 1)).await?;
    let more = cases.len() as i64 > limit;
    cases.truncate(limit as usize);
    let next = more
        .then(|| cases.last())
        .flatten()
        .map(|c| QueueCursor {
            due: c.deadline.map(|d| d.due.to_string()),
            case_id: c.case_id.clone(),
        })
        .map(|c| c.to_string());
    let items = cases
        .iter()
        .map(|c| crate::board::item(c, today, &r.calendar, q.lang))
        .collect();
    Ok(Json(QueueAnswer {
        today,
        division: within,
        count: count as usize,
        items,
        next,
    }))
}

/// A case with its hash-chained history.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "案件编号 / the case id")),
    responses(
        (status = 200, body = CaseDetail, description = "案件与历史 / the case and its history"),
        crate::openapi::AuthRefusals, crate::openapi::NotFound,
    ))]
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

/// Takes one lifecycle step on a case (409 when the case moved on meanwhile).
#[utoipa::path(post, path = "/api/v1/cases/{id}/events", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "案件编号 / the case id")),
    request_body = EventRequest,
    responses(
        (status = 200, body = EventAnswer, description = "已记录 / recorded"),
        (status = 409, body = ErrorBody, description = "案件已变化（版本过期），或案件当前状态不允许该步骤（环节不符、公示未满、异议未结、当月识别等）/ the case moved on (a stale version), or its state does not allow the step now (another stage, a notice still running, objections open, the month of identification…)"),
        (status = 422, body = ErrorBody, description = "请求违反办理规则（不可撤销的步骤缺原因、未经农户同意、标准未达标、入户记录有误等）/ the request breaks a rule of the step (no reason for an irreversible step, no consent, criteria unmet, a faulty home visit…)"),
        crate::openapi::BodyRefusals, crate::openapi::AuthRefusals, crate::openapi::NotFound, crate::openapi::Limited,
    ))]
pub async fn post_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<JsonBody<EventRequest>, ApiError>,
) -> ApiResult<Json<EventAnswer>> {
    // An unknown case is 404 whatever the body says.
    visible_case(&state, &caller, &id).await?;
    let JsonBody(req) = body?;
    let a = answer_of(apply_event(&state, &caller, &id, &req, None).await?);
    let case = visible_case(&state, &caller, &id).await?;
    Ok(Json(EventAnswer {
        case_id: a.case_id,
        version: a.version,
        state: case.state,
    }))
}
