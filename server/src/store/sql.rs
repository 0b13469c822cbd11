//! `Store` over SQL, for SQLite and PostgreSQL through sqlx's `Any` driver.

use super::exec::{Exec, Kind, Val, run_ready};
use super::write_lane::WriteLane;
use super::*;
use crate::audit::{self, AuditEntry};
use crate::limits::LimitPolicy;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, AnyRow};
// Dynamic SQL here is assembled only from constant fragments; values are always bound.
use sqlx::{AnyPool, AssertSqlSafe, Row};
use std::str::FromStr;
use std::sync::Arc;
use tokio::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Migrations per backend, embedded in the binary. Append only: a landed file is never edited
/// (its checksum is recorded and checked at start-up).
const SQLITE_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../../migrations/sqlite/0002_photos.sql")),
    (3, include_str!("../../migrations/sqlite/0003_photo_hash.sql")),
    (4, include_str!("../../migrations/sqlite/0004_households.sql")),
    (5, include_str!("../../migrations/sqlite/0005_reference_data.sql")),
    (6, include_str!("../../migrations/sqlite/0006_session_indexes.sql")),
    (7, include_str!("../../migrations/sqlite/0007_rate_limits.sql")),
    (8, include_str!("../../migrations/sqlite/0008_account_management.sql")),
    (9, include_str!("../../migrations/sqlite/0009_photo_attached_by.sql")),
    (10, include_str!("../../migrations/sqlite/0010_photo_claims.sql")),
    (11, include_str!("../../migrations/sqlite/0011_staff_phones.sql")),
    (12, include_str!("../../migrations/sqlite/0012_reminders.sql")),
    (13, include_str!("../../migrations/sqlite/0013_text_templates.sql")),
    (14, include_str!("../../migrations/sqlite/0014_case_board_columns.sql")),
    (15, include_str!("../../migrations/sqlite/0015_board_index.sql")),
    (16, include_str!("../../migrations/sqlite/0016_board_rows.sql")),
];
const POSTGRES_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (2, include_str!("../../migrations/postgres/0002_photos.sql")),
    (3, include_str!("../../migrations/postgres/0003_photo_hash.sql")),
    (4, include_str!("../../migrations/postgres/0004_households.sql")),
    (5, include_str!("../../migrations/postgres/0005_reference_data.sql")),
    (6, include_str!("../../migrations/postgres/0006_session_indexes.sql")),
    (7, include_str!("../../migrations/postgres/0007_rate_limits.sql")),
    (8, include_str!("../../migrations/postgres/0008_account_management.sql")),
    (9, include_str!("../../migrations/postgres/0009_photo_attached_by.sql")),
    (10, include_str!("../../migrations/postgres/0010_photo_claims.sql")),
    (11, include_str!("../../migrations/postgres/0011_staff_phones.sql")),
    (12, include_str!("../../migrations/postgres/0012_reminders.sql")),
    (13, include_str!("../../migrations/postgres/0013_text_templates.sql")),
    (
        14,
        include_str!("../../migrations/postgres/0014_case_board_columns.sql"),
    ),
    (15, include_str!("../../migrations/postgres/0015_board_index.sql")),
    (16, include_str!("../../migrations/postgres/0016_board_rows.sql")),
];

#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer: serialising writes here avoids busy errors and
    /// lock-upgrade deadlocks between concurrent transactions.
    write_lock: Option<Arc<Mutex<()>>>,
    /// SQLite in a file: case writes go through their own thread (see `write_lane.rs`).
    lane: Option<Arc<WriteLane>>,
}

fn role_str(r: Role) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn parse_role(s: &str) -> StoreResult<Role> {
    serde_json::from_value(serde_json::Value::String(s.into())).map_err(|_| StoreError::Corrupt(format!("role {s}")))
}

fn level_str(l: zaofaxian_shared::reminders::Level) -> String {
    serde_json::to_value(l)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn text_from(r: &AnyRow) -> StoreResult<TextRow> {
    Ok(TextRow {
        key: r.try_get("key")?,
        phone: r.try_get("phone")?,
        body: r.try_get("body")?,
        // Empty for a text recorded before templates: it cannot be sent by one.
        message: serde_json::from_str(&r.try_get::<String, _>("message")?).ok(),
        account_id: r.try_get("account_id")?,
        case_id: r.try_get("case_id")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
        attempts: r.try_get("attempts")?,
        error: r.try_get("error")?,
    })
}

/// A `divisions` row read with its code, name and parent.
fn division_from(r: &AnyRow) -> StoreResult<Division> {
    Ok(Division {
        code: parse_division(Some(r.try_get("code")?))?.ok_or_else(|| StoreError::Corrupt("division".into()))?,
        name: r.try_get("name")?,
        parent: parse_division(r.try_get("parent")?)?,
    })
}

fn parse_division(s: Option<String>) -> StoreResult<Option<DivisionCode>> {
    s.map(|s| DivisionCode::from_str(&s).map_err(|_| StoreError::Corrupt(format!("division {s}"))))
        .transpose()
}

fn account_from(row: &AnyRow) -> StoreResult<Account> {
    Ok(Account {
        id: row.try_get("id")?,
        login: row.try_get("login")?,
        name: row.try_get("name")?,
        role: parse_role(&row.try_get::<String, _>("role")?)?,
        division: parse_division(row.try_get("division")?)?,
        password_hash: row.try_get("password_hash")?,
    })
}

fn case_from(row: &AnyRow) -> StoreResult<CaseRecord> {
    let state: String = row.try_get("state_json")?;
    let report: String = row.try_get("report_json")?;
    let division: String = row.try_get("division")?;
    Ok(CaseRecord {
        id: row.try_get("id")?,
        division: division
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("division {division}")))?,
        owner_account: row.try_get("owner_account")?,
        profile_id: row.try_get("profile_id")?,
        state: serde_json::from_str(&state).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        report: serde_json::from_str(&report).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        photos_missing: row.try_get("photos_missing")?,
        household: None,
    })
}

fn photo_from(row: &AnyRow) -> StoreResult<PhotoRecord> {
    Ok(PhotoRecord {
        sha256: row.try_get("sha256")?,
        size: row.try_get("size")?,
        received: row.try_get("received")?,
        complete: row.try_get::<i64, _>("complete")? != 0,
        width: row.try_get("width")?,
        height: row.try_get("height")?,
        uploader: row.try_get("uploader")?,
    })
}

const PHOTO_COLUMNS: &str = "sha256, size, received, complete, width, height, uploader";

const CASE_COLUMNS: &str = "cases.id, cases.division, cases.owner_account, cases.profile_id, cases.state_json, cases.report_json, \
     (SELECT COUNT(*) FROM case_photos cp LEFT JOIN photos p ON p.sha256 = cp.sha256 \
      WHERE cp.case_id = cases.id AND (p.complete IS NULL OR p.complete = 0)) AS photos_missing";

/// The `WHERE` clause limiting `table` (which has `division` and `owner_account`) to a scope.
fn scope_sql(scope: &Scope, placeholder: usize, table: &str) -> (String, String) {
    match scope {
        Scope::Within(d) => (
            format!("{table}.division LIKE ${placeholder}"),
            format!("{}%", d.prefix()),
        ),
        Scope::Owner(o) => (format!("{table}.owner_account = ${placeholder}"), o.clone()),
        Scope::All => (format!("{table}.division LIKE ${placeholder}"), "%".to_string()),
    }
}

