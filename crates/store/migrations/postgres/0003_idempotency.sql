-- Idempotency keys of session creation: the first request's body hash and its answer.
CREATE TABLE idempotency_keys (
    api_key_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT, -- NULL while the first request is in flight
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (api_key_id, idempotency_key)
);
