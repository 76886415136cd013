-- Every committed change of an API key or a session (its row, or a new event of it) is announced
-- on the channel `digigate_changes` as `key:<id>` or `session:<id>`, so that every instance drops
-- what it keeps in memory of that record (crates/store/src/invalidation.rs). A notification is
-- sent in the changing transaction and delivered only when it commits; a rolled back change
-- announces nothing. Triggers rather than statements in the store, so that no path that changes
-- these rows (the server, the `digigate keys` command, a future one) can forget to announce it.

CREATE FUNCTION digigate_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('digigate_changes', TG_ARGV[0] || ':' || OLD.id);
    ELSE
        PERFORM pg_notify('digigate_changes', TG_ARGV[0] || ':' || NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION digigate_announce_session_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('digigate_changes', 'session:' || NEW.session_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_announce_change AFTER UPDATE OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION digigate_announce_change('key');

CREATE TRIGGER sessions_announce_change AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION digigate_announce_change('session');

CREATE TRIGGER session_events_announce_change AFTER INSERT ON session_events
    FOR EACH ROW EXECUTE FUNCTION digigate_announce_session_event();
