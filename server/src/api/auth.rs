//! Sign-in: staff by password, households by phone and a one-time code.

use crate::api::json_body::JsonBody;
use crate::auth::{
    Caller, code_hash, hash_password, new_code, new_token, token_hash, too_many, verify_password_off_loop,
};

/// Longest staff login name and password accepted at sign-in.
pub const MAX_LOGIN_CHARS: usize = 64;
pub const MAX_PASSWORD_BYTES: usize = 1024;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::Account;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use sha2::{Digest, Sha256};
use zaofaxian_shared::wire::{
    AccountView, CodeRequest, CodeSent, CodeSignIn, ErrorBody, LoginRequest, SessionAnswer, SignedOut,
};
use zaofaxian_shared::{PhoneNumber, RecordId, Role};

async fn open_session(state: &AppState, account: Account) -> ApiResult<Json<SessionAnswer>> {
    open_session_with(state, account, new_token()).await
}

async fn open_session_with(state: &AppState, account: Account, token: String) -> ApiResult<Json<SessionAnswer>> {
    let ttl = if account.role == Role::Household {
        state.household_session_ms
    } else {
        state.staff_session_ms
    };
    let now = state.now_ms();
    let expires_at = now + ttl;
    // Sessions that ran out are of no use to anyone: gone at the next sign-in.
    state.store.purge_sessions(now).await?;
    state
        .store
        .create_session(&token_hash(&token), &account.id, expires_at)
        .await?;
    Ok(Json(SessionAnswer {
        token,
        expires_at,
        account: account.view(),
    }))
}

fn bad_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "bad_credentials",
        "用户名或密码错误",
        "wrong user name or password",
    )
}

/// Staff sign-in by login name and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(()), request_body = LoginRequest,
    responses(
        (status = 200, body = SessionAnswer, description = "已登录 / signed in"),
        (status = 401, body = ErrorBody, description = "用户名或密码错误 / wrong login or password"),
        (status = 403, body = ErrorBody, description = "来自其他网站的登录 / a sign-in posted from another site"),
        crate::openapi::BodyRefusals, crate::openapi::Limited,
    ))]
pub async fn staff_login(
    State(state): State<AppState>,
    body: Result<JsonBody<LoginRequest>, ApiError>,
) -> ApiResult<Json<SessionAnswer>> {
    let JsonBody(body) = body?;
    login_staff(&state, &body.login, &body.password).await.map(Json)
}

/// Checks a staff member's password (throttled, timing-equalised) and opens a session.
pub async fn login_staff(state: &AppState, login: &str, password: &str) -> ApiResult<SessionAnswer> {
    let now = state.now_ms();
    // No login name is longer (accounts are created with short ones); a longer one is
    // wrong without a look-up, and never kept.
    if login.chars().count() > MAX_LOGIN_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(bad_credentials());
    }
    // Counted before the check, in one step in the store: concurrent guesses (in any
    // server process) cannot slip past the limit.
    let key = crate::limits::limit_key("login", login);
    state
        .store
        .limit_attempt(&key, &state.limits.login, now)
        .await?
        .map_err(too_many)?;
    let account = state.store.account_by_login(login).await?;
    // Verify against a dummy hash when the account is missing, so timing does not tell.
    let hash = match &account {
        Some(a) if a.role != Role::Household => a.password_hash.clone(),
        _ => None,
    };
    let ok = match hash {
        Some(h) => verify_password_off_loop(h, password.to_string()).await,
        None => {
            let _ = verify_password_off_loop(dummy_hash().to_string(), password.to_string()).await;
            false
        }
    };
    // A disabled account is told so only with the right password.
    if let Some(a) = account.as_ref().filter(|_| ok)
        && state.store.account_disabled(&a.id).await?
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "account_disabled",
            "账号已停用，请联系县级管理员",
            "this account is disabled: ask the county administrator",
        ));
    }
    match account {
        Some(a) if ok => {
            state.store.clear_attempts(&key).await?;
            open_session(state, a).await.map(|Json(v)| v)
        }
        _ => Err(bad_credentials()),
    }
}

/// A real argon2id hash of a throwaway password, verified against for unknown logins so
/// that the response time does not reveal which login names exist.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&new_token()).unwrap_or_default())
}