impl SqlStore {
    /// Connects by URL: `sqlite://path/to/file.db` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> StoreResult<SqlStore> {
        Self::connect_with(url, None).await
    }

    /// Connects with `pool` connections, or the backend's default: 8 for SQLite (one
    /// writer at a time; the rest read), and for PostgreSQL four per core of this
    /// machine, 4 to 32. (More connections than the cores can serve only queue in the
    /// kernel: on 2 cores, 500 phones pushing back to back, 8 connections answered
    /// p99 0.7 s and 32 answered 1.5 s, 2026-12-02.)
    pub async fn connect_with(url: &str, pool: Option<u32>) -> StoreResult<SqlStore> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Corrupt(format!(
                "数据库地址应以 sqlite: 或 postgres: 开头 / database URL must start with sqlite: or postgres: ({url})"
            )));
        };
        if backend == Backend::Sqlite && !url.contains(":memory:") {
            // A fresh machine has no data directory yet: make it, as the embedded default promises.
            let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            if let Some(parent) = std::path::Path::new(path)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
            {
                crate::photos::private_dir(parent)
                    .map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", parent.display())))?;
            }
        }
        let url = if backend == Backend::Sqlite && !url.contains(":memory:") && !url.contains("mode=") {
            format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
        } else {
            url.to_string()
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        let pool = pool.unwrap_or(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => (4 * cores).clamp(4, 32),
        });
        // No idle or age reaping: sqlx 0.9.0's reaper can read a wrapped idle count
        // and spin a core for ever (sqlx issue 3645; seen here in a load run,
        // 2026-12-02). Connections stay open; a broken one is found when acquired.
        let options = AnyPoolOptions::new()
            .max_connections(pool)
            .idle_timeout(None)
            .max_lifetime(None);
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL: readers never wait for the writer; NORMAL is durable across app crashes.
                    sqlx::raw_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;")
                        .execute(conn)
                        .await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(&url).await?;
        let write_lock = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        let mut lane = None;
        if let Some(lock) = &write_lock
            && !url.contains(":memory:")
        {
            // The database holds ID numbers and phones: readable by this service only.
            let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            crate::photos::restrict(std::path::Path::new(path), 0o600)
                .map_err(|e| StoreError::Corrupt(format!("cannot restrict {path}: {e}")))?;
            lane = Some(Arc::new(WriteLane::open(std::path::Path::new(path), lock.clone())?));
        }
        Ok(SqlStore {
            pool,
            backend,
            write_lock,
            lane,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool (a command that copies the file next).
    pub async fn close(&self) {
        if let Some(lane) = self.lane.clone() {
            // Joining waits for the lane's last commit: off the async threads.
            let _ = tokio::task::spawn_blocking(move || lane.close()).await;
        }
        self.pool.close().await;
    }

    /// SQLite only: a consistent copy of the whole database in a new file at `path`,
    /// taken while others go on reading and writing (`VACUUM INTO` reads one snapshot).
    pub async fn snapshot_into(&self, path: &std::path::Path) -> StoreResult<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Corrupt("snapshot_into is for SQLite".into()));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The photos and voice notes held in full, by hash.
    pub async fn complete_photos(&self) -> StoreResult<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT sha256 FROM photos WHERE complete = 1 ORDER BY sha256")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn write_guard(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.write_lock {
            Some(m) => Some(m.lock().await),
            None => None,
        }
    }

    /// Board rows for the open cases that have none: those opened before the board
    /// table (migration 16). The caller holds the write guard.
    async fn fill_board_rows(&self) -> StoreResult<()> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE stage <> 'closed'
               AND NOT EXISTS (SELECT 1 FROM board_rows b WHERE b.case_id = cases.id)"
        )))
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for r in &rows {
            let c = case_from(r)?;
            let row = BoardRow::of(&c.id, c.division, &c.report, &c.state);
            put_board_row(&mut *tx, &row, PutRow::Fill).await?;
        }
        tx.commit().await?;
        tracing::info!(cases = rows.len(), "board rows filled in for open cases");
        Ok(())
    }
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

