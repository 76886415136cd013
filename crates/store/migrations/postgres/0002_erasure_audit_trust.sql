-- Deletion on request, the append-only audit log, and document trust (verification report and
-- the sealed normalised document). The business's expected details are sealed like documents.

ALTER TABLE sessions ADD COLUMN deleted_at_ms BIGINT;
ALTER TABLE sessions ADD COLUMN expected_sealed BYTEA;
ALTER TABLE documents ADD COLUMN verification TEXT; -- JSON report; no personal data
ALTER TABLE documents ADD COLUMN normalised_sealed BYTEA;

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    api_key_id TEXT,
    session_id TEXT,
    action TEXT NOT NULL,
    detail TEXT -- identifiers and outcomes only, never personal data
);

CREATE INDEX audit_log_session_id ON audit_log (session_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
