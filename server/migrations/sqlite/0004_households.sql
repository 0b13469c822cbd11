-- The rural household register of an area (imported), matched against department
-- screening lists by ID number and against disaster areas by location.
CREATE TABLE households (
    national_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    village TEXT NOT NULL,
    grp TEXT NOT NULL DEFAULT '',
    lat REAL,
    lon REAL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX households_village ON households(village);
