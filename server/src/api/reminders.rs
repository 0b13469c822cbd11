//! Reminders and 督办: the caller's due and late steps, its 超期督办 list, muting the
//! texts, and a 督办 note on a late case.

use crate::api::json_body::JsonBody;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use zaofaxian_shared::Role;
use zaofaxian_shared::wire::{ErrorBody, Reminders, SuperviseRequest, TextSettings};

/// Staff only: households are told of their own case by text and on its card.
fn staff(caller: &Caller) -> ApiResult<()> {
    if caller.role() == Role::Household {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

/// What the caller must do soon or is late with, the 督办 notes to it, the late steps
/// below it that it supervises, and whether its texts are muted.
#[utoipa::path(get, path = "/api/v1/reminders", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, body = Reminders, description = "提醒、督办与超期督办清单 / reminders, supervision notes and the late steps below"),
        crate::openapi::AuthRefusals,
    ))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Reminders>> {
    staff(&caller)?;
    Ok(Json(crate::reminders::for_account(&state, &caller.0).await?))
}

/// Mutes or unmutes the caller's reminder texts (the in-app list stays).
#[utoipa::path(put, path = "/api/v1/reminders/texts", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    request_body = TextSettings,
    responses(
        (status = 200, body = TextSettings, description = "已保存 / saved"),
        crate::openapi::BodyRefusals, crate::openapi::AuthRefusals,
    ))]
pub async fn set_texts(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<JsonBody<TextSettings>, ApiError>,
) -> ApiResult<Json<TextSettings>> {
    staff(&caller)?;
    let JsonBody(settings) = body?;
    let at = settings.muted.then(|| state.now_ms());
    state.store.set_texts_muted(&caller.0.id, at).await?;
    Ok(Json(settings))
}

/// A 督办 note on a case whose step of the level below is a working day or more late.
#[utoipa::path(post, path = "/api/v1/cases/{id}/supervise", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "案件编号 / the case id")),
    request_body = SuperviseRequest,
    responses(
        (status = 204, description = "已督办 / sent"),
        (status = 409, body = ErrorBody, description = "此户没有下级超期的环节 / no late step of the level below"),
        crate::openapi::BodyRefusals, crate::openapi::AuthRefusals, crate::openapi::NotFound,
    ))]
pub async fn supervise(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<JsonBody<SuperviseRequest>, ApiError>,
) -> ApiResult<StatusCode> {
    staff(&caller)?;
    crate::cases::visible_case(&state, &caller, &id).await?;
    let JsonBody(req) = body?;
    crate::reminders::supervise(&state, &caller, &id, &req.note).await?;
    Ok(StatusCode::NO_CONTENT)
}
