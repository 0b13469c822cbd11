//! The sync engine: sends the outbox in order, records each answer, schedules
//! retries with backoff on failure, then pulls the user's own area. Safe to run at
//! any time and to kill at any point: the outbox and the server's idempotency make
//! a resend harmless. The store is locked for each single read or write, never
//! across a network wait, so the screens stay responsive while a sync runs.

use crate::backoff::retry_delay_ms;
use crate::local_store::{LocalError, LocalResult, OutboxRecord, PendingPhoto, Session};
use crate::store_api::{Store, StoreCall, StoreExt};
use std::time::Duration;
use zaofaxian_shared::wire::{
    CodeRequest, CodeSignIn, ErrorBody, LoginRequest, OutgoingRecord, PhotoStart, PhotoStatus, PullAnswer, PushAnswer,
    PushRequest, RecordResult, RecordStatus, SessionAnswer,
};
use zaofaxian_shared::{Lang, Text};

/// What the sync indicator shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    /// Nothing waiting.
    UpToDate,
    /// `pending` records wait for a signal or their retry time.
    Waiting { pending: i64 },
    /// Sending record `done` of `total`.
    Sending { done: usize, total: usize },
    /// The last attempt failed; records stay safe and will be retried.
    Failed { why: Text, pending: i64 },
    /// The session has expired: `pending` records wait on the phone until the user
    /// signs in again (the screens offer the button).
    SignedOut { pending: i64 },
}

