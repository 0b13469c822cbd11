//! The local store as the screens and the sync engine use it: one async interface
//! for every build. On phones and the desktop the store is in this process behind a
//! mutex; in the browser it lives in a dedicated worker (SQLite on OPFS, the only
//! durable choice there) and each operation travels as a [`StoreCall`] message.

use crate::local_store::{LocalError, LocalResult, LocalStore, OutboxCounts, OutboxRecord, PendingPhoto, Session};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::future::Future;
use std::sync::{Arc, Mutex};
use zaofaxian_shared::reference::{InForce, ReferenceSnapshot};
use zaofaxian_shared::wire::RecordKind;

/// One operation on the store, as data (so it can cross to the browser's worker).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum StoreCall {
    Session,
    SetSession {
        session: Session,
    },
    SignOut,
    Token,
    ServerUrl,
    SetServerUrl {
        url: String,
    },
    DeviceId,
    Counts,
    Cases,
    Visits,
    Reference,
    SetReference {
        snapshot: Box<ReferenceSnapshot>,
    },
    Enqueue {
        kind: RecordKind,
        body: Value,
    },
    Due {
        now_ms: i64,
        limit: usize,
    },
    Record {
        record_id: String,
    },
    MarkSent {
        record_id: String,
        case_id: String,
        version: i64,
    },
    MarkRejected {
        record_id: String,
        why: String,
    },
    MarkRetry {
        record_id: String,
        why: String,
        next_attempt_ms: i64,
    },
    Cursor,
    SetCursor {
        cursor: i64,
    },
    UpsertCase {
        id: String,
        json: Value,
    },
    AddPhoto {
        photo: PendingPhoto,
    },
    PhotosToUpload,
    MarkPhoto {
        sha256: String,
        uploaded: bool,
        error: Option<String>,
    },
    Drafts,
    Reminders,
    SetReminders {
        reminders: Box<zaofaxian_shared::wire::Reminders>,
    },
    SaveDraft {
        key: String,
        json: Value,
        saved_ms: i64,
    },
    DropDraft {
        key: String,
    },
}

fn answer<T: Serialize>(v: LocalResult<T>) -> LocalResult<Value> {
    serde_json::to_value(v?).map_err(|e| LocalError::Corrupt(e.to_string()))
}

impl LocalStore {
    /// Runs one call; the answer is the method's result as JSON.
    pub fn run(&self, call: &StoreCall) -> LocalResult<Value> {
        use StoreCall as C;
        match call {
            C::Session => answer(self.session()),
            C::SetSession { session } => answer(self.set_session(session)),
            C::SignOut => answer(self.sign_out()),
            C::Token => answer(self.token()),
            C::ServerUrl => answer(self.server_url()),
            C::SetServerUrl { url } => answer(self.set_server_url(url)),
            C::DeviceId => answer(self.device_id()),
            C::Counts => answer(self.counts()),
            C::Cases => answer(self.cases()),
            C::Visits => answer(self.visits()),
            C::Reference => answer(self.reference()),
            C::SetReference { snapshot } => answer(self.set_reference(snapshot)),
            C::Enqueue { kind, body } => answer(self.enqueue(*kind, body).map(|id| id.to_string())),
            C::Due { now_ms, limit } => answer(self.due(*now_ms, *limit)),
            C::Record { record_id } => answer(self.record(record_id)),
            C::MarkSent {
                record_id,
                case_id,
                version,
            } => answer(self.mark_sent(record_id, case_id, *version)),
            C::MarkRejected { record_id, why } => answer(self.mark_rejected(record_id, why)),
            C::MarkRetry {
                record_id,
                why,
                next_attempt_ms,
            } => answer(self.mark_retry(record_id, why, *next_attempt_ms)),
            C::Cursor => answer(self.cursor()),
            C::SetCursor { cursor } => answer(self.set_cursor(*cursor)),
            C::UpsertCase { id, json } => answer(self.upsert_case(id, json)),
            C::AddPhoto { photo } => answer(self.add_photo(photo)),
            C::PhotosToUpload => answer(self.photos_to_upload()),
            C::MarkPhoto {
                sha256,
                uploaded,
                error,
            } => answer(self.mark_photo(sha256, *uploaded, error.as_deref())),
            C::Drafts => answer(self.drafts()),
            C::Reminders => answer(self.reminders()),
            C::SetReminders { reminders } => answer(self.set_reminders(reminders)),
            C::SaveDraft { key, json, saved_ms } => answer(self.save_draft(key, json, *saved_ms)),
            C::DropDraft { key } => answer(self.drop_draft(key)),
        }
    }
}