#[async_trait]
impl Store for SqlStore {
    async fn migrate(&self) -> StoreResult<()> {
        let _w = self.write_guard().await;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, checksum TEXT NOT NULL)",
        )
        .execute(&self.pool)
        .await?;
        let migrations = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        };
        for (version, sql) in migrations {
            let applied: Option<String> =
                sqlx::query_scalar("SELECT checksum FROM schema_migrations WHERE version = $1")
                    .bind(*version)
                    .fetch_optional(&self.pool)
                    .await?;
            match applied {
                Some(sum) if sum == checksum(sql) => continue,
                Some(_) => {
                    return Err(StoreError::Corrupt(format!(
                        "migration {version} was edited after it was applied; add a new migration instead"
                    )));
                }
                None => {
                    let mut tx = self.pool.begin().await?;
                    sqlx::raw_sql(*sql).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)")
                        .bind(*version)
                        .bind(checksum(sql))
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                }
            }
        }
        self.fill_board_rows().await
    }

    async fn upsert_division(&self, d: &Division) -> StoreResult<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO divisions (code, name, level, parent) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, parent = excluded.parent",
        )
        .bind(d.code.to_string())
        .bind(&d.name)
        .bind(format!("{:?}", d.code.level()).to_lowercase())
        .bind(d.parent.map(|p| p.to_string()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn division(&self, code: DivisionCode) -> StoreResult<Option<Division>> {
        let row = sqlx::query("SELECT code, name, parent FROM divisions WHERE code = $1")
            .bind(code.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(division_from).transpose()
    }

    async fn divisions_within(&self, area: DivisionCode) -> StoreResult<Vec<Division>> {
        let rows = sqlx::query("SELECT code, name, parent FROM divisions WHERE code LIKE $1 ORDER BY code")
            .bind(format!("{}%", area.prefix()))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(division_from).collect()
    }

    async fn child_divisions(&self, parent: DivisionCode) -> StoreResult<Vec<Division>> {
        let rows = sqlx::query("SELECT code, name, parent FROM divisions WHERE parent = $1 ORDER BY code")
            .bind(parent.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(division_from).collect()
    }

    async fn create_account(&self, a: &Account) -> StoreResult<()> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "INSERT INTO accounts (id, login, name, role, division, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (login) DO NOTHING",
        )
        .bind(&a.id)
        .bind(&a.login)
        .bind(&a.name)
        .bind(role_str(a.role))
        .bind(a.division.map(|d| d.to_string()))
        .bind(a.password_hash.clone())
        .bind(chrono::Utc::now().timestamp_millis())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(a.login.clone()));
        }
        Ok(())
    }

    async fn account_by_login(&self, login: &str) -> StoreResult<Option<Account>> {
        let row = sqlx::query("SELECT id, login, name, role, division, password_hash FROM accounts WHERE login = $1")
            .bind(login)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_from).transpose()
    }

    async fn account(&self, id: &str) -> StoreResult<Option<Account>> {
        let row = sqlx::query("SELECT id, login, name, role, division, password_hash FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_from).transpose()
    }

    async fn bind_household_village(&self, account_id: &str, village: DivisionCode) -> StoreResult<DivisionCode> {
        if let Some(lane) = &self.lane {
            let account_id = account_id.to_string();
            return lane
                .run(move |db| run_ready(bind_village(db, &account_id, village)))
                .await;
        }
        let _w = self.write_guard().await;
        bind_village(&mut *self.pool.acquire().await?, account_id, village).await
    }

    async fn create_session(&self, token_hash: &str, account_id: &str, expires_at: i64) -> StoreResult<()> {
        let _w = self.write_guard().await;
        sqlx::query("INSERT INTO sessions (token_hash, account_id, expires_at, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(account_id)
            .bind(expires_at)
            .bind(chrono::Utc::now().timestamp_millis())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn staff_within(&self, prefix: &str) -> StoreResult<Vec<StaffEntry>> {
        let rows = sqlx::query(
            "SELECT id, login, name, role, division, password_hash, disabled_at FROM accounts
             WHERE role <> 'household' AND division LIKE $1 ORDER BY division, login",
        )
        .bind(format!("{prefix}%"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StaffEntry {
                    account: account_from(r)?,
                    disabled_at: r.try_get("disabled_at")?,
                })
            })
            .collect()
    }

    async fn set_staff_phone(&self, id: &str, phone: Option<&str>) -> StoreResult<()> {
        let _w = self.write_guard().await;
        match phone {
            Some(p) => sqlx::query(
                "INSERT INTO staff_phones (account_id, phone) VALUES ($1, $2)
                 ON CONFLICT (account_id) DO UPDATE SET phone = excluded.phone",
            )
            .bind(id)
            .bind(p),
            None => sqlx::query("DELETE FROM staff_phones WHERE account_id = $1").bind(id),
        }
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn staff_phone(&self, id: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT phone FROM staff_phones WHERE account_id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn account_disabled(&self, id: &str) -> StoreResult<bool> {
        let at: Option<Option<i64>> = sqlx::query_scalar("SELECT disabled_at FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(at.flatten().is_some())
    }

    async fn set_disabled(&self, id: &str, disabled_at: Option<i64>) -> StoreResult<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE accounts SET disabled_at = $1 WHERE id = $2")
            .bind(disabled_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if disabled_at.is_some() {
            sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE session_epoch SET epoch = epoch + 1 WHERE id = 1")
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_password_hash(&self, id: &str, hash: &str) -> StoreResult<()> {
        let _w = self.write_guard().await;
        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn end_account_sessions(&self, id: &str, except: Option<&str>) -> StoreResult<u64> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
            .bind(id)
            .bind(except.unwrap_or(""))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("UPDATE session_epoch SET epoch = epoch + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn epochs(&self) -> StoreResult<Epochs> {
        let row = sqlx::query(
            "SELECT (SELECT epoch FROM session_epoch WHERE id = 1) AS sessions,
                    (SELECT version FROM reference_version WHERE id = 1) AS reference",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Epochs {
            sessions: row.try_get("sessions")?,
            reference: row.try_get("reference")?,
        })
    }

    async fn account_sessions(&self, id: &str, now: i64) -> StoreResult<Vec<SessionInfo>> {
        let rows = sqlx::query(
            "SELECT token_hash, created_at, expires_at FROM sessions WHERE account_id = $1 AND expires_at > $2
             ORDER BY created_at DESC",
        )
        .bind(id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionInfo {
                    token_hash: r.try_get("token_hash")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                })
            })
            .collect()
    }

    async fn add_account_event(&self, e: &AccountEvent) -> StoreResult<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO account_events (at, actor_account, action, target_account, division, detail)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(e.at)
        .bind(&e.actor_account)
        .bind(&e.action)
        .bind(&e.target_account)
        .bind(e.division.map(|d| d.to_string()))
        .bind(&e.detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn account_events(&self, prefix: &str, limit: i64) -> StoreResult<Vec<AccountEvent>> {
        let rows = sqlx::query(
            "SELECT at, actor_account, action, target_account, division, detail FROM account_events
             WHERE division LIKE $1 ORDER BY seq DESC LIMIT $2",
        )
        .bind(format!("{prefix}%"))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AccountEvent {
                    at: r.try_get("at")?,
                    actor_account: r.try_get("actor_account")?,
                    action: r.try_get("action")?,
                    target_account: r.try_get("target_account")?,
                    division: parse_division(r.try_get("division")?)?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    async fn purge_sessions(&self, now: i64) -> StoreResult<u64> {
        let _w = self.write_guard().await;
        // Limit counts older than the longest window (a day) are spent too.
        sqlx::query("DELETE FROM rate_limits WHERE updated_at <= $1")
            .bind(now - 24 * 3600 * 1000)
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    async fn limit_attempts(
        &self,
        checks: &[(String, LimitPolicy)],
        now: i64,
    ) -> StoreResult<Result<(), (usize, u64)>> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let decided = use_up_limits(&mut *tx, checks, now).await?;
        if decided.is_err() {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(decided)
    }

    async fn clear_attempts(&self, key: &str) -> StoreResult<()> {
        let _w = self.write_guard().await;
        sqlx::query("DELETE FROM rate_limits WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn end_session(&self, token_hash: &str) -> StoreResult<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        // Other processes drop their cached sessions when the epoch moves.
        if ended.rows_affected() > 0 {
            sqlx::query("UPDATE session_epoch SET epoch = epoch + 1 WHERE id = 1")
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn session_account(&self, token_hash: &str, now: i64) -> StoreResult<Option<(Account, i64)>> {
        let row = sqlx::query(
            "SELECT a.id, a.login, a.name, a.role, a.division, a.password_hash, s.expires_at
             FROM sessions s JOIN accounts a ON a.id = s.account_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(|r| Ok((account_from(r)?, r.try_get("expires_at")?)))
            .transpose()
    }

    async fn put_otp(&self, phone: &str, client: &str, code_hash: &str, expires_at: i64, now: i64) -> StoreResult<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let lock = if self.backend == Backend::Postgres {
            " FOR UPDATE"
        } else {
            ""
        };
        let old: Option<String> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT code_hash FROM otp_codes WHERE phone = $1{lock}"
        )))
        .bind(phone)
        .fetch_optional(&mut *tx)
        .await?;
        let (codes, until) = crate::auth::with_code(old.as_deref(), client, code_hash, expires_at, now);
        sqlx::query(
            "INSERT INTO otp_codes (phone, code_hash, expires_at, attempts) VALUES ($1, $2, $3, 0)
             ON CONFLICT (phone) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0",
        )
        .bind(phone)
        .bind(codes)
        .bind(until)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn otp_attempt(&self, phone: &str) -> StoreResult<Option<(String, i64, i64)>> {
        let _w = self.write_guard().await;
        let row = sqlx::query(
            "UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = $1 RETURNING code_hash, expires_at, attempts",
        )
        .bind(phone)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok((
                r.try_get("code_hash")?,
                r.try_get("expires_at")?,
                r.try_get("attempts")?,
            ))
        })
        .transpose()
    }

    async fn delete_otp(&self, phone: &str) -> StoreResult<()> {
        let _w = self.write_guard().await;
        sqlx::query("DELETE FROM otp_codes WHERE phone = $1")
            .bind(phone)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn replay_answer(&self, record_id: &str) -> StoreResult<Option<WriteAnswer>> {
        let json: Option<String> = sqlx::query_scalar("SELECT response_json FROM sync_records WHERE record_id = $1")
            .bind(record_id)
            .fetch_optional(&self.pool)
            .await?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    async fn sent_record(&self, record_id: &str) -> StoreResult<Option<(String, WriteAnswer)>> {
        let row = sqlx::query("SELECT account_id, response_json FROM sync_records WHERE record_id = $1")
            .bind(record_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let answer: String = row.try_get("response_json")?;
        let answer = serde_json::from_str(&answer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some((row.try_get("account_id")?, answer)))
    }

    async fn write_case_within(
        &self,
        claim: Option<&SyncClaim>,
        write: &CaseWrite,
        entry: &NewEntry,
        limits: &[(String, LimitPolicy)],
    ) -> StoreResult<WriteOutcome> {
        if let Some(lane) = &self.lane {
            let (claim, write, entry, limits) = (claim.cloned(), write.clone(), entry.clone(), limits.to_vec());
            return lane
                .run(move |db| run_ready(write_case(db, claim.as_ref(), &write, &entry, &limits)))
                .await;
        }
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let outcome = write_case(&mut *tx, claim, write, entry, limits).await;
        if let Ok(WriteOutcome::Stored(_)) = outcome {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        outcome
    }

    async fn case(&self, id: &str) -> StoreResult<Option<CaseRecord>> {
        let row = sqlx::query(AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(case_from).transpose()
    }

    async fn cases(&self, filter: &CaseFilter) -> StoreResult<Vec<CaseRecord>> {
        let (scope, scope_bind) = scope_sql(&filter.scope, 1, "cases");
        let mut sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE {scope}");
        if filter.stage.is_some() {
            sql.push_str(" AND stage = $2");
        }
        if filter.open_only {
            sql.push_str(" AND stage <> 'closed'");
        }
        sql.push_str(" ORDER BY due_date IS NULL, due_date, id");
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(scope_bind);
        if let Some(stage) = &filter.stage {
            q = q.bind(stage.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(case_from).collect()
    }

    async fn history(&self, case_id: &str) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT case_id, seq, at, actor_account, actor_role, entry_json, prev_hash, hash
             FROM case_events WHERE case_id = $1 ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let json: String = r.try_get("entry_json")?;
                Ok(AuditEntry {
                    case_id: r.try_get("case_id")?,
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    actor_account: r.try_get("actor_account")?,
                    actor_role: r.try_get("actor_role")?,
                    entry: serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    prev_hash: r.try_get("prev_hash")?,
                    hash: r.try_get("hash")?,
                })
            })
            .collect()
    }

    async fn start_photo(&self, sha256: &str, size: i64, uploader: &str, now: i64) -> StoreResult<PhotoRecord> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO photos (sha256, size, received, complete, uploader, created_at) VALUES ($1, $2, 0, 0, $3, $4)
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(sha256)
        .bind(size)
        .bind(uploader)
        .bind(now)
        .execute(&self.pool)
        .await?;
        drop(_w);
        let p = self.photo(sha256).await?.ok_or(StoreError::NotFound)?;
        if p.size != size {
            return Err(StoreError::Conflict(format!("photo {sha256} has size {}", p.size)));
        }
        Ok(p)
    }

    async fn photo(&self, sha256: &str) -> StoreResult<Option<PhotoRecord>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PHOTO_COLUMNS} FROM photos WHERE sha256 = $1"
        )))
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(photo_from).transpose()
    }

    async fn unfinished_uploads(&self, uploader: &str) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes FROM (
                 SELECT size FROM photos WHERE uploader = $1 AND complete = 0
                 UNION ALL SELECT size FROM photo_claims WHERE account_id = $1) AS u",
        )
        .bind(uploader)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("n")?, row.try_get("bytes")?))
    }

    async fn drop_stale_uploads(&self, before: i64) -> StoreResult<Vec<String>> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let stale: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM photos WHERE complete = 0 AND created_at < $1")
            .bind(before)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM photos WHERE complete = 0 AND created_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?;
        let claims = sqlx::query("SELECT sha256, account_id FROM photo_claims WHERE created_at < $1")
            .bind(before)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM photo_claims WHERE created_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut names = stale;
        for r in &claims {
            let (sha, account): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            names.push(crate::photos::claim_file_name(&sha, &account));
        }
        Ok(names)
    }

    async fn start_claim(&self, sha256: &str, account_id: &str, size: i64, now: i64) -> StoreResult<PhotoClaim> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO photo_claims (sha256, account_id, size, received, created_at) VALUES ($1, $2, $3, 0, $4)
             ON CONFLICT (sha256, account_id) DO UPDATE SET size = $3, received = 0, created_at = $4
             WHERE photo_claims.size <> $3",
        )
        .bind(sha256)
        .bind(account_id)
        .bind(size)
        .bind(now)
        .execute(&self.pool)
        .await?;
        drop(_w);
        self.claim(sha256, account_id).await?.ok_or(StoreError::NotFound)
    }

    async fn claim(&self, sha256: &str, account_id: &str) -> StoreResult<Option<PhotoClaim>> {
        let row = sqlx::query("SELECT size, received FROM photo_claims WHERE sha256 = $1 AND account_id = $2")
            .bind(sha256)
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(PhotoClaim {
                sha256: sha256.to_string(),
                account_id: account_id.to_string(),
                size: r.try_get("size")?,
                received: r.try_get("received")?,
            })
        })
        .transpose()
    }

    async fn claim_received(&self, sha256: &str, account_id: &str, from: i64, to: i64) -> StoreResult<()> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "UPDATE photo_claims SET received = $1 WHERE sha256 = $2 AND account_id = $3 AND received = $4",
        )
        .bind(to)
        .bind(sha256)
        .bind(account_id)
        .bind(from)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        Ok(())
    }

    async fn settle_claim(&self, sha256: &str, account_id: &str, matched: bool) -> StoreResult<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        if matched {
            sqlx::query("DELETE FROM photo_claims WHERE sha256 = $1 AND account_id = $2")
                .bind(sha256)
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO photo_grants (sha256, account_id) VALUES ($1, $2) ON CONFLICT (sha256, account_id) DO NOTHING",
            )
            .bind(sha256)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("UPDATE photo_claims SET received = 0 WHERE sha256 = $1 AND account_id = $2")
                .bind(sha256)
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn photo_granted(&self, sha256: &str, account_id: &str) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT sha256 FROM photos WHERE sha256 = $1 AND uploader = $2
             UNION ALL SELECT sha256 FROM photo_grants WHERE sha256 = $1 AND account_id = $2) AS g",
        )
        .bind(sha256)
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    async fn photo_received(&self, sha256: &str, from: i64, to: i64) -> StoreResult<()> {
        let _w = self.write_guard().await;
        let done = sqlx::query("UPDATE photos SET received = $1 WHERE sha256 = $2 AND received = $3 AND complete = 0")
            .bind(to)
            .bind(sha256)
            .bind(from)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        Ok(())
    }

    async fn photo_verified(&self, sha256: &str, verified: Option<VerifiedPhoto<'_>>) -> StoreResult<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let q = match verified {
            Some(v) => sqlx::query(
                "UPDATE photos SET complete = 1, width = $1, height = $2, perceptual_hash = $3 WHERE sha256 = $4",
            )
            .bind(v.width)
            .bind(v.height)
            .bind(v.perceptual_hash)
            .bind(sha256),
            None => sqlx::query("UPDATE photos SET received = 0, complete = 0 WHERE sha256 = $1").bind(sha256),
        };
        q.execute(&mut *tx).await?;
        // The boards of the cases naming this photo count it as arrived (or not).
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE board_rows SET photos_missing = {} WHERE case_id IN (SELECT case_id FROM case_photos WHERE sha256 = $1)",
            photos_missing_sql("board_rows.case_id")
        )))
        .bind(sha256)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn upsert_households(&self, list: &[Household], area: &str, now: i64) -> StoreResult<Vec<String>> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let mut elsewhere = Vec::new();
        for h in list {
            let written = sqlx::query(
                "INSERT INTO households (national_id, name, village, grp, lat, lon, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (national_id) DO UPDATE SET name = excluded.name, village = excluded.village,
                   grp = excluded.grp, lat = excluded.lat, lon = excluded.lon, updated_at = excluded.updated_at
                 WHERE households.village LIKE $8",
            )
            .bind(&h.national_id)
            .bind(&h.name)
            .bind(h.village.to_string())
            .bind(&h.group)
            .bind(h.location.map(|p| p.lat))
            .bind(h.location.map(|p| p.lon))
            .bind(now)
            .bind(format!("{area}%"))
            .execute(&mut *tx)
            .await?;
            if written.rows_affected() == 0 {
                elsewhere.push(h.national_id.clone());
            }
        }
        tx.commit().await?;
        Ok(elsewhere)
    }

    async fn households(&self, prefix: &str) -> StoreResult<Vec<Household>> {
        let rows = sqlx::query(
            "SELECT national_id, name, village, grp, lat, lon FROM households WHERE village LIKE $1 ORDER BY national_id",
        )
        .bind(format!("{prefix}%"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(household_from).collect()
    }

    async fn household(&self, national_id: &str) -> StoreResult<Option<Household>> {
        let row =
            sqlx::query("SELECT national_id, name, village, grp, lat, lon FROM households WHERE national_id = $1")
                .bind(national_id)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(household_from).transpose()
    }

    async fn area_photo_hashes(&self, prefix: &str) -> StoreResult<Vec<PhotoHash>> {
        let rows = sqlx::query(
            "SELECT x.case_id, p.sha256, p.perceptual_hash FROM photos p
             JOIN case_photos x ON x.sha256 = p.sha256 JOIN cases c ON c.id = x.case_id
             WHERE p.complete = 1 AND p.perceptual_hash IS NOT NULL AND c.division LIKE $1",
        )
        .bind(format!("{prefix}%"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PhotoHash {
                    case_id: r.try_get(0)?,
                    sha256: r.try_get(1)?,
                    perceptual_hash: r.try_get(2)?,
                })
            })
            .collect()
    }

    async fn photo_cases(&self, sha256: &str) -> StoreResult<Vec<CaseRecord>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases JOIN case_photos x ON x.case_id = cases.id WHERE x.sha256 = $1
             AND (x.attached_by IS NULL OR x.attached_by = (SELECT uploader FROM photos WHERE sha256 = $1)
                  OR x.attached_by IN (SELECT account_id FROM photo_grants WHERE sha256 = $1))"
        )))
        .bind(sha256)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(case_from).collect()
    }

    async fn reference_version(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT version FROM reference_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn reference_data(&self) -> StoreResult<ReferenceData> {
        // One transaction, so a concurrent import is seen whole or not at all.
        let mut tx = self.pool.begin().await?;
        let version: i64 = sqlx::query_scalar("SELECT version FROM reference_version WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let years = sqlx::query("SELECT year, source, loaded_at, loaded_by FROM calendar_years ORDER BY year")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| {
                Ok(CalendarYearInfo {
                    year: i32::try_from(r.try_get::<i64, _>("year")?)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    source: r.try_get("source")?,
                    loaded_at: r.try_get("loaded_at")?,
                    loaded_by: r.try_get("loaded_by")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let days = sqlx::query("SELECT date, kind, name, year FROM calendar_days ORDER BY date")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| {
                let corrupt = |e: String| StoreError::Corrupt(format!("calendar_days: {e}"));
                let date: String = r.try_get("date")?;
                let kind: String = r.try_get("kind")?;
                Ok(CalendarRow {
                    date: date.parse().map_err(|e: chrono::ParseError| corrupt(e.to_string()))?,
                    kind: serde_json::from_value(serde_json::Value::String(kind))
                        .map_err(|e| corrupt(e.to_string()))?,
                    name: r.try_get("name")?,
                    year: i32::try_from(r.try_get::<i64, _>("year")?).map_err(|e| corrupt(e.to_string()))?,
                    line: 0,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let thresholds =
            sqlx::query("SELECT region, year, fen, source, set_at, set_by FROM thresholds ORDER BY region, year")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| {
                    let corrupt = |e: String| StoreError::Corrupt(format!("thresholds: {e}"));
                    let region: String = r.try_get("region")?;
                    Ok(ThresholdInfo {
                        threshold: Threshold {
                            region: region
                                .parse()
                                .map_err(|e: zaofaxian_shared::division::DivisionError| corrupt(e.to_string()))?,
                            year: i32::try_from(r.try_get::<i64, _>("year")?).map_err(|e| corrupt(e.to_string()))?,
                            amount: zaofaxian_shared::Fen(r.try_get("fen")?),
                            source: r.try_get("source")?,
                        },
                        set_at: r.try_get("set_at")?,
                        set_by: r.try_get("set_by")?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
        tx.commit().await?;
        Ok(ReferenceData {
            version,
            years,
            days,
            thresholds,
        })
    }

    async fn seed_reference(&self, rows: &[CalendarRow], thresholds: &[Threshold], now: i64) -> StoreResult<bool> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let mut added = false;
        let years: std::collections::BTreeSet<i32> = rows.iter().map(|r| r.year).collect();
        for year in years {
            let inserted = sqlx::query(
                "INSERT INTO calendar_years (year, source, loaded_at, loaded_by) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (year) DO NOTHING",
            )
            .bind(i64::from(year))
            .bind(format!("国务院办公厅关于{year}年部分节假日安排的通知（随程序发布）"))
            .bind(now)
            .bind(SHIPPED)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                continue;
            }
            added = true;
            for r in rows.iter().filter(|r| r.year == year) {
                insert_day(&mut tx, r).await?;
            }
        }
        for t in thresholds {
            let inserted = sqlx::query(
                "INSERT INTO thresholds (region, year, fen, source, set_at, set_by) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (region, year) DO NOTHING",
            )
            .bind(t.region.to_string())
            .bind(i64::from(t.year))
            .bind(t.amount.0)
            .bind(&t.source)
            .bind(now)
            .bind(SHIPPED)
            .execute(&mut *tx)
            .await?;
            added |= inserted.rows_affected() > 0;
        }
        if added {
            bump_reference_version(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn change_reference(
        &self,
        change: &ReferenceChange,
        by: &str,
        at: i64,
        amendments: &[Amendment],
    ) -> StoreResult<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        match change {
            ReferenceChange::CalendarYears { rows, source } => {
                let years: std::collections::BTreeSet<i32> = rows.iter().map(|r| r.year).collect();
                for year in years {
                    sqlx::query("DELETE FROM calendar_days WHERE year = $1")
                        .bind(i64::from(year))
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "INSERT INTO calendar_years (year, source, loaded_at, loaded_by) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (year) DO UPDATE SET source = $2, loaded_at = $3, loaded_by = $4",
                    )
                    .bind(i64::from(year))
                    .bind(source)
                    .bind(at)
                    .bind(by)
                    .execute(&mut *tx)
                    .await?;
                }
                for r in rows {
                    insert_day(&mut tx, r).await?;
                }
            }
            ReferenceChange::Threshold(t) => {
                sqlx::query(
                    "INSERT INTO thresholds (region, year, fen, source, set_at, set_by) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (region, year) DO UPDATE SET fen = $3, source = $4, set_at = $5, set_by = $6",
                )
                .bind(t.region.to_string())
                .bind(i64::from(t.year))
                .bind(t.amount.0)
                .bind(&t.source)
                .bind(at)
                .bind(by)
                .execute(&mut *tx)
                .await?;
            }
        }
        for a in amendments {
            let write = CaseWrite::Update {
                case_id: a.case_id.clone(),
                expected_version: a.expected_version,
                state: a.state.clone(),
            };
            write_in(&mut *tx, &write, &a.entry).await?;
        }
        bump_reference_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn changes_since(&self, cursor: i64, scope: &Scope, limit: i64) -> StoreResult<(Vec<CaseRecord>, i64)> {
        let (clause, bind) = scope_sql(scope, 3, "changes");
        // The newest change per case after the cursor, oldest first, so a device can page.
        let sql = format!(
            "SELECT {CASE_COLUMNS}, m.seq AS change_seq FROM cases
             JOIN (SELECT case_id, MAX(seq) AS seq FROM changes WHERE seq > $1 AND {clause} GROUP BY case_id) m
               ON m.case_id = cases.id
             ORDER BY m.seq LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(cursor)
            .bind(limit)
            .bind(bind)
            .fetch_all(&self.pool)
            .await?;
        let mut next = cursor;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            next = next.max(r.try_get::<i64, _>("change_seq")?);
            out.push(case_from(r)?);
        }
        Ok((out, next))
    }

    async fn put_text(&self, t: &NewText) -> StoreResult<bool> {
        let _w = self.write_guard().await;
        insert_text(&mut *self.pool.acquire().await?, t).await
    }

    async fn claim_texts(&self, now: i64, stale_before: i64, limit: i64) -> StoreResult<Vec<TextRow>> {
        let _w = self.write_guard().await;
        // One statement: two processes never claim the same row (PostgreSQL re-checks
        // the condition on the row it waited for; SQLite has one writer).
        let rows = sqlx::query(
            "UPDATE texts SET claimed_at = $1, attempts = attempts + 1
             WHERE key IN (SELECT key FROM texts WHERE sent_at IS NULL AND attempts < $2
                             AND (claimed_at IS NULL OR claimed_at < $3) ORDER BY created_at LIMIT $4)
               AND sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < $3)
             RETURNING key, phone, body, message, account_id, case_id, created_at, sent_at, attempts, error",
        )
        .bind(now)
        .bind(MAX_TEXT_ATTEMPTS)
        .bind(stale_before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(text_from).collect()
    }

    async fn text_done(&self, key: &str, result: Result<i64, &str>) -> StoreResult<()> {
        let _w = self.write_guard().await;
        match result {
            Ok(at) => sqlx::query("UPDATE texts SET sent_at = $1, error = NULL WHERE key = $2").bind(at),
            Err(why) => sqlx::query("UPDATE texts SET error = $1 WHERE key = $2").bind(why.to_string()),
        }
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn texts_since(&self, since: i64) -> StoreResult<Vec<TextRow>> {
        let rows = sqlx::query(
            "SELECT key, phone, body, message, account_id, case_id, created_at, sent_at, attempts, error FROM texts
             WHERE created_at >= $1 ORDER BY created_at, key",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(text_from).collect()
    }

    async fn set_texts_muted(&self, account_id: &str, at: Option<i64>) -> StoreResult<()> {
        let _w = self.write_guard().await;
        match at {
            Some(at) => sqlx::query(
                "INSERT INTO text_mutes (account_id, muted_at) VALUES ($1, $2) ON CONFLICT (account_id) DO NOTHING",
            )
            .bind(account_id)
            .bind(at),
            None => sqlx::query("DELETE FROM text_mutes WHERE account_id = $1").bind(account_id),
        }
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn muted_accounts(&self) -> StoreResult<std::collections::HashSet<String>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT account_id FROM text_mutes")
            .fetch_all(&self.pool)
            .await?;
        Ok(ids.into_iter().collect())
    }

    async fn village_counts(
        &self,
        filter: &BoardFilter,
        today: chrono::NaiveDate,
        escalated_by: chrono::NaiveDate,
    ) -> StoreResult<Vec<VillageCount>> {
        let (conditions, binds) = board_where(filter, 3, false);
        let sql = format!(
            "SELECT division, count(*) AS open,
                    sum(CASE WHEN due_date < $1 THEN 1 ELSE 0 END) AS overdue,
                    sum(CASE WHEN due_date <= $2 THEN 1 ELSE 0 END) AS escalated
             FROM board_rows WHERE {conditions} GROUP BY division ORDER BY division"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(today.to_string())
            .bind(escalated_by.to_string());
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let village: Option<String> = r.try_get("division")?;
                Ok(VillageCount {
                    village: parse_division(village)?.ok_or_else(|| StoreError::Corrupt("division".into()))?,
                    open: r.try_get("open")?,
                    overdue: r.try_get::<Option<i64>, _>("overdue")?.unwrap_or(0),
                    escalated: r.try_get::<Option<i64>, _>("escalated")?.unwrap_or(0),
                })
            })
            .collect()
    }

    async fn board_rows(
        &self,
        filter: &BoardFilter,
        after: Option<&zaofaxian_shared::wire::QueueCursor>,
        limit: Option<i64>,
    ) -> StoreResult<Vec<BoardRow>> {
        let (mut conditions, mut binds) = board_where(filter, 1, true);
        // Keyset paging in the queue's order: dated cases by date then id, then the
        // undated by id. (Dates are ISO text: text order is date order.)
        if let Some(c) = after {
            let at = 1 + binds.len();
            match &c.due {
                Some(due) => {
                    conditions.push_str(&format!(
                        " AND (board_rows.due_date IS NULL OR board_rows.due_date > ${at} \
                           OR (board_rows.due_date = ${at} AND board_rows.case_id > ${}))",
                        at + 1
                    ));
                    binds.push(due.clone());
                }
                None => conditions.push_str(&format!(
                    " AND board_rows.due_date IS NULL AND board_rows.case_id > ${at}"
                )),
            }
            binds.push(c.case_id.clone());
        }
        let limit_sql = match limit {
            Some(_) => format!(" LIMIT ${}", binds.len() + 1),
            None => String::new(),
        };
        let sql = format!(
            "SELECT row_json, photos_missing FROM board_rows WHERE {conditions}
             ORDER BY board_rows.due_date NULLS LAST, board_rows.case_id{limit_sql}"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        if let Some(n) = limit {
            q = q.bind(n);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(board_row_from).collect()
    }

    async fn open_cases_by_county(&self, today: chrono::NaiveDate) -> StoreResult<Vec<CountyCases>> {
        let rows = sqlx::query(
            "SELECT county, count(*) AS open,
                    sum(CASE WHEN due_date < $1 THEN 1 ELSE 0 END) AS overdue
             FROM board_rows GROUP BY county ORDER BY county",
        )
        .bind(today.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CountyCases {
                    county: r.try_get("county")?,
                    open: r.try_get("open")?,
                    overdue: r.try_get::<Option<i64>, _>("overdue")?.unwrap_or(0),
                })
            })
            .collect()
    }

    async fn pending_uploads(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM photos WHERE complete = 0")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn texts_muted(&self, account_id: &str) -> StoreResult<bool> {
        let muted: Option<String> = sqlx::query_scalar("SELECT account_id FROM text_mutes WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(muted.is_some())
    }

    async fn staff_phones(&self) -> StoreResult<std::collections::HashMap<String, String>> {
        let rows = sqlx::query("SELECT account_id, phone FROM staff_phones")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("account_id")?, r.try_get("phone")?)))
            .collect()
    }

    async fn add_supervision(&self, n: &Supervision) -> StoreResult<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO supervision_notes (id, case_id, division, level, from_account, at, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&n.id)
        .bind(&n.case_id)
        .bind(&n.division)
        .bind(level_str(n.level))
        .bind(&n.from_account)
        .bind(n.at)
        .bind(&n.note)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn file_monthly_report(&self, division: &str, year: i32, month: u32, at: i64, by: &str) -> StoreResult<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO monthly_reports (division, year, month, filed_at, by_account) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (division, year, month) DO NOTHING",
        )
        .bind(division)
        .bind(i64::from(year))
        .bind(i64::from(month))
        .bind(at)
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn monthly_report_filed(&self, division: &str, year: i32, month: u32) -> StoreResult<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT filed_at FROM monthly_reports WHERE division = $1 AND year = $2 AND month = $3")
                .bind(division)
                .bind(i64::from(year))
                .bind(i64::from(month))
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn supervision_within(&self, prefix: &str, since: i64) -> StoreResult<Vec<Supervision>> {
        let rows = sqlx::query(
            "SELECT id, case_id, division, level, from_account, at, note FROM supervision_notes
             WHERE division LIKE $1 AND at >= $2 ORDER BY at DESC, id",
        )
        .bind(format!("{prefix}%"))
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let level: String = r.try_get("level")?;
                Ok(Supervision {
                    id: r.try_get("id")?,
                    case_id: r.try_get("case_id")?,
                    division: r.try_get("division")?,
                    level: serde_json::from_value(serde_json::Value::String(level.clone()))
                        .map_err(|_| StoreError::Corrupt(format!("level {level}")))?,
                    from_account: r.try_get("from_account")?,
                    at: r.try_get("at")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }
}

/// Binds a household account to `village` unless it is bound already: the village it
/// is bound to now.
async fn bind_village<E: Exec>(db: &mut E, account_id: &str, village: DivisionCode) -> StoreResult<DivisionCode> {
    // One statement: a village already there stays (PostgreSQL re-reads the row a
    // concurrent binding just wrote; SQLite has one writer).
    let bound = db
        .first_row(
            "UPDATE accounts SET division = COALESCE(division, $1) WHERE id = $2 AND role = 'household'
             RETURNING division",
            vec![village.to_string().into(), account_id.into()],
            &[Kind::Text],
        )
        .await?;
    parse_division(bound.map(|r| r.opt_text(0)).transpose()?.flatten())?.ok_or(StoreError::NotFound)
}

/// A case write's statements in an open transaction (or savepoint) of `db`. Only a
/// `Stored` answer is to be committed; a replay or an error leaves nothing to keep.
pub(super) async fn write_case<E: Exec>(
    db: &mut E,
    claim: Option<&SyncClaim>,
    write: &CaseWrite,
    entry: &NewEntry,
    limits: &[(String, LimitPolicy)],
) -> StoreResult<WriteOutcome> {
    let state = match write {
        CaseWrite::Create(c) => &c.state,
        CaseWrite::Update { state, .. } => state,
    };
    let answer = WriteAnswer {
        case_id: match write {
            CaseWrite::Create(c) => c.id.clone(),
            CaseWrite::Update { case_id, .. } => case_id.clone(),
        },
        version: state.version,
    };
    if let Some(c) = claim {
        // Claim first: a concurrent duplicate waits here (PostgreSQL) or behind the
        // one writer (SQLite), then finds the claim and returns its answer.
        let answer_json = serde_json::to_string(&answer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let claimed = db
            .execute(
                "INSERT INTO sync_records (record_id, device_id, device_seq, account_id, response_json, received_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                vec![
                    (&c.record_id).into(),
                    (&c.device_id).into(),
                    c.device_seq.into(),
                    (&c.account_id).into(),
                    answer_json.into(),
                    entry.at.into(),
                ],
            )
            .await?;
        if claimed == 0 {
            let first = db
                .first_row(
                    "SELECT response_json FROM sync_records WHERE record_id = $1",
                    vec![(&c.record_id).into()],
                    &[Kind::Text],
                )
                .await?;
            return match first {
                Some(r) => Ok(WriteOutcome::Replayed(
                    serde_json::from_str(&r.text(0)?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                )),
                None => Err(StoreError::SeqReused),
            };
        }
    }
    if let Err((index, wait_ms)) = use_up_limits(db, limits, entry.at).await? {
        return Err(StoreError::Limited { index, wait_ms });
    }
    write_in(db, write, entry).await?;
    Ok(WriteOutcome::Stored(answer))
}

/// Writes a case change with its history entry, photo links, board row and
/// change-feed row in `db`'s open transaction (the caller commits).
async fn write_in<E: Exec>(db: &mut E, write: &CaseWrite, entry: &NewEntry) -> StoreResult<()> {
    let (case_id, state) = match write {
        CaseWrite::Create(c) => (c.id.clone(), &c.state),
        CaseWrite::Update { case_id, state, .. } => (case_id.clone(), state),
    };
    let state_json = serde_json::to_string(state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let due = state.deadline.map(|d| d.due.to_string());
    let due_kind = state.deadline.map(|d| format!("{:?}", d.kind));
    // An update also answers the hash chain's last link (a new case starts it), so
    // appending costs no read of its own.
    let (division, owner, report, prev_seq, prev_hash) = match write {
        CaseWrite::Create(c) => {
            let inserted = db
                .execute(
                    "INSERT INTO cases (id, division, owner_account, profile_id, stage, due_date, deadline_kind,
                                        state_json, report_json, version, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT (id) DO NOTHING",
                    vec![
                        (&c.id).into(),
                        c.division.to_string().into(),
                        c.owner_account.clone().into(),
                        (&c.profile_id).into(),
                        state.stage.key().into(),
                        due.into(),
                        due_kind.into(),
                        (&state_json).into(),
                        serde_json::to_string(&c.report)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?
                            .into(),
                        (state.version as i64).into(),
                        entry.at.into(),
                    ],
                )
                .await?;
            if inserted == 0 {
                return Err(StoreError::Conflict(c.id.clone()));
            }
            (
                c.division.to_string(),
                c.owner_account.clone(),
                c.report.clone(),
                0,
                audit::GENESIS.to_string(),
            )
        }
        CaseWrite::Update {
            case_id,
            expected_version,
            ..
        } => {
            let row = db
                .first_row(
                    "UPDATE cases SET stage = $1, due_date = $2, deadline_kind = $3, state_json = $4, version = $5, updated_at = $6
                     WHERE id = $7 AND version = $8
                     RETURNING division, owner_account, report_json,
                       COALESCE((SELECT e.seq FROM case_events e WHERE e.case_id = cases.id ORDER BY e.seq DESC LIMIT 1), 0),
                       (SELECT e.hash FROM case_events e WHERE e.case_id = cases.id ORDER BY e.seq DESC LIMIT 1)",
                    vec![
                        state.stage.key().into(),
                        due.into(),
                        due_kind.into(),
                        (&state_json).into(),
                        (state.version as i64).into(),
                        entry.at.into(),
                        case_id.into(),
                        (*expected_version as i64).into(),
                    ],
                    &[Kind::Text, Kind::Text, Kind::Text, Kind::Int, Kind::Text],
                )
                .await?;
            let Some(row) = row else {
                let exists = db
                    .first_row(
                        "SELECT version FROM cases WHERE id = $1",
                        vec![case_id.into()],
                        &[Kind::Int],
                    )
                    .await?;
                return Err(if exists.is_some() {
                    StoreError::Stale
                } else {
                    StoreError::NotFound
                });
            };
            let report = serde_json::from_str(&row.text(2)?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let prev_hash = row.opt_text(4)?.unwrap_or_else(|| audit::GENESIS.to_string());
            (row.text(0)?, row.opt_text(1)?, report, row.int(3)?, prev_hash)
        }
    };
    let seq = prev_seq + 1;
    let role = role_str(entry.actor_role);
    let entry_json = serde_json::to_string(&entry.entry).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let hash = audit::entry_hash(
        &prev_hash,
        &case_id,
        seq,
        entry.at,
        &entry.actor_account,
        &role,
        &entry_json,
    );
    db.execute(
        "INSERT INTO case_events (case_id, seq, at, actor_account, actor_role, entry_json, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        vec![
            (&case_id).into(),
            seq.into(),
            entry.at.into(),
            (&entry.actor_account).into(),
            role.into(),
            entry_json.into(),
            prev_hash.into(),
            hash.into(),
        ],
    )
    .await?;
    // The photos this step needs, so a case's completeness is one join away.
    for sha in &entry.photos {
        db.execute(
            "INSERT INTO case_photos (case_id, sha256, attached_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            vec![(&case_id).into(), sha.into(), (&entry.actor_account).into()],
        )
        .await?;
    }
    // The board's row follows the case: replaced while it is open, gone once closed.
    if state.stage.is_closed() {
        db.execute("DELETE FROM board_rows WHERE case_id = $1", vec![(&case_id).into()])
            .await?;
    } else {
        let at = parse_division(Some(division.clone()))?.ok_or_else(|| StoreError::Corrupt("division".into()))?;
        put_board_row(db, &BoardRow::of(&case_id, at, &report, state), PutRow::Replace).await?;
    }
    db.execute(
        "INSERT INTO changes (case_id, division, owner_account) VALUES ($1, $2, $3)",
        vec![case_id.into(), division.into(), owner.into()],
    )
    .await?;
    if let Some(t) = &entry.text {
        insert_text(db, t).await?;
    }
    Ok(())
}

/// Photos a case's steps name that have not fully arrived; `case_id` is an SQL
/// expression for the case.
fn photos_missing_sql(case_id: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM case_photos cp LEFT JOIN photos p ON p.sha256 = cp.sha256 \
          WHERE cp.case_id = {case_id} AND (p.complete IS NULL OR p.complete = 0))"
    )
}

/// How a board row is put: replacing the row (in the case's own transaction), or
/// filling in a missing one for a case still at the version read (at start-up, while
/// another process may be writing: its row wins).
#[derive(Clone, Copy)]
enum PutRow {
    Replace,
    Fill,
}

async fn put_board_row<E: Exec>(db: &mut E, row: &BoardRow, how: PutRow) -> StoreResult<()> {
    const COLUMNS: &str = "case_id, division, county, stage, channel, category, due_date, row_json, photos_missing";
    let values = format!("$1, $2, $3, $4, $5, $6, $7, $8, {}", photos_missing_sql("$1"));
    let sql = match how {
        PutRow::Replace => format!(
            "INSERT INTO board_rows ({COLUMNS}) VALUES ({values}) ON CONFLICT (case_id) DO UPDATE SET
               division = excluded.division, county = excluded.county, stage = excluded.stage, channel = excluded.channel,
               category = excluded.category, due_date = excluded.due_date, row_json = excluded.row_json,
               photos_missing = excluded.photos_missing"
        ),
        PutRow::Fill => format!(
            "INSERT INTO board_rows ({COLUMNS}) SELECT {values} FROM cases WHERE cases.id = $1 AND cases.version = $9
             ON CONFLICT (case_id) DO NOTHING"
        ),
    };
    let row_json = serde_json::to_string(row).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let county = row
        .division
        .ancestor(zaofaxian_shared::DivisionLevel::County)
        .unwrap_or(row.division);
    let mut args: Vec<Val> = vec![
        (&row.case_id).into(),
        row.division.to_string().into(),
        county.to_string().into(),
        row.stage.key().into(),
        wire_name(row.channel).unwrap_or_default().into(),
        row.category.and_then(wire_name).into(),
        row.deadline.map(|d| d.due.to_string()).into(),
        row_json.into(),
    ];
    if let PutRow::Fill = how {
        args.push((row.version as i64).into());
    }
    db.execute(&sql, args).await?;
    Ok(())
}

fn board_row_from(row: &AnyRow) -> StoreResult<BoardRow> {
    let json: String = row.try_get("row_json")?;
    let mut board: BoardRow =
        serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("board row: {e}")))?;
    board.photos_missing = row.try_get("photos_missing")?;
    Ok(board)
}

/// A board's `WHERE` conditions over `board_rows` (open cases only), placeholders
/// numbered from `first`, and their values; `for_rows` when a page of rows is read
/// rather than counts.
fn board_where(f: &BoardFilter, first: usize, for_rows: bool) -> (String, Vec<String>) {
    let whole_county = f.area.level() == zaofaxian_shared::DivisionLevel::County
        && f.stage.is_none()
        && f.channel.is_none()
        && f.category.is_none();
    let (mut conditions, mut binds) = if whole_county && for_rows {
        // A whole county's rows by its own column, whose index holds them in the
        // queue's order. (Counts and filtered boards read `board_rows_area` alone.)
        (vec![format!("board_rows.county = ${first}")], vec![f.area.to_string()])
    } else {
        // The area as a range of codes rather than LIKE 'prefix%', so that the division
        // index serves it (SQLite's LIKE is case-insensitive and skips it). Codes are
        // digits: those with prefix 530402 lie in ['530402', '530403') in any collation.
        let prefix = f.area.prefix();
        let next = prefix
            .parse::<u64>()
            .map(|n| format!("{:0width$}", n + 1, width = prefix.len()))
            .unwrap_or_else(|_| format!("{prefix}~"));
        let range = format!(
            "board_rows.division >= ${first} AND board_rows.division < ${}",
            first + 1
        );
        (vec![range], vec![prefix, next])
    };
    for (column, value) in [("stage", &f.stage), ("channel", &f.channel), ("category", &f.category)] {
        if let Some(v) = value {
            conditions.push(format!("board_rows.{column} = ${}", first + binds.len()));
            binds.push(v.clone());
        }
    }
    (conditions.join(" AND "), binds)
}

/// A unit enum value's wire name (`self_report`, `marginal_at_risk`).
fn wire_name<T: Serialize>(value: T) -> Option<String> {
    serde_json::to_value(value).ok()?.as_str().map(str::to_string)
}

/// Records a text unless one with its key is there (a restart, a second process):
/// whether it was new.
async fn insert_text<E: Exec>(db: &mut E, t: &NewText) -> StoreResult<bool> {
    let done = db
        .execute(
            "INSERT INTO texts (key, phone, body, message, account_id, case_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (key) DO NOTHING",
            vec![
                (&t.key).into(),
                (&t.phone).into(),
                t.message.body().into(),
                serde_json::to_string(&t.message)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?
                    .into(),
                t.account_id.clone().into(),
                t.case_id.clone().into(),
                t.created_at.into(),
            ],
        )
        .await?;
    Ok(done == 1)
}

async fn insert_day(tx: &mut sqlx::Transaction<'static, sqlx::Any>, r: &CalendarRow) -> StoreResult<()> {
    let kind = match r.kind {
        zaofaxian_shared::DayKind::Holiday => "holiday",
        zaofaxian_shared::DayKind::Workday => "workday",
    };
    sqlx::query(
        "INSERT INTO calendar_days (date, kind, name, year) VALUES ($1, $2, $3, $4) ON CONFLICT (date) DO NOTHING",
    )
    .bind(r.date.to_string())
    .bind(kind)
    .bind(&r.name)
    .bind(i64::from(r.year))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Decides `checks` in `tx` and, when all allow, records the attempt in each: Err with
/// the first refusing check's index and the wait (nothing recorded; the caller rolls
/// back).
async fn use_up_limits<E: Exec>(
    db: &mut E,
    checks: &[(String, LimitPolicy)],
    now: i64,
) -> StoreResult<Result<(), (usize, u64)>> {
    let mut decided = Vec::with_capacity(checks.len());
    for (i, (key, policy)) in checks.iter().enumerate() {
        // One statement creates the row if new and reads it; the no-op update holds
        // the row until the decision is written (PostgreSQL; SQLite: the write lock).
        let times = db
            .first_row(
                "INSERT INTO rate_limits (key, times, updated_at) VALUES ($1, '', $2)
                 ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING times",
                vec![key.into(), now.into()],
                &[Kind::Text],
            )
            .await?
            .ok_or_else(|| StoreError::Corrupt("rate limit row".into()))?
            .text(0)?;
        let mut list = crate::limits::parse_times(&times);
        if let Err(wait) = policy.decide(&mut list, now) {
            return Ok(Err((i, wait)));
        }
        decided.push((key, list));
    }
    for (key, list) in decided {
        db.execute(
            "UPDATE rate_limits SET times = $1, updated_at = $2 WHERE key = $3",
            vec![crate::limits::format_times(&list).into(), now.into(), key.into()],
        )
        .await?;
    }
    Ok(Ok(()))
}

async fn bump_reference_version(tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> StoreResult<()> {
    sqlx::query("UPDATE reference_version SET version = version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn household_from(r: &AnyRow) -> StoreResult<Household> {
    let village: String = r.try_get(2)?;
    let lat: Option<f64> = r.try_get(4)?;
    let lon: Option<f64> = r.try_get(5)?;
    Ok(Household {
        national_id: r.try_get(0)?,
        name: r.try_get(1)?,
        village: village
            .parse()
            .map_err(|e: zaofaxian_shared::division::DivisionError| StoreError::Corrupt(e.to_string()))?,
        group: r.try_get(3)?,
        location: lat
            .zip(lon)
            .and_then(|(a, o)| zaofaxian_shared::GeoPoint::new(a, o).ok()),
    })
}
