-- Insights for the team lead (/staff/insights). Every figure on that page is
-- read from a tally kept here as things happen, one row per UTC day and
-- what it is counted by, so that a range of days reads a few thousand rows
-- however many tickets there are. Days are 'YYYY-MM-DD' in UTC, the first
-- ten characters of the stored times.

-- When the walk figures begin: walks were never dated before this version,
-- so the page says from when it counts them. Written once, on the first
-- start of this version.
INSERT INTO settings (key, value)
    VALUES ('insights_since', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    ON CONFLICT (key) DO NOTHING;

-- Decision-tree walks: per day, code and step, how many visitors were
-- shown the step (`started` too when it is the first one), pressed "Yes,
-- fixed" on it, and filed a ticket with it as the last check they answered
-- "still failing". Step ids are as recorded; the page counts an earlier id
-- for the step that replaced it. Only steps of the tree are recorded, so
-- the table grows by at most one row per step a day. No personal data.
CREATE TABLE walk_days (
    day         TEXT    NOT NULL,
    error_code  TEXT    NOT NULL,
    step_id     TEXT    NOT NULL,
    started     INTEGER NOT NULL DEFAULT 0,
    reached     INTEGER NOT NULL DEFAULT 0,
    fixed       INTEGER NOT NULL DEFAULT 0,
    filed       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, error_code, step_id)
) WITHOUT ROWID;

-- Who was counted today, so that a reload or going back does not count
-- again: a SHA-256 of the visitor's form token (never the token). Rows of
-- earlier days are deleted a few at a time by later writes.
CREATE TABLE walk_visitors (
    id            INTEGER PRIMARY KEY,
    day           TEXT    NOT NULL,
    error_code    TEXT    NOT NULL,
    step_id       TEXT    NOT NULL,
    mark          TEXT    NOT NULL CHECK (mark IN ('reached', 'fixed')),
    visitor_hash  TEXT    NOT NULL,
    UNIQUE (day, error_code, step_id, mark, visitor_hash)
);

-- Tickets filed per day and code.
CREATE TABLE ticket_days (
    day         TEXT    NOT NULL,
    error_code  TEXT    NOT NULL,
    filed       INTEGER NOT NULL,
    PRIMARY KEY (day, error_code)
) WITHOUT ROWID;

CREATE TRIGGER insights_ticket_filed AFTER INSERT ON tickets
BEGIN
    INSERT INTO ticket_days (day, error_code, filed)
        VALUES (substr(NEW.created_at, 1, 10), NEW.error_code, 1)
        ON CONFLICT (day, error_code) DO UPDATE SET filed = filed + 1;
END;
-- A ticket opened from a mail may be given its code later.
CREATE TRIGGER insights_ticket_code AFTER UPDATE OF error_code ON tickets
    WHEN OLD.error_code <> NEW.error_code
BEGIN
    UPDATE ticket_days SET filed = filed - 1
        WHERE day = substr(OLD.created_at, 1, 10) AND error_code = OLD.error_code;
    INSERT INTO ticket_days (day, error_code, filed)
        VALUES (substr(NEW.created_at, 1, 10), NEW.error_code, 1)
        ON CONFLICT (day, error_code) DO UPDATE SET filed = filed + 1;
END;
CREATE TRIGGER insights_ticket_deleted AFTER DELETE ON tickets
BEGIN
    UPDATE ticket_days SET filed = filed - 1
        WHERE day = substr(OLD.created_at, 1, 10) AND error_code = OLD.error_code;
END;

INSERT INTO ticket_days (day, error_code, filed)
    SELECT substr(created_at, 1, 10), error_code, COUNT(*) FROM tickets GROUP BY 1, 2;

-- Response times as histograms: per day, measure and priority, how many
-- durations fell in each band. A percentile is then read from the bands of
-- the range's days (`insights::Bands`), a few hundred rows, instead of from
-- the tickets themselves; it is as exact as its band, and the page says so.
-- The bands' upper limits, in seconds; the last has none. The same list
-- is `insights::BAND_LIMITS`, and a test holds them equal.
CREATE TABLE duration_bands (
    band       INTEGER PRIMARY KEY,
    below      INTEGER
);
INSERT INTO duration_bands (band, below) VALUES
    (0, 300), (1, 900), (2, 1800), (3, 3600), (4, 7200), (5, 14400), (6, 28800),
    (7, 43200), (8, 86400), (9, 172800), (10, 259200), (11, 432000), (12, 604800),
    (13, 1209600), (14, 2592000), (15, NULL);

-- first_response: filed → first public reply by staff, on the reply's day,
-- by the priority then; `met` counts those answered by their due time.
-- resolution: filed → first time resolved, on that day, by the priority then.
CREATE TABLE duration_days (
    day        TEXT    NOT NULL,
    measure    TEXT    NOT NULL CHECK (measure IN ('first_response', 'resolution')),
    priority   INTEGER NOT NULL,
    band       INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    met        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, measure, priority, band)
) WITHOUT ROWID;

CREATE TRIGGER insights_first_response_filed AFTER INSERT ON tickets
    WHEN NEW.first_response_at IS NOT NULL
BEGIN
    INSERT INTO duration_days (day, measure, priority, band, count, met)
        SELECT substr(NEW.first_response_at, 1, 10), 'first_response', NEW.priority,
            COALESCE(MIN(band), 15), 1, NEW.due_at IS NOT NULL AND NEW.first_response_at <= NEW.due_at
        FROM duration_bands
        WHERE below > max(0, unixepoch(NEW.first_response_at) - unixepoch(NEW.created_at))
        ON CONFLICT (day, measure, priority, band)
            DO UPDATE SET count = count + 1, met = met + excluded.met;
