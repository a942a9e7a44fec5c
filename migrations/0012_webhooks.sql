-- Webhooks: endpoints admins register, and deliveries to them. A delivery
-- is written in the same transaction as the event that causes it (a ticket
-- filed, a reply, a resolution, a problem reaching an endpoint's threshold,
-- an incident declared or ended): if the event is stored, so is its
-- delivery. A background task sends what is pending and records each try.
-- (0011 is another change's.)

CREATE TABLE webhook_endpoints (
    id                 INTEGER PRIMARY KEY,
    url                TEXT    NOT NULL,
    format             TEXT    NOT NULL CHECK (format IN ('json', 'slack')),
    -- Comma-separated event names ('ticket.filed,problem.grown').
    events             TEXT    NOT NULL,
    -- For problem.grown: the number of tickets a problem reaches when the
    -- endpoint hears of it.
    problem_threshold  INTEGER CHECK (problem_threshold IS NULL OR problem_threshold >= 2),
    -- The HMAC key deliveries are signed with. Kept as is, since signing
    -- needs it; shown to the admin once (secret_shown), then only its start.
    secret             TEXT    NOT NULL,
    secret_shown       INTEGER NOT NULL DEFAULT 0 CHECK (secret_shown IN (0, 1)),
    created_by         INTEGER NOT NULL REFERENCES staff (id),
    created_at         TEXT    NOT NULL,
    -- NULL while active; a disabled endpoint is kept with its deliveries.
    disabled_at        TEXT
);

CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    -- Its id for the receiver: the body's "id", the Apidesk-Delivery header.
    uuid             TEXT    NOT NULL UNIQUE,
    endpoint_id      INTEGER NOT NULL REFERENCES webhook_endpoints (id),
    event            TEXT    NOT NULL,
    -- What it is about, 'ticket:12', 'problem:3' or 'incident:4'.
    subject          TEXT    NOT NULL,
    -- The facts the body is made from when sent (JSON), without links.
    payload          TEXT    NOT NULL,
    -- pending: to be sent at next_attempt_at; sent: answered 2xx; failed:
    -- given up (refused by the address rules, or failing every attempt).
    state            TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    -- The last attempt: the HTTP status, if any answer came; the start of
    -- the answer (500 characters); why it failed.
    last_status      INTEGER,
    last_response    TEXT    NOT NULL DEFAULT '',
    last_error       TEXT    NOT NULL DEFAULT '',
    created_at       TEXT    NOT NULL,
    sent_at          TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);
-- An endpoint hears of a problem reaching its threshold once, even if the
-- problem shrinks (a ticket split out) and grows back to it.
CREATE UNIQUE INDEX webhook_deliveries_problem_once ON webhook_deliveries (endpoint_id, subject)
    WHERE event = 'problem.grown';
