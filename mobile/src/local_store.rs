//! The phone's offline store (rusqlite). Every report or step is written here first,
//! with a gap-free per-device sequence number, before any attempt to send it; a
//! record leaves the outbox only when the server has answered for it. Killing the
//! app at any point therefore loses nothing, and a resend is answered as a replay.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::path::Path;
use zaofaxian_shared::RecordId;
use zaofaxian_shared::wire::RecordKind;

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("本机数据库错误 / local database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("本机数据损坏 / local data is corrupt: {0}")]
    Corrupt(String),
    #[error("照片文件丢失 / photo file lost: {0}")]
    PhotoLost(String),
    /// The browser's store worker could not be reached or opened.
    #[error("{0}")]
    Worker(String),
}

pub type LocalResult<T> = Result<T, LocalError>;

/// Schema versions, applied in order by `PRAGMA user_version`. Append only.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,              -- the per-device sequence, gap-free
        record_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,                   -- report | case_event
        body TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', -- pending | sent | rejected
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        case_id TEXT,
        version INTEGER
    );
    CREATE TABLE cases (id TEXT PRIMARY KEY, json TEXT NOT NULL);
",
    "
    -- Processed photos waiting to be uploaded; the file stays until the server has it.
    CREATE TABLE photos (
        sha256 TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        perceptual_hash TEXT NOT NULL,
        uploaded INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
",
    "
    -- Unfinished work as it is typed (a visit per case, the household's report, where
    -- the app was). Never part of the outbox: a draft is not sent.
    CREATE TABLE drafts (key TEXT PRIMARY KEY, json TEXT NOT NULL, saved_ms INTEGER NOT NULL);
",
];

/// The signed-in account as the server described it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub role: zaofaxian_shared::Role,
    /// The staff member's division (a cadre's village); none for households.
    pub division: Option<String>,
    pub display_name: String,
}

/// A photo kept on the phone until the server has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingPhoto {
    pub sha256: String,
    pub path: std::path::PathBuf,
    pub size: i64,
    pub perceptual_hash: String,
}

/// One record waiting in (or done with) the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxRecord {
    pub seq: i64,
    pub record_id: String,
    pub kind: RecordKind,
    pub body: serde_json::Value,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Counts for the sync indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub rejected: i64,
    /// Photos not yet uploaded.
    pub photos: i64,
}

const OUTBOX_COLUMNS: &str = "seq, record_id, kind, body, status, attempts, last_error";

/// One outbox row as `OUTBOX_COLUMNS` selects it.
fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(OutboxRecord, String)> {
    let record = OutboxRecord {
        seq: r.get(0)?,
        record_id: r.get(1)?,
        kind: {
            let k: String = r.get(2)?;
            RecordKind::parse(&k)
                .ok_or_else(|| rusqlite::Error::InvalidColumnType(2, k, rusqlite::types::Type::Text))?
        },
        body: serde_json::Value::Null,
        status: r.get(4)?,
        attempts: r.get(5)?,
        last_error: r.get(6)?,
    };
    Ok((record, r.get(3)?))
}

/// Parses the body kept as JSON text.
fn with_body((mut record, body): (OutboxRecord, String)) -> LocalResult<OutboxRecord> {
    record.body = serde_json::from_str(&body).map_err(|e| LocalError::Corrupt(e.to_string()))?;
    Ok(record)
}

/// Locks a shared store for one operation. A panic elsewhere while it was held does
/// not make the data unusable (every write is its own SQLite transaction).
pub fn lock(store: &std::sync::Mutex<LocalStore>) -> std::sync::MutexGuard<'_, LocalStore> {
    store.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Debug)]
pub struct LocalStore {
    conn: Connection,
}

