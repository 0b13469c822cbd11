//! The staff console: server-rendered pages for villages, townships and counties
//! (deadline board, case pages with their steps, the printable notice, exports).
//! Plain HTML forms, so it works on a PC and a phone browser without scripts.
//!
//! Sign-in sets an HttpOnly, SameSite=Strict session cookie; every form also carries
//! a token derived from the session (CSRF). Each page checks the caller's area the
//! same way the API does.

mod accounts_page;
mod board_page;
mod case_page;
mod export;
mod imports;
mod monthly;
mod notice;
mod policy_page;
pub mod poster;
mod reminders_page;

use crate::auth::{SESSION_COOKIE, account_for_token, session_cookie};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::Account;
use axum::Router;
use axum::extract::{Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use zaofaxian_shared::{Lang, Role};

/// The cookie that keeps the console's language (Chinese unless English was chosen).
pub const LANG_COOKIE: &str = "zfx_lang";

/// Chinese or English text for the console's own words.
pub fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::En { en } else { zh }
}

fn lang_of(headers: &HeaderMap) -> Lang {
    let en = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|kv| kv.trim() == format!("{LANG_COOKIE}=en"));
    if en { Lang::En } else { Lang::Zh }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(|| async { Redirect::to("/console/board") }))
        .route("/console/login", get(login_page).post(login))
        .route("/console/lang/{code}", get(set_lang))
        .route("/console/logout", axum::routing::post(logout))
        .route("/console/board", get(board_page::board))
        .route(
            "/console/reminders",
            get(reminders_page::page).post(reminders_page::act),
        )
        .route("/console/cases/{id}", get(case_page::page).post(case_page::act))
        .route("/console/notice", get(notice::notice))
        .route("/console/poster", get(poster::poster))
        .route("/console/export/cases.csv", get(export::cases_csv))
        .route("/console/export/cases.xlsx", get(export::cases_xlsx))
        .route("/console/export/monthly.xlsx", get(monthly::monthly_xlsx))
        .route("/console/policy", get(policy_page::page))
        .route("/console/accounts", get(accounts_page::page).post(accounts_page::act))
        .route("/console/account", get(accounts_page::own).post(accounts_page::own_act))
        .route(
            "/console/policy/calendar",
            axum::routing::post(policy_page::upload_calendar)
                .layer(axum::extract::DefaultBodyLimit::max(policy_page::MAX_UPLOAD)),
        )
        .route(
            "/console/policy/threshold",
            axum::routing::post(policy_page::set_threshold),
        )
        .route(
            "/console/imports",
            get(imports::page)
                .post(imports::upload)
                .layer(axum::extract::DefaultBodyLimit::max(imports::MAX_UPLOAD)),
        )
        .layer(axum::middleware::from_fn(protect_pages))
}

/// Console pages and exports are full of personal data: never cached, never framed,
/// no scripts or foreign content (the console needs none), no referrer sent on.
async fn protect_pages(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A signed-in staff member, from the session cookie. Anyone else is sent to sign in.
#[derive(Debug, Clone)]
pub struct Staff {
    pub account: Account,
    pub lang: Lang,
    /// The form token for this session.
    pub csrf: String,
    /// A holiday schedule that should be loaded by now and is not: shown in the header
    /// of county and admin accounts, who can act on it.
    pub missing_schedule: Option<i32>,
}

/// Where a console request without a usable session goes.
#[derive(Debug)]
pub struct SignInFirst;

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        Redirect::to("/console/login").into_response()
    }
}

fn csrf_for(token: &str) -> String {
    hex::encode(&Sha256::digest(format!("zaofaxian-console-form:{token}"))[..16])
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = SignInFirst;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = session_cookie(&parts.headers).ok_or(SignInFirst)?;
        let account = account_for_token(state, &token).await.map_err(|_| SignInFirst)?;
        if matches!(account.role, Role::Household | Role::System) {
            return Err(SignInFirst);
        }
        let missing_schedule = matches!(account.role, Role::County | Role::Admin)
            .then(|| state.reference().missing_schedule(state.clock.today()))
            .flatten();
        Ok(Staff {
            csrf: csrf_for(&token),
            lang: lang_of(&parts.headers),
            account,
            missing_schedule,
        })
    }
}

impl Staff {
    /// The API's view of this caller, for the shared checks.
    pub fn caller(&self) -> crate::auth::Caller {
        crate::auth::Caller(self.account.clone())
    }

    /// Whether a posted form carries this session's token.
    pub fn form_is_ours(&self, sent: &str) -> bool {
        sent == self.csrf
    }
}

/// The answer to a form without this session's token.
pub fn stale_form() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "表单已过期，请刷新页面后重试 / the form expired: reload the page",
    )
}

