-- Webhooks (Standard Webhooks) and the signed redirect back.

-- The secret that signs the redirect back to the business (HMAC-SHA256 key, sealed with the KEK
-- so it can sign). NULL for keys created before it existed until `keys rotate-redirect-secret`.
ALTER TABLE api_keys ADD COLUMN redirect_secret_sealed BYTEA;

-- Where an API key's events are delivered. During a secret rotation the previous secret still
-- signs (a second signature) until previous_secret_until_ms.
CREATE TABLE webhook_endpoints (
    id TEXT NOT NULL PRIMARY KEY,
    api_key_id TEXT NOT NULL REFERENCES api_keys (id),
    url TEXT NOT NULL,
    secret_sealed BYTEA NOT NULL,
    previous_secret_sealed BYTEA,
    previous_secret_until_ms BIGINT,
    created_at_ms BIGINT NOT NULL,
    removed_at_ms BIGINT
);

CREATE INDEX webhook_endpoints_api_key_id ON webhook_endpoints (api_key_id);

-- The outbox: one row per event and endpoint, written in the transaction that records the event.
-- state: pending (to send, or being sent under a lease), delivered, abandoned (schedule spent).
CREATE TABLE webhook_deliveries (
    id TEXT NOT NULL PRIMARY KEY,
    event_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
    session_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    event_at_ms BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at_ms BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until_ms BIGINT,
    created_at_ms BIGINT NOT NULL,
    UNIQUE (event_id, endpoint_id)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at_ms);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, session_id, seq);

-- The delivery log: one row per attempt (never the response body).
CREATE TABLE webhook_attempts (
    id TEXT NOT NULL PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    endpoint_id TEXT NOT NULL,
    attempted_at_ms BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    http_status BIGINT,
    error TEXT
);

CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, attempted_at_ms);
