-- Support staff, their sessions, and what the triage queue needs: priority,
-- assignment, first-response targets, an append-only timeline, full-text
-- search, and counters so that no page counts a million rows.

CREATE TABLE staff (
    id             INTEGER PRIMARY KEY,
    email          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name           TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('agent', 'admin')),
    -- Argon2id, PHC string format.
    password_hash  TEXT    NOT NULL,
    disabled_at    TEXT,
    created_at     TEXT    NOT NULL
);

-- Only a SHA-256 of the cookie value is stored: a copy of the database
-- does not give anyone a session.
CREATE TABLE staff_sessions (
    id_hash       TEXT    PRIMARY KEY,
    staff_id      INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at    TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

-- Failed sign-ins, per account ('email:…') and per address ('ip:…').
CREATE TABLE login_failures (
    id         INTEGER PRIMARY KEY,
    scope      TEXT    NOT NULL,
    failed_at  TEXT    NOT NULL
);
CREATE INDEX login_failures_by_scope ON login_failures (scope, failed_at);

-- 0 urgent, 1 high, 2 normal, 3 low: the number is the sort order.
ALTER TABLE tickets ADD COLUMN priority INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 3);
ALTER TABLE tickets ADD COLUMN assignee_id INTEGER REFERENCES staff (id);
ALTER TABLE tickets ADD COLUMN merged_into_id INTEGER REFERENCES tickets (id);
-- When staff first replied to the requester; NULL until then.
ALTER TABLE tickets ADD COLUMN first_response_at TEXT;
-- When the first response is due (from the priority's target).
ALTER TABLE tickets ADD COLUMN due_at TEXT;
-- Error code, method, endpoint shape and tool: tickets that share it are "similar".
ALTER TABLE tickets ADD COLUMN similar_key TEXT NOT NULL DEFAULT '';

UPDATE tickets SET due_at = strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+24 hours');

-- The queue reads each status in its sort order and merges them, so each
-- sort has an index per status, and one over all statuses.
CREATE INDEX tickets_by_status ON tickets (status, priority, created_at, id);
CREATE INDEX tickets_by_status_created ON tickets (status, created_at, id);
CREATE INDEX tickets_by_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_by_priority ON tickets (priority, created_at, id);
CREATE INDEX tickets_by_created ON tickets (created_at, id);
CREATE INDEX tickets_by_updated ON tickets (updated_at, id);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id, status, priority, created_at, id);
CREATE INDEX tickets_by_code ON tickets (error_code, status, priority, created_at, id);
CREATE INDEX tickets_by_similar ON tickets (similar_key, created_at);

-- Every event in a ticket's life. Append-only: the triggers refuse edits.
CREATE TABLE ticket_events (
    id              INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
    at              TEXT    NOT NULL,
    actor           TEXT    NOT NULL CHECK (actor IN ('requester', 'staff', 'system')),
    actor_staff_id  INTEGER REFERENCES staff (id),
    kind            TEXT    NOT NULL,
    -- 1 when the requester may see it (status changes, public replies).
    public          INTEGER NOT NULL CHECK (public IN (0, 1)),
    body            TEXT    NOT NULL DEFAULT '',
    -- Kind-specific details as JSON, e.g. {"from":"new","to":"open"}.
    data            TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);

CREATE TRIGGER ticket_events_append_only_update BEFORE UPDATE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only');
END;
CREATE TRIGGER ticket_events_append_only_delete BEFORE DELETE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only');
END;

INSERT INTO ticket_events (ticket_id, at, actor, kind, public)
    SELECT id, created_at, 'requester', 'created', 1 FROM tickets ORDER BY id;

-- Full-text search over what requesters wrote and what staff wrote back:
-- one row per ticket, its rowid the ticket id, so matches come out in ticket
-- order and a search page stops after the rows it shows.
CREATE VIRTUAL TABLE ticket_search USING fts5 (
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO ticket_search (rowid, body)
        VALUES (NEW.id, NEW.message || ' ' || NEW.endpoint || ' ' || NEW.recent_changes);
END;
CREATE TRIGGER ticket_events_search_insert AFTER INSERT ON ticket_events
    WHEN NEW.kind IN ('note', 'reply', 'requester_reply') AND NEW.body <> ''
BEGIN
    UPDATE ticket_search SET body = body || ' ' || NEW.body WHERE rowid = NEW.ticket_id;
END;

INSERT INTO ticket_search (rowid, body)
    SELECT id, message || ' ' || endpoint || ' ' || recent_changes FROM tickets;

-- Tickets per status, kept by triggers so the queue never counts rows.
CREATE TABLE ticket_counts (
    status  TEXT    PRIMARY KEY,
    count   INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO ticket_counts (status, count)
    VALUES ('new', 0), ('open', 0), ('waiting', 0), ('resolved', 0), ('closed', 0);
UPDATE ticket_counts SET count = (SELECT COUNT(*) FROM tickets WHERE tickets.status = ticket_counts.status);

CREATE TRIGGER tickets_count_insert AFTER INSERT ON tickets
BEGIN
    UPDATE ticket_counts SET count = count + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER tickets_count_status AFTER UPDATE OF status ON tickets
    WHEN OLD.status <> NEW.status
BEGIN
    UPDATE ticket_counts SET count = count - 1 WHERE status = OLD.status;
    UPDATE ticket_counts SET count = count + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER tickets_count_delete AFTER DELETE ON tickets
BEGIN
    UPDATE ticket_counts SET count = count - 1 WHERE status = OLD.status;
END;

-- Tickets per similar_key, for the queue's "similar" column.
CREATE TABLE similar_counts (
    similar_key  TEXT    PRIMARY KEY,
    count        INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER tickets_similar_insert AFTER INSERT ON tickets WHEN NEW.similar_key <> ''
BEGIN
    INSERT INTO similar_counts (similar_key, count) VALUES (NEW.similar_key, 1)
        ON CONFLICT (similar_key) DO UPDATE SET count = count + 1;
END;