END;
CREATE TRIGGER insights_first_response AFTER UPDATE OF first_response_at ON tickets
    WHEN OLD.first_response_at IS NULL AND NEW.first_response_at IS NOT NULL
BEGIN
    INSERT INTO duration_days (day, measure, priority, band, count, met)
        SELECT substr(NEW.first_response_at, 1, 10), 'first_response', NEW.priority,
            COALESCE(MIN(band), 15), 1, NEW.due_at IS NOT NULL AND NEW.first_response_at <= NEW.due_at
        FROM duration_bands
        WHERE below > max(0, unixepoch(NEW.first_response_at) - unixepoch(NEW.created_at))
        ON CONFLICT (day, measure, priority, band)
            DO UPDATE SET count = count + 1, met = met + excluded.met;
END;

-- Resolution is read from the timeline, where every move to resolved is
-- an event (a status change, or a reply that resolves); only a ticket's
-- first counts, found through the ticket's own events.
CREATE TRIGGER insights_resolution AFTER INSERT ON ticket_events
    WHEN (NEW.kind = 'status' AND json_extract(NEW.data, '$.to') = 'resolved')
        OR (NEW.kind = 'reply' AND json_extract(NEW.data, '$.status.to') = 'resolved')
BEGIN
    INSERT INTO duration_days (day, measure, priority, band, count, met)
        SELECT substr(NEW.at, 1, 10), 'resolution', t.priority,
            (SELECT COALESCE(MIN(band), 15) FROM duration_bands
                WHERE below > max(0, unixepoch(NEW.at) - unixepoch(t.created_at))),
            1, 0
        FROM tickets t
        WHERE t.id = NEW.ticket_id
            AND NOT EXISTS (
                SELECT 1 FROM ticket_events e
                WHERE e.ticket_id = NEW.ticket_id AND e.id < NEW.id
                    AND ((e.kind = 'status' AND json_extract(e.data, '$.to') = 'resolved')
                        OR (e.kind = 'reply' AND json_extract(e.data, '$.status.to') = 'resolved')))
        ON CONFLICT (day, measure, priority, band) DO UPDATE SET count = count + 1;
END;

INSERT INTO duration_days (day, measure, priority, band, count, met)
    SELECT day, 'first_response', priority, band, COUNT(*), SUM(met)
    FROM (
        SELECT substr(t.first_response_at, 1, 10) AS day, t.priority,
            (SELECT COALESCE(MIN(band), 15) FROM duration_bands
                WHERE below > max(0, unixepoch(t.first_response_at) - unixepoch(t.created_at))) AS band,
            t.due_at IS NOT NULL AND t.first_response_at <= t.due_at AS met
        FROM tickets t
        WHERE t.first_response_at IS NOT NULL
    )
    GROUP BY day, priority, band;

INSERT INTO duration_days (day, measure, priority, band, count, met)
    SELECT day, 'resolution', priority, band, COUNT(*), 0
    FROM (
        SELECT substr(e.at, 1, 10) AS day, t.priority,
            (SELECT COALESCE(MIN(band), 15) FROM duration_bands
                WHERE below > max(0, unixepoch(e.at) - unixepoch(t.created_at))) AS band
        FROM (
            SELECT ticket_id, MIN(id) AS id FROM ticket_events
            WHERE (kind = 'status' AND json_extract(data, '$.to') = 'resolved')
                OR (kind = 'reply' AND json_extract(data, '$.status.to') = 'resolved')
            GROUP BY ticket_id
        ) first
        JOIN ticket_events e ON e.id = first.id
        JOIN tickets t ON t.id = first.ticket_id
    )
    GROUP BY day, priority, band;

-- Problems' tickets per day (the day each was filed), for the busiest
-- problems of a range.
CREATE TABLE problem_days (
    day         TEXT    NOT NULL,
    problem_id  INTEGER NOT NULL,
    tickets     INTEGER NOT NULL,
    PRIMARY KEY (day, problem_id)
) WITHOUT ROWID;

CREATE TRIGGER insights_problem_filed AFTER INSERT ON tickets
    WHEN NEW.problem_id IS NOT NULL
BEGIN
    INSERT INTO problem_days (day, problem_id, tickets)
        VALUES (substr(NEW.created_at, 1, 10), NEW.problem_id, 1)
        ON CONFLICT (day, problem_id) DO UPDATE SET tickets = tickets + 1;
END;
CREATE TRIGGER insights_problem_moved AFTER UPDATE OF problem_id ON tickets
    WHEN OLD.problem_id IS NOT NEW.problem_id
BEGIN
    UPDATE problem_days SET tickets = tickets - 1
        WHERE day = substr(OLD.created_at, 1, 10) AND problem_id = OLD.problem_id;
    INSERT INTO problem_days (day, problem_id, tickets)
        SELECT substr(NEW.created_at, 1, 10), NEW.problem_id, 1
        WHERE NEW.problem_id IS NOT NULL
        ON CONFLICT (day, problem_id) DO UPDATE SET tickets = tickets + 1;
END;

INSERT INTO problem_days (day, problem_id, tickets)
    SELECT substr(created_at, 1, 10), problem_id, COUNT(*) FROM tickets
    WHERE problem_id IS NOT NULL GROUP BY 1, 2;
