-- The requester's side: tickets, anonymous deflection counts, and settings
-- the server generates for itself on first start.

CREATE TABLE tickets (
    id               INTEGER PRIMARY KEY,
    -- Unguessable handle for the requester's status page; never the id.
    token            TEXT    NOT NULL UNIQUE,
    -- One per rendered form, so a double submit finds the first ticket.
    submission_id    TEXT    NOT NULL UNIQUE,
    error_code       TEXT    NOT NULL CHECK (error_code IN ('401', '403', '404', '429', '500', 'other')),
    message          TEXT    NOT NULL,
    endpoint         TEXT    NOT NULL,
    method           TEXT    NOT NULL CHECK (method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
    -- UTC, RFC 3339 with a `Z`, so text order is time order.
    occurred_at      TEXT    NOT NULL,
    tool             TEXT    NOT NULL CHECK (tool IN ('workato', 'zapier', 'make', 'script', 'postman', 'other')),
    tool_other       TEXT    NOT NULL DEFAULT '',
    recent_changes   TEXT    NOT NULL DEFAULT '',
    environment      TEXT    NOT NULL CHECK (environment IN ('production', 'sandbox', 'unsure')),
    requester_name   TEXT    NOT NULL DEFAULT '',
    requester_email  TEXT    NOT NULL,
    -- Decision-tree step ids the requester already answered "still failing" to, comma-separated.
    tree_path        TEXT    NOT NULL DEFAULT '',
    status           TEXT    NOT NULL DEFAULT 'new'
                     CHECK (status IN ('new', 'open', 'waiting', 'resolved', 'closed')),
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);

-- "Yes, that fixed it", counted per code and step. No personal data.
CREATE TABLE deflections (
    error_code  TEXT    NOT NULL,
    step_id     TEXT    NOT NULL,
    count       INTEGER NOT NULL DEFAULT 0,
    last_at     TEXT    NOT NULL,
    PRIMARY KEY (error_code, step_id)
) WITHOUT ROWID;

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
