-- Texts to staff and households (reminder digests, the monthly report, a household's
-- stage): one row per thing to say, its key making it one (digest:<account>:<day>,
-- report:<account>:<day>, stage:<case>:<version>), so a restart or a second server
-- process never says it twice. A sender claims a row for a while before sending it.
CREATE TABLE texts (
    key TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    body TEXT NOT NULL,
    account_id TEXT,
    case_id TEXT,
    created_at BIGINT NOT NULL,
    claimed_at BIGINT,
    sent_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX texts_unsent ON texts (sent_at, created_at);
CREATE INDEX texts_account ON texts (account_id, created_at);

-- An account that asked for no reminder texts (the in-app list stays).
CREATE TABLE text_mutes (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    muted_at BIGINT NOT NULL
);

-- 督办: a note from the level above on a case whose step is late.
CREATE TABLE supervision_notes (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    division TEXT NOT NULL,              -- the case's village (who may read it)
    level TEXT NOT NULL,                 -- the level whose step is late: village | township
    from_account TEXT NOT NULL,
    at BIGINT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX supervision_notes_division ON supervision_notes (division, at);
CREATE INDEX supervision_notes_case ON supervision_notes (case_id, at);

-- A township's monthly report marked as filed (鹤庆 "于每月5日前上报"): no reminder after
-- it, and the county's board lists the townships whose last report past due is missing.
CREATE TABLE monthly_reports (
    division TEXT NOT NULL,
    year BIGINT NOT NULL,
    month BIGINT NOT NULL,
    filed_at BIGINT NOT NULL,
    by_account TEXT NOT NULL,
    PRIMARY KEY (division, year, month)
);
