//! Staff accounts and division import: what the admin CLI does.

use crate::auth::hash_password;
use crate::store::{Account, Division, Store};
use zaofaxian_shared::{DivisionCode, RecordId, Role};

pub async fn create_staff(
    store: &dyn Store,
    login: &str,
    name: &str,
    role: Role,
    division: DivisionCode,
    password: &str,
) -> Result<Account, String> {
    if matches!(role, Role::Household | Role::System) {
        return Err(
            "工作人员账号不能是农户或系统角色 / staff accounts cannot have the household or system role".into(),
        );
    }
    if password.chars().count() < 8 {
        return Err("密码至少8位 / a password needs at least 8 characters".into());
    }
    let login = login.trim();
    if login.is_empty() || login.len() > 64 || login.chars().any(char::is_whitespace) {
        return Err("用户名应为1–64个非空白字符 / a login is 1–64 characters without spaces".into());
    }
    let account = Account {
        id: RecordId::new().to_string(),
        login: login.to_string(),
        name: name.trim().to_string(),
        role,
        division: Some(division),
        password_hash: Some(hash_password(password)?),
    };
    store.create_account(&account).await.map_err(|e| match e {
        crate::store::StoreError::Conflict(l) => format!("用户名已存在：{l} / login already exists: {l}"),
        other => other.to_string(),
    })?;
    Ok(account)
}

/// A staff work phone as typed (empty clears it), checked as a mobile number.
pub fn staff_phone(typed: &str) -> Result<Option<String>, String> {
    match typed.trim() {
        "" => Ok(None),
        p => zaofaxian_shared::PhoneNumber::parse(p)
            .map(|n| Some(n.as_str().to_string()))
            .map_err(|e| format!("工作电话 / work phone: {e}")),
    }
}

/// Imports `code,name,level,parent_code` rows. Returns how many rows were imported;
/// a bad row stops the import with its line number (rows before it stay imported,
/// each is an idempotent upsert, so fixing the file and re-running is safe).
pub async fn import_divisions(store: &dyn Store, csv: &str, mut progress: impl FnMut(usize)) -> Result<usize, String> {
    let mut n = 0;
    for (i, line) in csv.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if i == 0 && line.starts_with("code") || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(',').collect();
        let bad = |why: &str| format!("第{}行 / line {}: {why}", i + 1, i + 1);
        if cols.len() < 3 {
            return Err(bad(
                "需要 code,name,level,parent_code / expected code,name,level,parent_code",
            ));
        }
        let code: DivisionCode = cols[0]
            .parse()
            .map_err(|e: zaofaxian_shared::division::DivisionError| bad(&e.to_string()))?;
        let level: zaofaxian_shared::DivisionLevel = cols[2]
            .trim()
            .parse()
            .map_err(|e: zaofaxian_shared::division::DivisionError| bad(&e.to_string()))?;
        if level != code.level() {
            return Err(bad(&format!(
                "层级 {} 与代码不符 / level {} does not match the code",
                cols[2], cols[2]
            )));
        }
        let parent = match cols.get(3).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            Some(p) => Some(
                p.parse()
                    .map_err(|e: zaofaxian_shared::division::DivisionError| bad(&e.to_string()))?,
            ),
            None => None,
        };
        if parent != code.parent() {
            return Err(bad("上级代码与代码不符 / parent does not match the code"));
        }
        store
            .upsert_division(&Division {
                code,
                name: cols[1].trim().to_string(),
                parent,
            })
            .await
            .map_err(|e| bad(&e.to_string()))?;
        n += 1;
        if n % 200 == 0 {
            progress(n);
        }
    }
    progress(n);
    Ok(n)
}
