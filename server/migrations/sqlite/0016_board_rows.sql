-- The board as a projection: one row per open case with what boards, the queue and
-- the notice show, written in the case's own transaction (and deleted when the case
-- closes), so a board reads these rows and no case's JSON. The columns are what a
-- board filters, sorts and counts by; `row_json` is the row as shown (name, masked
-- ID number, stage, deadline with its provisional flag, version), one text to read
-- rather than a dozen columns. Rows for cases opened before this migration are
-- filled in by the server at start (the masked ID number needs the program's check).
CREATE TABLE board_rows (
    case_id TEXT PRIMARY KEY,
    division TEXT NOT NULL,
    county TEXT NOT NULL,                -- the county's code: a county board's own index
    stage TEXT NOT NULL,                 -- an open stage's key
    channel TEXT NOT NULL,
    category TEXT,
    due_date TEXT,                       -- ISO date of the current deadline
    photos_missing INTEGER NOT NULL,       -- kept here: a photo's arrival changes it
    row_json TEXT NOT NULL
);
-- Counts read this index alone, under any filter; a page's rows are picked in it.
CREATE INDEX board_rows_area ON board_rows (division, stage, channel, category, due_date, case_id);
-- A county's most urgent rows in the queue's order (due date, the undated last, then
-- id), read from the top of this index instead of sorting its 20,000 open cases.
CREATE INDEX board_rows_county ON board_rows (county, due_date, case_id);
-- The cases table's board index (0015) and its channel and category (0014) served the
-- board before this table; nothing reads them now.
DROP INDEX cases_board;
ALTER TABLE cases DROP COLUMN channel;
ALTER TABLE cases DROP COLUMN category;
