-- The queue as a workspace: exact counts for every view, named views the
-- team shares, and bulk edits that can be undone for a short while.

-- Tickets per combination of the values a view filters on (everything but
-- dates and search words), kept by triggers: a view's count is a sum over
-- at most a few thousand rows, however many tickets there are.
CREATE TABLE queue_tally (
    status       TEXT    NOT NULL,
    folded       INTEGER NOT NULL,
    error_code   TEXT    NOT NULL,
    priority     INTEGER NOT NULL,
    -- 0: unassigned (staff ids start at 1).
    assignee_id  INTEGER NOT NULL,
    environment  TEXT    NOT NULL,
    -- '': not given yet (a ticket opened from a mail).
    tool         TEXT    NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (status, folded, error_code, priority, assignee_id, environment, tool)
) WITHOUT ROWID;

INSERT INTO queue_tally (status, folded, error_code, priority, assignee_id, environment, tool, n)
    SELECT status, folded, error_code, priority, IFNULL(assignee_id, 0), environment,
           IFNULL(tool, ''), COUNT(*)
    FROM tickets
    GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE TRIGGER queue_tally_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO queue_tally (status, folded, error_code, priority, assignee_id, environment, tool, n)
        VALUES (NEW.status, NEW.folded, NEW.error_code, NEW.priority, IFNULL(NEW.assignee_id, 0),
                NEW.environment, IFNULL(NEW.tool, ''), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER queue_tally_update
    AFTER UPDATE OF status, folded, error_code, priority, assignee_id, environment, tool ON tickets
    WHEN OLD.status IS NOT NEW.status OR OLD.folded IS NOT NEW.folded
        OR OLD.error_code IS NOT NEW.error_code OR OLD.priority IS NOT NEW.priority
        OR OLD.assignee_id IS NOT NEW.assignee_id OR OLD.environment IS NOT NEW.environment
        OR OLD.tool IS NOT NEW.tool
BEGIN
    UPDATE queue_tally SET n = n - 1
        WHERE status = OLD.status AND folded = OLD.folded AND error_code = OLD.error_code
            AND priority = OLD.priority AND assignee_id = IFNULL(OLD.assignee_id, 0)
            AND environment = OLD.environment AND tool = IFNULL(OLD.tool, '');
    INSERT INTO queue_tally (status, folded, error_code, priority, assignee_id, environment, tool, n)
        VALUES (NEW.status, NEW.folded, NEW.error_code, NEW.priority, IFNULL(NEW.assignee_id, 0),
                NEW.environment, IFNULL(NEW.tool, ''), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER queue_tally_delete AFTER DELETE ON tickets
BEGIN
    UPDATE queue_tally SET n = n - 1
        WHERE status = OLD.status AND folded = OLD.folded AND error_code = OLD.error_code
            AND priority = OLD.priority AND assignee_id = IFNULL(OLD.assignee_id, 0)
            AND environment = OLD.environment AND tool = IFNULL(OLD.tool, '');
END;

-- Tickets per creation day (UTC, as the date filters are), status and
-- folding: a view with a date range and no other filter but the status is
-- counted from whole days here plus its two edge days read by index.
CREATE TABLE queue_day_tally (
    day     TEXT    NOT NULL,
    status  TEXT    NOT NULL,
    folded  INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (day, status, folded)
) WITHOUT ROWID;

INSERT INTO queue_day_tally (day, status, folded, n)
    SELECT substr(created_at, 1, 10), status, folded, COUNT(*)
    FROM tickets
    GROUP BY 1, 2, 3;

CREATE TRIGGER queue_day_tally_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO queue_day_tally (day, status, folded, n)
        VALUES (substr(NEW.created_at, 1, 10), NEW.status, NEW.folded, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER queue_day_tally_update AFTER UPDATE OF status, folded, created_at ON tickets
    WHEN OLD.status IS NOT NEW.status OR OLD.folded IS NOT NEW.folded
        OR OLD.created_at IS NOT NEW.created_at
BEGIN
    UPDATE queue_day_tally SET n = n - 1
        WHERE day = substr(OLD.created_at, 1, 10) AND status = OLD.status AND folded = OLD.folded;
    INSERT INTO queue_day_tally (day, status, folded, n)
        VALUES (substr(NEW.created_at, 1, 10), NEW.status, NEW.folded, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER queue_day_tally_delete AFTER DELETE ON tickets
BEGIN
    UPDATE queue_day_tally SET n = n - 1
        WHERE day = substr(OLD.created_at, 1, 10) AND status = OLD.status AND folded = OLD.folded;
END;

-- Named views of the queue, shared by the whole team: the query string of
-- the view, in the canonical form `tickets::queue::QueueQuery` writes.
CREATE TABLE saved_views (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    query       TEXT    NOT NULL,
    -- NULL for the views apidesk starts with.
    created_by  INTEGER REFERENCES staff (id),
    created_at  TEXT    NOT NULL
);
CREATE UNIQUE INDEX saved_views_by_name ON saved_views (name COLLATE NOCASE);

INSERT INTO saved_views (name, query, created_by, created_at) VALUES
    ('Needs a human', 'status=new,open', NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('Mine, to answer', 'status=new,open&assignee=me', NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('Mine, waiting', 'status=waiting&assignee=me', NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('Unassigned', 'status=new,open&assignee=none', NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('Urgent 500s in production', 'status=new,open&code=500&priority=urgent&environment=production',
        NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

-- The view each staff member's queue opens on; none: "Needs a human".
CREATE TABLE staff_default_view (
    staff_id  INTEGER PRIMARY KEY REFERENCES staff (id),
    view_id   INTEGER NOT NULL REFERENCES saved_views (id) ON DELETE CASCADE
);

-- A bulk edit from the queue, kept so its author can undo it for a short
-- while. Mail and webhook deliveries it caused wait out that while (their
-- rows, by id, lie in the ranges below) and are dropped by an undo.
CREATE TABLE bulk_edits (
    id            INTEGER PRIMARY KEY,
    staff_id      INTEGER NOT NULL REFERENCES staff (id),
    created_at    TEXT    NOT NULL,
    undo_until    TEXT    NOT NULL,
    undone_at     TEXT,
    -- What the undo did, for the page that follows it ('' until undone).
    undo_note     TEXT    NOT NULL DEFAULT '',
    -- What the page said of it, one line per change (JSON array of strings).
    summary       TEXT    NOT NULL,
    -- Outbox rows written by the edit: ids in (after, upto].
    mail_after    INTEGER NOT NULL,
    mail_upto     INTEGER NOT NULL,
    hooks_after   INTEGER NOT NULL,
    hooks_upto    INTEGER NOT NULL
);
CREATE INDEX bulk_edits_by_time ON bulk_edits (created_at);

-- Each ticket the edit changed, as it was before and as the edit left it.
CREATE TABLE bulk_edit_tickets (
    bulk_id          INTEGER NOT NULL REFERENCES bulk_edits (id) ON DELETE CASCADE,
    ticket_id        INTEGER NOT NULL REFERENCES tickets (id),
    status_before    TEXT    NOT NULL,
    priority_before  INTEGER NOT NULL,
    assignee_before  INTEGER,
    status_after     TEXT    NOT NULL,
    priority_after   INTEGER NOT NULL,
    assignee_after   INTEGER,
    -- Shown only through its problem's lead (tickets.folded), before and after.
    folded_before    INTEGER NOT NULL,
    folded_after     INTEGER NOT NULL,
    PRIMARY KEY (bulk_id, ticket_id)
) WITHOUT ROWID;
