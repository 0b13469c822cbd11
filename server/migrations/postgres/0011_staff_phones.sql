-- A staff member's work phone, shown to the households whose cases they handle
-- ("who to call"). Optional; kept apart from accounts so signing in never reads it.
CREATE TABLE staff_phones (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    phone TEXT NOT NULL
);
