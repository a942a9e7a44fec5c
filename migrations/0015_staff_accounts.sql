-- Staff accounts managed on pages: a temporary password an admin gave
-- (on adding someone, or resetting their password) must be replaced at the
-- next sign-in, and admins see when each person last signed in.
-- (0013 and 0014 are other changes'.)

-- 1 while the password is a temporary one an admin was shown: every staff
-- page but "Change my password" sends its owner there until it is replaced.
ALTER TABLE staff ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));

-- When the person last signed in; NULL until they do.
ALTER TABLE staff ADD COLUMN last_sign_in_at TEXT;

-- The sessions still kept are the best record there is of earlier sign-ins.
UPDATE staff SET last_sign_in_at =
    (SELECT MAX(created_at) FROM staff_sessions WHERE staff_sessions.staff_id = staff.id);
