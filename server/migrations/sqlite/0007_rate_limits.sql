-- Recent attempt times per limited key (a digest of scope and name), so sign-in, code
-- and report limits hold across server processes and restarts.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    times TEXT NOT NULL,                 -- comma-separated unix milliseconds, oldest first
    updated_at BIGINT NOT NULL
);
CREATE INDEX rate_limits_updated ON rate_limits(updated_at);
