//! Accounts a county can manage: county and admin accounts create staff of their
//! area, disable and enable them (every session ends at once, in every server
//! process), reset a password (a new one, shown once); everyone changes their own
//! password and signs out everywhere. Every action goes into the account audit trail.

use crate::auth::{hash_password, verify_password_off_loop};
use crate::store::{Account, AccountEvent, StaffEntry, Store};
use rand::Rng;
use zaofaxian_shared::{DivisionCode, Role, Text};

/// Why an account action was refused, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub Text);

fn refuse(zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal(Text::new(zh, en))
}

impl From<crate::store::StoreError> for Refusal {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::error!(error = %e, "account management: store error");
        refuse("保存失败，请稍后重试", "saving failed: try again later")
    }
}

/// Roles an actor may create and manage, inside its own division.
pub fn manageable_roles(actor: Role) -> &'static [Role] {
    use Role::*;
    match actor {
        // A county runs the staff of its villages, townships and departments.
        County => &[VillageCadre, WorkTeam, Township, Department],
        // An administrator also creates county and administrator accounts.
        Admin => &[VillageCadre, WorkTeam, Township, Department, County, Admin],
        _ => &[],
    }
}

/// Whether `actor` may manage an account of `role` in `division`.
pub fn may_manage(actor: &Account, role: Role, division: Option<DivisionCode>) -> bool {
    manageable_roles(actor.role).contains(&role)
        && matches!((actor.division, division), (Some(a), Some(d)) if a.contains(d))
}

/// A new password, shown once: 12 characters without look-alikes (0/O, 1/l/I).
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..12)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

async fn record(
    store: &dyn Store,
    actor: &Account,
    action: &str,
    target: &Account,
    detail: &str,
    at: i64,
) -> Result<(), Refusal> {
    store
        .add_account_event(&AccountEvent {
            at,
            actor_account: actor.login.clone(),
            action: action.into(),
            target_account: target.login.clone(),
            division: target.division,
            detail: detail.into(),
        })
        .await?;
    Ok(())
}

/// The staff an actor manages (its area's accounts of the roles it may manage).
pub async fn staff_of(store: &dyn Store, actor: &Account) -> Result<Vec<StaffEntry>, Refusal> {
    let Some(area) = actor.division.filter(|_| !manageable_roles(actor.role).is_empty()) else {
        return Err(refuse("您的角色不能管理账号", "your role does not manage accounts"));
    };
    Ok(store
        .staff_within(&area.prefix())
        .await?
        .into_iter()
        .filter(|e| may_manage(actor, e.account.role, e.account.division))
        .collect())
}

/// A staff account as a manager's form gives it.
#[derive(Debug, Clone, Copy)]
pub struct NewStaff<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub division: DivisionCode,
    /// The work phone households may call; empty or absent for none.
    pub phone: Option<&'a str>,
}

/// Creates a staff account with a generated password (returned, to be shown once).
pub async fn create(
    store: &dyn Store,
    actor: &Account,
    new: NewStaff<'_>,
    at: i64,
) -> Result<(Account, String), Refusal> {
    let NewStaff {
        login,
        name,
        role,
        division,
        phone,
    } = new;
    if !may_manage(actor, role, Some(division)) {
        return Err(refuse(
            "不能在该区划创建该角色的账号",
            "you may not create that role in that division",
        ));
    }
    if name.trim().is_empty() || !zaofaxian_shared::text::is_plain_name(name.trim()) {
        return Err(refuse("姓名应为1至50个字符", "the name must be 1 to 50 characters"));
    }
    let phone = match phone.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(zaofaxian_shared::PhoneNumber::parse(p).map_err(|e| Refusal(Text::from_pair(&e.to_string())))?),
        None => None,
    };
    if store.division(division).await?.is_none() {
        return Err(refuse(
            format!("未知的区划代码：{division}"),
            format!("unknown division: {division}"),
        ));
    }
    let password = new_password();
    let account = crate::accounts::create_staff(store, login, name, role, division, &password)
        .await
        .map_err(|e| Refusal(Text::from_pair(&e)))?;
    if let Some(p) = &phone {
        store.set_staff_phone(&account.id, Some(p.as_str())).await?;
    }
    record(store, actor, "create", &account, &format!("{role:?}"), at).await?;
    Ok((account, password))
}

/// The managed account `login`, or why not.
async fn managed(store: &dyn Store, actor: &Account, login: &str) -> Result<Account, Refusal> {
    match store.account_by_login(login).await? {
        Some(a) if a.id != actor.id && may_manage(actor, a.role, a.division) => Ok(a),
        _ => Err(refuse("没有可管理的该账号", "no such account that you manage")),
    }
}

/// Disables an account (its sessions end everywhere) or enables it again.
pub async fn set_disabled(
    store: &dyn Store,
    actor: &Account,
    login: &str,
    disable: bool,
    at: i64,
) -> Result<(), Refusal> {
    let target = managed(store, actor, login).await?;
    store.set_disabled(&target.id, disable.then_some(at)).await?;
    record(
        store,
        actor,
        if disable { "disable" } else { "enable" },
        &target,
        "",
        at,
    )
    .await
}

/// A new password for a managed account (returned once); its sessions end.
pub async fn reset_password(store: &dyn Store, actor: &Account, login: &str, at: i64) -> Result<String, Refusal> {
    let target = managed(store, actor, login).await?;
    let password = new_password();
    store
        .set_password_hash(&target.id, &hash_password(&password).map_err(|e| refuse(e.clone(), e))?)
        .await?;
    store.end_account_sessions(&target.id, None).await?;
    record(store, actor, "reset_password", &target, "", at).await?;
    Ok(password)
}

/// One's own password, after the current one; other sessions end.
pub async fn change_own_password(
    store: &dyn Store,
    actor: &Account,
    current: &str,
    new: &str,
    keep_session: &str,
    at: i64,
) -> Result<(), Refusal> {
    let hash = store
        .account(&actor.id)
        .await?
        .and_then(|a| a.password_hash)
        .unwrap_or_default();
    if !verify_password_off_loop(hash, current.to_string()).await {
        return Err(refuse("当前密码不正确", "the current password is wrong"));
    }
    if new.chars().count() < 8 || new.len() > crate::api::auth::MAX_PASSWORD_BYTES {
        return Err(refuse("新密码至少8位", "the new password needs at least 8 characters"));
    }
    store
        .set_password_hash(&actor.id, &hash_password(new).map_err(|e| refuse(e.clone(), e))?)
        .await?;
    store.end_account_sessions(&actor.id, Some(keep_session)).await?;
    record(store, actor, "change_password", actor, "", at).await
}

/// Ends every session of one's own but this one.
pub async fn sign_out_everywhere(
    store: &dyn Store,
    actor: &Account,
    keep_session: &str,
    at: i64,
) -> Result<u64, Refusal> {
    let n = store.end_account_sessions(&actor.id, Some(keep_session)).await?;
    if actor.role != Role::Household {
        record(store, actor, "sign_out_everywhere", actor, &n.to_string(), at).await?;
    }
    Ok(n)
}
