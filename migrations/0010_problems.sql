-- One problem, not a thousand tickets: tickets that fail the same way (the
-- same fingerprint: code, method, endpoint shape, tool and the requester's
-- organisation) within a day of each other are grouped into a problem. The
-- queue shows the problem as one row, its first ticket (the lead) with the
-- count; staff answer and resolve it in one action, delivered to each
-- ticket on its own. The grouping itself is decided in `tickets::problem`
-- and written by the store; this only holds it.

CREATE TABLE problems (
    id              INTEGER PRIMARY KEY,
    fingerprint     TEXT    NOT NULL,
    -- The ticket whose queue row stands for the problem: the one it began with.
    lead_ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    occurrences     INTEGER NOT NULL,
    first_seen      TEXT    NOT NULL,
    last_seen       TEXT    NOT NULL
);
CREATE INDEX problems_by_fingerprint ON problems (fingerprint, last_seen);

-- '' until the ticket has every detail a fingerprint needs.
ALTER TABLE tickets ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN problem_id INTEGER REFERENCES problems (id);
-- 1: a member shown in the queue only through its lead's row. A member
-- whose requester writes again, or whose problem is settled while it is
-- not, stands on its own row again.
ALTER TABLE tickets ADD COLUMN folded INTEGER NOT NULL DEFAULT 0;
-- 1: staff split it out of its problem; it is not grouped again.
ALTER TABLE tickets ADD COLUMN ungrouped INTEGER NOT NULL DEFAULT 0;

-- Tickets filed before this version get their fingerprint, so that one
-- filed just after the upgrade still finds them. (The organisation is the
-- email's domain, as `tickets::problem::organisation` has it.)
UPDATE tickets
    SET fingerprint = similar_key || '|'
        || lower(substr(requester_email, instr(requester_email, '@') + 1))
    WHERE similar_key <> '';

-- The queue reads each status (and each folding) in its sort's order
-- through these indexes, so a storm of folded tickets is stepped over in
-- one seek rather than row by row.
DROP INDEX tickets_by_status;
DROP INDEX tickets_by_status_created;
DROP INDEX tickets_by_status_updated;
DROP INDEX tickets_by_assignee;
DROP INDEX tickets_by_code;
CREATE INDEX tickets_by_status ON tickets (status, folded, priority, created_at, id);
CREATE INDEX tickets_by_status_created ON tickets (status, folded, created_at, id);
CREATE INDEX tickets_by_status_updated ON tickets (status, folded, updated_at, id);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id, status, folded, priority, created_at, id);
CREATE INDEX tickets_by_code ON tickets (error_code, status, folded, priority, created_at, id);

CREATE INDEX tickets_by_fingerprint ON tickets (fingerprint, created_at) WHERE fingerprint <> '';
CREATE INDEX tickets_by_problem ON tickets (problem_id, id) WHERE problem_id IS NOT NULL;

-- A member never stays hidden under a settled problem: when the lead is
-- resolved or closed (or merged, which closes it), every member not itself
-- settled comes back to the queue on its own row.
CREATE TRIGGER problems_lead_settled AFTER UPDATE OF status ON tickets
    WHEN NEW.problem_id IS NOT NULL AND NEW.status IN ('resolved', 'closed')
        AND OLD.status NOT IN ('resolved', 'closed')
BEGIN
    UPDATE tickets SET folded = 0
        WHERE problem_id = NEW.problem_id AND folded = 1
            AND status NOT IN ('resolved', 'closed')
            AND NEW.id = (SELECT lead_ticket_id FROM problems WHERE id = NEW.problem_id);
END;

-- The queue's "similar" count is replaced by the problem's occurrences;
-- the similar key stays for the ticket page's list of similar tickets
-- (across organisations and over time).
DROP TRIGGER tickets_similar_insert;
DROP TRIGGER tickets_similar_details;
DROP TABLE similar_counts;
