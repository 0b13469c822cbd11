//! Resumable photo upload, addressed by SHA-256: register (size), send chunks at the
//! offset the server reports, and on the last byte the server checks the hash and
//! the image before it says "complete". A dropped connection loses at most the
//! chunk in flight; the client asks for the offset and carries on.

use crate::api::json_body::JsonBody;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
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
use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;
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

fn partial_path(state: &AppState, sha: &str) -> PathBuf {
    state.photo_dir.join("partial").join(sha)
}

fn final_path(state: &AppState, sha: &str, suffix: &str) -> PathBuf {
    state.photo_dir.join(&sha[..2]).join(format!("{sha}{suffix}"))
}

fn io_error(e: std::io::Error) -> ApiError {
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
        let done = finish(&state, &sha).await;
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
    write_chunk(partial_path(&state, &sha), q.offset, body).await?;
    state.store.photo_received(&sha, q.offset, end).await?;
    if end < p.size {
        drop(lock);
        let p = state.store.photo(&sha).await?.ok_or_else(ApiError::not_found)?;
        return Ok(status_json(&p));
    }
    let done = finish(&state, &sha).await;
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

/// Writes a chunk at `offset` of a partial file, durably, off the async workers.
///
/// Nothing is truncated: a partial file's bytes are fixed by the hash it is named for,
/// so every honest write puts the same bytes at the same offsets.
/// Two processes writing one chunk at once (a retry through another process while the
/// first still runs), or a torn write before a crash, leave the right bytes or bytes
/// the next chunk overwrites; the whole file is hashed before it is filed. (Cutting the
/// file back to the offset would let a late writer in one process erase what another
/// process wrote after it.)
async fn write_chunk(path: PathBuf, offset: i64, bytes: Bytes) -> ApiResult<()> {
    let offset = offset as u64;
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            photos::private_dir(dir)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        f.seek(SeekFrom::Start(offset))?;
        f.write_all(&bytes)?;
        f.sync_data()
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(io_error)
}

/// A chunk of a claim: the same protocol as an upload, into the claimant's own file.
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
    let path = state
        .photo_dir
        .join("partial")
        .join(photos::claim_file_name(&c.sha256, &c.account_id));
    write_chunk(path.clone(), offset, body).await?;
    state
        .store
        .claim_received(&c.sha256, &c.account_id, offset, end)
        .await?;
    if end < c.size {
        return Ok(claim_status(&PhotoClaim { received: end, ..c }));
    }
    let sha = c.sha256.clone();
    let (file, partial) = (path.clone(), partial_path(state, &sha));
    let matched = tokio::task::spawn_blocking(move || -> std::io::Result<bool> {
        let data = std::fs::read(&file)?;
        Ok(hex::encode(Sha256::digest(&data)) == sha)
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(io_error)?;
    state.store.settle_claim(&c.sha256, &c.account_id, matched).await?;
    if !matched {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(hash_mismatch());
    }
    let p = state.store.photo(&c.sha256).await?.ok_or_else(ApiError::not_found)?;
    if p.complete {
        let _ = tokio::fs::remove_file(&path).await;
        return Ok(status_json(&p));
    }
    // The uploader has not finished: these are the very bytes, so they finish it.
    tokio::fs::rename(&path, &partial).await.map_err(io_error)?;
    state.store.photo_received(&c.sha256, p.received, p.size).await?;
    finish(state, &c.sha256).await
}

/// Every byte is in: verifies the whole file against its name, then the image itself,
/// and files it. Also reached again when the server died between the last chunk and
/// this check, so the file may be the partial one or already moved into place.
async fn finish(state: &AppState, sha: &str) -> ApiResult<Json<PhotoStatus>> {
    let partial = partial_path(state, sha);
    let target = final_path(state, sha, ".jpg");
    let paths = Filing {
        partial: partial.clone(),
        photo: target.clone(),
        thumb: final_path(state, sha, ".thumb.jpg"),
        voice: final_path(state, sha, VOICE_SUFFIX),
    };
    let sha_c = sha.to_string();
    // Charged by the canvas the header claims, so many small checks run at once and a
    // few large ones wait for each other (the header is read off the async workers).
    let (p2, t2) = (partial.clone(), target.clone());
    let cost = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let source = if p2.exists() { p2 } else { t2 };
        let Ok(f) = std::fs::File::open(&source) else { return 1 };
        let len = f.metadata().map_or(0, |m| m.len());
        let mut header = Vec::new();
        let _ = f.take(256 * 1024).read_to_end(&mut header);
        photos::check_cost_mib(&header, len)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let permit = state
        .photo_checks
        .clone()
        .acquire_many_owned(cost)
        .await
        .map_err(|_| ApiError::internal())?;
    let verdict = tokio::task::spawn_blocking(move || {
        let _permit = permit; // held while decoding
        finish_blocking(&paths, &sha_c)
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(io_error)?;
    let verified = match &verdict {
        Ok(Filed::Photo(c)) => Some(crate::store::VerifiedPhoto {
            width: i64::from(c.width),
            height: i64::from(c.height),
            perceptual_hash: &c.perceptual_hash,
        }),
        // A recording has no picture to measure or compare.
        Ok(Filed::Voice) => Some(crate::store::VerifiedPhoto {
            width: 0,
            height: 0,
            perceptual_hash: "",
        }),
        Err(_) => None,
    };
    // Refused: back to zero, so the client asks /status and sends it again.
    state.store.photo_verified(sha, verified).await?;
    verdict?;
    let p = state.store.photo(sha).await?.ok_or_else(ApiError::not_found)?;
    Ok(status_json(&p))
}

/// Where a voice note is filed, beside the photos (`<sha>.jpg`).
const VOICE_SUFFIX: &str = ".voice";

/// The files of one upload: the partial one, and where a photo, its thumbnail or a
/// voice note go once checked.
struct Filing {
    partial: PathBuf,
    photo: PathBuf,
    thumb: PathBuf,
    voice: PathBuf,
}

/// What a finished upload turned out to be.
enum Filed {
    Photo(photos::Checked),
    Voice,
}

/// The blocking half of `finish`: reads the file (partial, or already in place after a
/// crash), checks the hash, then the photo (and writes its thumbnail) or the voice
/// note, and moves the file into place.
fn finish_blocking(f: &Filing, sha: &str) -> Result<Result<Filed, ApiError>, std::io::Error> {
    let source = [&f.partial, &f.photo, &f.voice]
        .into_iter()
        .find(|p| p.exists())
        .unwrap_or(&f.partial);
    let data = match std::fs::read(source) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    if hex::encode(Sha256::digest(&data)) != sha {
        let _ = std::fs::remove_file(source);
        return Ok(Err(hash_mismatch()));
    }
    if let Some(dir) = f.photo.parent() {
        photos::private_dir(dir)?;
    }
    if zaofaxian_shared::voice::VoiceFormat::sniff(&data).is_some() {
        if data.len() > zaofaxian_shared::voice::MAX_VOICE_BYTES {
            std::fs::remove_file(source)?;
            return Ok(Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "voice_too_long",
                format!("语音不超过{} MB", zaofaxian_shared::voice::MAX_VOICE_BYTES >> 20),
                format!(
                    "a voice note is at most {} MB",
                    zaofaxian_shared::voice::MAX_VOICE_BYTES >> 20
                ),
            )));
        }
        if source == &f.partial {
            std::fs::rename(&f.partial, &f.voice)?;
        }
        return Ok(Ok(Filed::Voice));
    }
    let checked = match photos::check(&data) {
        Ok(c) => c,
        Err(e) => {
            std::fs::remove_file(source)?;
            return Ok(Err(ApiError::from_pair(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_image",
                &e.to_string(),
            )));
        }
    };
    std::fs::write(&f.thumb, &checked.thumbnail_jpeg)?;
    if source == &f.partial {
        std::fs::rename(&f.partial, &f.photo)?;
    }
    Ok(Ok(Filed::Photo(checked)))
}

/// The photo (or its thumbnail) for someone who may see it: its uploader, or a
/// caller who can see a case that lists it.
async fn serve(state: AppState, caller: Caller, sha: String, suffix: &str) -> ApiResult<impl IntoResponse> {
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
    let voice = final_path(&state, &sha, VOICE_SUFFIX);
    if suffix != ".jpg" && tokio::fs::try_exists(&voice).await.unwrap_or(false) {
        // A recording has no thumbnail.
        return Err(ApiError::not_found());
    }
    let path = final_path(&state, &sha, suffix);
    let (bytes, content_type) = match tokio::fs::read(&path).await {
        Ok(b) => (b, "image/jpeg"),
        // Not a photo: the same name may be a voice note (never a thumbnail's).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && suffix == ".jpg" => {
            let b = tokio::fs::read(&voice).await.map_err(io_error)?;
            let format = zaofaxian_shared::voice::VoiceFormat::sniff(&b).ok_or_else(ApiError::internal)?;
            (b, format.content_type())
        }
        Err(e) => return Err(io_error(e)),
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
    serve(state, caller, sha, ".jpg").await
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
    serve(state, caller, sha, ".thumb.jpg").await
}
