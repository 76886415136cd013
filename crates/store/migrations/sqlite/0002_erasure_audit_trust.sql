-- Deletion on request, the append-only audit log, and document trust (verification report and
-- the sealed normalised document). The business's expected details are sealed like documents.

ALTER TABLE sessions ADD COLUMN deleted_at_ms INTEGER;
ALTER TABLE sessions ADD COLUMN expected_sealed BLOB;
ALTER TABLE documents ADD COLUMN verification TEXT; -- JSON report; no personal data
ALTER TABLE documents ADD COLUMN normalised_sealed BLOB;

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    api_key_id TEXT,
    session_id TEXT,
    action TEXT NOT NULL,
    detail TEXT -- identifiers and outcomes only, never personal data
) STRICT;

CREATE INDEX audit_log_session_id ON audit_log (session_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