impl SyncState {
    pub fn label(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            SyncState::UpToDate => if zh { "已全部上传" } else { "all sent" }.to_string(),
            SyncState::Waiting { pending } => {
                if zh {
                    format!("等待上传：{pending}条")
                } else {
                    format!("waiting to send: {pending}")
                }
            }
            SyncState::Sending { done, total } => {
                if zh {
                    format!("正在上传 {done}/{total}")
                } else {
                    format!("sending {done} of {total}")
                }
            }
            SyncState::Failed { why, pending } => {
                if zh {
                    format!("上传失败（{}），{pending}条将自动重试", why.zh)
                } else {
                    format!("sending failed ({}); {pending} will retry", why.en)
                }
            }
            SyncState::SignedOut { pending: 0 } => if zh {
                "登录已过期，请重新登录"
            } else {
                "signed out: sign in again"
            }
            .to_string(),
            SyncState::SignedOut { pending } => {
                if zh {
                    format!("登录已过期，重新登录后上传手机上的{pending}条")
                } else {
                    format!("signed out: sign in again to send the {pending} waiting")
                }
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub stored: usize,
    pub replayed: usize,
    pub rejected: usize,
    pub pulled: usize,
    pub photos_uploaded: usize,
    /// A new copy of the server's holiday years and thresholds was kept.
    pub reference_updated: bool,
    pub failure: Option<Text>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Local(#[from] LocalError),
}

/// The server's error message, or a generic one when there is no JSON answer.
async fn error_text(r: reqwest::Response) -> Text {
    let status = r.status();
    match r.json::<ErrorBody>().await {
        Ok(e) => e.message,
        Err(_) => Text::new(format!("服务器错误（{status}）"), format!("server error ({status})")),
    }
}

/// What still waits: records and photos, as the sync line counts them everywhere.
async fn pending(store: &impl Store) -> LocalResult<i64> {
    let c = store.counts().await?;
    Ok(c.pending + c.photos)
}

fn retry(r: &OutboxRecord, why: &str, next_attempt_ms: i64) -> StoreCall {
    StoreCall::MarkRetry {
        record_id: r.record_id.clone(),
        why: why.to_string(),
        next_attempt_ms,
    }
}

fn offline() -> Text {
    Text::new("网络不可用或服务器无响应", "no network or no answer from the server")
}

/// Ends a pass with `why`, shown with what is still waiting.
fn failed(mut report: SyncReport, why: Text, pending: i64, progress: &mut impl FnMut(SyncState)) -> SyncReport {
    // Waiting does not cure an expired session: the screens ask for a sign-in instead.
    progress(if why == signed_out() {
        SyncState::SignedOut { pending }
    } else {
        SyncState::Failed {
            why: why.clone(),
            pending,
        }
    });
    report.failure = Some(why);
    report
}

fn signed_out() -> Text {
    Text::new("登录已过期，请重新登录", "signed out: sign in again")
}

/// Why a request got no answer: a certificate problem is not "no signal" and
/// waiting will not fix it, so it is named.
fn network_error(e: &reqwest::Error) -> Text {
    let mut detail = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = source {
        detail.push_str(&format!("{err:?} "));
        source = err.source();
    }
    if detail.to_lowercase().contains("certificate") {
        Text::new(
            "服务器证书不受信任，请核对服务器地址（HTTPS）",
            "the server's certificate is not trusted: check the server address (HTTPS)",
        )
    } else {
        offline()
    }
}

/// TLS for `https://` servers: ring's crypto, Mozilla's root certificates. (In the
/// browser, TLS is the browser's.)
#[cfg(not(target_arch = "wasm32"))]
fn tls_config() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|_| unreachable!("ring supports the default TLS versions"))
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// Photo bytes per request: small enough to get through a weak signal.
const PHOTO_CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct SyncEngine {
    http: reqwest::Client,
    base: String,
    /// Records per push: small, so one push fits a weak signal's window.
    pub batch: usize,
}

/// A fresh secret for one code sign-in, sent with each of its retries.
pub fn new_sign_in_attempt() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

impl SyncEngine {
    pub fn new(base: impl Into<String>) -> SyncEngine {
        SyncEngine::with_timeouts(base, Duration::from_secs(10), Duration::from_secs(30))
    }

    /// With other limits than a phone's: `connect` to open a connection, `total` for a
    /// whole request (fault tests shorten them so a stalled link is given up sooner).
    pub fn with_timeouts(base: impl Into<String>, connect: Duration, total: Duration) -> SyncEngine {
        #[cfg(not(target_arch = "wasm32"))]
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls_config())
            .connect_timeout(connect)
            .timeout(total)
            .build()
            .unwrap_or_default();
        // The browser's fetch has no client-wide timeouts; its own apply.
        #[cfg(target_arch = "wasm32")]
        let http = {
            let _ = (connect, total);
            reqwest::Client::new()
        };
        SyncEngine {
            http,
            base: base.into().trim_end_matches('/').to_string(),
            batch: 20,
        }
    }

    /// Asks the server to text a sign-in code to `phone` (as typed: spaces, dashes and
    /// +86 are fine; the server takes the 11 digits).
    pub async fn request_code(&self, phone: &str) -> Result<(), Text> {
        let r = self
            .http
            .post(format!("{}/api/v1/auth/otp", self.base))
            .json(&CodeRequest {
                phone: wire_phone(phone)?,
            })
            .send()
            .await
            .map_err(|e| network_error(&e))?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(error_text(r).await)
        }
    }

    /// Household sign-in with the texted code. `attempt` (from [`new_sign_in_attempt`])
    /// stays the same for every retry of one sign-in: if the server signed the phone in
    /// but the answer was lost, the retry gets the same session instead of "wrong code".
    pub async fn verify_code(&self, phone: &str, code: &str, attempt: &str) -> Result<Session, Text> {
        self.open_session(
            "/api/v1/auth/otp/verify",
            &CodeSignIn {
                phone: wire_phone(phone)?,
                code: code.to_string(),
                attempt: Some(attempt.to_string()),
            },
        )
        .await
    }

    /// Staff sign-in (cadres, work teams) with user name and password.
    pub async fn staff_login(&self, login: &str, password: &str) -> Result<Session, Text> {
        let body = LoginRequest {
            login: login.to_string(),
            password: password.to_string(),
        };
        self.open_session("/api/v1/auth/login", &body).await
    }

