-- The request holding an idempotency claim, by a random token: a request whose claim was taken
-- over (it looked abandoned) can no longer store its session or answer under that key.
ALTER TABLE idempotency_keys ADD COLUMN claim_token TEXT;
