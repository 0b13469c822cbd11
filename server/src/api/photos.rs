//! Resumable photo upload, addressed by SHA-256: register (size), send chunks at the
//! offset the server reports, and on the last byte the server checks the hash and
//! the image before it says "complete". A dropped connection loses at most the
//! chunk in flight; the client asks for the offset and carries on.

use crate::api::json_body::JsonBody;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::photo_files::{self, Filed};
use crate::photos::{self, MAX_BYTES};
use crate::state::AppState;
use crate::store::{PhotoClaim, PhotoRecord, StoreError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use zaofaxian_shared::wire::{ErrorBody, PhotoStart, PhotoStatus};

fn check_sha(sha: &str) -> ApiResult<()> {
    if photos::is_sha256_hex(sha) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "bad_sha256",
            "照片摘要应为64位小写十六进制",
            "sha256: 64 lowercase hex digits",
        )
        .with_field("sha256"))
    }
}

fn status_json(p: &PhotoRecord) -> Json<PhotoStatus> {
    Json(PhotoStatus {
        sha256: p.sha256.clone(),
        size: p.size,
        received: p.received,
        complete: p.complete,
        width: p.width,
        height: p.height,
    })
}

/// A photo is the business of its uploader (or of an account that proved it holds the
/// photo by sending it) and of whoever may see a case that lists it; to anyone else it
/// does not exist.
async fn may_access(state: &AppState, caller: &Caller, p: &PhotoRecord) -> ApiResult<bool> {
    Ok(p.uploader == caller.0.id
        || state.store.photo_granted(&p.sha256, &caller.0.id).await?
        || state
            .store
            .photo_cases(&p.sha256)
            .await?
            .iter()
            .any(|c| caller.can_see(c)))
}

/// What one caller's upload of a hash is: the photo itself, or, for a photo the server
/// holds from someone else, the caller's own claim (answered as a fresh upload).
enum Upload {
    Own(PhotoRecord),
    Claim(PhotoClaim),
}

async fn upload_of(state: &AppState, caller: &Caller, sha: &str) -> ApiResult<Upload> {
    let p = state.store.photo(sha).await?.ok_or_else(ApiError::not_found)?;
    if may_access(state, caller, &p).await? {
        return Ok(Upload::Own(p));
    }
    let claim = state.store.claim(sha, &caller.0.id).await?;
    claim.map(Upload::Claim).ok_or_else(ApiError::not_found)
}

fn claim_status(c: &PhotoClaim) -> Json<PhotoStatus> {
    Json(PhotoStatus {
        sha256: c.sha256.clone(),
        size: c.size,
        received: c.received,
        complete: false,
        width: None,
        height: None,
    })
}

fn files_error(e: photo_files::Error) -> ApiError {
    tracing::error!(error = %e, "photo storage");
    ApiError::internal()
}

/// Unfinished uploads one account may have at once (the app sends at most 6 photos a
/// report and 20 a step, one by one), and the bytes they may announce.
pub const MAX_UNFINISHED: i64 = 60;
pub const MAX_UNFINISHED_BYTES: i64 = 200 * 1024 * 1024;

