//! The HTTP surface: health, the public working-day lookup (no personal data, so
//! no login), and the authenticated API of `crate::api`.

use crate::error::ApiError;
use crate::reference::LiveReference;
use crate::state::{AppState, ClockDebug};
use axum::extract::{FromRef, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use zaofaxian_shared::Text;

/// What the public routes need: the reference data in force and the clock.
#[derive(Debug, Clone)]
pub struct PublicState {
    pub reference: Arc<LiveReference>,
    pub clock: Arc<dyn ClockDebug>,
}

impl PublicState {
    /// The shipped data and the system clock (for tests of the public routes alone).
    pub fn shipped() -> PublicState {
        PublicState {
            reference: Arc::default(),
            clock: Arc::new(zaofaxian_shared::SystemClock),
        }
    }
}

impl FromRef<AppState> for PublicState {
    fn from_ref(s: &AppState) -> PublicState {
        PublicState {
            reference: s.reference.clone(),
            clock: s.clock.clone(),
        }
    }
}

/// JSON bodies above this size are refused with 413 before they are parsed.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The public routes alone (no storage needed).
pub fn public_routes<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    PublicState: FromRef<S>,
{
    Router::new()
        .route("/", get(index))
        .route("/health", get(health))
        .route("/api/v1/calendar/deadline", get(deadline))
        .route("/api/v1/reference", get(reference))
        .route("/api/v1/openapi.json", get(openapi_json))
}

/// The whole application.
pub fn app(state: crate::state::AppState) -> Router {
    let web_app = crate::web_app::routes(state.web_app_dir.as_deref());
    public_routes()
        .merge(crate::api::routes())
        .merge(crate::console::routes())
        .merge(web_app)
        .fallback(|| async { crate::error::ApiError::not_found() })
        // Each request timed by its declared route (see crate::metrics).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        // JSON and pages shrink about tenfold for phones on a weak signal (photos, already
        // compressed, are left alone by the layer's default rules).
        .layer(tower_http::compression::CompressionLayer::new())
        // One structured line per request: method, path, status, latency. Bodies and
        // headers (tokens, phone numbers) are never logged.
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(tower_http::trace::DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_request(())
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state)
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "public", security(()),
    responses((status = 200, description = "OpenAPI 3.1 文档 / the OpenAPI 3.1 document", content_type = "application/json")))]
pub(crate) async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}

async fn index() -> &'static str {
    "早发现 · 防止返贫动态监测和帮扶 / Zaofaxian monitoring server\n健康检查 / health: /health\n"
}

/// `/health`: up, and whether a holiday schedule is due and missing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct HealthAnswer {
    /// Always `ok` when the server answers.
    status: &'static str,
    version: &'static str,
    calendar_years: Vec<i32>,
    /// Set when a holiday schedule should be loaded by now and is not (from 1 November,
    /// next year's): the year, and how to load it.
    #[serde(skip_serializing_if = "Option::is_none")]
    calendar_missing: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<Text>,
}

/// The warning for a schedule that is due and missing (health, log).
pub fn missing_schedule_warning(year: i32) -> Text {
    Text::new(
        format!(
            "缺少{year}年节假日安排：跨入{year}年的期限为暂定。发布后运行 zaofaxian-server admin import-calendar 文件 --source 文号，或由管理员在控制台“政策数据”页导入"
        ),
        format!(
            "the {year} holiday schedule is missing: deadlines into {year} are provisional. Once published, run zaofaxian-server admin import-calendar FILE --source NOTICE, or load it under the console's Policy data"
        ),
    )
}

#[utoipa::path(get, path = "/health", tag = "public", security(()),
    responses((status = 200, body = HealthAnswer, description = "服务正常 / the server is up")))]
pub(crate) async fn health(State(s): State<PublicState>) -> Json<HealthAnswer> {
    let r = s.reference.get();
    let missing = r.missing_schedule(s.clock.today());
    Json(HealthAnswer {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        calendar_years: r.calendar.years().iter().copied().collect(),
        calendar_missing: missing,
        warning: missing.map(missing_schedule_warning),
    })
}

/// A working-day deadline counted by the loaded holiday schedules.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct DeadlineAnswer {
    from: NaiveDate,
    working_days: u32,
    due: NaiveDate,
    /// Counted through a year whose schedule is not loaded (weekends only).
    provisional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    provisional_year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<Text>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DeadlineQuery {
    /// 起算日（不计入）/ the day the period starts from (not counted)
    from: NaiveDate,
    /// 工作日数（0–366）/ working days (0–366)
    #[param(maximum = 366)]
    working_days: u32,
}

#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "public", security(()), params(DeadlineQuery),
    responses(
        (status = 200, body = DeadlineAnswer, description = "期限 / the deadline"),
        crate::openapi::QueryRefusals,
    ))]
pub(crate) async fn deadline(
    State(s): State<PublicState>,
    query: Result<Query<DeadlineQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DeadlineAnswer>, ApiError> {
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request(
            "bad_query",
            format!("参数应为 from=YYYY-MM-DD&working_days=N（{e}）"),
            format!("expected from=YYYY-MM-DD&working_days=N ({e})"),
        )
    })?;
    if q.working_days > 366 {
        return Err(ApiError::bad_request(
            "too_many_days",
            "工作日数不能超过366",
            "at most 366 working days",
        ));
    }
    let due = s
        .reference
        .get()
        .calendar
        .due_in_working_days(q.from, q.working_days)
        .map_err(|e| ApiError::from_pair(StatusCode::UNPROCESSABLE_ENTITY, "out_of_range", &e.to_string()))?;
    Ok(Json(DeadlineAnswer {
        from: q.from,
        working_days: q.working_days,
        due: due.date,
        provisional: due.provisional.is_some(),
        provisional_year: due.provisional,
        note: due.provisional.map(zaofaxian_shared::lifecycle::provisional_note),
    }))
}

/// The holiday years and thresholds in force (published data, no login), for phones
/// to count deadlines and preview assessments as the server does. Tagged with the
/// version, so a phone that has it gets 304 and no body.
#[utoipa::path(get, path = "/api/v1/reference", tag = "public", security(()),
    params(("If-None-Match" = Option<String>, Header, description = "上次答复的 ETag / the ETag of the last answer")),
    responses(
        (status = 200, body = zaofaxian_shared::reference::ReferenceSnapshot,
            description = "已载入的节假日安排与监测底线 / the loaded holiday schedules and thresholds",
            headers(("ETag" = String, description = "数据版本 / the data's version"))),
        (status = 304, description = "未变 / unchanged since the ETag",
            headers(("ETag" = String, description = "数据版本 / the data's version"))),
    ))]
pub(crate) async fn reference(
    State(s): State<PublicState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let r = s.reference.get();
    let tag = format!("\"{}\"", r.version);
    let etag = [(axum::http::header::ETAG, tag.clone())];
    if headers
        .get(axum::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == tag)
    {
        return (StatusCode::NOT_MODIFIED, etag).into_response();
    }
    (etag, Json(r.snapshot())).into_response()
}

/// Serves `app` on an already-bound listener (tests bind 127.0.0.1:0).
/// The client's address reaches handlers that limit per client (texted codes).
pub async fn serve_on(listener: tokio::net::TcpListener, app: Router) -> Result<(), String> {
    crate::listen::serve(listener, app, None, std::future::pending()).await
}
