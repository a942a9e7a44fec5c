-- Known incidents: staff declare that the platform itself is failing (what
-- is affected, which error codes, since when) and end it. While one is
-- open, the start page and the affected checks say so first, and tickets
-- filed meanwhile are linked to it so they can be answered together.

CREATE TABLE incidents (
    id           INTEGER PRIMARY KEY,
    title        TEXT    NOT NULL,
    -- What is affected, in words the requesters read.
    affected     TEXT    NOT NULL DEFAULT '',
    -- Comma-separated error codes it causes; '' for every code.
    codes        TEXT    NOT NULL DEFAULT '',
    started_at   TEXT    NOT NULL,
    -- NULL while it lasts.
    ended_at     TEXT,
    declared_by  INTEGER NOT NULL REFERENCES staff (id),
    ended_by     INTEGER REFERENCES staff (id),
    created_at   TEXT    NOT NULL
);
CREATE INDEX incidents_open ON incidents (started_at) WHERE ended_at IS NULL;

-- The incident open when the ticket was filed, if it covered its code.
ALTER TABLE tickets ADD COLUMN incident_id INTEGER REFERENCES incidents (id);
CREATE INDEX tickets_by_incident ON tickets (incident_id, id) WHERE incident_id IS NOT NULL;
