//! Sync: idempotent push of a device's records, cursor-based pull of its area.

use crate::auth::Caller;
use crate::cases::{apply_event, create_from_report};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{SyncClaim, WriteAnswer, WriteOutcome};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
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

pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<PushBody>, JsonRejection>,
) -> ApiResult<Json<PushAnswer>> {
    let Json(body) = body?;
    body.check().map_err(|e| {
        let t = e.text();
        match e {
            PushError::TooManyRecords => ApiError::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE, e.code(), t.zh, t.en),
            _ => ApiError::bad_request(e.code(), t.zh, t.en).with_field("device_id"),
        }
    })?;
    let mut results = Vec::with_capacity(body.records.len());
    for rec in body.records {
        let record_id = rec.id.to_string();
        // A record id another account sent is not this one's to replay (nor to learn
        // that case's id from).
        if state
            .store
            .record_sender(&record_id)
            .await?
            .is_some_and(|sender| sender != caller.0.id)
        {
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
        if let Some(a) = state.store.replay_answer(&record_id).await? {
            results.push(accepted(rec.id, RecordStatus::Replayed, a));
            continue;
        }
        let claim = SyncClaim {
            record_id,
            // Sequence numbers are per account and device: one account cannot take
            // another's device id and squat its numbers.
            device_id: format!("{}/{}", caller.0.id, body.device_id),
            device_seq: rec.seq,
            account_id: caller.0.id.clone(),
        };
        let outcome = match &rec.op {
            RecordOp::Report(report) => create_from_report(&state, &caller, rec.id, report, Some(&claim)).await,
            RecordOp::CaseEvent(ev) => apply_event(&state, &caller, &ev.case_id, &ev.request, Some(&claim)).await,
        };
        results.push(match outcome {
            Ok(WriteOutcome::Stored(a)) => accepted(rec.id, RecordStatus::Stored, a),
            Ok(WriteOutcome::Replayed(a)) => accepted(rec.id, RecordStatus::Replayed, a),
            Err(e) if e.status.is_server_error() => return Err(e),
            Err(e) => refused(rec.id, &e),
        });
    }
    Ok(Json(PushAnswer { results }))
}

#[derive(Debug, Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    cursor: i64,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    200
}

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
    let cases: Vec<_> = cases.into_iter().map(|c| crate::masking::case_for(role, c)).collect();
    Ok(Json(PullAnswer { cases, cursor, more }))
}
