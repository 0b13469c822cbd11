//! Sign-in: households with their phone and a texted code, cadres and work teams
//! with user name and password. Reporting works before signing in (it is the first
//! screen): what is written waits in the outbox and goes out after the first sign-in.
//! The server's address is a setting of its own, out of the households' way.

use crate::local_store::Session;
use crate::store_api::StoreExt;
use crate::sync::{SyncEngine, new_sign_in_attempt};
use crate::ui::t;
use dioxus::prelude::*;
use zaofaxian_shared::{Lang, Text};

/// Who signs in: the form differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Household,
    Staff,
}

#[component]
pub fn SignIn(
    server: Signal<String>,
    lang: Lang,
    /// The form shown first (the other is one tap away).
    initial: Who,
    on_signed_in: EventHandler<Session>,
    /// Back to reporting without signing in.
    on_back: EventHandler<()>,
) -> Element {
    let mut who = use_signal(|| initial);
    let mut phone = use_signal(String::new);
    let mut code = use_signal(String::new);
    let mut login = use_signal(String::new);
    let mut password = use_signal(String::new);
    let mut code_sent = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let mut message = use_signal(|| None::<(bool, Text)>);
    // One per screen: pressing 登录 again after a lost answer is the same sign-in.
    let attempt = use_signal(new_sign_in_attempt);
    let send_code = move |_| async move {
        busy.set(true);
        match SyncEngine::new(server()).request_code(phone().trim()).await {
            Ok(()) => {
                code_sent.set(true);
                message.set(Some((
                    false,
                    Text::new("验证码已发送，5分钟内有效", "code sent: valid for 5 minutes"),
                )));
            }
            Err(why) => message.set(Some((true, why))),
        }
        busy.set(false);
    };
    let sign_in = move |_| async move {
        busy.set(true);
        let engine = SyncEngine::new(server());
        let result = if who() == Who::Household {
            engine.verify_code(phone().trim(), code().trim(), &attempt()).await
        } else {
            engine.staff_login(login().trim(), &password()).await
        };
        busy.set(false);
        match result {
            Ok(session) => on_signed_in.call(session),
            Err(why) => message.set(Some((true, why))),
        }
    };
    let w = who();
    rsx! {
        section { class: "sign-in",
            h2 { class: "big", {t(lang, "登录", "Sign in")} }
            div { class: "choices",
                button { r#type: "button", class: if w == Who::Household { "choice big selected" } else { "choice big" },
                    onclick: move |_| who.set(Who::Household), {t(lang, "农户", "Household")} }
                button { r#type: "button", class: if w == Who::Staff { "choice big selected" } else { "choice big" },
                    onclick: move |_| who.set(Who::Staff), {t(lang, "村干部/工作队", "Cadre / work team")} }
            }
            if w == Who::Household {
                label { {t(lang, "手机号", "Phone number")}
                    input { class: "big", r#type: "tel", inputmode: "numeric", value: "{phone}", oninput: move |e| phone.set(e.value()) }
                }
                button { r#type: "button", class: "big", disabled: busy() || phone().trim().is_empty(), onclick: send_code,
                    if code_sent() { {t(lang, "重新发送验证码", "Send the code again")} } else { {t(lang, "获取验证码", "Send me a code")} }
                }
                label { {t(lang, "验证码（6位数字）", "Code (6 digits)")}
                    input { class: "big", inputmode: "numeric", maxlength: "6", value: "{code}", oninput: move |e| code.set(e.value()) }
                }
            } else {
                label { {t(lang, "用户名", "User name")}
                    input { class: "big", value: "{login}", oninput: move |e| login.set(e.value()) }
                }
                label { {t(lang, "密码", "Password")}
                    input { class: "big", r#type: "password", value: "{password}", oninput: move |e| password.set(e.value()) }
                }
            }
            button { r#type: "button", class: "primary big", disabled: busy(), onclick: sign_in,
                if busy() { {t(lang, "请稍候…", "Please wait…")} } else { {t(lang, "登录", "Sign in")} }
            }
            if let Some((is_error, text)) = message() {
                p { class: if is_error { "error" } else { "hint" }, role: "alert", "{text.get(lang)}" }
            }
            button { r#type: "button", class: "big skip", onclick: move |_| on_back.call(()),
                {t(lang, "返回申报（先填报，登录后自动上传）", "Back to reporting (sent after sign-in)")}
            }
        }
    }
}

/// 设置: the server this phone talks to. Set once by whoever installs the app; a
/// household never needs it, so it is not on the sign-in screen.
#[component]
pub fn ServerSettings(server: Signal<String>, lang: Lang, on_done: EventHandler<()>) -> Element {
    let ctx = try_use_context::<crate::app::AppContext>();
    let mut typed = use_signal(|| server.peek().clone());
    let mut message = use_signal(|| None::<(bool, Text)>);
    let save = move |_| {
        let url = typed().trim().trim_end_matches('/').to_string();
        let ctx = ctx.clone();
        async move {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                message.set(Some((
                    true,
                    Text::new("地址应以 https:// 开头", "the address starts with https://"),
                )));
                return;
            }
            if let Some(ctx) = ctx {
                let kept = ctx
                    .store
                    .unit(crate::store_api::StoreCall::SetServerUrl { url: url.clone() })
                    .await;
                if let Err(e) = kept {
                    message.set(Some((true, Text::from_pair(&e.to_string()))));
                    return;
                }
            }
            server.set(url);
            on_done.call(());
        }
    };
    rsx! {
        section { class: "sign-in settings",
            h2 { class: "big", {t(lang, "设置", "Settings")} }
            label { {t(lang, "服务器地址", "Server address")}
                input { class: "big", r#type: "url", value: "{typed}", oninput: move |e| typed.set(e.value()) }
            }
            p { class: "hint", {t(lang, "由安装本应用的工作人员设置，一般不需要改动。", "Set by whoever installed the app; usually left as it is.")} }
            if let Some((is_error, text)) = message() {
                p { class: if is_error { "error" } else { "hint" }, role: "alert", "{text.get(lang)}" }
            }
            button { r#type: "button", class: "primary big", onclick: save, {t(lang, "保存", "Save")} }
            button { r#type: "button", class: "big skip", onclick: move |_| on_done.call(()), {t(lang, "返回", "Back")} }
        }
    }
}
