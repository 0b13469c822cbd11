-- A text's template and variables (JSON: {"kind": …, "params": […]}): providers send
-- templates with short variables, not free text. `body` keeps the words as read.
ALTER TABLE texts ADD COLUMN message TEXT NOT NULL DEFAULT '';
