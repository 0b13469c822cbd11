-- Accounts a county can manage: disabling ends every session (also in other server
-- processes, which watch session_epoch), and every action is kept in account_events.
ALTER TABLE accounts ADD COLUMN disabled_at BIGINT;
ALTER TABLE sessions ADD COLUMN created_at BIGINT;

CREATE TABLE account_events (
    seq BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_account TEXT NOT NULL,
    action TEXT NOT NULL,                -- create | disable | enable | reset_password | change_password | sign_out_everywhere
    target_account TEXT NOT NULL,
    division TEXT,                       -- the target's division (who may read the entry)
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX account_events_division ON account_events(division, seq);

CREATE TABLE session_epoch (
    id BIGINT PRIMARY KEY,
    epoch BIGINT NOT NULL
);
INSERT INTO session_epoch (id, epoch) VALUES (1, 0);
