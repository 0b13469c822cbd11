//! The sync engine: sends the outbox in order, records each answer, schedules
//! retries with backoff on failure, then pulls the user's own area. Safe to run at
//! any time and to kill at any point: the outbox and the server's idempotency make
//! a resend harmless.

use crate::backoff::retry_delay_ms;
use crate::local_store::{LocalError, LocalStore};
use serde_json::{Value, json};
use std::time::Duration;
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
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub stored: usize,
    pub replayed: usize,
    pub rejected: usize,
    pub pulled: usize,
    pub failure: Option<Text>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Local(#[from] LocalError),
}

#[derive(Debug, Clone)]
pub struct SyncEngine {
    http: reqwest::Client,
    base: String,
    /// Records per push: small, so one push fits a weak signal's window.
    pub batch: usize,
}

impl SyncEngine {
    pub fn new(base: impl Into<String>) -> SyncEngine {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        SyncEngine {
            http,
            base: base.into(),
            batch: 20,
        }
    }

    /// One sync pass. `jitter` (0..1000) spreads retry times; `progress` sees every state.
    /// The future holds the store across awaits, so it runs on the UI's local task.
    pub async fn sync(
        &self,
        store: &LocalStore,
        now_ms: i64,
        jitter: u32,
        mut progress: impl FnMut(SyncState),
    ) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let Some(token) = store.token()? else {
            let why = Text::new("请先登录", "sign in first");
            progress(SyncState::Failed {
                why: why.clone(),
                pending: store.counts()?.pending,
            });
            report.failure = Some(why);
            return Ok(report);
        };
        let device = store.device_id()?;
        let total = store.due(now_ms, usize::MAX >> 1)?.len();
        let mut done = 0;
        loop {
            let batch = store.due(now_ms, self.batch)?;
            if batch.is_empty() {
                break;
            }
            progress(SyncState::Sending { done, total });
            let records: Vec<Value> = batch
                .iter()
                .map(|r| json!({ "id": r.record_id, "seq": r.seq, "kind": r.kind, "body": r.body }))
                .collect();
            let sent = self
                .http
                .post(format!("{}/api/v1/sync/push", self.base))
                .bearer_auth(&token)
                .json(&json!({ "device_id": device, "records": records }))
                .send()
                .await;
            let answer = match sent {
                Ok(r) if r.status().is_success() => r.json::<Value>().await.ok(),
                Ok(r) if r.status() == reqwest::StatusCode::UNAUTHORIZED => {
                    let why = Text::new("登录已过期，请重新登录", "signed out: sign in again");
                    progress(SyncState::Failed {
                        why: why.clone(),
                        pending: store.counts()?.pending,
                    });
                    report.failure = Some(why);
                    return Ok(report);
                }
                _ => None,
            };
            let Some(answer) = answer else {
                // No answer (no signal, timeout, server error): every record stays and waits.
                let why = Text::new("网络不可用或服务器无响应", "no network or no answer from the server");
                for r in &batch {
                    store.mark_retry(&r.record_id, &why.zh, now_ms + retry_delay_ms(r.attempts, jitter))?;
                }
                progress(SyncState::Failed {
                    why: why.clone(),
                    pending: store.counts()?.pending,
                });
                report.failure = Some(why);
                return Ok(report);
            };
            let results = answer["results"].as_array().cloned().unwrap_or_default();
            for r in &batch {
                let res = results.iter().find(|x| x["id"] == r.record_id.as_str());
                match res.and_then(|x| x["status"].as_str()) {
                    Some(status @ ("stored" | "replayed")) => {
                        let x = res.unwrap_or(&Value::Null);
                        store.mark_sent(
                            &r.record_id,
                            x["case_id"].as_str().unwrap_or_default(),
                            x["version"].as_i64().unwrap_or(0),
                        )?;
                        if status == "stored" {
                            report.stored += 1;
                        } else {
                            report.replayed += 1;
                        }
                    }
                    Some("rejected") => {
                        let msg = res
                            .and_then(|x| x["error"]["message"]["zh"].as_str())
                            .unwrap_or("被拒绝");
                        store.mark_rejected(&r.record_id, msg)?;
                        report.rejected += 1;
                    }
                    _ => store.mark_retry(
                        &r.record_id,
                        "服务器未答复此记录",
                        now_ms + retry_delay_ms(r.attempts, jitter),
                    )?,
                }
                done += 1;
            }
            progress(SyncState::Sending { done, total });
        }
        report.pulled = self.pull(store, &token).await.unwrap_or(0);
        let pending = store.counts()?.pending;
        progress(if pending == 0 {
            SyncState::UpToDate
        } else {
            SyncState::Waiting { pending }
        });
        Ok(report)
    }

    /// Pulls changed cases of the user's area into the local store; returns how many.
    async fn pull(&self, store: &LocalStore, token: &str) -> Result<usize, SyncError> {
        let mut n = 0;
        loop {
            let cursor = store.cursor()?;
            let url = format!("{}/api/v1/sync/pull?cursor={cursor}&limit=200", self.base);
            let Ok(r) = self.http.get(url).bearer_auth(token).send().await else {
                return Ok(n);
            };
            let Ok(page) = r.json::<Value>().await else {
                return Ok(n);
            };
            let cases = page["cases"].as_array().cloned().unwrap_or_default();
            for c in &cases {
                if let Some(id) = c["id"].as_str() {
                    store.upsert_case(id, c)?;
                    n += 1;
                }
            }
            if let Some(next) = page["cursor"].as_i64() {
                store.set_cursor(next)?;
            }
            if page["more"] != true {
                return Ok(n);
            }
        }
    }
}
