//! The HTTP API, version 1. Handlers are thin: they check who asks and what they
//! may see, call the core for the rule, and the store for the write.

pub(crate) mod auth;
pub(crate) mod cases;
mod json_body;
pub(crate) mod photos;
pub(crate) mod reminders;
pub(crate) mod sync;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post, put};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(auth::staff_login))
        .route("/api/v1/auth/otp", post(auth::request_code))
        .route("/api/v1/auth/otp/verify", post(auth::verify_code))
        .route("/api/v1/me", get(auth::me))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/me/devices", get(auth::devices))
        .route("/api/v1/me/devices/sign-out-others", post(auth::sign_out_elsewhere))
        .route("/api/v1/sync/push", post(sync::push))
        .route("/api/v1/sync/pull", get(sync::pull))
        .route("/api/v1/queue", get(cases::queue))
        .route("/api/v1/cases/{id}", get(cases::detail))
        .route("/api/v1/cases/{id}/events", post(cases::post_event))
        .route("/api/v1/cases/{id}/supervise", post(reminders::supervise))
        .route("/api/v1/reminders", get(reminders::list))
        .route("/api/v1/reminders/texts", put(reminders::set_texts))
        .route("/api/v1/photos", post(photos::start))
        .route("/api/v1/photos/{sha}", get(photos::download).patch(photos::chunk))
        .route("/api/v1/photos/{sha}/status", get(photos::status))
        .route("/api/v1/photos/{sha}/thumbnail", get(photos::thumbnail))
        // Answers are about people and change with every step: no cache (the browser's,
        // a service worker's, a proxy's) keeps them, unless a handler says otherwise.
        .layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
}
