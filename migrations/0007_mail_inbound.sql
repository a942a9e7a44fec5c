-- Mail apidesk received (`apidesk mail ingest`, or IMAP polling): one row per
-- message, with what was done with it. The Message-ID is unique, so a
-- message handed over twice (an MTA retrying, a poll cut off before it
-- marked the message seen) is taken once.
CREATE TABLE mail_inbound (
    id           INTEGER PRIMARY KEY,
    -- The Message-ID, or a hash of the whole message when it has none.
    message_id   TEXT    NOT NULL UNIQUE,
    sender       TEXT    NOT NULL,
    subject      TEXT    NOT NULL DEFAULT '',
    received_at  TEXT    NOT NULL,
    -- added: the requester's addition; noted: a staff-only note; ignored:
    -- automatic mail (out of office, lists) or nothing to add; bounce: a
    -- delivery failure report; unmatched: answers no ticket; held: the
    -- ticket had its fill of mail this hour.
    outcome      TEXT    NOT NULL CHECK (outcome IN ('added', 'noted', 'ignored', 'bounce',
                                                     'unmatched', 'held')),
    reason       TEXT    NOT NULL DEFAULT '',
    ticket_id    INTEGER REFERENCES tickets (id),
    event_id     INTEGER REFERENCES ticket_events (id)
);

-- The ticket page's list, and the per-ticket hourly cap.
CREATE INDEX mail_inbound_by_ticket ON mail_inbound (ticket_id, received_at)
    WHERE ticket_id IS NOT NULL;

-- Addresses whose mail came back undeliverable (a delivery status report
-- saying so), shown to staff until that address mails in again.
CREATE TABLE mail_bounces (
    address     TEXT PRIMARY KEY COLLATE NOCASE,
    -- The report's status code (5.1.1) and the server's words.
    status      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    bounced_at  TEXT NOT NULL
);
