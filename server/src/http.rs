//! The HTTP surface. For now: health and a public working-day deadline lookup
//! (no personal data, so no login). The sync API arrives with the server issue.

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use zaofaxian_shared::{Calendar, Text};

pub fn app() -> Router {
    Router::new()
        .route("/", get(index))
        .route("/health", get(health))
        .route("/api/v1/calendar/deadline", get(deadline))
}

/// A 4xx body: a stable machine code and the message in both languages.
#[derive(Debug, Serialize)]
pub struct ApiError {
    pub code: &'static str,
    pub message: Text,
    #[serde(skip)]
    pub status: StatusCode,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
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
    let Query(q) = query.map_err(|e| ApiError {
        code: "bad_query",
        message: Text::new(
            format!("参数应为 from=YYYY-MM-DD&working_days=N（{e}）"),
            format!("expected from=YYYY-MM-DD&working_days=N ({e})"),
        ),
        status: StatusCode::BAD_REQUEST,
    })?;
    if q.working_days > 366 {
        return Err(ApiError {
            code: "too_many_days",
            message: Text::new("工作日数不能超过366", "at most 366 working days"),
            status: StatusCode::BAD_REQUEST,
        });
    }
    let cal = Calendar::national();
    let due = cal.add_working_days(q.from, q.working_days).map_err(|e| {
        let text = e.to_string();
        let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
        ApiError {
            code: "no_calendar_data",
            message: Text::new(zh, en),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    })?;
    Ok(Json(
        json!({ "from": q.from, "working_days": q.working_days, "due": due }),
    ))
}

/// Serves the app on an already-bound listener (tests bind 127.0.0.1:0).
pub async fn serve_on(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, app()).await
}
