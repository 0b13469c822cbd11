//! Who is asking: passwords, one-time codes, session tokens, login throttling and
//! the `Caller` extractor every protected handler takes.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{Account, CaseRecord, Scope};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use rand::Rng;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use zaofaxian_shared::{DivisionCode, PhoneNumber, Role};

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt_bytes: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// [`verify_password`] on a blocking thread: argon2 takes tens of milliseconds of CPU,
/// which on the async workers held up every other request during a burst of sign-ins.
pub async fn verify_password_off_loop(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .unwrap_or(false)
}

/// Only a hash of a token is stored: a leaked database gives no usable sessions.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

pub fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000))
}

/// A one-time code as stored: a random salt and the SHA-256 of salt, phone and code
/// (a copy of the table gives no precomputed answers).
pub fn code_hash(phone: &str, code: &str) -> String {
    let salt = hex::encode(rand::rng().random::<[u8; 16]>());
    format!("{salt}${}", salted(&salt, phone, code))
}

fn salted(salt: &str, phone: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}:{phone}:{code}").as_bytes()))
}

/// Whether `code` is the one stored as `stored` for `phone` (constant time compare).
/// Clients whose codes a phone may hold at once (see [`with_code`]).
pub const CODES_KEPT: usize = 8;

/// A phone's stored codes with a new one asked from `client`: one unexpired code per
/// client (`client expires hash`, comma-separated, newest last), the new one replacing
/// that client's earlier one, at most [`CODES_KEPT`]. Returns them and the latest expiry.
pub fn with_code(stored: Option<&str>, client: &str, hash: &str, expires_at: i64, now: i64) -> (String, i64) {
    let mut codes: Vec<(&str, i64, &str)> = stored
        .unwrap_or_default()
        .split(',')
        .filter_map(parse_code)
        .filter(|(c, exp, _)| *exp > now && *c != client)
        .collect();
    codes.push((client, expires_at, hash));
    let from = codes.len().saturating_sub(CODES_KEPT);
    let until = codes[from..].iter().map(|c| c.1).max().unwrap_or(expires_at);
    let text = codes[from..]
        .iter()
        .map(|(c, exp, h)| format!("{c} {exp} {h}"))
        .collect::<Vec<_>>()
        .join(",");
    (text, until)
}

fn parse_code(entry: &str) -> Option<(&str, i64, &str)> {
    let mut parts = entry.split(' ');
    let (client, expires, hash) = (parts.next()?, parts.next()?, parts.next()?);
    Some((client, expires.parse().ok()?, hash))
}

/// Whether `code` is one of the phone's unexpired codes (as [`with_code`] stores them;
/// a lone hash is a code stored before, valid until the row's expiry).
pub fn any_code_matches(stored: &str, phone: &str, code: &str, row_expires: i64, now: i64) -> bool {
    if !stored.contains(' ') {
        return row_expires > now && code_matches(stored, phone, code);
    }
    stored
        .split(',')
        .filter_map(parse_code)
        .fold(false, |hit, (_, exp, hash)| {
            hit | (exp > now && code_matches(hash, phone, code))
        })
}

