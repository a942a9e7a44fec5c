-- A ticket may now be opened from an email that answers nothing apidesk
-- sent (when `--mail-new-tickets` is on). Such a mail says what failed in
-- its own words, rarely the HTTP method, the time or the tool: those are
-- stored as missing (NULL) instead of made up, and `details_wanted` names
-- what the requester is still asked for ('' for every ticket from the
-- form). SQLite cannot drop a NOT NULL constraint in place, so the table is
-- rebuilt as 0005 did, keeping every id (events, the search index and
-- merges point at them).
--
-- Foreign keys are off while migrations run (src/store/sqlite/migrate.rs).

CREATE TABLE tickets_completable (
    id               INTEGER PRIMARY KEY,
    token            TEXT    NOT NULL UNIQUE,
    submission_id    TEXT    NOT NULL UNIQUE,
    error_code       TEXT    NOT NULL CHECK (error_code IN (
                         '400', '401', '403', '404', '405', '409', '413', '415', '422', '429',
                         '500', '502', '503', '504',
                         'timeout', 'connection', 'dns', 'tls', 'invalid-json', 'pagination',
                         'other')),
    message          TEXT    NOT NULL,
    endpoint         TEXT    NOT NULL,
    method           TEXT    CHECK (method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
    occurred_at      TEXT,
    tool             TEXT    CHECK (tool IN ('workato', 'zapier', 'make', 'script', 'postman', 'other')),
    tool_other       TEXT    NOT NULL DEFAULT '',
    recent_changes   TEXT    NOT NULL DEFAULT '',
    environment      TEXT    NOT NULL CHECK (environment IN ('production', 'sandbox', 'unsure')),
    requester_name   TEXT    NOT NULL DEFAULT '',
    requester_email  TEXT    NOT NULL,
    tree_path        TEXT    NOT NULL DEFAULT '',
    status           TEXT    NOT NULL DEFAULT 'new'
                     CHECK (status IN ('new', 'open', 'waiting', 'resolved', 'closed')),
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    priority         INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 3),
    assignee_id      INTEGER REFERENCES staff (id),
    merged_into_id   INTEGER REFERENCES tickets (id),
    first_response_at TEXT,
    due_at           TEXT,
    similar_key      TEXT    NOT NULL DEFAULT '',
    time_zone        TEXT    NOT NULL DEFAULT 'UTC',
    -- Comma-separated form field names still to be given
    -- (error_code, endpoint, method, occurred_at, tool).
    details_wanted   TEXT    NOT NULL DEFAULT '',
    -- How the integration calls the API, as the rate-limit calculator was
    -- told before filing a 429 ('' when it was not used): minutes between
    -- runs, calls a run, runs side by side, minutes a run takes.
    usage            TEXT    NOT NULL DEFAULT ''
);

INSERT INTO tickets_completable (
    id, token, submission_id, error_code, message, endpoint, method, occurred_at, tool,
    tool_other, recent_changes, environment, requester_name, requester_email, tree_path,
    status, created_at, updated_at, priority, assignee_id, merged_into_id, first_response_at,
    due_at, similar_key, time_zone
)
SELECT
    id, token, submission_id, error_code, message, endpoint, method, occurred_at, tool,
    tool_other, recent_changes, environment, requester_name, requester_email, tree_path,
    status, created_at, updated_at, priority, assignee_id, merged_into_id, first_response_at,
    due_at, similar_key, time_zone
FROM tickets;

DROP TABLE tickets;
ALTER TABLE tickets_completable RENAME TO tickets;

CREATE INDEX tickets_by_status ON tickets (status, priority, created_at, id);
CREATE INDEX tickets_by_status_created ON tickets (status, created_at, id);
CREATE INDEX tickets_by_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_by_priority ON tickets (priority, created_at, id);
CREATE INDEX tickets_by_created ON tickets (created_at, id);
CREATE INDEX tickets_by_updated ON tickets (updated_at, id);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id, status, priority, created_at, id);
CREATE INDEX tickets_by_code ON tickets (error_code, status, priority, created_at, id);
CREATE INDEX tickets_by_similar ON tickets (similar_key, created_at);
CREATE INDEX tickets_by_email ON tickets (requester_email COLLATE NOCASE);

-- The triggers as 0005 left them.
CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO ticket_search (rowid, body)
        VALUES (NEW.id * 1048576, NEW.message || ' ' || NEW.endpoint || ' ' || NEW.recent_changes);
END;
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
CREATE TRIGGER tickets_similar_insert AFTER INSERT ON tickets WHEN NEW.similar_key <> ''
BEGIN
    INSERT INTO similar_counts (similar_key, count) VALUES (NEW.similar_key, 1)
        ON CONFLICT (similar_key) DO UPDATE SET count = count + 1;
END;

-- New: completing a ticket gives it an endpoint (searchable like the
-- form's) and a similar-problem key (counted like one given on insert).
CREATE TRIGGER tickets_search_details AFTER UPDATE OF endpoint ON tickets
    WHEN OLD.endpoint <> NEW.endpoint
BEGIN
    UPDATE ticket_search
        SET body = NEW.message || ' ' || NEW.endpoint || ' ' || NEW.recent_changes
        WHERE rowid = NEW.id * 1048576;
END;
CREATE TRIGGER tickets_similar_details AFTER UPDATE OF similar_key ON tickets
    WHEN OLD.similar_key <> NEW.similar_key
BEGIN
    UPDATE similar_counts SET count = count - 1 WHERE similar_key = OLD.similar_key;
    INSERT INTO similar_counts (similar_key, count)
        SELECT NEW.similar_key, 1 WHERE NEW.similar_key <> ''
        ON CONFLICT (similar_key) DO UPDATE SET count = count + 1;
END;

-- Received mail may now open a ticket ('opened'). The table is small; it is
-- rebuilt for its CHECK the same way.
CREATE TABLE mail_inbound_opening (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT    NOT NULL UNIQUE,
    sender       TEXT    NOT NULL,
    subject      TEXT    NOT NULL DEFAULT '',
    received_at  TEXT    NOT NULL,
    -- As in 0007, and opened: a new ticket, its details asked for.
    outcome      TEXT    NOT NULL CHECK (outcome IN ('added', 'noted', 'ignored', 'bounce',
                                                     'unmatched', 'held', 'opened')),
    reason       TEXT    NOT NULL DEFAULT '',
    ticket_id    INTEGER REFERENCES tickets (id),
    event_id     INTEGER REFERENCES ticket_events (id)
);
INSERT INTO mail_inbound_opening
    SELECT id, message_id, sender, subject, received_at, outcome, reason, ticket_id, event_id
    FROM mail_inbound;
DROP TABLE mail_inbound;
ALTER TABLE mail_inbound_opening RENAME TO mail_inbound;
CREATE INDEX mail_inbound_by_ticket ON mail_inbound (ticket_id, received_at)
    WHERE ticket_id IS NOT NULL;
-- How many tickets one sender opened by mail lately (the hourly cap).
CREATE INDEX mail_inbound_opened_by_sender ON mail_inbound (sender COLLATE NOCASE, received_at)
    WHERE outcome = 'opened';