const STYLE: &str = "
body { font-family: 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif; margin: 0; color: #222; background: #f6f4ef; }
header { background: #b22222; color: white; padding: 10px 16px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header a, header button { color: white; }
header h1 { font-size: 20px; margin: 0; }
main { padding: 12px 16px; max-width: 1100px; margin: auto; }
table { border-collapse: collapse; width: 100%; background: white; }
th, td { border-bottom: 1px solid #e6e0d6; padding: 6px 8px; text-align: left; font-size: 15px; }
tr.overdue td { background: #fde8e8; }
tr.overdue td.left { color: #b00020; font-weight: bold; }
.cards { display: flex; gap: 8px; flex-wrap: wrap; margin: 8px 0; }
.card { background: white; border-radius: 8px; padding: 8px 12px; border: 1px solid #e6e0d6; }
.card.overdue { border-color: #b00020; }
form.filters, form.action { background: white; padding: 8px 12px; border-radius: 8px; margin: 8px 0; border: 1px solid #e6e0d6; }
form.action h3 { margin: 4px 0; font-size: 16px; }
button { min-height: 36px; border-radius: 6px; border: 1px solid #b22222; background: #b22222; color: white; padding: 4px 12px; }
.flash { padding: 8px 12px; border-radius: 6px; margin: 8px 0; }
.flash.error { background: #fde8e8; color: #8a0010; }
.flash.ok { background: #e6f4ea; color: #14532d; }
.timeline li { margin: 6px 0; }
.muted { color: #666; font-size: 14px; }
.provisional { color: #9a5b00; }
.scroll { overflow-x: auto; }
@media (max-width: 600px) { main { padding: 8px; } th, td { font-size: 14px; padding: 4px; white-space: nowrap; } }
@media print { header, form, .noprint { display: none; } body { background: white; } }
";

/// The page frame: title, who is signed in, navigation.
pub fn layout(title: &str, staff: Option<&Staff>, body: Markup) -> Html<String> {
    layout_in(staff.map(|s| s.lang).unwrap_or_default(), title, staff, body)
}

pub fn layout_in(l: Lang, title: &str, staff: Option<&Staff>, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang=(if l == Lang::En { "en" } else { "zh-CN" }) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) (tr(l, " · 早发现", " · Zaofaxian")) }
                    style { (maud::PreEscaped(STYLE)) }
                }
                body {
                    header {
                        h1 { (tr(l, "早发现 · 防返贫监测工作台", "Zaofaxian monitoring console")) }
                        @if let Some(s) = staff {
                            a href="/console/board" { (tr(l, "待办看板", "Deadline board")) }
                            @if zaofaxian_shared::reminders::Level::of_role(s.account.role).is_some() {
                                a href="/console/reminders" { (tr(l, "提醒与督办", "Reminders")) }
                            }
                            @if imports::may_import_any(s.account.role) {
                                a href="/console/imports" { (tr(l, "导入与预警", "Imports and alerts")) }
                            }
                            @if s.account.role == Role::Admin {
                                a href="/console/policy" { (tr(l, "政策数据", "Policy data")) }
                            }
                            @if !crate::account_admin::manageable_roles(s.account.role).is_empty() {
                                a href="/console/accounts" { (tr(l, "账号管理", "Accounts")) }
                            }
                            a href="/console/account" { (tr(l, "我的账号", "My account")) }
                            span { (s.account.name) " · " (if l == Lang::En { s.account.role.label_en() } else { s.account.role.label_zh() }) }
                            form method="post" action="/console/logout" style="display:inline" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                button type="submit" { (tr(l, "退出", "Sign out")) }
                            }
                        }
                        a href={ "/console/lang/" (if l == Lang::En { "zh" } else { "en" }) } { (tr(l, "English", "中文")) }
                    }
                    @if let Some(year) = staff.and_then(|s| s.missing_schedule) {
                        p.flash.error.calendar-warning role="alert" style="margin:8px 16px" { (policy_page::missing_text(l, year)) }
                    }
                    main { (body) }
                }
            }
        }
        .into_string(),
    )
}

/// A multipart form read whole: its text fields by name and its `file` field
/// (file name, bytes). A broken or oversized upload is answered as an error page.
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: std::collections::HashMap<String, String>,
    pub file: Option<(String, axum::body::Bytes)>,
}

impl Upload {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    pub async fn read(mut multipart: axum::extract::Multipart) -> Result<Upload, Response> {
        let mut upload = Upload::default();
        loop {
            match multipart.next_field().await {
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or_default().to_string();
                    let file_name = field.file_name().unwrap_or_default().to_string();
                    let Ok(bytes) = field.bytes().await else {
                        return Err(error_page(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "文件过大或上传中断 / the upload is too large or broke off",
                        ));
                    };
                    if name == "file" {
                        upload.file = Some((file_name, bytes));
                    } else {
                        upload.fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
                    }
                }
                Ok(None) => return Ok(upload),
                Err(e) => {
                    return Err(error_page(
                        StatusCode::BAD_REQUEST,
                        &format!("上传格式错误 / bad upload: {e}"),
                    ));
                }
            }
        }
    }
}

/// A millisecond timestamp as a China date and time (`2026-12-01 09:30`).
pub fn china_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&zaofaxian_shared::clock::china_offset())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A division's name for headings, or its code when the register does not know it.
pub async fn division_name(state: &AppState, code: zaofaxian_shared::DivisionCode) -> String {
    match state.store.division(code).await {
        Ok(Some(d)) => d.name,
        _ => code.to_string(),
    }
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    (status, layout("错误", None, html! { p.flash.error { (message) } })).into_response()
}

/// An API error shown as a page (403/404 keep their status).
pub fn api_error_page(e: ApiError) -> Response {
    let status = e.status;
    error_page(status, &format!("{} / {}", e.message.zh, e.message.en))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
}

async fn login_page(headers: HeaderMap) -> Html<String> {
    login_form(lang_of(&headers), None)
}

fn login_form(l: Lang, error: Option<&str>) -> Html<String> {
    layout_in(
        l,
        tr(l, "登录", "Sign in"),
        None,
        html! {
            h2 { (tr(l, "工作人员登录", "Staff sign-in")) }
            @if let Some(e) = error { p.flash.error role="alert" { (e) } }
            form method="post" action="/console/login" {
                p { label { (tr(l, "用户名 ", "User name ")) input name="login" autocomplete="username" required; } }
                p { label { (tr(l, "密码 ", "Password ")) input name="password" type="password" autocomplete="current-password" required; } }
                button type="submit" { (tr(l, "登录", "Sign in")) }
            }
        },
    )
}

/// Switches the console's language and goes back to the page the link was on.
async fn set_lang(axum::extract::Path(code): axum::extract::Path<String>, headers: HeaderMap) -> Response {
    let value = if code == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("/console").map(|i| r[i..].to_string()))
        .unwrap_or_else(|| "/console/board".into());
    let mut out = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={value}; Path=/console; SameSite=Lax; Max-Age=31536000"
    )) {
        out.insert(header::SET_COOKIE, v);
    }
    (out, Redirect::to(&back)).into_response()
}

