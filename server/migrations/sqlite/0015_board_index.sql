-- A board counts its area's open cases by village and picks the most urgent by due
-- date: with stage, due date, id, channel and category beside the division, both read
-- this index alone, not every case's row and JSON (a county has 20,000 open cases).
CREATE INDEX cases_board ON cases (division, stage, due_date, id, channel, category);
