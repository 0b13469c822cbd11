//! Sync: idempotent push of a device's records, cursor-based pull of its area.

use crate::auth::Caller;
use crate::cases::{EventRequest, apply_event, create_from_report};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{SyncClaim, WriteOutcome};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use zaofaxian_shared::RecordId;
use zaofaxian_shared::report::HardshipReport;

/// Most records one push may carry; a phone with more sends several pushes.
pub const MAX_RECORDS: usize = 200;

#[derive(Debug, Deserialize)]
pub struct PushBody {
    device_id: String,
    records: Vec<ClientRecord>,
}

#[derive(Debug, Deserialize)]
pub struct ClientRecord {
    /// The client's UUIDv7 for this record: the idempotency key.
    id: RecordId,
    /// Gap-free per-device sequence number.
    seq: i64,
    #[serde(flatten)]
    op: RecordOp,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum RecordOp {
    Report(HardshipReport),
    // Boxed: a home visit makes this variant much larger than a report.
    CaseEvent(Box<CaseEventBody>),
}

#[derive(Debug, Deserialize)]
pub struct CaseEventBody {
    case_id: String,
    #[serde(flatten)]
    request: EventRequest,
}

#[derive(Debug, Serialize)]
pub struct RecordResult {
    id: RecordId,
    /// `stored`, `replayed` (stored before: same answer) or `rejected`.
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    case_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ApiError>,
}

fn valid_device_id(d: &str) -> bool {
    !d.is_empty() && d.len() <= 64 && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<PushBody>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Json(body) = body?;
    if !valid_device_id(&body.device_id) {
        return Err(ApiError::bad_request(
            "bad_device_id",
            "设备编号应为1–64位字母、数字、-或_",
            "device_id: 1–64 letters, digits, - or _",
        )
        .with_field("device_id"));
    }
    if body.records.len() > MAX_RECORDS {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_records",
            format!("单次最多{MAX_RECORDS}条记录"),
            format!("at most {MAX_RECORDS} records per push"),
        ));
    }
    let mut results = Vec::with_capacity(body.records.len());
    for rec in body.records {
        let record_id = rec.id.to_string();
        // A record seen before gets the answer it got then, whatever happened since.
        if let Some(a) = state.store.replay_answer(&record_id).await? {
            results.push(RecordResult {
                id: rec.id,
                status: "replayed",
                case_id: Some(a.case_id),
                version: Some(a.version),
                error: None,
            });
            continue;
        }
        let claim = SyncClaim {
            record_id,
            device_id: body.device_id.clone(),
            device_seq: rec.seq,
            account_id: caller.0.id.clone(),
        };
        let outcome = match &rec.op {
            RecordOp::Report(report) => create_from_report(&state, &caller, rec.id, report, Some(&claim)).await,
            RecordOp::CaseEvent(ev) => apply_event(&state, &caller, &ev.case_id, &ev.request, Some(&claim)).await,
        };
        results.push(match outcome {
            Ok(WriteOutcome::Stored(a)) => RecordResult {
                id: rec.id,
                status: "stored",
                case_id: Some(a.case_id),
                version: Some(a.version),
                error: None,
            },
            Ok(WriteOutcome::Replayed(a)) => RecordResult {
                id: rec.id,
                status: "replayed",
                case_id: Some(a.case_id),
                version: Some(a.version),
                error: None,
            },
            Err(e) if e.status.is_server_error() => return Err(e),
            Err(e) => RecordResult {
                id: rec.id,
                status: "rejected",
                case_id: None,
                version: None,
                error: Some(e),
            },
        });
    }
    Ok(Json(serde_json::json!({ "results": results })))
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
) -> ApiResult<Json<serde_json::Value>> {
    let Query(q) = query?;
    let limit = q.limit.clamp(1, 500);
    let scope = caller.scope()?;
    let (cases, cursor) = state.store.changes_since(q.cursor.max(0), &scope, limit).await?;
    let more = cases.len() as i64 == limit;
    Ok(Json(
        serde_json::json!({ "cases": cases, "cursor": cursor, "more": more }),
    ))
}