pub fn code_matches(stored: &str, phone: &str, code: &str) -> bool {
    let expected = match stored.split_once('$') {
        Some((salt, _)) => format!("{salt}${}", salted(salt, phone, code)),
        // Codes stored before salting (valid 5 minutes): the old form.
        None => hex::encode(Sha256::digest(format!("{phone}:{code}").as_bytes())),
    };
    expected.len() == stored.len()
        && expected
            .bytes()
            .zip(stored.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Delivers one-time codes. A deployment plugs its SMS gateway in here; the log
/// sender is for trying the system out and must be switched on explicitly
/// (`ZAOFAXIAN_SMS=log`), because whoever reads the log could sign in as anyone.
#[async_trait::async_trait]
pub trait CodeSender: Send + Sync + std::fmt::Debug {
    /// Delivers the code, or says why not (the household is told it failed, not why).
    async fn send(&self, phone: &PhoneNumber, code: &str) -> Result<(), SendError>;

    /// Whether codes can be delivered at all (with none, code sign-in is refused in words).
    fn configured(&self) -> bool {
        true
    }
}

#[derive(Debug, Default)]
pub struct LogSender;

#[async_trait::async_trait]
impl CodeSender for LogSender {
    async fn send(&self, phone: &PhoneNumber, code: &str) -> Result<(), SendError> {
        tracing::info!(phone = %phone.masked(), code, "验证码 / one-time code (log sender: configure an SMS gateway for production)");
        Ok(())
    }
}

/// Why a code was not delivered (for the log; never contains the code or a key).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

/// No SMS gateway configured: households cannot sign in by code (staff still can).
#[derive(Debug, Default)]
pub struct NoSender;

#[async_trait::async_trait]
impl CodeSender for NoSender {
    async fn send(&self, _: &PhoneNumber, _: &str) -> Result<(), SendError> {
        Err(SendError("no SMS sender configured".into()))
    }

    fn configured(&self) -> bool {
        false
    }
}

/// The sender a server starts with, by its `[sms]` settings (or `ZAOFAXIAN_SMS*`):
/// `tencent` texts through Tencent Cloud SMS (see `crate::sms`); `log` writes codes to
/// the log (with a loud warning); none leaves code sign-in off; anything else is refused.
pub fn sender_from_settings(sms: &crate::config::SmsSettings) -> Result<std::sync::Arc<dyn CodeSender>, String> {
    Ok(match sms.provider.as_deref().map(str::trim) {
        Some("tencent") => {
            let s = crate::sms::TencentSms::from_env(|k| sms.get(k))?;
            tracing::info!(endpoint = %s.endpoint, sign = %s.sign_name, "短信：腾讯云短信 / SMS through Tencent Cloud");
            std::sync::Arc::new(s)
        }
        Some("log") => {
            tracing::warn!(
                "ZAOFAXIAN_SMS=log：验证码写入日志，任何能读日志的人都能以农户身份登录，仅供试用 / one-time codes go to the log: anyone who reads it can sign in as a household; for trials only"
            );
            std::sync::Arc::new(LogSender)
        }
        None | Some("") => {
            tracing::warn!(
                "未配置短信发送（ZAOFAXIAN_SMS），农户验证码登录不可用；工作人员登录不受影响 / no SMS sender configured: household code sign-in is off, staff sign-in works"
            );
            std::sync::Arc::new(NoSender)
        }
        Some(other) => {
            return Err(format!(
                "未知的短信服务“{other}”（可用 tencent、log）/ unknown SMS provider “{other}” (tencent or log)"
            ));
        }
    })
}

/// The client's address when the server was started with it (`serve_on`), else none.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// The key a client is limited by: its address, except loopback, where a reverse
/// proxy on the same machine makes every client look alike (the overall limit holds).
pub fn client_key(addr: std::net::SocketAddr) -> Option<String> {
    let ip = addr.ip();
    (!ip.is_loopback()).then(|| ip.to_string())
}

pub fn too_many(retry_after: u64) -> ApiError {
    let (zh, en) = wait_in_words(retry_after);
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("尝试次数过多，请{zh}后再试"),
        format!("too many attempts: try again in {en}"),
    );
    e.retry_after = Some(retry_after);
    e
}

/// A wait as people say it ("15分钟", not "899秒"), rounded up.
pub fn wait_in_words(seconds: u64) -> (String, String) {
    let up = |unit: u64| seconds.div_ceil(unit).max(1);
    if seconds < 60 {
        (format!("{}秒", seconds.max(1)), format!("{} s", seconds.max(1)))
    } else if seconds < 3600 {
        (format!("{}分钟", up(60)), format!("{} min", up(60)))
    } else {
        (format!("{}小时", up(3600)), format!("{} h", up(3600)))
    }
}

#[cfg(test)]
mod wait_tests {
    #[test]
    fn waits_are_said_in_minutes_and_hours() {
        assert_eq!(super::wait_in_words(899).0, "15分钟");
        assert_eq!(super::wait_in_words(30).0, "30秒");
        assert_eq!(super::wait_in_words(86_000).0, "24小时");
        assert_eq!(super::wait_in_words(0).1, "1 s");
    }
}

/// Recently seen sessions, so a request costs one row read (the session epoch) instead
/// of the session and account lookup. An entry lives at most `ttl_ms`, never past the
/// session's own expiry, and serves only under the epoch it was read in: every process
/// bumps the store's epoch when it ends a session, and each request reads it (see
/// [`account_for_token`]), so a sign-out in one process is refused in all at once, even
/// by an entry put while the sign-out was under way.
#[derive(Debug)]
pub struct SessionCache {
    ttl_ms: i64,
    max_entries: usize,
    /// token hash → (account, valid until, the epoch it was read in)
    entries: Mutex<HashMap<String, (Account, i64, i64)>>,
}

impl SessionCache {
    pub fn new(ttl_ms: i64, max_entries: usize) -> Self {
        SessionCache {
            ttl_ms,
            max_entries,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached account of a session, if it was read in `epoch` and is still valid.
    pub fn get(&self, token_hash: &str, now: i64, epoch: i64) -> Option<Account> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(token_hash)
            .filter(|(_, valid_until, read_in)| now < *valid_until && *read_in == epoch)
            .map(|(a, _, _)| a.clone())
    }

    pub fn remove(&self, token_hash: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token_hash);
    }

    /// Forgets every cached session (accounts were disabled or signed out in bulk).
    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Notes a household's first village in its cached sessions (binding fills an
    /// empty village once and never changes it, so no other process can disagree).
    pub fn bind_village(&self, account_id: &str, village: DivisionCode) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for (account, _, _) in map.values_mut() {
            if account.id == account_id && account.division.is_none() {
                account.division = Some(village);
            }
        }
    }

    /// Keeps a session read from the store in `epoch`.
    pub fn put(&self, token_hash: String, account: Account, expires_at: i64, now: i64, epoch: i64) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.max_entries {
            map.retain(|_, (_, until, read_in)| now < *until && *read_in == epoch);
            if map.len() >= self.max_entries {
                map.clear();
            }
        }
        map.insert(token_hash, (account, expires_at.min(now + self.ttl_ms), epoch));
    }
}

