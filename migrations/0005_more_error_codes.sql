-- Tickets may now be filed under the errors that got a tree of their own in
-- issue 7: more HTTP statuses (400 405 409 413 415 422 502 503 504) and
-- failures without one (timeout, connection, dns, tls, invalid-json,
-- pagination). SQLite cannot change a CHECK constraint in place, so the
-- table is rebuilt the documented way (https://sqlite.org/lang_altertable.html,
-- "Making Other Kinds Of Table Schema Changes"): create the new table, copy
-- every row with its id, drop the old one, rename, and re-create its indexes
-- and triggers. Ids are kept, so ticket_events, the search index (rowids
-- derived from ticket ids) and merged_into_id still point at the same rows.
--
-- Foreign keys must be off while the old table is dropped: the store runs
-- every migration with them off and checks them all before turning them
-- back on (src/store/migrate.rs).

CREATE TABLE tickets_widened (
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
    method           TEXT    NOT NULL CHECK (method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
    occurred_at      TEXT    NOT NULL,
    tool             TEXT    NOT NULL CHECK (tool IN ('workato', 'zapier', 'make', 'script', 'postman', 'other')),
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
    time_zone        TEXT    NOT NULL DEFAULT 'UTC'
);

INSERT INTO tickets_widened (
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
ALTER TABLE tickets_widened RENAME TO tickets;

CREATE INDEX tickets_by_status ON tickets (status, priority, created_at, id);
CREATE INDEX tickets_by_status_created ON tickets (status, created_at, id);
CREATE INDEX tickets_by_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_by_priority ON tickets (priority, created_at, id);
CREATE INDEX tickets_by_created ON tickets (created_at, id);
CREATE INDEX tickets_by_updated ON tickets (updated_at, id);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id, status, priority, created_at, id);
CREATE INDEX tickets_by_code ON tickets (error_code, status, priority, created_at, id);
CREATE INDEX tickets_by_similar ON tickets (similar_key, created_at);

-- The triggers as 0002 and 0004 left them.
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
