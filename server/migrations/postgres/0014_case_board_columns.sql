-- The board counts and lists cases by channel and category in the store (GROUP BY and
-- LIMIT), without reading every open case's JSON: both kept beside state_json.
ALTER TABLE cases ADD COLUMN channel TEXT;
ALTER TABLE cases ADD COLUMN category TEXT;
UPDATE cases SET channel = state_json::jsonb ->> 'channel',
                 category = state_json::jsonb ->> 'category';
CREATE INDEX cases_open_due ON cases (stage, due_date);
