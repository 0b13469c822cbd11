//! Text messages beyond sign-in codes: reminder digests to staff and a household's
//! stage. Each is recorded in the store before it is sent (`texts`, one row per key),
//! claimed by one process at a time, sent in daytime only and marked sent or failed,
//! so a restart or a second process never sends one twice and every text is on record.

use crate::auth::SendError;
use crate::state::AppState;
use crate::store::StoreResult;
use std::sync::Arc;
use zaofaxian_shared::PhoneNumber;
use zaofaxian_shared::text_messages::TextMessage;

/// Delivers a text to a phone.
#[async_trait::async_trait]
pub trait TextSender: Send + Sync + std::fmt::Debug {
    async fn send_text(&self, phone: &PhoneNumber, text: &TextMessage) -> Result<(), SendError>;

    /// Whether texts can be delivered at all (without, they stay recorded and unsent).
    fn configured(&self) -> bool {
        true
    }
}

/// Writes texts to the log (trials): the phone masked, the text as it would go.
#[derive(Debug, Default)]
pub struct LogTexts;

#[async_trait::async_trait]
impl TextSender for LogTexts {
    async fn send_text(&self, phone: &PhoneNumber, text: &TextMessage) -> Result<(), SendError> {
        tracing::info!(phone = %phone.masked(), text = %text.body(), "短信 / text (log sender)");
        Ok(())
    }
}

/// No sender: texts are recorded and wait.
#[derive(Debug, Default)]
pub struct NoTexts;

#[async_trait::async_trait]
impl TextSender for NoTexts {
    async fn send_text(&self, _: &PhoneNumber, _: &TextMessage) -> Result<(), SendError> {
        Err(SendError("no text sender configured".into()))
    }

    fn configured(&self) -> bool {
        false
    }
}

/// The text sender a server starts with, by the same `ZAOFAXIAN_SMS` setting as codes:
/// `tencent` needs `ZAOFAXIAN_SMS_NOTICE_TEMPLATES` (the id of each template in
/// `zaofaxian_shared::text_messages`), `log` logs them, none sends none (the in-app lists
/// still show everything).
pub fn from_settings(sms: &crate::config::SmsSettings) -> Result<Arc<dyn TextSender>, String> {
    Ok(match sms.provider.as_deref().map(str::trim) {
        Some("tencent") => {
            let s = crate::sms::TencentSms::from_env(|k| sms.get(k))?;
            if s.notice_templates.is_empty() {
                tracing::warn!(
                    "未设置 ZAOFAXIAN_SMS_NOTICE_TEMPLATES：提醒和农户通知短信不发送（应用内提醒不受影响）/ no notice templates: reminder and household texts are not sent (the in-app lists are)"
                );
            }
            Arc::new(s)
        }
        Some("log") => Arc::new(LogTexts),
        _ => Arc::new(NoTexts),
    })
}

/// How long a claimed text is left to its sender before another may try it.
const CLAIM_MS: i64 = 5 * 60 * 1000;

/// Texts sent per round (a round runs every minute).
const PER_ROUND: i64 = 200;

/// Sends what is recorded and unsent, if it is daytime in China. Returns how many went.
pub async fn deliver(state: &AppState) -> StoreResult<usize> {
    let now = state.clock.now();
    let china = now.with_timezone(&zaofaxian_shared::clock::china_offset());
    if !state.texts.configured() || !zaofaxian_shared::reminders::may_text_at(china.time()) {
        return Ok(0);
    }
    let now_ms = now.timestamp_millis();
    let mut sent = 0;
    for t in state.store.claim_texts(now_ms, now_ms - CLAIM_MS, PER_ROUND).await? {
        let result = match (PhoneNumber::parse(&t.phone), &t.message) {
            (Ok(phone), Some(message)) => state.texts.send_text(&phone, message).await,
            (Err(_), _) => Err(SendError("not a mobile number".into())),
            (_, None) => Err(SendError("recorded before templates: no template to send it by".into())),
        };
        match result {
            Ok(()) => {
                state.store.text_done(&t.key, Ok(state.now_ms())).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(key = %t.key, error = %e, attempts = t.attempts, "短信未发出，稍后重试 / text not sent, will retry");
                state.store.text_done(&t.key, Err(&e.0)).await?;
            }
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SmsSettings;

    /// The notice template switches texts on; without it, or without a sender, they
    /// stay recorded and unsent.
    #[test]
    fn texts_go_only_through_a_sender_with_a_notice_template() {
        let mut s = SmsSettings {
            provider: Some("tencent".into()),
            secret_id: Some("AKID".into()),
            secret_key: Some("k".into()),
            app_id: Some("1400000000".into()),
            sign: Some("早发现".into()),
            template: Some("1".into()),
            notice_templates: Some(
                "digest=11,digest_below=12,report_due=13,verified=14,in_notice=15,monitored=16,assistance=17,eliminated=18"
                    .into(),
            ),
            ..SmsSettings::default()
        };
        assert!(from_settings(&s).unwrap().configured());
        // One missing or misnamed is an error at start, not a silent gap.
        s.notice_templates = Some("digest=11,digest_belo=12".into());
        let e = from_settings(&s).unwrap_err();
        assert!(e.contains("digest_belo") && e.contains("report_due"), "{e}");
        s.notice_templates = None;
        assert!(!from_settings(&s).unwrap().configured());
        s.provider = Some("log".into());
        assert!(from_settings(&s).unwrap().configured());
        s.provider = None;
        assert!(!from_settings(&s).unwrap().configured());
    }
}
