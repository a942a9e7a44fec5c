-- Mail, written in the same transaction as the event that causes it (to the
-- requester: a ticket filed, a public reply, a status they must act on; to
-- staff who asked for it: a new urgent ticket, a ticket assigned to them):
-- if the event is stored, so is its mail. A background task delivers what is
-- pending and records every attempt.

CREATE TABLE mail_outbox (
    id               INTEGER PRIMARY KEY,
    -- The ticket and the event the mail tells about (a resend's copy names
    -- the same); none for 'links', which lists the tickets in ticket_ids.
    ticket_id        INTEGER REFERENCES tickets (id),
    event_id         INTEGER REFERENCES ticket_events (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('filed', 'reply', 'waiting', 'resolved',
                                                      'staff_urgent', 'staff_assigned', 'links')),
    -- 'links' ("email me my tickets"): the tickets it links, comma-separated ids.
    ticket_ids       TEXT    NOT NULL DEFAULT '',
    recipient        TEXT    NOT NULL,
    -- The left part of the Message-ID (random); the domain is added when sent.
    message_key      TEXT    NOT NULL UNIQUE,
    -- pending: to be sent at next_attempt_at; sent; failed: given up after
    -- errors; not_sent: never tried (mail was off, or a cap held it back).
    state            TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'not_sent')),
    -- Why it is not sent, or the last error while pending or failed.
    reason           TEXT    NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    created_at       TEXT    NOT NULL,
    sent_at          TEXT,
    -- Set on a copy made by staff pressing "resend".
    resend_of        INTEGER REFERENCES mail_outbox (id),
    CHECK ((kind = 'links') = (ticket_id IS NULL)),
    CHECK ((ticket_id IS NULL) = (event_id IS NULL))
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX mail_outbox_by_ticket ON mail_outbox (ticket_id, id);
-- Caps count per mailbox, whatever the case of the address as typed.
CREATE INDEX mail_outbox_by_recipient ON mail_outbox (recipient COLLATE NOCASE, kind, created_at);

-- Every delivery attempt and how it ended, for staff and for the record.
CREATE TABLE mail_attempts (
    id         INTEGER PRIMARY KEY,
    mail_id    INTEGER NOT NULL REFERENCES mail_outbox (id),
    at         TEXT    NOT NULL,
    outcome    TEXT    NOT NULL CHECK (outcome IN ('sent', 'temporary', 'permanent')),
    detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX mail_attempts_by_mail ON mail_attempts (mail_id, id);

-- Which mail each staff member wants ("My settings"); none until chosen.
ALTER TABLE staff ADD COLUMN notify_urgent INTEGER NOT NULL DEFAULT 0 CHECK (notify_urgent IN (0, 1));
ALTER TABLE staff ADD COLUMN notify_assigned INTEGER NOT NULL DEFAULT 0 CHECK (notify_assigned IN (0, 1));

-- "Email me my tickets" finds a requester's tickets by address.
CREATE INDEX tickets_by_email ON tickets (requester_email COLLATE NOCASE);
