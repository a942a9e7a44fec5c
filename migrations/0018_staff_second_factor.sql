-- An optional second factor for staff sign-in: a TOTP authenticator app
-- (RFC 6238), recovery codes for when the phone is lost, and the short
-- step between a right password and the code.
-- (0019 and 0020 are other changes'.)

-- One per staff member. `enabled_at` stays NULL while the person is still
-- setting it up: a secret nobody has confirmed a code for never guards a
-- sign-in. `last_used_step` is the 30-second step of the last code taken;
-- codes for it or any earlier step are refused, so none is used twice.
CREATE TABLE staff_totp (
    staff_id        INTEGER PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    secret          BLOB    NOT NULL CHECK (length(secret) = 20),
    created_at      TEXT    NOT NULL,
    enabled_at      TEXT,
    last_used_step  INTEGER
);

-- Single-use recovery codes, kept as SHA-256 hex: each has 50 random bits.
CREATE TABLE staff_recovery_codes (
    id          INTEGER PRIMARY KEY,
    staff_id    INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash   TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    used_at     TEXT,
    UNIQUE (staff_id, code_hash)
);

-- A browser that gave the right password for an account with a second
-- factor, waiting for the code: the SHA-256 of a random cookie, whose
-- account, and where to go after. Short-lived and used once.
CREATE TABLE staff_sign_in_challenges (
    id_hash     TEXT    PRIMARY KEY,
    staff_id    INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    next        TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL
);
CREATE INDEX staff_sign_in_challenges_by_staff ON staff_sign_in_challenges (staff_id);