/// Where the store is. Futures need not be `Send` (the browser has one thread), but
/// the native ones are, so native callers may still spawn them.
pub trait Store {
    fn call_value(&self, call: StoreCall) -> impl Future<Output = LocalResult<Value>>;
    /// The bytes of a processed photo kept for upload.
    fn photo_bytes(&self, photo: &PendingPhoto) -> impl Future<Output = LocalResult<Vec<u8>>>;
}

impl Store for Mutex<LocalStore> {
    fn call_value(&self, call: StoreCall) -> impl Future<Output = LocalResult<Value>> {
        let out = crate::local_store::lock(self).run(&call);
        std::future::ready(out)
    }

    fn photo_bytes(&self, photo: &PendingPhoto) -> impl Future<Output = LocalResult<Vec<u8>>> {
        std::future::ready(read_photo_file(photo))
    }
}

impl<S: Store> Store for Arc<S> {
    fn call_value(&self, call: StoreCall) -> impl Future<Output = LocalResult<Value>> {
        self.as_ref().call_value(call)
    }

    fn photo_bytes(&self, photo: &PendingPhoto) -> impl Future<Output = LocalResult<Vec<u8>>> {
        self.as_ref().photo_bytes(photo)
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn read_photo_file(photo: &PendingPhoto) -> LocalResult<Vec<u8>> {
    std::fs::read(&photo.path).map_err(|e| LocalError::PhotoLost(e.to_string()))
}

#[cfg(target_arch = "wasm32")]
fn read_photo_file(_: &PendingPhoto) -> LocalResult<Vec<u8>> {
    Err(LocalError::PhotoLost("no files in the browser".into()))
}

/// Typed answers over any [`Store`].
#[allow(async_fn_in_trait)] // used with concrete stores only
pub trait StoreExt: Store {
    async fn call<T: DeserializeOwned>(&self, call: StoreCall) -> LocalResult<T> {
        let v = self.call_value(call).await?;
        serde_json::from_value(v).map_err(|e| LocalError::Corrupt(e.to_string()))
    }

    async fn session(&self) -> LocalResult<Option<Session>> {
        self.call(StoreCall::Session).await
    }

    async fn token(&self) -> LocalResult<Option<String>> {
        self.call(StoreCall::Token).await
    }

    async fn counts(&self) -> LocalResult<OutboxCounts> {
        self.call(StoreCall::Counts).await
    }

    async fn due(&self, now_ms: i64, limit: usize) -> LocalResult<Vec<OutboxRecord>> {
        self.call(StoreCall::Due { now_ms, limit }).await
    }

    async fn enqueue(&self, kind: RecordKind, body: Value) -> LocalResult<String> {
        self.call(StoreCall::Enqueue { kind, body }).await
    }

    async fn unit(&self, call: StoreCall) -> LocalResult<()> {
        self.call_value(call).await.map(|_| ())
    }

    /// The holiday calendar and thresholds last fetched, or the ones shipped.
    async fn in_force(&self) -> InForce {
        let snapshot: Option<ReferenceSnapshot> = self.call(StoreCall::Reference).await.ok().flatten();
        snapshot
            .and_then(|s| InForce::from_snapshot(&s).ok())
            .unwrap_or_else(InForce::shipped)
    }
}

impl<S: Store + ?Sized> StoreExt for S {}

/// The app's handle on its store: in-process natively, the store worker in the browser.
#[derive(Debug, Clone)]
pub enum StoreHandle {
    Native(Arc<Mutex<LocalStore>>),
    #[cfg(target_arch = "wasm32")]
    Worker(crate::web::WorkerStore),
}

impl StoreHandle {
    pub fn native(store: LocalStore) -> Self {
        StoreHandle::Native(Arc::new(Mutex::new(store)))
    }
}

impl Store for StoreHandle {
    async fn call_value(&self, call: StoreCall) -> LocalResult<Value> {
        match self {
            StoreHandle::Native(s) => s.call_value(call).await,
            #[cfg(target_arch = "wasm32")]
            StoreHandle::Worker(w) => w.call_value(call).await,
        }
    }

    async fn photo_bytes(&self, photo: &PendingPhoto) -> LocalResult<Vec<u8>> {
        match self {
            StoreHandle::Native(s) => s.photo_bytes(photo).await,
            #[cfg(target_arch = "wasm32")]
            StoreHandle::Worker(w) => w.photo_bytes(photo).await,
        }
    }
}
