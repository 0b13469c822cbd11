//! The HTTP surface: health, the public working-day lookup (no personal data, so
//! no login), and the authenticated API of `crate::api`.

use crate::error::ApiError;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use zaofaxian_shared::Calendar;

/// JSON bodies above this size are refused with 413 before they are parsed.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The public routes alone (no storage needed).
pub fn public_routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(index))
        .route("/health", get(health))
        .route("/api/v1/calendar/deadline", get(deadline))
        .route(
            "/api/v1/openapi.json",
            get(|| async { Json(crate::openapi::document()) }),
        )
}

/// The whole application.
pub fn app(state: crate::state::AppState) -> Router {
    public_routes()
        .merge(crate::api::routes())
        .merge(crate::console::routes())
        .fallback(|| async { crate::error::ApiError::not_found() })
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

async fn index() -> &'static str {
    "早发现 · 防止返贫动态监测和帮扶 / Zaofaxian monitoring server\n健康检查 / health: /health\n"
}

async fn health() -> Json<serde_json::Value> {
    let years: Vec<i32> = Calendar::national().years().iter().copied().collect();
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "calendar_years": years,
    }))
}

#[derive(Debug, Deserialize)]
struct DeadlineQuery {
    from: NaiveDate,
    working_days: u32,
}

async fn deadline(
    query: Result<Query<DeadlineQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
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
    let cal = Calendar::national();
    let due = cal
        .add_working_days(q.from, q.working_days)
        .map_err(|e| ApiError::from_pair(StatusCode::UNPROCESSABLE_ENTITY, "no_calendar_data", &e.to_string()))?;
    Ok(Json(
        json!({ "from": q.from, "working_days": q.working_days, "due": due }),
    ))
}

/// Serves `app` on an already-bound listener (tests bind 127.0.0.1:0).
pub async fn serve_on(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app).await
}