/// Registers a photo upload by SHA-256 and size, or answers how far it got.
#[utoipa::path(post, path = "/api/v1/photos", tag = "photos", security(("bearer" = []), ("cookie" = [])), request_body = PhotoStart,
    responses(
        (status = 200, body = PhotoStatus, description = "已收到多少 / how many bytes the server has"),
        (status = 409, body = ErrorBody, description = "同一摘要已以不同大小登记 / registered before with another size"),
        crate::openapi::BodyRefusals, crate::openapi::AuthRefusals, crate::openapi::Limited,
    ))]
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<JsonBody<PhotoStart>, ApiError>,
) -> ApiResult<Json<PhotoStatus>> {
    let JsonBody(b) = body?;
    check_sha(&b.sha256)?;
    // Outside what the document allows: a bad request like any other field (the body
    // itself is small, so not 413).
    if b.size <= 0 || b.size > MAX_BYTES {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "photo_too_large",
            format!("照片须大于0且不超过{} MB", MAX_BYTES >> 20),
            format!("a photo must be 1 byte to {} MB", MAX_BYTES >> 20),
        )
        .with_field("size"));
    }
    // Unfinished uploads hold disk space until they finish or go stale: bounded per account.
    let existing = state.store.photo(&b.sha256).await?;
    let mine = match &existing {
        Some(p) => may_access(&state, &caller, p).await?,
        None => true,
    };
    let (open, bytes) = state.store.unfinished_uploads(&caller.0.id).await?;
    let resuming = match &existing {
        Some(_) if mine => true,
        Some(_) => state.store.claim(&b.sha256, &caller.0.id).await?.is_some(),
        None => false,
    };
    if !resuming && (open >= MAX_UNFINISHED || bytes + b.size > MAX_UNFINISHED_BYTES) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_unfinished",
            format!("未传完的照片已有{open}张，请先让它们传完"),
            format!("{open} photos are still unfinished: let them finish first"),
        ));
    }
    if existing.is_some() && !mine {
        // Someone else's photo: the caller must send the bytes to prove it holds it, and
        // learns nothing of the photo (not that it exists, nor its size) meanwhile.
        let c = state
            .store
            .start_claim(&b.sha256, &caller.0.id, b.size, state.now_ms())
            .await?;
        return Ok(claim_status(&c));
    }
    let p = state
        .store
        .start_photo(&b.sha256, b.size, &caller.0.id, state.now_ms())
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::new(
                StatusCode::CONFLICT,
                "size_mismatch",
                "同一摘要的照片已以不同大小登记",
                "this hash was registered with a different size",
            ),
            other => other.into(),
        })?;
    Ok(status_json(&p))
}

#[utoipa::path(get, path = "/api/v1/photos/{sha}/status", tag = "photos", security(("bearer" = []), ("cookie" = [])), params(("sha" = String, Path, pattern = "^[0-9a-f]{64}$", description = "照片的 SHA-256（小写十六进制）/ the photo's SHA-256, lower-case hex")),
    responses(
        (status = 200, body = PhotoStatus, description = "已收到多少 / how many bytes the server has"),
        crate::openapi::QueryRefusals, crate::openapi::AuthRefusals, crate::openapi::NotFound,
    ))]
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha): Path<String>,
) -> ApiResult<Json<PhotoStatus>> {
    check_sha(&sha)?;
    Ok(match upload_of(&state, &caller, &sha).await? {
        Upload::Own(p) => status_json(&p),
        Upload::Claim(c) => claim_status(&c),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChunkQuery {
    /// 本块在照片中的起点 / where this chunk starts in the photo
    #[param(minimum = 0)]
    offset: i64,
}

/// Sends a chunk at `offset`; 409 names the offset to resume from.
#[utoipa::path(patch, path = "/api/v1/photos/{sha}", tag = "photos", security(("bearer" = []), ("cookie" = [])),
    params(("sha" = String, Path, pattern = "^[0-9a-f]{64}$", description = "照片的 SHA-256 / the photo's SHA-256"), ChunkQuery),
    request_body(content = crate::openapi::Chunk, content_type = "application/octet-stream", description = "照片的一块（≤1 MiB）/ a chunk of the photo (≤1 MiB)"),
    responses(
        (status = 200, body = PhotoStatus, description = "已收到多少 / how many bytes the server has"),
        (status = 409, body = ErrorBody, description = "起点不对（从服务器所说处继续）、超出登记的大小，或内容与摘要不符（从头再传）/ wrong offset (resume where the server says), past the announced size, or bytes that do not match the hash (send again from zero)"),
        (status = 422, body = ErrorBody, description = "内容不是可用的照片 / the bytes are not a usable photo"),
        crate::openapi::BodyRefusals, crate::openapi::AuthRefusals, crate::openapi::NotFound,
    ))]
pub async fn chunk(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha): Path<String>,
    query: Result<Query<ChunkQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<PhotoStatus>> {
    let Query(q) = query?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            crate::error::too_large()
        } else {
            ApiError::bad_request("bad_body", e.body_text(), e.body_text())
        }
    })?;
    check_sha(&sha)?;
    // One writer per photo at a time: two devices sending the same photo take turns.
    let lock = state.photo_locks.lock(&sha).await;
    let p = match upload_of(&state, &caller, &sha).await? {
        Upload::Own(p) => p,
        Upload::Claim(c) => {
            let done = claim_chunk(&state, c, q.offset, body).await;
            drop(lock);
            return done;
        }
    };
    if p.complete {
        return Ok(status_json(&p));
    }
    if p.received == p.size {
        // The server stopped after the last chunk but before checking the photo.
        let done = finish(&state, &sha, p.size).await;
        drop(lock);
        return done;
    }
    if q.offset != p.received {
        // The client's view is behind or ahead (a lost answer): it asks /status and resumes.
        return Err(offset_mismatch(p.received));
    }
    let end = q.offset + body.len() as i64;
    if end > p.size || body.is_empty() {
        return Err(bad_chunk(body.is_empty()));
    }
    state
        .photo_files
        .put_chunk(&sha, q.offset as u64, body)
        .await
        .map_err(files_error)?;
    state.store.photo_received(&sha, q.offset, end).await?;
    if end < p.size {
        drop(lock);
        let p = state.store.photo(&sha).await?.ok_or_else(ApiError::not_found)?;
        return Ok(status_json(&p));
    }
    let done = finish(&state, &sha, p.size).await;
    drop(lock);
    done
}

