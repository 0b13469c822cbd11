//! Sync: idempotent push of a device's records, cursor-based pull of its area.

use crate::api::json_body::JsonBody;
use crate::auth::Caller;
use crate::cases::{apply_event, create_from_report};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{SyncClaim, WriteAnswer, WriteOutcome};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;
use zaofaxian_shared::RecordId;
use zaofaxian_shared::sync::{PushBody, PushError, RecordOp};
use zaofaxian_shared::wire::{PullAnswer, PushAnswer, RecordResult, RecordStatus};

fn refused(id: RecordId, e: &ApiError) -> RecordResult {
    RecordResult {
        id,
        status: RecordStatus::Rejected,
        case_id: None,
        version: None,
        error: Some(e.body()),
    }
}

fn accepted(id: RecordId, status: RecordStatus, a: WriteAnswer) -> RecordResult {
    RecordResult {
        id,
        status,
        case_id: Some(a.case_id),
        version: Some(a.version),
        error: None,
    }
}

/// Idempotent push of a device's records. Each record gets its own answer (stored,
/// replayed or rejected with its reason); a replay gets the answer it got first.
#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync", security(("bearer" = []), ("cookie" = [])), request_body = PushBody,
    responses(
        (status = 200, body = PushAnswer, description = "每条记录的结果 / what became of each record"),
        crate::openapi::BodyRefusals, crate::openapi::AuthRefusals,
    ))]
pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<JsonBody<PushBody>, ApiError>,
) -> ApiResult<Json<PushAnswer>> {
    let JsonBody(body) = body?;
    body.check().map_err(|e| {
        let t = e.text();
        // A batch over 200 records is a bad request (the phone sends 20 at a time), not
        // an oversized body: 413 is for bytes.
        match e {
            PushError::TooManyRecords => ApiError::bad_request(e.code(), t.zh, t.en).with_field("records"),
            _ => ApiError::bad_request(e.code(), t.zh, t.en).with_field("device_id"),
        }
    })?;
    let mut results = Vec::with_capacity(body.records.len());
    for rec in body.records {
        let record_id = rec.id.to_string();
        let created_ms = rec.id.unix_millis();
        match state.store.sent_record(&record_id).await? {
            // A record id another account sent is not this one's to replay (nor to learn
            // that case's id from).
            Some((sender, _)) if sender != caller.0.id => {
                let taken = ApiError::new(
                    axum::http::StatusCode::CONFLICT,
                    "record_id_taken",
                    "记录编号已被其他账号使用，请更新应用后重试",
                    "this record id was used by another account",
                );
                results.push(refused(rec.id, &taken));
                continue;
            }
            // A record seen before gets the answer it got then, whatever happened since.
            Some((_, answer)) => {
                results.push(accepted(rec.id, RecordStatus::Replayed, answer));
                continue;
            }
            None => {}
        }
        let claim = SyncClaim {
            record_id,
            // Sequence numbers are per account and device: one account cannot take
            // another's device id and squat its numbers.
            device_id: format!("{}/{}", caller.0.id, body.device_id),
            device_seq: rec.seq,
            account_id: caller.0.id.clone(),
        };
        let op = match rec.op() {
            Ok(op) => op,
            Err(bad) => {
                results.push(refused(rec.id, &crate::error::invalid_field(&bad.field, &bad.why)));
                continue;
            }
        };
        let outcome = match &op {
            RecordOp::Report(report) => create_from_report(&state, &caller, rec.id, report, Some(&claim)).await,
            RecordOp::CaseEvent(ev) => apply_event(&state, &caller, &ev.case_id, &ev.request, Some(&claim)).await,
        };
        results.push(match outcome {
            Ok(WriteOutcome::Stored(a)) => {
                state.metrics.record_stored(created_ms, state.now_ms());
                accepted(rec.id, RecordStatus::Stored, a)
            }
            Ok(WriteOutcome::Replayed(a)) => accepted(rec.id, RecordStatus::Replayed, a),
            Err(e) if e.status.is_server_error() => return Err(e),
            Err(e) => refused(rec.id, &e),
        });
    }
    Ok(Json(PushAnswer { results }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// 上次答复的 cursor（首次为0）/ the cursor of the last answer (0 at first)
    #[serde(default)]
    cursor: i64,
    /// 每次最多几件（1–500，默认200）/ cases per answer (1–500, default 200)
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    200
}

/// Cases of the caller's area changed after `cursor`.
#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync", security(("bearer" = []), ("cookie" = [])), params(PullQuery),
    responses(
        (status = 200, body = PullAnswer, description = "变化的案件 / the changed cases"),
        crate::openapi::QueryRefusals, crate::openapi::AuthRefusals,
    ))]
pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> ApiResult<Json<PullAnswer>> {
    let Query(q) = query?;
    let limit = q.limit.clamp(1, 500);
    let scope = caller.scope()?;
    let (cases, cursor) = state.store.changes_since(q.cursor.max(0), &scope, limit).await?;
    let more = cases.len() as i64 == limit;
    let role = caller.role();
    let mut cases: Vec<_> = cases.into_iter().map(|c| crate::masking::case_for(role, c)).collect();
    if role == zaofaxian_shared::Role::Household {
        for c in &mut cases {
            c.household = Some(crate::household_view::for_household(state.store.as_ref(), c).await?);
        }
    }
    Ok(Json(PullAnswer { cases, cursor, more }))
}
