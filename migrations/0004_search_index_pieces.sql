-- Search rows per piece of a ticket, not per ticket. 0002 kept one row per
-- ticket and appended every note, reply and requester addition to it, so
-- each addition re-indexed the ticket's whole text: a ticket with many large
-- additions made each new one slower. Now the ticket's own text and each
-- note, reply or addition are rows of their own, and an addition indexes
-- only itself.
--
-- rowid = ticket id * 2^20 + piece: piece 0 is the ticket's message,
-- endpoint and recent changes; 1, 2, … are its notes, replies and additions
-- in order. A ticket's rows are contiguous, so the queue search can walk the
-- index in ticket order and check the other words within one ticket's range
-- (src/store/queue.rs): a ticket still matches when every word appears
-- somewhere in its pieces, and results stay one row per ticket.

DROP TRIGGER tickets_search_insert;
DROP TRIGGER ticket_events_search_insert;
DROP TABLE ticket_search;

CREATE VIRTUAL TABLE ticket_search USING fts5 (
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO ticket_search (rowid, body)
        VALUES (NEW.id * 1048576, NEW.message || ' ' || NEW.endpoint || ' ' || NEW.recent_changes);
END;

-- The next free piece of the ticket: its last row's rowid plus one.
CREATE TRIGGER ticket_events_search_insert AFTER INSERT ON ticket_events
    WHEN NEW.kind IN ('note', 'reply', 'requester_reply') AND NEW.body <> ''
BEGIN
    INSERT INTO ticket_search (rowid, body)
        VALUES (
            (SELECT COALESCE(MAX(rowid), NEW.ticket_id * 1048576) + 1 FROM ticket_search
                WHERE rowid BETWEEN NEW.ticket_id * 1048576 AND NEW.ticket_id * 1048576 + 1048575),
            NEW.body
        );
END;

INSERT INTO ticket_search (rowid, body)
    SELECT id * 1048576, message || ' ' || endpoint || ' ' || recent_changes FROM tickets;
INSERT INTO ticket_search (rowid, body)
    SELECT ticket_id * 1048576 + ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY id), body
    FROM ticket_events
    WHERE kind IN ('note', 'reply', 'requester_reply') AND body <> '';

-- "Yes, that fixed it" is counted once per visitor and step. A visitor is a
-- SHA-256 of the browser's form token (never the token itself); rows older
-- than the counting window are pruned as new ones arrive.
CREATE TABLE deflection_visitors (
    error_code    TEXT NOT NULL,
    step_id       TEXT NOT NULL,
    visitor_hash  TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (error_code, step_id, visitor_hash)
) WITHOUT ROWID;
CREATE INDEX deflection_visitors_by_time ON deflection_visitors (at);