impl LocalStore {
    pub fn open(path: &Path) -> LocalResult<LocalStore> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Self::with_connection(conn)
    }

    /// The browser's store: `name` inside an OPFS pool VFS (`opfs-sahpool`), which has
    /// no shared memory for WAL; a rollback journal is as durable, only slower.
    #[cfg(target_arch = "wasm32")]
    pub fn open_in_vfs(name: &str, vfs: &str) -> LocalResult<LocalStore> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        let conn = Connection::open_with_flags_and_vfs(name, flags, vfs)?;
        conn.pragma_update(None, "journal_mode", "TRUNCATE")?;
        Self::with_connection(conn)
    }

    fn with_connection(conn: Connection) -> LocalResult<LocalStore> {
        // FULL: a phone's battery can die at any moment; a report must survive it.
        conn.pragma_update(None, "synchronous", "FULL")?;
        let store = LocalStore { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> LocalResult<()> {
        let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.unchecked_transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }

    fn meta(&self, key: &str) -> LocalResult<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    fn set_meta(&self, key: &str, value: &str) -> LocalResult<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// The holiday years and thresholds last fetched from the server, if any.
    pub fn reference(&self) -> LocalResult<Option<zaofaxian_shared::reference::ReferenceSnapshot>> {
        self.meta("reference")?
            .map(|j| serde_json::from_str(&j).map_err(|e| LocalError::Corrupt(e.to_string())))
            .transpose()
    }

    pub fn set_reference(&self, snapshot: &zaofaxian_shared::reference::ReferenceSnapshot) -> LocalResult<()> {
        let json = serde_json::to_string(snapshot).map_err(|e| LocalError::Corrupt(e.to_string()))?;
        self.set_meta("reference", &json)
    }

    /// The staff member's reminders as the server last sent them (empty before).
    pub fn reminders(&self) -> LocalResult<zaofaxian_shared::wire::Reminders> {
        Ok(self
            .meta("reminders")?
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default())
    }

    pub fn set_reminders(&self, r: &zaofaxian_shared::wire::Reminders) -> LocalResult<()> {
        let json = serde_json::to_string(r).map_err(|e| LocalError::Corrupt(e.to_string()))?;
        self.set_meta("reminders", &json)
    }

    /// The calendar and policy this phone counts and assesses with: the server's
    /// as last fetched, or the shipped data before the first fetch.
    pub fn in_force(&self) -> zaofaxian_shared::reference::InForce {
        use zaofaxian_shared::reference::InForce;
        self.reference()
            .ok()
            .flatten()
            .and_then(|s| InForce::from_snapshot(&s).ok())
            .unwrap_or_else(InForce::shipped)
    }

    /// This installation's device id, made once and kept.
    pub fn device_id(&self) -> LocalResult<String> {
        if let Some(id) = self.meta("device_id")? {
            return Ok(id);
        }
        let id = format!("dev-{}", uuid::Uuid::now_v7().simple());
        self.set_meta("device_id", &id)?;
        Ok(id)
    }

    pub fn token(&self) -> LocalResult<Option<String>> {
        self.meta("token")
    }

    pub fn set_token(&self, token: &str) -> LocalResult<()> {
        self.set_meta("token", token)
    }

    /// Keeps the session; the token alone is what sync needs.
    pub fn set_session(&self, session: &Session) -> LocalResult<()> {
        let json = serde_json::to_string(session).map_err(|e| LocalError::Corrupt(e.to_string()))?;
        self.set_meta("session", &json)?;
        self.set_token(&session.token)
    }

    pub fn session(&self) -> LocalResult<Option<Session>> {
        self.meta("session")?
            .map(|j| serde_json::from_str(&j).map_err(|e| LocalError::Corrupt(e.to_string())))
            .transpose()
    }

    /// Forgets the account; unsent records stay and go out after the next sign-in.
    pub fn sign_out(&self) -> LocalResult<()> {
        self.conn
            .execute("DELETE FROM meta WHERE key IN ('session', 'token')", [])?;
        Ok(())
    }

    /// The server's base URL as set on the sign-in screen.
    pub fn server_url(&self) -> LocalResult<Option<String>> {
        self.meta("server_url")
    }

    pub fn set_server_url(&self, url: &str) -> LocalResult<()> {
        self.set_meta("server_url", url)
    }

    /// Registers a processed photo for upload (idempotent: the same photo twice is one).
    pub fn add_photo(&self, p: &PendingPhoto) -> LocalResult<()> {
        self.conn.execute(
            "INSERT INTO photos (sha256, path, size, perceptual_hash) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (sha256) DO NOTHING",
            params![p.sha256, p.path.to_string_lossy(), p.size, p.perceptual_hash],
        )?;
        Ok(())
    }

    pub fn photos_to_upload(&self) -> LocalResult<Vec<PendingPhoto>> {
        let mut st = self
            .conn
            .prepare("SELECT sha256, path, size, perceptual_hash FROM photos WHERE uploaded = 0 ORDER BY rowid")?;
        let rows = st.query_map([], |r| {
            Ok(PendingPhoto {
                sha256: r.get(0)?,
                path: std::path::PathBuf::from(r.get::<_, String>(1)?),
                size: r.get(2)?,
                perceptual_hash: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn mark_photo(&self, sha256: &str, uploaded: bool, error: Option<&str>) -> LocalResult<()> {
        self.conn.execute(
            "UPDATE photos SET uploaded = ?2, last_error = ?3 WHERE sha256 = ?1",
            params![sha256, uploaded, error],
        )?;
        Ok(())
    }

    pub fn cursor(&self) -> LocalResult<i64> {
        Ok(self.meta("cursor")?.and_then(|c| c.parse().ok()).unwrap_or(0))
    }

    pub fn set_cursor(&self, cursor: i64) -> LocalResult<()> {
        self.set_meta("cursor", &cursor.to_string())
    }

    /// Writes a record to the outbox with the next sequence number; returns its id.
    pub fn enqueue(&self, kind: RecordKind, body: &serde_json::Value) -> LocalResult<RecordId> {
        let id = RecordId::new();
        // INTEGER PRIMARY KEY without a value takes max+1: gap-free while nothing is deleted,
        // and nothing ever is (sent records stay as the device's history).
        self.conn.execute(
            "INSERT INTO outbox (record_id, kind, body) VALUES (?1, ?2, ?3)",
            params![id.to_string(), kind.as_str(), body.to_string()],
        )?;
        Ok(id)
    }

    /// Pending records whose retry time has come, oldest first.
    pub fn due(&self, now_ms: i64, limit: usize) -> LocalResult<Vec<OutboxRecord>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox
             WHERE status = 'pending' AND next_attempt_ms <= ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let rows = st.query_map(params![now_ms, limit as i64], outbox_row)?;
        rows.map(|row| with_body(row?)).collect()
    }

    pub fn mark_sent(&self, record_id: &str, case_id: &str, version: i64) -> LocalResult<()> {
        self.conn.execute(
            "UPDATE outbox SET status = 'sent', case_id = ?2, version = ?3, last_error = NULL WHERE record_id = ?1",
            params![record_id, case_id, version],
        )?;
        Ok(())
    }

    /// The server refused the record for a reason a retry will not change.
    pub fn mark_rejected(&self, record_id: &str, why: &str) -> LocalResult<()> {
        self.conn.execute(
            "UPDATE outbox SET status = 'rejected', last_error = ?2 WHERE record_id = ?1",
            params![record_id, why],
        )?;
        Ok(())
    }

    /// A transient failure: try again at `next_attempt_ms`.
    pub fn mark_retry(&self, record_id: &str, why: &str, next_attempt_ms: i64) -> LocalResult<()> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_ms = ?3 WHERE record_id = ?1",
            params![record_id, why, next_attempt_ms],
        )?;
        Ok(())
    }

    pub fn counts(&self) -> LocalResult<OutboxCounts> {
        let mut c = OutboxCounts {
            photos: self
                .conn
                .query_row("SELECT COUNT(*) FROM photos WHERE uploaded = 0", [], |r| r.get(0))?,
            ..OutboxCounts::default()
        };
        let mut st = self
            .conn
            .prepare("SELECT status, COUNT(*) FROM outbox GROUP BY status")?;
        for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (status, n) = row?;
            match status.as_str() {
                "pending" => c.pending = n,
                "sent" => c.sent = n,
                _ => c.rejected = n,
            }
        }
        Ok(c)
    }

    pub fn record(&self, record_id: &str) -> LocalResult<Option<OutboxRecord>> {
        let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE record_id = ?1");
        let row = self.conn.query_row(&sql, [record_id], outbox_row).optional()?;
        row.map(with_body).transpose()
    }

    /// Stores cases pulled from the server (the area's, or the household's own).
    pub fn upsert_case(&self, id: &str, json: &serde_json::Value) -> LocalResult<()> {
        self.conn.execute(
            "INSERT INTO cases (id, json) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
            params![id, json.to_string()],
        )?;
        Ok(())
    }

    /// Home visits recorded on this phone, oldest first: `(case_id, visit)`.
    pub fn visits(&self) -> LocalResult<Vec<(String, serde_json::Value)>> {
        let mut st = self
            .conn
            .prepare("SELECT body FROM outbox WHERE kind = 'case_event' AND status != 'rejected' ORDER BY seq")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for body in rows {
            let body: serde_json::Value =
                serde_json::from_str(&body?).map_err(|e| LocalError::Corrupt(e.to_string()))?;
            if let Some(case_id) = body["case_id"].as_str()
                && body["visit"].is_object()
            {
                out.push((case_id.to_string(), body["visit"].clone()));
            }
        }
        Ok(out)
    }

    /// Keeps a draft under `key`, replacing the one before.
    pub fn save_draft(&self, key: &str, json: &serde_json::Value, saved_ms: i64) -> LocalResult<()> {
        self.conn.execute(
            "INSERT INTO drafts (key, json, saved_ms) VALUES (?1, ?2, ?3) \
             ON CONFLICT (key) DO UPDATE SET json = excluded.json, saved_ms = excluded.saved_ms",
            params![key, json.to_string(), saved_ms],
        )?;
        Ok(())
    }

    pub fn drop_draft(&self, key: &str) -> LocalResult<()> {
        self.conn.execute("DELETE FROM drafts WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Every draft, as `(key, json)`; one that no longer reads as JSON is left out
    /// (and stays in the table) rather than failing the others.
    pub fn drafts(&self) -> LocalResult<Vec<(String, serde_json::Value)>> {
        let mut st = self.conn.prepare("SELECT key, json FROM drafts ORDER BY saved_ms")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, json) = row?;
            if let Ok(v) = serde_json::from_str(&json) {
                out.push((key, v));
            }
        }
        Ok(out)
    }

    /// The pulled cases as the server sent them.
    pub fn cases(&self) -> LocalResult<Vec<zaofaxian_shared::wire::CaseRecord>> {
        let mut st = self.conn.prepare("SELECT json FROM cases ORDER BY id")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|j| serde_json::from_str(&j?).map_err(|e| LocalError::Corrupt(e.to_string())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_reopening_with_gap_free_sequence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.sqlite");
        let (device, ids) = {
            let s = LocalStore::open(&path).unwrap();
            let ids: Vec<_> = (0..3)
                .map(|i| s.enqueue(RecordKind::Report, &serde_json::json!({ "n": i })).unwrap())
                .collect();
            (s.device_id().unwrap(), ids)
        };
        let s = LocalStore::open(&path).unwrap();
        assert_eq!(s.device_id().unwrap(), device, "the device id is kept");
        let due = s.due(0, 10).unwrap();
        assert_eq!(due.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(due[2].record_id, ids[2].to_string());
        s.mark_sent(&due[0].record_id, "c1", 0).unwrap();
        s.mark_retry(&due[1].record_id, "offline", 5_000).unwrap();
        assert_eq!(s.due(1_000, 10).unwrap().len(), 1, "the retried one waits its turn");
        assert_eq!(s.due(5_000, 10).unwrap().len(), 2);
        let next = s.enqueue(RecordKind::Report, &serde_json::json!({})).unwrap();
        assert_eq!(
            s.record(&next.to_string()).unwrap().unwrap().seq,
            4,
            "no gaps after sends"
        );
        s.enqueue(
            RecordKind::CaseEvent,
            &serde_json::json!({ "case_id": "c1", "visit": { "group": "3组" } }),
        )
        .unwrap();
        s.enqueue(RecordKind::CaseEvent, &serde_json::json!({ "case_id": "c1" }))
            .unwrap();
        assert_eq!(
            s.visits().unwrap(),
            [("c1".to_string(), serde_json::json!({ "group": "3组" }))]
        );
        assert_eq!(
            s.counts().unwrap(),
            OutboxCounts {
                pending: 5,
                sent: 1,
                rejected: 0,
                photos: 0
            }
        );
    }
}

#[cfg(test)]
mod session_and_photo_tests {
    use super::*;

    #[test]
    fn session_photos_and_server_survive_reopening_and_sign_out_keeps_the_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.sqlite");
        {
            let s = LocalStore::open(&path).unwrap();
            s.set_server_url("http://10.0.0.2:8080").unwrap();
            s.set_session(&Session {
                token: "t".into(),
                role: zaofaxian_shared::Role::VillageCadre,
                division: Some("530402001001".into()),
                display_name: "村干部".into(),
            })
            .unwrap();
            let p = PendingPhoto {
                sha256: "a".repeat(64),
                path: dir.path().join("a.jpg"),
                size: 10,
                perceptual_hash: "00".into(),
            };
            s.add_photo(&p).unwrap();
            s.add_photo(&p).unwrap();
            s.enqueue(RecordKind::Report, &serde_json::json!({})).unwrap();
        }
        let s = LocalStore::open(&path).unwrap();
        assert_eq!(s.server_url().unwrap().as_deref(), Some("http://10.0.0.2:8080"));
        assert_eq!(s.session().unwrap().unwrap().role, zaofaxian_shared::Role::VillageCadre);
        assert_eq!(s.token().unwrap().as_deref(), Some("t"));
        assert_eq!(s.photos_to_upload().unwrap().len(), 1, "the same photo twice is one");
        assert_eq!(s.counts().unwrap().photos, 1);
        s.mark_photo(&"a".repeat(64), true, None).unwrap();
        assert!(s.photos_to_upload().unwrap().is_empty());
        s.sign_out().unwrap();
        assert_eq!((s.session().unwrap(), s.token().unwrap()), (None, None));
        assert_eq!(
            s.counts().unwrap().pending,
            1,
            "unsent records stay for the next sign-in"
        );
    }
}

#[cfg(test)]
mod draft_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drafts_survive_a_restart_and_never_enter_the_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.sqlite");
        {
            let s = LocalStore::open(&path).unwrap();
            s.save_draft("visit:c1", &json!({ "group": "3" }), 1).unwrap();
            s.save_draft("visit:c1", &json!({ "group": "3组" }), 2).unwrap();
            s.save_draft("report", &json!({ "household_name": "王" }), 3).unwrap();
            // The app is killed here: nothing else runs.
        }
        let s = LocalStore::open(&path).unwrap();
        assert_eq!(
            s.drafts().unwrap(),
            [
                ("visit:c1".to_string(), json!({ "group": "3组" })),
                ("report".to_string(), json!({ "household_name": "王" }))
            ],
            "the last keystroke of each, oldest first"
        );
        assert_eq!(s.counts().unwrap(), OutboxCounts::default(), "nothing to send");
        assert!(s.due(i64::MAX, 10).unwrap().is_empty());
        s.sign_out().unwrap();
        assert_eq!(s.drafts().unwrap().len(), 2, "signing out loses no work");
        s.drop_draft("visit:c1").unwrap();
        assert_eq!(s.drafts().unwrap().len(), 1);
        // A row that no longer reads is skipped, not fatal.
        s.conn
            .execute("INSERT INTO drafts (key, json, saved_ms) VALUES ('x', '{', 4)", [])
            .unwrap();
        assert_eq!(s.drafts().unwrap().len(), 1);
    }
}
