-- Policy data that changes without a build: the State Council holiday schedules by
-- year and the monitoring thresholds by region and year, each with the document
-- that set it. Seeded from the shipped files on first start; the county's imports win.
CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY,
    source TEXT NOT NULL,               -- e.g. 国办发明电〔2025〕7号
    loaded_at BIGINT NOT NULL,
    loaded_by TEXT NOT NULL             -- account id, or 'shipped'
);

CREATE TABLE calendar_days (
    date TEXT PRIMARY KEY,              -- ISO date
    kind TEXT NOT NULL,                 -- holiday | workday
    name TEXT NOT NULL,
    year BIGINT NOT NULL                -- the schedule that lists it (2022-12-31 is in 2023's)
);
CREATE INDEX calendar_days_year ON calendar_days(year);

CREATE TABLE thresholds (
    region TEXT NOT NULL,               -- province, prefecture or county code
    year BIGINT NOT NULL,               -- the year the line is applied
    fen BIGINT NOT NULL,
    source TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    set_by TEXT NOT NULL,
    PRIMARY KEY (region, year)
);

-- One row: bumped by every change above, so other server processes notice it.
CREATE TABLE reference_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO reference_version (id, version) VALUES (1, 0);