    async fn open_session(&self, path: &str, body: &impl serde::Serialize) -> Result<Session, Text> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .map_err(|e| network_error(&e))?;
        if !r.status().is_success() {
            return Err(error_text(r).await);
        }
        let v: SessionAnswer = r
            .json()
            .await
            .map_err(|_| Text::new("服务器答复无法识别", "the server's answer is not understood"))?;
        let a = v.account;
        Ok(Session {
            token: v.token,
            role: a.role,
            division: a.division.map(|d| d.to_string()),
            display_name: if a.name.is_empty() { a.login } else { a.name },
        })
    }

    /// One sync pass: photos first (so a case never waits on them long), then the
    /// outbox in order, then the pull. `jitter` (0..1000) spreads retry times;
    /// `progress` sees every state.
    pub async fn sync(
        &self,
        store: &impl Store,
        now_ms: i64,
        jitter: u32,
        mut progress: impl FnMut(SyncState),
    ) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let Some(token) = store.token().await? else {
            let why = Text::new("请先登录", "sign in first");
            return Ok(failed(report, why, pending(store).await?, &mut progress));
        };
        match self.upload_photos(store, &token).await? {
            Ok(n) => report.photos_uploaded = n,
            Err(why) => {
                return Ok(failed(report, why, pending(store).await?, &mut progress));
            }
        }
        let device: String = store.call(StoreCall::DeviceId).await?;
        let total = store.due(now_ms, usize::MAX >> 1).await?.len();
        let mut done = 0;
        loop {
            let batch = store.due(now_ms, self.batch).await?;
            if batch.is_empty() {
                break;
            }
            progress(SyncState::Sending { done, total });
            let mut failure = None;
            let push = PushRequest {
                device_id: device.clone(),
                records: batch
                    .iter()
                    .map(|r| OutgoingRecord {
                        id: r.record_id.clone(),
                        seq: r.seq,
                        kind: r.kind,
                        body: r.body.clone(),
                    })
                    .collect(),
            };
            let sent = self
                .http
                .post(format!("{}/api/v1/sync/push", self.base))
                .bearer_auth(&token)
                .json(&push)
                .send()
                .await;
            let answer = match sent {
                Ok(r) if r.status().is_success() => r.json::<PushAnswer>().await.ok(),
                Ok(r) if r.status() == reqwest::StatusCode::UNAUTHORIZED => {
                    let why = signed_out();
                    return Ok(failed(report, why, pending(store).await?, &mut progress));
                }
                Ok(_) => None,
                Err(e) => {
                    failure = Some(network_error(&e));
                    None
                }
            };
            let Some(answer) = answer else {
                // No answer (no signal, timeout, server error): every record stays and waits.
                let why = failure.take().unwrap_or_else(offline);
                for r in &batch {
                    let next_attempt_ms = now_ms + retry_delay_ms(r.attempts, jitter);
                    store.unit(retry(r, &why.zh, next_attempt_ms)).await?;
                }
                return Ok(failed(report, why, pending(store).await?, &mut progress));
            };
            for r in &batch {
                let res = answer.results.iter().find(|x| x.id.to_string() == r.record_id);
                let call = match res {
                    Some(
                        x @ RecordResult {
                            status: RecordStatus::Stored | RecordStatus::Replayed,
                            ..
                        },
                    ) => {
                        if x.status == RecordStatus::Stored {
                            report.stored += 1;
                        } else {
                            report.replayed += 1;
                        }
                        StoreCall::MarkSent {
                            record_id: r.record_id.clone(),
                            case_id: x.case_id.clone().unwrap_or_default(),
                            version: x.version.unwrap_or(0) as i64,
                        }
                    }
                    Some(
                        x @ RecordResult {
                            status: RecordStatus::Rejected,
                            ..
                        },
                    ) => {
                        report.rejected += 1;
                        StoreCall::MarkRejected {
                            record_id: r.record_id.clone(),
                            why: x.error.as_ref().map_or("被拒绝", |e| e.message.zh.as_str()).to_string(),
                        }
                    }
                    None => retry(r, "服务器未答复此记录", now_ms + retry_delay_ms(r.attempts, jitter)),
                };
                store.unit(call).await?;
                done += 1;
            }
            progress(SyncState::Sending { done, total });
        }
        match self.pull(store, &token).await? {
            Ok(n) => report.pulled = n,
            // An expired session must not look like "up to date": the user signs in again.
            Err(why) => {
                return Ok(failed(report, why, pending(store).await?, &mut progress));
            }
        }
        self.refresh_reminders(store, &token).await?;
        report.reference_updated = self.refresh_reference(store).await?;
        let pending = pending(store).await?;
        progress(if pending == 0 {
            SyncState::UpToDate
        } else {
            SyncState::Waiting { pending }
        });
        Ok(report)
    }

    /// Uploads every waiting photo, resuming where the server's count stands. The
    /// outer error is the local store's; the inner one stops this pass (no network).
    async fn upload_photos(&self, store: &impl Store, token: &str) -> Result<Result<usize, Text>, SyncError> {
        let mut n = 0;
        let waiting: Vec<PendingPhoto> = store.call(StoreCall::PhotosToUpload).await?;
        for p in waiting {
            let outcome = match store.photo_bytes(&p).await {
                Ok(bytes) => self.upload_photo(&p, &bytes, token).await,
                Err(e) => Err(PhotoFailure::Refused(Text::from_pair(&e.to_string()))),
            };
            let mark = |uploaded: bool, error: Option<String>| StoreCall::MarkPhoto {
                sha256: p.sha256.clone(),
                uploaded,
                error,
            };
            match outcome {
                Ok(()) => {
                    store.unit(mark(true, None)).await?;
                    n += 1;
                }
                Err(PhotoFailure::Offline) => return Ok(Err(offline())),
                Err(PhotoFailure::SignedOut) => return Ok(Err(signed_out())),
                // This photo cannot go (file lost, refused): note why and go on with the rest.
                Err(PhotoFailure::Refused(why)) => store.unit(mark(false, Some(why.zh))).await?,
            }
        }
        Ok(Ok(n))
    }

    async fn upload_photo(&self, p: &PendingPhoto, bytes: &[u8], token: &str) -> Result<(), PhotoFailure> {
        let url = format!("{}/api/v1/photos", self.base);
        let body = PhotoStart {
            sha256: p.sha256.clone(),
            size: bytes.len() as i64,
            // A voice note has no picture to hash.
            perceptual_hash: Some(p.perceptual_hash.clone()).filter(|h| !h.is_empty()),
        };
        let mut status = self
            .photo_call(self.http.post(&url).bearer_auth(token).json(&body))
            .await?;
        loop {
            if status.complete {
                return Ok(());
            }
            let offset = usize::try_from(status.received).unwrap_or(0);
            let end = (offset + PHOTO_CHUNK).min(bytes.len());
            let chunk = bytes.get(offset..end).unwrap_or_default().to_vec();
            let req = self
                .http
                .patch(format!("{url}/{}?offset={offset}", p.sha256))
                .bearer_auth(token)
                .body(chunk);
            status = match self.photo_call(req).await {
                // The server holds a different count (a lost answer): ask and resume there.
                Err(PhotoFailure::Refused(_)) if offset > 0 => {
                    self.photo_call(self.http.get(format!("{url}/{}/status", p.sha256)).bearer_auth(token))
                        .await?
                }
                other => other?,
            };
        }
    }

    async fn photo_call(&self, req: reqwest::RequestBuilder) -> Result<PhotoStatus, PhotoFailure> {
        let r = req.send().await.map_err(|_| PhotoFailure::Offline)?;
        let code = r.status();
        if code.is_success() {
            r.json().await.map_err(|_| PhotoFailure::Offline)
        } else if code == reqwest::StatusCode::UNAUTHORIZED {
            Err(PhotoFailure::SignedOut)
        } else if code.is_server_error() || code.as_u16() == 429 {
            Err(PhotoFailure::Offline)
        } else {
            Err(PhotoFailure::Refused(error_text(r).await))
        }
    }

    /// Fetches the server's holiday years and thresholds when they changed since the
    /// copy this phone keeps (304 otherwise); true when a new copy was kept. A failed
    /// fetch keeps the old copy: the next pass asks again.
    /// Fetches a staff member's reminders (due and late steps, 督办 notes) for the
    /// list shown on opening. Households have none; a failed fetch keeps the last copy.
    async fn refresh_reminders(&self, store: &impl Store, token: &str) -> Result<(), SyncError> {
        let session: Option<Session> = store.call(StoreCall::Session).await?;
        if session.is_none_or(|s| s.role == zaofaxian_shared::Role::Household) {
            return Ok(());
        }
        let Ok(r) = self
            .http
            .get(format!("{}/api/v1/reminders", self.base))
            .bearer_auth(token)
            .send()
            .await
        else {
            return Ok(());
        };
        if !r.status().is_success() {
            return Ok(());
        }
        if let Ok(reminders) = r.json::<zaofaxian_shared::wire::Reminders>().await {
            store
                .unit(StoreCall::SetReminders {
                    reminders: Box::new(reminders),
                })
                .await?;
        }
        Ok(())
    }

    async fn refresh_reference(&self, store: &impl Store) -> Result<bool, SyncError> {
        use zaofaxian_shared::reference::{InForce, ReferenceSnapshot};
        let have = store
            .call::<Option<ReferenceSnapshot>>(StoreCall::Reference)
            .await?
            .map(|s| s.version);
        let mut request = self.http.get(format!("{}/api/v1/reference", self.base));
        if let Some(v) = have {
            request = request.header(reqwest::header::IF_NONE_MATCH, format!("\"{v}\""));
        }
        let Ok(r) = request.send().await else {
            return Ok(false);
        };
        if !r.status().is_success() {
            return Ok(false);
        }
        let Ok(snapshot) = r.json::<ReferenceSnapshot>().await else {
            return Ok(false);
        };
        // Keep only data that builds: a bad answer must not replace a good copy.
        if InForce::from_snapshot(&snapshot).is_err() || have == Some(snapshot.version) {
            return Ok(false);
        }
        store
            .unit(StoreCall::SetReference {
                snapshot: Box::new(snapshot),
            })
            .await?;
        Ok(true)
    }

    /// Pulls changed cases of the user's area into the local store; returns how many.
    /// A lost connection keeps what came so far (the next pass resumes at the cursor);
    /// an expired session is the inner error.
    async fn pull(&self, store: &impl Store, token: &str) -> Result<Result<usize, Text>, SyncError> {
        let mut n = 0;
        loop {
            let cursor: i64 = store.call(StoreCall::Cursor).await?;
            let url = format!("{}/api/v1/sync/pull?cursor={cursor}&limit=200", self.base);
            let Ok(r) = self.http.get(url).bearer_auth(token).send().await else {
                return Ok(Ok(n));
            };
            if r.status() == reqwest::StatusCode::UNAUTHORIZED {
                return Ok(Err(signed_out()));
            }
            let Ok(page) = r.json::<PullAnswer>().await else {
                return Ok(Ok(n));
            };
            for c in &page.cases {
                let json = serde_json::to_value(c).unwrap_or_default();
                store.unit(StoreCall::UpsertCase { id: c.id.clone(), json }).await?;
                n += 1;
            }
            store.unit(StoreCall::SetCursor { cursor: page.cursor }).await?;
            if !page.more {
                return Ok(Ok(n));
            }
        }
    }
}