fn offset_mismatch(received: i64) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "offset_mismatch",
        format!("服务器已收到{received}字节，请从该处继续"),
        format!("the server has {received} bytes: resume from there"),
    )
}

/// An empty chunk is malformed (400); one running past the size announced for the
/// photo conflicts with that upload (409), as a wrong offset does.
fn bad_chunk(empty: bool) -> ApiError {
    if empty {
        ApiError::bad_request("empty_chunk", "分块为空", "the chunk is empty")
    } else {
        ApiError::new(
            StatusCode::CONFLICT,
            "bad_chunk",
            "分块超出照片登记的大小",
            "the chunk runs past the photo's announced size",
        )
    }
}

/// The bytes sent do not hash to the name the upload was registered under: they
/// conflict with that upload, which starts again from zero.
fn hash_mismatch() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "hash_mismatch",
        "照片内容与摘要不符，请重新上传",
        "the bytes do not match the SHA-256: upload again",
    )
}

/// A chunk of a claim: the same protocol as an upload, into the claimant's own chunks.
/// When the last byte matches the hash the claimant is granted the photo; if the
/// photo itself was still unfinished, the claim's bytes complete it.
async fn claim_chunk(state: &AppState, c: PhotoClaim, offset: i64, body: Bytes) -> ApiResult<Json<PhotoStatus>> {
    if offset != c.received {
        return Err(offset_mismatch(c.received));
    }
    let end = offset + body.len() as i64;
    if end > c.size || body.is_empty() {
        return Err(bad_chunk(body.is_empty()));
    }
    let files = &state.photo_files;
    let upload = photos::claim_file_name(&c.sha256, &c.account_id);
    files
        .put_chunk(&upload, offset as u64, body)
        .await
        .map_err(files_error)?;
    state
        .store
        .claim_received(&c.sha256, &c.account_id, offset, end)
        .await?;
    if end < c.size {
        return Ok(claim_status(&PhotoClaim { received: end, ..c }));
    }
    let data = files.gather(&upload, c.size as u64).await.map_err(files_error)?;
    let sha = c.sha256.clone();
    let matched = match data {
        Some(data) => tokio::task::spawn_blocking(move || (hex::encode(Sha256::digest(&data)) == sha).then_some(data))
            .await
            .map_err(|_| ApiError::internal())?,
        None => None,
    };
    state
        .store
        .settle_claim(&c.sha256, &c.account_id, matched.is_some())
        .await?;
    files.drop_upload(&upload).await.map_err(files_error)?;
    let Some(data) = matched else {
        return Err(hash_mismatch());
    };
    let p = state.store.photo(&c.sha256).await?.ok_or_else(ApiError::not_found)?;
    if p.complete {
        return Ok(status_json(&p));
    }
    // The uploader has not finished: these are the very bytes, so they finish it.
    state.store.photo_received(&c.sha256, p.received, p.size).await?;
    let permit = check_permit(state, &data[..data.len().min(HEADER_BYTES)], data.len() as u64).await?;
    file_upload(state, &c.sha256, Some(data), permit).await
}

