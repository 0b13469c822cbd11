//! 账号管理 (county and admin) and 我的账号 (every staff member): pages over
//! `crate::account_admin`, which decides who may do what and keeps the audit trail.

use super::{Staff, china_time as when, error_page, layout, stale_form, tr};
use crate::account_admin::{self, Refusal, manageable_roles};
use crate::state::AppState;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use zaofaxian_shared::{DivisionCode, Lang, Role, Text};

fn role_label(l: Lang, r: Role) -> &'static str {
    if l == Lang::En { r.label_en() } else { r.label_zh() }
}

/// The outcome shown above the page: done (maybe with a password shown once) or refused.
enum Flash {
    Done(Text, Option<String>),
    Refused(Text),
}

fn flash(l: Lang, f: &Flash) -> Markup {
    match f {
        Flash::Done(t, password) => html! {
            div.flash.ok role="status" {
                (t.get(l))
                @if let Some(p) = password {
                    p { (tr(l, "新密码（只显示这一次，请当面或电话告知本人，登录后自行修改）：", "New password (shown this once: give it to the person, who changes it after signing in): ")) code style="font-size:20px" { (p) } }
                }
            }
        },
        Flash::Refused(t) => html! { div.flash.error role="alert" { (t.get(l)) } },
    }
}

async fn overview(state: &AppState, staff: &Staff, outcome: Option<Flash>) -> Response {
    let l = staff.lang;
    let entries = match account_admin::staff_of(state.store.as_ref(), &staff.account).await {
        Ok(e) => e,
        Err(Refusal(t)) => return error_page(StatusCode::FORBIDDEN, &format!("{} / {}", t.zh, t.en)),
    };
    let area = staff.account.division.map(|d| d.prefix()).unwrap_or_default();
    let events = state.store.account_events(&area, 50).await.unwrap_or_default();
    let body = html! {
        h2 { (tr(l, "账号管理", "Accounts")) }
        @if let Some(f) = &outcome { (flash(l, f)) }
        div.scroll { table {
            thead { tr { th { (tr(l, "用户名", "Login")) } th { (tr(l, "姓名", "Name")) } th { (tr(l, "角色", "Role")) } th { (tr(l, "区划", "Division")) } th { (tr(l, "状态", "Status")) } th {} } }
            tbody {
                @for e in &entries {
                    tr {
                        td { (e.account.login) }
                        td { (e.account.name) }
                        td { (role_label(l, e.account.role)) }
                        td { (e.account.division.map(|d| d.to_string()).unwrap_or_default()) }
                        td { @if let Some(at) = e.disabled_at { (tr(l, "已停用 ", "disabled ")) (when(at)) } @else { (tr(l, "在用", "active")) } }
                        td {
                            form method="post" action="/console/accounts" style="display:inline" {
                                input type="hidden" name="csrf" value=(staff.csrf);
                                input type="hidden" name="login" value=(e.account.login);
                                @if e.disabled_at.is_some() {
                                    button type="submit" name="action" value="enable" { (tr(l, "启用", "Enable")) }
                                } @else {
                                    button type="submit" name="action" value="disable" { (tr(l, "停用", "Disable")) }
                                }
                                " "
                                button type="submit" name="action" value="reset" { (tr(l, "重置密码", "Reset password")) }
                            }
                        }
                    }
                }
            }
        } }
        form.action method="post" action="/console/accounts" {
            h3 { (tr(l, "新建工作人员账号", "New staff account")) }
            input type="hidden" name="csrf" value=(staff.csrf);
            input type="hidden" name="action" value="create";
            p { label { (tr(l, "用户名 ", "Login ")) input name="login" required maxlength="64"; } }
            p { label { (tr(l, "姓名 ", "Name ")) input name="name" required maxlength="50"; } }
            p { label { (tr(l, "角色 ", "Role ")) select name="role" {
                @for r in manageable_roles(staff.account.role) {
                    option value=(crate::board::tag(r, None)) { (role_label(l, *r)) }
                }
            } } }
            p { label { (tr(l, "区划代码（本辖区内） ", "Division code (within your area) ")) input name="division" inputmode="numeric" pattern="[0-9]{12}" required; } }
            p { label { (tr(l, "工作电话（可不填；农户可见，用于联系） ", "Work phone (optional; shown to households to call) ")) input name="phone" type="tel" inputmode="numeric" maxlength="11"; } }
            p.muted { (tr(l, "密码由系统生成，只显示一次。", "The password is generated and shown once.")) }
            button type="submit" { (tr(l, "创建", "Create")) }
        }
        h3 { (tr(l, "操作记录", "Audit trail")) }
        ul.timeline {
            @for e in &events {
                li { (when(e.at)) " · " (e.actor_account) " · " (e.action) " · " (e.target_account) @if !e.detail.is_empty() { " · " (e.detail) } }
            }
        }
    };
    layout(tr(l, "账号管理", "Accounts"), Some(staff), body).into_response()
}

pub async fn page(State(state): State<AppState>, staff: Staff) -> Response {
    overview(&state, &staff, None).await
}

#[derive(Debug, Deserialize)]
pub struct AccountForm {
    csrf: String,
    action: String,
    login: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    division: String,
    #[serde(default)]
    phone: String,
}

