-- Expired sessions are purged at sign-in; signing out everywhere ends an account's sessions.
CREATE INDEX sessions_expires ON sessions(expires_at);
CREATE INDEX sessions_account ON sessions(account_id);
