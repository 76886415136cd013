-- Session events (the history of every status change, and the outbox webhooks are sent from) and
-- durable jobs (work that outlives a request: the fetch after the callback, expiry on time).
-- Neither holds personal data: ids, statuses, reasons and times only; a job's secret input is
-- sealed with the key-encryption key.

CREATE TABLE session_events (
    id TEXT NOT NULL PRIMARY KEY, -- "evt_" + 32 hex; the webhook-id of its deliveries
    session_id TEXT NOT NULL,
    api_key_id TEXT NOT NULL,
    seq BIGINT NOT NULL, -- 1, 2, 3 … per session
    type TEXT NOT NULL,
    status TEXT NOT NULL, -- the session's status after the event
    reason TEXT, -- the failure reason of a failed session
    at_ms BIGINT NOT NULL,
    UNIQUE (session_id, seq)
);

CREATE INDEX session_events_session_seq ON session_events (session_id, seq);

CREATE TABLE jobs (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    session_id TEXT, -- the session the job works for, if any
    payload TEXT NOT NULL, -- JSON; never personal data or a secret in clear
    run_at_ms BIGINT NOT NULL, -- not claimable before
    attempts BIGINT NOT NULL, -- claims so far
    locked_until_ms BIGINT, -- a claim's lease: another instance may claim it once lapsed
    last_error TEXT, -- a word or short sentence, never personal data
    created_at_ms BIGINT NOT NULL,
    done_at_ms BIGINT -- finished (done or given up); kept for inspection
);

CREATE INDEX jobs_due ON jobs (done_at_ms, run_at_ms);
CREATE UNIQUE INDEX jobs_one_open_per_session_kind ON jobs (session_id, kind) WHERE done_at_ms IS NULL;

-- The code DigiLocker sent back, kept between the callback and the fetch job that exchanges it.
-- Taking the code for the exchange clears it and records the time in one statement, so the
-- code is sent at most once even when the job is resumed after a crash.
CREATE TABLE code_exchanges (
    session_id TEXT NOT NULL PRIMARY KEY REFERENCES sessions (id),
    code_sealed BYTEA, -- sealed with the KEK; NULL once taken for the exchange
    pkce_verifier_sealed BYTEA, -- NULL once taken for the exchange
    created_at_ms BIGINT NOT NULL,
    sent_at_ms BIGINT -- when the exchange was taken to be sent
);