/// Whether a form post comes from a page of this server: a browser names the page's
/// origin, and a sign-in form on another site (login CSRF) names that site.
fn same_origin(headers: &HeaderMap, uri: &axum::http::Uri) -> bool {
    let host = asked_host(headers, uri);
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => host.is_some_and(|h| origin.split_once("://").is_some_and(|(_, rest)| rest == h)),
    }
}

/// The host a request asked for: the `Host` header (HTTP/1.1) or the URI's authority
/// (HTTP/2, which browsers speak over HTTPS and which has no `Host` header).
pub(crate) fn asked_host<'a>(headers: &'a HeaderMap, uri: &'a axum::http::Uri) -> Option<&'a str> {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
}

/// Whether the browser reached us over HTTPS (directly or through the county's proxy):
/// then the session cookie is marked Secure.
fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

async fn login(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    request: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    if !same_origin(&request, &uri) {
        return error_page(
            StatusCode::FORBIDDEN,
            "登录请求来自其他网站，已拒绝 / a sign-in from another site was refused",
        );
    }
    match crate::api::auth::login_staff(&state, f.login.trim(), &f.password).await {
        Ok(session) => {
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{}; Max-Age={}",
                session.token,
                if over_https(&request) { "; Secure" } else { "" },
                (session.expires_at - state.now_ms()).max(0) / 1000
            );
            let mut headers = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                headers.insert(header::SET_COOKIE, v);
            }
            (headers, Redirect::to("/console/board")).into_response()
        }
        Err(e) => {
            let l = lang_of(&request);
            (e.status, login_form(l, Some(e.message.get(l)))).into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

async fn logout(State(state): State<AppState>, headers: HeaderMap, staff: Staff, Form(f): Form<CsrfForm>) -> Response {
    if !staff.form_is_ours(&f.csrf) {
        return stale_form();
    }
    if let Some(token) = session_cookie(&headers)
        && let Err(e) = crate::auth::end_session(&state, &token).await
    {
        return api_error_page(e);
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_static("zfx_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    (headers, Redirect::to("/console/login")).into_response()
}
