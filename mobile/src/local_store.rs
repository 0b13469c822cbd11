//! The phone's offline store (rusqlite). Every report or step is written here first,
//! with a gap-free per-device sequence number, before any attempt to send it; a
//! record leaves the outbox only when the server has answered for it. Killing the
//! app at any point therefore loses nothing, and a resend is answered as a replay.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::path::Path;
use zaofaxian_shared::RecordId;

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("本机数据库错误 / local database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("本机数据损坏 / local data is corrupt: {0}")]
    Corrupt(String),
}

pub type LocalResult<T> = Result<T, LocalError>;

/// Schema versions, applied in order by `PRAGMA user_version`. Append only.
const MIGRATIONS: &[&str] = &["
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
"];

/// One record waiting in (or done with) the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxRecord {
    pub seq: i64,
    pub record_id: String,
    pub kind: String,
    pub body: serde_json::Value,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Counts for the sync indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub rejected: i64,
}

const OUTBOX_COLUMNS: &str = "seq, record_id, kind, body, status, attempts, last_error";

/// One outbox row as `OUTBOX_COLUMNS` selects it.
fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(OutboxRecord, String)> {
    let record = OutboxRecord {
        seq: r.get(0)?,
        record_id: r.get(1)?,
        kind: r.get(2)?,
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

#[derive(Debug)]
pub struct LocalStore {
    conn: Connection,
}

impl LocalStore {
    pub fn open(path: &Path) -> LocalResult<LocalStore> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
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

    pub fn cursor(&self) -> LocalResult<i64> {
        Ok(self.meta("cursor")?.and_then(|c| c.parse().ok()).unwrap_or(0))
    }

    pub fn set_cursor(&self, cursor: i64) -> LocalResult<()> {
        self.set_meta("cursor", &cursor.to_string())
    }

    /// Writes a record to the outbox with the next sequence number; returns its id.
    pub fn enqueue(&self, kind: &str, body: &serde_json::Value) -> LocalResult<RecordId> {
        let id = RecordId::new();
        // INTEGER PRIMARY KEY without a value takes max+1: gap-free while nothing is deleted,
        // and nothing ever is (sent records stay as the device's history).
        self.conn.execute(
            "INSERT INTO outbox (record_id, kind, body) VALUES (?1, ?2, ?3)",
            params![id.to_string(), kind, body.to_string()],
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
        let mut c = OutboxCounts::default();
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

    pub fn cases(&self) -> LocalResult<Vec<serde_json::Value>> {
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
                .map(|i| s.enqueue("report", &serde_json::json!({ "n": i })).unwrap())
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
        let next = s.enqueue("report", &serde_json::json!({})).unwrap();
        assert_eq!(
            s.record(&next.to_string()).unwrap().unwrap().seq,
            4,
            "no gaps after sends"
        );
        assert_eq!(
            s.counts().unwrap(),
            OutboxCounts {
                pending: 3,
                sent: 1,
                rejected: 0
            }
        );
    }
}
