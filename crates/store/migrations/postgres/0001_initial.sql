-- digigate's initial schema (PostgreSQL). Timestamps are epoch milliseconds; lists are comma or JSON text.

CREATE TABLE api_keys (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    disabled_at_ms BIGINT,
    redirect_urls TEXT NOT NULL -- JSON array of strings
);

CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    api_key_id TEXT NOT NULL,
    status TEXT NOT NULL,
    flow TEXT NOT NULL,
    doc_types TEXT NOT NULL, -- comma-separated API names
    redirect_url TEXT NOT NULL,
    options TEXT NOT NULL, -- JSON object
    consent_expiry_ms BIGINT NOT NULL,
    link_id TEXT NOT NULL UNIQUE,
    link_expires_at_ms BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    failure_reason TEXT,
    documents_consented TEXT NOT NULL, -- comma-separated API names
    documents_missing TEXT NOT NULL, -- JSON array of {doc_type, reason}
    erased_at_ms BIGINT
);

CREATE INDEX sessions_api_key_id ON sessions (api_key_id);

CREATE TABLE authorizations (
    state_hash TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    binding_hash TEXT NOT NULL,
    pkce_verifier_sealed BYTEA NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    consumed_at_ms BIGINT
);

CREATE INDEX authorizations_session_id ON authorizations (session_id);

CREATE TABLE upstream_tokens (
    session_id TEXT NOT NULL PRIMARY KEY REFERENCES sessions (id),
    access_token_sealed BYTEA NOT NULL,
    refresh_token_sealed BYTEA,
    expires_at_ms BIGINT,
    revoked_at_ms BIGINT
);

CREATE TABLE data_keys (
    session_id TEXT NOT NULL PRIMARY KEY REFERENCES sessions (id),
    wrapped_key BYTEA NOT NULL,
    kek_id TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE documents (
    id TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    doc_type TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uri TEXT NOT NULL,
    issuer_id TEXT NOT NULL,
    issuer TEXT NOT NULL,
    description TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    sealed BYTEA NOT NULL,
    created_at_ms BIGINT NOT NULL,
    UNIQUE (session_id, doc_type)
);

CREATE TABLE profiles (
    session_id TEXT NOT NULL PRIMARY KEY REFERENCES sessions (id),
    sealed BYTEA NOT NULL
);
