-- Rotating a key's secret bumps its generation; tokens carry the generation they were issued
-- under, so rotation ends every token issued before it.
ALTER TABLE api_keys ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