/// The signed-in account behind a request's bearer token.
#[derive(Debug, Clone)]
pub struct Caller(pub Account);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // A bearer token (the app) or the console's session cookie (a browser; the
        // photo thumbnails on a case page come through here).
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string)
            .or_else(|| session_cookie(&parts.headers))
            .ok_or_else(ApiError::unauthenticated)?;
        account_for_token(state, &token).await.map(Caller)
    }
}

/// The name of the console's session cookie.
pub const SESSION_COOKIE: &str = "zfx_session";

/// The console session token from a `Cookie` header, if any.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            kv.trim()
                .strip_prefix(SESSION_COOKIE)?
                .strip_prefix('=')
                .map(str::to_string)
        })
}

/// Ends a session: gone from the store and from this process's cache at once.
pub async fn end_session(state: &AppState, token: &str) -> ApiResult<()> {
    let hash = token_hash(token.trim());
    state.store.end_session(&hash).await?;
    state.sessions.remove(&hash);
    Ok(())
}

/// The account behind a live session token.
pub async fn account_for_token(state: &AppState, token: &str) -> ApiResult<Account> {
    let now = state.clock.now().timestamp_millis();
    let hash = token_hash(token.trim());
    // Read first: a session ending after this read moves the epoch, so what is
    // cached now never serves past it.
    let epochs = state.store.epochs().await?;
    if epochs.reference != state.reference.get().version {
        // Another process changed the calendar or thresholds: this request, and every
        // one after it here, works with them already.
        state.reference.reload(state.store.as_ref()).await?;
    }
    let epoch = epochs.sessions;
    if let Some(account) = state.sessions.get(&hash, now, epoch) {
        return Ok(account);
    }
    let (account, expires_at) = state
        .store
        .session_account(&hash, now)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    state.sessions.put(hash, account.clone(), expires_at, now, epoch);
    Ok(account)
}

impl Caller {
    pub fn role(&self) -> Role {
        self.0.role
    }

    /// The cases this caller may see: households their own, staff their division.
    pub fn scope(&self) -> Result<Scope, ApiError> {
        match (self.0.role, self.0.division) {
            (Role::Household, _) => Ok(Scope::Owner(self.0.id.clone())),
            (Role::Admin | Role::System, _) => Err(ApiError::forbidden()),
            (_, Some(d)) => Ok(Scope::Within(d)),
            (_, None) => Err(ApiError::forbidden()),
        }
    }

    pub fn can_see(&self, case: &CaseRecord) -> bool {
        match self.scope() {
            Ok(Scope::Owner(id)) => case.owner_account.as_deref() == Some(id.as_str()),
            Ok(Scope::Within(d)) => d.contains(case.division),
            // No caller is ever given the system's scope.
            Ok(Scope::All) => false,
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_sms_provider_is_refused_not_silently_off() {
        let mut sms = crate::config::SmsSettings {
            provider: Some("tencnet".into()),
            ..Default::default()
        };
        let Err(e) = sender_from_settings(&sms) else {
            panic!("accepted")
        };
        assert!(e.contains("tencnet"), "{e}");
        sms.provider = None;
        assert!(!sender_from_settings(&sms).unwrap().configured());
        sms.provider = Some("tencent".into());
        let Err(e) = sender_from_settings(&sms) else {
            panic!("accepted")
        };
        assert!(e.contains("ZAOFAXIAN_SMS_SECRET_ID"), "names what is missing: {e}");
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("正确的密码").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "正确的密码"));
        assert!(!verify_password(&h, "wrong"));
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn cached_sessions_expire_with_the_session_or_the_ttl() {
        let a = Account {
            id: "a".into(),
            login: "l".into(),
            name: "n".into(),
            role: Role::County,
            division: None,
            password_hash: None,
        };
        let c = SessionCache::new(30_000, 10);
        c.put("t1".into(), a.clone(), 5_000, 0, 1);
        assert!(c.get("t1", 4_999, 1).is_some());
        assert!(c.get("t1", 5_000, 1).is_none(), "never past the session's expiry");
        c.put("t2".into(), a, 1_000_000, 0, 1);
        assert!(c.get("t2", 29_999, 1).is_some());
        assert!(c.get("t2", 30_000, 1).is_none(), "re-checked after the TTL");
        // A session ended anywhere moves the epoch: what was read before is read again.
        assert!(c.get("t2", 1, 2).is_none());
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