pub async fn act(State(state): State<AppState>, staff: Staff, Form(f): Form<AccountForm>) -> Response {
    if !staff.form_is_ours(&f.csrf) {
        return stale_form();
    }
    let (store, actor, at) = (state.store.as_ref(), &staff.account, state.now_ms());
    let login = f.login.trim();
    let result = match f.action.as_str() {
        "create" => {
            let role = serde_json::from_value::<Role>(serde_json::Value::String(f.role.clone()));
            let division = f.division.trim().parse::<DivisionCode>();
            match (role, division) {
                (Ok(role), Ok(division)) => account_admin::create(
                    store,
                    actor,
                    account_admin::NewStaff {
                        login,
                        name: &f.name,
                        role,
                        division,
                        phone: Some(&f.phone),
                    },
                    at,
                )
                .await
                .map(|(a, p)| {
                    Flash::Done(
                        Text::new(format!("已创建：{}", a.login), format!("created: {}", a.login)),
                        Some(p),
                    )
                }),
                _ => Err(Refusal(Text::new("角色或区划代码无效", "bad role or division code"))),
            }
        }
        "disable" | "enable" => {
            let disable = f.action == "disable";
            account_admin::set_disabled(store, actor, login, disable, at)
                .await
                .map(|()| {
                    // Every process, this one too, forgets its cached sessions on its next
                    // request (the store's session epoch moved); this one at once.
                    state.sessions.clear();
                    Flash::Done(
                        if disable {
                            Text::new(
                                format!("已停用：{login}，其所有登录已结束"),
                                format!("disabled: {login}; all its sessions ended"),
                            )
                        } else {
                            Text::new(format!("已启用：{login}"), format!("enabled: {login}"))
                        },
                        None,
                    )
                })
        }
        "reset" => account_admin::reset_password(store, actor, login, at).await.map(|p| {
            state.sessions.clear();
            Flash::Done(
                Text::new(format!("已重置：{login}"), format!("reset: {login}")),
                Some(p),
            )
        }),
        _ => Err(Refusal(Text::new("未知操作", "unknown action"))),
    };
    let (status, outcome) = match result {
        Ok(done) => (StatusCode::OK, done),
        Err(Refusal(t)) => (StatusCode::UNPROCESSABLE_ENTITY, Flash::Refused(t)),
    };
    (status, overview(&state, &staff, Some(outcome)).await).into_response()
}

fn own_page(staff: &Staff, outcome: Option<Flash>) -> Response {
    let l = staff.lang;
    let body = html! {
        h2 { (tr(l, "我的账号", "My account")) " · " (staff.account.login) }
        @if let Some(f) = &outcome { (flash(l, f)) }
        form.action method="post" action="/console/account" {
            h3 { (tr(l, "修改密码", "Change password")) }
            input type="hidden" name="csrf" value=(staff.csrf);
            input type="hidden" name="action" value="password";
            p { label { (tr(l, "当前密码 ", "Current password ")) input name="current" type="password" autocomplete="current-password" required; } }
            p { label { (tr(l, "新密码（至少8位） ", "New password (8 or more) ")) input name="new" type="password" autocomplete="new-password" minlength="8" required; } }
            button type="submit" { (tr(l, "修改", "Change")) }
        }
        form.action method="post" action="/console/account" {
            h3 { (tr(l, "退出其他所有登录", "Sign out everywhere else")) }
            p.muted { (tr(l, "手机或电脑丢失、借出后使用：其他设备上的登录立即失效。", "After losing or lending a device: sign-ins elsewhere stop at once.")) }
            input type="hidden" name="csrf" value=(staff.csrf);
            input type="hidden" name="action" value="signout_all";
            button type="submit" { (tr(l, "全部退出", "Sign out everywhere")) }
        }
    };
    layout(tr(l, "我的账号", "My account"), Some(staff), body).into_response()
}

pub async fn own(staff: Staff) -> Response {
    own_page(&staff, None)
}

#[derive(Debug, Deserialize)]
pub struct OwnForm {
    csrf: String,
    action: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
}

pub async fn own_act(
    State(state): State<AppState>,
    headers: HeaderMap,
    staff: Staff,
    Form(f): Form<OwnForm>,
) -> Response {
    if !staff.form_is_ours(&f.csrf) {
        return stale_form();
    }
    let keep = crate::auth::session_cookie(&headers)
        .map(|t| crate::auth::token_hash(&t))
        .unwrap_or_default();
    let (store, at) = (state.store.as_ref(), state.now_ms());
    let result = match f.action.as_str() {
        "password" => account_admin::change_own_password(store, &staff.account, &f.current, &f.new, &keep, at)
            .await
            .map(|()| {
                Flash::Done(
                    Text::new(
                        "密码已修改，其他设备上的登录已结束",
                        "password changed; other sign-ins ended",
                    ),
                    None,
                )
            }),
        "signout_all" => account_admin::sign_out_everywhere(store, &staff.account, &keep, at)
            .await
            .map(|n| {
                Flash::Done(
                    Text::new(format!("已结束其他{n}处登录"), format!("{n} other sign-in(s) ended")),
                    None,
                )
            }),
        _ => Err(Refusal(Text::new("未知操作", "unknown action"))),
    };
    state.sessions.clear();
    match result {
        Ok(done) => own_page(&staff, Some(done)),
        Err(Refusal(t)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            own_page(&staff, Some(Flash::Refused(t))),
        )
            .into_response(),
    }
}
