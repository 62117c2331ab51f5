-- Countersign schema 3, PostgreSQL dialect: the life of credentials, and agent
-- suspensions (see db/migration/sqlite/V3).

ALTER TABLE credentials ADD COLUMN expires_at   TEXT;
ALTER TABLE credentials ADD COLUMN revoked_at   TEXT;
ALTER TABLE credentials ADD COLUMN last_used_at TEXT;
ALTER TABLE credentials ADD COLUMN scopes       TEXT;

DROP INDEX credentials_one_name_per_kind;
CREATE UNIQUE INDEX credentials_one_live_name_per_kind ON credentials (kind, lower(name)) WHERE revoked_at IS NULL;

CREATE TABLE agent_suspensions (
    name_key     TEXT NOT NULL PRIMARY KEY,
    name         TEXT NOT NULL,
    suspended_at TEXT NOT NULL,
    suspended_by TEXT NOT NULL,
    reason       TEXT NOT NULL
);
