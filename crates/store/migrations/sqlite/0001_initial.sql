-- digigate's initial schema (SQLite). Timestamps are epoch milliseconds; lists are comma or JSON text.
-- STRICT tables refuse values of the wrong type instead of silently converting them.

CREATE TABLE api_keys (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    disabled_at_ms INTEGER,
    redirect_urls TEXT NOT NULL -- JSON array of strings
) STRICT;

CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    api_key_id TEXT NOT NULL,
    status TEXT NOT NULL,
    flow TEXT NOT NULL,
    doc_types TEXT NOT NULL, -- comma-separated API names
    redirect_url TEXT NOT NULL,
    options TEXT NOT NULL, -- JSON object
    consent_expiry_ms INTEGER NOT NULL,
    link_id TEXT NOT NULL UNIQUE,
    link_expires_at_ms INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    failure_reason TEXT,
    documents_consented TEXT NOT NULL, -- comma-separated API names
    documents_missing TEXT NOT NULL, -- JSON array of {doc_type, reason}
    erased_at_ms INTEGER
) STRICT;

CREATE INDEX sessions_api_key_id ON sessions (api_key_id);

CREATE TABLE authorizations (
    state_hash TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    binding_hash TEXT NOT NULL,
    pkce_verifier_sealed BLOB NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    consumed_at_ms INTEGER
) STRICT;

CREATE INDEX authorizations_session_id ON authorizations (session_id);

CREATE TABLE upstream_tokens (
    session_id TEXT NOT NULL PRIMARY KEY REFERENCES sessions (id),
    access_token_sealed BLOB NOT NULL,
    refresh_token_sealed BLOB,
    expires_at_ms INTEGER,
    revoked_at_ms INTEGER
) STRICT;

CREATE TABLE data_keys (
    session_id TEXT NOT NULL PRIMARY KEY REFERENCES sessions (id),
    wrapped_key BLOB NOT NULL,
    kek_id TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE documents (
    id TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    doc_type TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    uri TEXT NOT NULL,
    issuer_id TEXT NOT NULL,
    issuer TEXT NOT NULL,
    description TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    sealed BLOB NOT NULL,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (session_id, doc_type)
) STRICT;

CREATE TABLE profiles (
    session_id TEXT NOT NULL PRIMARY KEY REFERENCES sessions (id),
    sealed BLOB NOT NULL
) STRICT;