/// How much of a file's start is read to learn what checking it costs.
const HEADER_BYTES: usize = 256 * 1024;

/// Memory for checking a file, charged by the canvas its header claims, so many small
/// checks run at once and a few large ones wait for each other.
async fn check_permit(state: &AppState, header: &[u8], len: u64) -> ApiResult<tokio::sync::OwnedSemaphorePermit> {
    state
        .photo_checks
        .clone()
        .acquire_many_owned(photos::check_cost_mib(header, len))
        .await
        .map_err(|_| ApiError::internal())
}

/// Every byte is in: puts the file together, verifies it against its name, then the
/// image itself, and files it. Also reached again when the server died between the
/// last chunk and this check. The chunks are removed only after the upload is recorded
/// complete, so the file is looked for among the filed ones only when they are gone
/// (another process filed it meanwhile, or an older release moved it into place).
async fn finish(state: &AppState, sha: &str, size: i64) -> ApiResult<Json<PhotoStatus>> {
    let files = &state.photo_files;
    let head = files.upload_head(sha, HEADER_BYTES as u64).await.map_err(files_error)?;
    let filed = if head.is_empty() {
        match files.get(sha, Filed::Photo).await.map_err(files_error)? {
            Some(b) => Some(b),
            None => files.get(sha, Filed::Voice).await.map_err(files_error)?,
        }
    } else {
        None
    };
    let header = match &filed {
        Some(b) => b.slice(..b.len().min(HEADER_BYTES)),
        None => head,
    };
    let permit = check_permit(state, &header, size.max(0) as u64).await?;
    let data = match filed {
        Some(b) => Some(b.to_vec()),
        None => files.gather(sha, size.max(0) as u64).await.map_err(files_error)?,
    };
    file_upload(state, sha, data, permit).await
}

