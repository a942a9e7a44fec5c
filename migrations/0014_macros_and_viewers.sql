-- The ticket page as a workspace: canned replies staff share, and who has
-- a ticket open (the collision notice). (0013 is another change's.)

-- A canned reply: plain text with placeholders such as {{requester_name}},
-- filled in when it is put into a reply; it may also set a status and a
-- priority. Shared by every staff member; its creator or an admin edits it.
CREATE TABLE macros (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    body        TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    -- NULL: leaves the status as it is.
    set_status  TEXT    CHECK (set_status IS NULL
                               OR set_status IN ('open', 'waiting', 'resolved', 'closed')),
    -- A priority rank (0 urgent … 3 low); NULL leaves it as it is.
    set_priority INTEGER CHECK (set_priority IS NULL OR set_priority BETWEEN 0 AND 3),
    created_by  INTEGER NOT NULL REFERENCES staff (id),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX macros_by_title ON macros (title COLLATE NOCASE);

-- When each staff member last opened each ticket: one row per pair,
-- rewritten on every view. Old rows mean nothing and are never read.
CREATE TABLE ticket_viewers (
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    seen_at    TEXT    NOT NULL,
    PRIMARY KEY (ticket_id, staff_id)
) WITHOUT ROWID;
