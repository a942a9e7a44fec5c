-- The queue sorted by last update reads each status (and folding) in that
-- order through tickets_by_status_updated, checking the other filters row by
-- row: a page costs about a page's rows unless a filter rarely matches.
-- Two such views read every ticket at a million:
--
-- An assignee (or nobody): a person's (or nobody's) tickets in one status,
-- newest update first, instead of every ticket in it.
CREATE INDEX tickets_by_assignee_updated ON tickets (assignee_id, status, folded, updated_at, id);

-- A creation-date range that ended a while ago: each month of creation,
-- newest update first (queue/months.rs has an arm per month and merges
-- them), instead of the whole range collected and sorted. The expression
-- must be spelled the same in the queries (`months::CREATED_MONTH`).
CREATE INDEX tickets_by_month_updated
    ON tickets (status, folded, substr(created_at, 1, 7), updated_at, id);
