-- Files attached to tickets. Contents live in the database, so a backup or
-- a second instance on the same database has them with nothing else to
-- copy; each distinct content is stored once, by the SHA-256 of its bytes.

CREATE TABLE blobs (
    id      INTEGER PRIMARY KEY,
    sha256  TEXT    NOT NULL UNIQUE,
    size    INTEGER NOT NULL,
    bytes   BLOB    NOT NULL
);

-- One row per file someone attached. A file arrives staged (no ticket yet:
-- a form that came back with a mistake keeps it, an API client uploads it
-- before it files), and is bound to its ticket and the event it came with
-- when that is stored; staged files nobody claims are dropped after a day.
CREATE TABLE attachments (
    id             INTEGER PRIMARY KEY,
    -- In addresses and the API: never the sequential id.
    public_id      TEXT    NOT NULL UNIQUE,
    ticket_id      INTEGER REFERENCES tickets (id),
    event_id       INTEGER REFERENCES ticket_events (id),
    -- Cleaned for display; never used as a path.
    name           TEXT    NOT NULL,
    -- What the content is (attachments::FileKind).
    kind           TEXT    NOT NULL,
    size           INTEGER NOT NULL,
    blob_id        INTEGER NOT NULL REFERENCES blobs (id),
    thumb_blob_id  INTEGER REFERENCES blobs (id),
    -- What inspection took out, as JSON: [{"what": "cookie", "count": 2}].
    removed        TEXT    NOT NULL DEFAULT '[]',
    -- form, status_page, staff, mail or api.
    via            TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    -- Set while staged: when an unclaimed file is dropped.
    staged_until   TEXT,
    CHECK ((ticket_id IS NULL) = (staged_until IS NOT NULL))
);
CREATE INDEX attachments_by_ticket ON attachments (ticket_id, id) WHERE ticket_id IS NOT NULL;
CREATE INDEX attachments_staged ON attachments (staged_until) WHERE staged_until IS NOT NULL;
CREATE INDEX attachments_by_blob ON attachments (blob_id);
CREATE INDEX attachments_by_thumb ON attachments (thumb_blob_id) WHERE thumb_blob_id IS NOT NULL;

-- A content goes when the last file that holds it goes.
CREATE TRIGGER attachments_release_blobs AFTER DELETE ON attachments
BEGIN
    DELETE FROM blobs
    WHERE id IN (OLD.blob_id, OLD.thumb_blob_id)
      AND NOT EXISTS (SELECT 1 FROM attachments WHERE blob_id = blobs.id)
      AND NOT EXISTS (SELECT 1 FROM attachments WHERE thumb_blob_id = blobs.id);
END;
