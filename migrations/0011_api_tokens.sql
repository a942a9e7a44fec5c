-- The integration API (/api/v1): tokens an admin creates for a team's
-- error handlers and tools, the Idempotency-Key of each ticket filed
-- through it, and which timeline events a token caused.

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    -- Comma-separated: tickets:create, tickets:read, tickets:act.
    scopes        TEXT    NOT NULL,
    -- Hex SHA-256 of the whole token; the token itself is shown once.
    token_hash    TEXT    NOT NULL UNIQUE,
    -- Its first characters, so people can tell their tokens apart.
    prefix        TEXT    NOT NULL,
    -- The admin who created it: what it does is done in their name.
    created_by    INTEGER NOT NULL REFERENCES staff (id),
    created_at    TEXT    NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);

-- One row per Idempotency-Key a token sent with a ticket it filed: the same
-- key and body again returns that ticket; with another body, a refusal.
-- Rows older than a day no longer count and are replaced when reused.
CREATE TABLE api_idempotency (
    token_id   INTEGER NOT NULL REFERENCES api_tokens (id),
    key        TEXT    NOT NULL,
    -- Hex SHA-256 of the request body as sent.
    body_hash  TEXT    NOT NULL,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    created_at TEXT    NOT NULL,
    PRIMARY KEY (token_id, key)
) WITHOUT ROWID;

-- Events caused through a token (the event's actor is the admin who
-- created it): staff see which token acted.
CREATE TABLE event_tokens (
    event_id  INTEGER PRIMARY KEY REFERENCES ticket_events (id),
    token_id  INTEGER NOT NULL REFERENCES api_tokens (id)
);