/// Texts a one-time sign-in code to a household's phone.
#[utoipa::path(post, path = "/api/v1/auth/otp", tag = "auth", security(()), request_body = CodeRequest,
    responses(
        (status = 202, body = CodeSent, description = "验证码已发送 / the code was sent"),
        (status = 502, body = ErrorBody, description = "短信发送失败 / the text could not be sent"),
        (status = 503, body = ErrorBody, description = "短信未配置 / no text-message sender is configured"),
        crate::openapi::BodyRefusals, crate::openapi::Limited,
    ))]
pub async fn request_code(
    State(state): State<AppState>,
    client: crate::auth::ClientAddr,
    body: Result<JsonBody<CodeRequest>, ApiError>,
) -> ApiResult<(StatusCode, Json<CodeSent>)> {
    let JsonBody(body) = body?;
    let phone = body.phone;
    if !state.codes.configured() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "sms_not_configured",
            "短信未配置，暂不能用验证码登录；请联系村干部代为申报",
            "text messages are not configured: code sign-in is unavailable; ask the village cadre to file for you",
        ));
    }
    let now = state.now_ms();
    // Requests are counted (not failures), all limits together or none. A phone's
    // own limit is kept per client address: a stranger elsewhere cannot use it up.
    let limits = state.limits;
    let (zh, en) = ("验证码请求过多", "too many code requests");
    let client = client.0.and_then(crate::auth::client_key);
    let phone_from = format!("{}|{}", phone.as_str(), client.as_deref().unwrap_or("local"));
    let mut checks = vec![
        ("code-phone", phone_from.as_str(), limits.code_per_phone, zh, en),
        ("code-phone-all", phone.as_str(), limits.code_per_phone_all, zh, en),
        ("code-all", "", limits.code_overall, zh, en),
    ];
    if let Some(key) = &client {
        checks.push(("code-client", key.as_str(), limits.code_per_client, zh, en));
    }
    state.limit_all(&checks).await?;
    let code = new_code();
    state
        .store
        .put_otp(
            phone.as_str(),
            client.as_deref().unwrap_or("local"),
            &code_hash(phone.as_str(), &code),
            now + 5 * 60 * 1000,
            now,
        )
        .await?;
    if let Err(e) = state.codes.send(&phone, &code).await {
        // The code is useless unsent; the household may ask again within the limits.
        state.store.delete_otp(phone.as_str()).await?;
        tracing::error!(phone = %phone.masked(), error = %e, "sending a one-time code failed");
        return Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            "sms_failed",
            "短信发送失败，请稍后再试",
            "the text message could not be sent: try again later",
        ));
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(CodeSent {
            sent_to: phone.masked(),
            expires_in_s: 300,
        }),
    ))
}

// `CodeSignIn.attempt`: a secret the phone picks for this sign-in and sends again when
// it retries. With it the session token is derived from phone, code and attempt, so a
// retry whose first answer was lost on a bad line gets the same session back instead
// of "wrong code" for a code the server already used.

/// The session token of a code sign-in with an `attempt` secret (32–128 letters or
/// digits, so a retry cannot be guessed from the 6-digit code alone).
fn attempt_token(phone: &PhoneNumber, code: &str, attempt: &str) -> ApiResult<String> {
    if !(32..=128).contains(&attempt.len()) || !attempt.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_attempt",
            "登录请求标识应为32至128位字母或数字",
            "attempt must be 32 to 128 letters or digits",
        )
        .with_field("attempt"));
    }
    let material = format!("zaofaxian otp session\n{}\n{code}\n{attempt}", phone.as_str());
    Ok(hex::encode(Sha256::digest(material.as_bytes())))
}

/// Household sign-in with the texted code; a retry with the same `attempt` gets the
/// same session.
#[utoipa::path(post, path = "/api/v1/auth/otp/verify", tag = "auth", security(()), request_body = CodeSignIn,
    responses(
        (status = 200, body = SessionAnswer, description = "已登录 / signed in"),
        (status = 401, body = ErrorBody, description = "验证码错误或已过期 / wrong or expired code"),
        crate::openapi::BodyRefusals, crate::openapi::Limited,
    ))]