/// Checks a whole upload (None: bytes are missing) under its permit and files it: the
/// photo with its thumbnail, or the voice note. Refused, it goes back to zero, so the
/// client asks /status and sends it again.
async fn file_upload(
    state: &AppState,
    sha: &str,
    data: Option<Vec<u8>>,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> ApiResult<Json<PhotoStatus>> {
    let sha_c = sha.to_string();
    let verdict = tokio::task::spawn_blocking(move || {
        let _permit = permit; // held while decoding
        examine(data, &sha_c)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let files = &state.photo_files;
    match verdict {
        Ok(Examined::Photo { checked, bytes }) => {
            files
                .put(sha, Filed::Thumbnail, checked.thumbnail_jpeg.clone())
                .await
                .map_err(files_error)?;
            files.put(sha, Filed::Photo, bytes).await.map_err(files_error)?;
            let verified = crate::store::VerifiedPhoto {
                width: i64::from(checked.width),
                height: i64::from(checked.height),
                perceptual_hash: &checked.perceptual_hash,
            };
            state.store.photo_verified(sha, Some(verified)).await?;
        }
        Ok(Examined::Voice(bytes)) => {
            files.put(sha, Filed::Voice, bytes).await.map_err(files_error)?;
            // A recording has no picture to measure or compare.
            let verified = crate::store::VerifiedPhoto {
                width: 0,
                height: 0,
                perceptual_hash: "",
            };
            state.store.photo_verified(sha, Some(verified)).await?;
        }
        Err(refused) => {
            state.store.photo_verified(sha, None).await?;
            files.drop_upload(sha).await.map_err(files_error)?;
            // Another process may have filed the same bytes meanwhile.
            match state.store.photo(sha).await? {
                Some(p) if p.complete => return Ok(status_json(&p)),
                _ => return Err(refused),
            }
        }
    }
    // Recorded as filed first: a process still putting the chunks together then finds
    // the upload complete instead of a gap.
    files.drop_upload(sha).await.map_err(files_error)?;
    let p = state.store.photo(sha).await?.ok_or_else(ApiError::not_found)?;
    Ok(status_json(&p))
}

/// What a whole upload turned out to be, with its bytes.
enum Examined {
    Photo { checked: photos::Checked, bytes: Vec<u8> },
    Voice(Vec<u8>),
}

/// The blocking half of filing: the hash, then the photo (and its thumbnail) or the
/// voice note.
fn examine(data: Option<Vec<u8>>, sha: &str) -> Result<Examined, ApiError> {
    let data = data.unwrap_or_default();
    if hex::encode(Sha256::digest(&data)) != sha {
        return Err(hash_mismatch());
    }
    if zaofaxian_shared::voice::VoiceFormat::sniff(&data).is_some() {
        if data.len() > zaofaxian_shared::voice::MAX_VOICE_BYTES {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "voice_too_long",
                format!("语音不超过{} MB", zaofaxian_shared::voice::MAX_VOICE_BYTES >> 20),
                format!(
                    "a voice note is at most {} MB",
                    zaofaxian_shared::voice::MAX_VOICE_BYTES >> 20
                ),
            ));
        }
        return Ok(Examined::Voice(data));
    }
    match photos::check(&data) {
        Ok(checked) => Ok(Examined::Photo { checked, bytes: data }),
        Err(e) => Err(ApiError::from_pair(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_image",
            &e.to_string(),
        )),
    }
}

/// The photo (or its thumbnail) for someone who may see it: its uploader, or a
/// caller who can see a case that lists it.
async fn serve(state: AppState, caller: Caller, sha: String, file: Filed) -> ApiResult<impl IntoResponse> {
    check_sha(&sha)?;
    let p = state
        .store
        .photo(&sha)
        .await?
        .filter(|p| p.complete)
        .ok_or_else(ApiError::not_found)?;
    if !may_access(&state, &caller, &p).await? {
        return Err(ApiError::not_found());
    }
    let files = &state.photo_files;
    let found = files.get(&sha, file).await.map_err(files_error)?;
    let (bytes, content_type) = match (found, file) {
        (Some(b), _) => (b, "image/jpeg"),
        // Not a photo: the same name may be a voice note.
        (None, Filed::Photo) => {
            let b = files
                .get(&sha, Filed::Voice)
                .await
                .map_err(files_error)?
                .ok_or_else(ApiError::internal)?;
            let format = zaofaxian_shared::voice::VoiceFormat::sniff(&b).ok_or_else(ApiError::internal)?;
            (b, format.content_type())
        }
        // A recording has no thumbnail.
        (None, _) if files.exists(&sha, Filed::Voice).await.map_err(files_error)? => {
            return Err(ApiError::not_found());
        }
        (None, _) => {
            tracing::error!(sha, "a complete photo has no thumbnail");
            return Err(ApiError::internal());
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable"),
        ],
        bytes,
    ))
}

/// The photo, for its uploader and those who may see a case that lists it.
#[utoipa::path(get, path = "/api/v1/photos/{sha}", tag = "photos", security(("bearer" = []), ("cookie" = [])), params(("sha" = String, Path, pattern = "^[0-9a-f]{64}$", description = "照片的 SHA-256（小写十六进制）/ the photo's SHA-256, lower-case hex")),
    responses(
        (status = 200, description = "照片，或农户录的语音说明 / the photo, or a household's voice note",
            content((Vec<u8> = "image/jpeg"), (Vec<u8> = "audio/webm"), (Vec<u8> = "audio/ogg"), (Vec<u8> = "audio/mp4"))),
        crate::openapi::QueryRefusals, crate::openapi::AuthRefusals, crate::openapi::NotFound,
    ))]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha): Path<String>,
) -> ApiResult<impl IntoResponse> {
    serve(state, caller, sha, Filed::Photo).await
}

/// The photo's 320 px thumbnail.
#[utoipa::path(get, path = "/api/v1/photos/{sha}/thumbnail", tag = "photos", security(("bearer" = []), ("cookie" = [])), params(("sha" = String, Path, pattern = "^[0-9a-f]{64}$", description = "照片的 SHA-256（小写十六进制）/ the photo's SHA-256, lower-case hex")),
    responses(
        (status = 200, content_type = "image/jpeg", body = Vec<u8>, description = "缩略图 / the thumbnail"),
        crate::openapi::QueryRefusals, crate::openapi::AuthRefusals, crate::openapi::NotFound,
    ))]
pub async fn thumbnail(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha): Path<String>,
) -> ApiResult<impl IntoResponse> {
    serve(state, caller, sha, Filed::Thumbnail).await
}
