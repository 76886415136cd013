-- The expiry scan (`sessions_due_for_expiry`, run by every instance's job runner every few
-- seconds) looks for sessions by status (created, initialized, authorized) and takes the
-- oldest-updated first; without this index it read the whole sessions table each time, which
-- keeps every terminal session of the retention window. With it, each status is one index
-- range, already in updated_at_ms order.
CREATE INDEX sessions_status_updated ON sessions (status, updated_at_ms);

-- Forgetting old deliveries (the hourly prune) deletes their attempts by delivery id, and on
-- PostgreSQL every deleted delivery checks the attempts that reference it: both read the whole
-- delivery log without this index. (The outbox claim itself is served by
-- webhook_deliveries_due and webhook_deliveries_order from 0007.)
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id);