enum PhotoFailure {
    /// No network or a transient server problem: try the whole pass later.
    Offline,
    /// The session has expired: nothing goes until the user signs in again.
    SignedOut,
    /// The server refused this photo, or its file is gone.
    Refused(Text),
}

/// A typed phone number as the API takes it, or why it is not one.
fn wire_phone(typed: &str) -> Result<zaofaxian_shared::PhoneNumber, Text> {
    zaofaxian_shared::PhoneNumber::parse(typed).map_err(|_| {
        Text::new(
            "手机号码应为1开头的11位数字",
            "a mobile number is 11 digits starting with 1[3-9]",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_uses_the_bundled_roots() {
        let config = tls_config();
        assert!(config.alpn_protocols.is_empty());
        assert!(webpki_roots::TLS_SERVER_ROOTS.len() > 100);
        // A trailing slash in the configured address is dropped, not doubled into URLs.
        assert_eq!(
            SyncEngine::new("https://monitor.example.cn/").base,
            "https://monitor.example.cn"
        );
    }

    /// The API takes the 11 digits; the phone sends them whatever the household typed.
    #[test]
    fn a_typed_phone_is_sent_as_its_eleven_digits() {
        assert_eq!(wire_phone("+86 138-1234-5678").unwrap().as_str(), "13812345678");
        assert_eq!(wire_phone("138 1234 5678").unwrap().as_str(), "13812345678");
        assert!(wire_phone("12345").is_err());
    }
}
