-- Photos arrive in chunks, addressed by their SHA-256; a case lists the photos it needs.
CREATE TABLE photos (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    complete BIGINT NOT NULL DEFAULT 0,
    width BIGINT,
    height BIGINT,
    uploader TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE case_photos (
    case_id TEXT NOT NULL REFERENCES cases(id),
    sha256 TEXT NOT NULL,
    PRIMARY KEY (case_id, sha256)
);
CREATE INDEX case_photos_sha ON case_photos(sha256);
