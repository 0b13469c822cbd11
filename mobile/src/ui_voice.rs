//! 说一段话: the voice note control of the report, for those who cannot write. One
//! tap starts, one tap stops; the recording is kept on the phone and listed by the
//! report like a photo.

use crate::ui::t;
use dioxus::prelude::*;
use zaofaxian_shared::{Lang, Text};

#[derive(Debug, Clone, PartialEq)]
enum Recorder {
    Idle,
    Recording,
    Keeping,
    Failed(Text),
}

#[component]
pub fn VoiceNote(
    /// The voice note already kept for the report, if any.
    recorded: Option<String>,
    lang: Lang,
    /// A new recording's hash once it is kept; `None` when it is deleted.
    on_kept: EventHandler<Option<String>>,
) -> Element {
    // Absent only where the control is rendered without the app (component tests).
    let ctx = try_use_context::<crate::app::AppContext>();
    let mut state = use_signal(|| Recorder::Idle);
    let start = move |_| {
        let ctx = ctx.clone();
        async move {
            let Some(ctx) = ctx else { return };
            state.set(Recorder::Recording);
            let bytes = match crate::voice::record().await {
                Ok(b) => b,
                Err(why) => return state.set(Recorder::Failed(why)),
            };
            state.set(Recorder::Keeping);
            match crate::app::keep_voice(&ctx, bytes).await {
                Ok(p) => {
                    on_kept.call(Some(p.sha256));
                    state.set(Recorder::Idle);
                }
                Err(why) => state.set(Recorder::Failed(why)),
            }
        }
    };
    rsx! {
        div { class: "voice-note",
            match state() {
                Recorder::Recording => rsx! {
                    button { r#type: "button", class: "primary big recording", onclick: move |_| crate::voice::stop(),
                        {t(lang, "● 正在录音……说完请点这里", "● Recording… tap here when done")} }
                },
                Recorder::Keeping => rsx! { p { class: "hint", role: "status", {t(lang, "正在保存录音…", "Keeping the recording…")} } },
                _ if recorded.is_some() => rsx! {
                    p { class: "big done", {t(lang, "语音已录好 ✓", "Voice note recorded ✓")} }
                    div { class: "choices",
                        button { r#type: "button", class: "big", onclick: start, {t(lang, "重录", "Record again")} }
                        button { r#type: "button", class: "big", onclick: move |_| on_kept.call(None), {t(lang, "删除录音", "Delete it")} }
                    }
                },
                _ => rsx! {
                    button { r#type: "button", class: "big voice", onclick: start,
                        {t(lang, "说一段话（不会写字可以录音）", "Say it (record instead of writing)")} }
                },
            }
            if let Recorder::Failed(why) = state() {
                p { class: "error", role: "alert", "{why.get(lang)}" }
            }
        }
    }
}
