-- Knowing a photo's SHA-256 proves nothing; sending its bytes does. An account that did
-- not upload a photo the server already has sends it again as a claim (its own partial
-- bytes, its own progress, answered exactly as a fresh upload so the hash's existence
-- and size stay hidden); a claim whose bytes match grants the photo to that account.
CREATE TABLE photo_claims (
    sha256 TEXT NOT NULL,
    account_id TEXT NOT NULL,
    size BIGINT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (sha256, account_id)
);

CREATE TABLE photo_grants (
    sha256 TEXT NOT NULL,
    account_id TEXT NOT NULL,
    PRIMARY KEY (sha256, account_id)
);
