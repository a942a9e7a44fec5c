-- The time zone people read times in: the requester's choice when filing
-- (an IANA name such as 'Europe/Berlin', or a fixed offset 'UTC+05:30'), and
-- each staff member's own setting. Existing rows read in UTC, as before.
ALTER TABLE tickets ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE staff ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
