-- Zaofaxian schema, SQLite flavour. Never edit once landed: add a new file.
CREATE TABLE divisions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent TEXT
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,          -- staff user name, or a household's phone
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    division TEXT,                       -- NULL for households: they see only their own cases
    password_hash TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    expires_at BIGINT NOT NULL
);

CREATE TABLE otp_codes (
    phone TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    division TEXT NOT NULL,
    owner_account TEXT,                  -- the household account that reported, if any
    profile_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    due_date TEXT,                       -- ISO date of the current deadline
    deadline_kind TEXT,
    state_json TEXT NOT NULL,
    report_json TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_division ON cases(division);
CREATE INDEX cases_owner ON cases(owner_account);

-- Append-only, hash-chained history of each case.
CREATE TABLE case_events (
    case_id TEXT NOT NULL REFERENCES cases(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_account TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    entry_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;

-- One row per client record ever accepted: the basis of idempotent push.
CREATE TABLE sync_records (
    record_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    device_seq BIGINT NOT NULL,
    account_id TEXT NOT NULL,
    response_json TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    UNIQUE (device_id, device_seq)
);

-- Change feed for cursor-based pull: one row per case change.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    division TEXT NOT NULL,
    owner_account TEXT
);
CREATE INDEX changes_division ON changes(division, seq);
