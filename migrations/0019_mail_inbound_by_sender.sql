-- The `mail` rate limit counts every mail from one sender in the last
-- window, whatever became of it; the existing index covers only openings.
CREATE INDEX mail_inbound_by_sender ON mail_inbound (sender COLLATE NOCASE, received_at);