pub async fn verify_code(
    State(state): State<AppState>,
    body: Result<JsonBody<CodeSignIn>, ApiError>,
) -> ApiResult<Json<SessionAnswer>> {
    let JsonBody(body) = body?;
    let phone = body.phone;
    let now = state.now_ms();
    let token = match &body.attempt {
        Some(a) => attempt_token(&phone, body.code.trim(), a)?,
        None => new_token(),
    };
    // A retry of a sign-in that went through: the same session again.
    if body.attempt.is_some()
        && let Some((account, expires_at)) = state.store.session_account(&token_hash(&token), now).await?
        && account.login == phone.as_str()
    {
        return Ok(Json(SessionAnswer {
            token,
            expires_at,
            account: account.view(),
        }));
    }
    let wrong = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_code",
            "验证码错误或已过期",
            "wrong or expired code",
        )
    };
    let Some((hash, expires_at, attempts)) = state.store.otp_attempt(phone.as_str()).await? else {
        return Err(wrong());
    };
    if attempts > 5 {
        state.store.delete_otp(phone.as_str()).await?;
        return Err(too_many(60));
    }
    if !crate::auth::any_code_matches(&hash, phone.as_str(), body.code.trim(), expires_at, now) {
        return Err(wrong());
    }
    let account = match state.store.account_by_login(phone.as_str()).await? {
        Some(a) if a.role == Role::Household => a,
        Some(_) => return Err(wrong()),
        None => {
            let a = Account {
                id: RecordId::new().to_string(),
                login: phone.as_str().to_string(),
                name: phone.masked(),
                role: Role::Household,
                division: None,
                password_hash: None,
            };
            match state.store.create_account(&a).await {
                Ok(()) => a,
                // Two verifications at once: the other one created it.
                Err(crate::store::StoreError::Conflict(_)) => state
                    .store
                    .account_by_login(phone.as_str())
                    .await?
                    .ok_or_else(ApiError::internal)?,
                Err(e) => return Err(e.into()),
            }
        }
    };
    // The session first, then the code used up: a crash in between leaves the code
    // valid, never a used code without a session.
    let session = open_session_with(&state, account, token).await?;
    state.store.delete_otp(phone.as_str()).await?;
    Ok(session)
}

/// Signs this session out (a household on a shared or lost phone, a cadre at the
/// end of the day): the token stops working at once in this process, within the
/// session cache's 30 s elsewhere.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "已退出 / signed out"), crate::openapi::AuthRefusals))]
pub async fn logout(
    State(state): State<AppState>,
    _caller: Caller,
    headers: axum::http::HeaderMap,
) -> ApiResult<StatusCode> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .or_else(|| crate::auth::session_cookie(&headers))
        .ok_or_else(ApiError::unauthenticated)?;
    crate::auth::end_session(&state, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One signed-in session of an account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeviceView {
    /// A short, stable label of the session (not the token).
    id: String,
    created_at: Option<i64>,
    expires_at: i64,
    current: bool,
}

fn bearer_or_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .or_else(|| crate::auth::session_cookie(headers))
}

/// Where this account is signed in (a household's phones, a cadre's devices).
/// Where this account is signed in.
#[utoipa::path(get, path = "/api/v1/me/devices", tag = "auth", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<DeviceView>, description = "会话列表 / the sessions"), crate::openapi::AuthRefusals))]
pub async fn devices(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
) -> ApiResult<Json<Vec<DeviceView>>> {
    let mine = bearer_or_cookie(&headers).map(|t| token_hash(&t)).unwrap_or_default();
    let list = state.store.account_sessions(&caller.0.id, state.now_ms()).await?;
    Ok(Json(
        list.into_iter()
            .map(|s| DeviceView {
                id: s.token_hash.chars().take(8).collect(),
                created_at: s.created_at,
                expires_at: s.expires_at,
                current: s.token_hash == mine,
            })
            .collect(),
    ))
}

/// Signs out every other device of this account (a lost or lent phone).
#[utoipa::path(post, path = "/api/v1/me/devices/sign-out-others", tag = "auth", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = SignedOut, description = "已退出的其他会话数 / sessions ended"), crate::openapi::AuthRefusals))]
pub async fn sign_out_elsewhere(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
) -> ApiResult<Json<SignedOut>> {
    let mine = bearer_or_cookie(&headers).map(|t| token_hash(&t)).unwrap_or_default();
    let n = crate::account_admin::sign_out_everywhere(state.store.as_ref(), &caller.0, &mine, state.now_ms())
        .await
        .map_err(|crate::account_admin::Refusal(t)| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "store", t.zh, t.en)
        })?;
    state.sessions.clear();
    Ok(Json(SignedOut { ended: n }))
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = AccountView, description = "当前账号 / this account"), crate::openapi::AuthRefusals))]
pub async fn me(caller: Caller) -> Json<AccountView> {
    Json(caller.0.view())
}
