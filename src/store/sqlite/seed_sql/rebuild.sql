-- What the insert triggers dropped for a load into an empty database would
-- have written, in one pass each. Every statement adds to what is there, as
-- the triggers do, and matches them row for row (tests/seed.rs compares).

-- tickets_search_insert and ticket_events_search_insert: a ticket's own row
-- at id * 2^20, its written events after it in the order they were stored.
-- Inserted in rowid order, so FTS5 appends.
INSERT INTO ticket_search (rowid, body)
SELECT doc, body FROM (
    SELECT id * 1048576 AS doc, message || ' ' || endpoint || ' ' || recent_changes AS body
        FROM tickets
    UNION ALL
    SELECT ticket_id * 1048576 + ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY id), body
        FROM ticket_events
        WHERE kind IN ('note', 'reply', 'requester_reply') AND body <> ''
)
ORDER BY doc;

-- tickets_count_insert: only statuses that already have a row are counted.
UPDATE ticket_counts
    SET count = count + (SELECT COUNT(*) FROM tickets t WHERE t.status = ticket_counts.status);

-- insights_ticket_filed
INSERT INTO ticket_days (day, error_code, filed)
SELECT substr(created_at, 1, 10), error_code, COUNT(*) FROM tickets GROUP BY 1, 2
    ON CONFLICT (day, error_code) DO UPDATE SET filed = filed + excluded.filed;

-- insights_first_response_filed
INSERT INTO duration_days (day, measure, priority, band, count, met)
SELECT day, 'first_response', priority, band, COUNT(*), SUM(met) FROM (
    SELECT substr(t.first_response_at, 1, 10) AS day, t.priority AS priority,
        (SELECT COALESCE(MIN(band), 15) FROM duration_bands
            WHERE below > max(0, unixepoch(t.first_response_at) - unixepoch(t.created_at))) AS band,
        t.due_at IS NOT NULL AND t.first_response_at <= t.due_at AS met
    FROM tickets t
    WHERE t.first_response_at IS NOT NULL
)
GROUP BY day, priority, band
    ON CONFLICT (day, measure, priority, band)
    DO UPDATE SET count = count + excluded.count, met = met + excluded.met;

-- insights_resolution: a ticket's first resolving event only.
INSERT INTO duration_days (day, measure, priority, band, count, met)
SELECT day, 'resolution', priority, band, COUNT(*), 0 FROM (
    SELECT substr(e.at, 1, 10) AS day, t.priority AS priority,
        (SELECT COALESCE(MIN(band), 15) FROM duration_bands
            WHERE below > max(0, unixepoch(e.at) - unixepoch(t.created_at))) AS band
    FROM (
        SELECT MIN(id) AS id FROM ticket_events
            WHERE (kind = 'status' AND json_extract(data, '$.to') = 'resolved')
                OR (kind = 'reply' AND json_extract(data, '$.status.to') = 'resolved')
            GROUP BY ticket_id
    ) first
    JOIN ticket_events e ON e.id = first.id
    JOIN tickets t ON t.id = e.ticket_id
)
GROUP BY day, priority, band
    ON CONFLICT (day, measure, priority, band) DO UPDATE SET count = count + excluded.count;

-- insights_problem_filed
INSERT INTO problem_days (day, problem_id, tickets)
SELECT substr(created_at, 1, 10), problem_id, COUNT(*) FROM tickets
    WHERE problem_id IS NOT NULL GROUP BY 1, 2
    ON CONFLICT (day, problem_id) DO UPDATE SET tickets = tickets + excluded.tickets;

-- queue_tally_insert
INSERT INTO queue_tally (status, folded, error_code, priority, assignee_id, environment, tool, n)
SELECT status, folded, error_code, priority, IFNULL(assignee_id, 0), environment, IFNULL(tool, ''),
        COUNT(*)
    FROM tickets GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT DO UPDATE SET n = n + excluded.n;

-- queue_day_tally_insert
INSERT INTO queue_day_tally (day, status, folded, n)
SELECT substr(created_at, 1, 10), status, folded, COUNT(*) FROM tickets GROUP BY 1, 2, 3
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
