-- Countersign schema 3, SQLite dialect: the life of credentials, and agent suspensions.

-- A credential may expire, is revoked rather than deleted (the audit log
-- still names it), and remembers when it was last used (written at most once
-- a minute). An agent's key may be limited to some actions: a JSON array of
-- action globs; NULL means the policy alone decides.
ALTER TABLE credentials ADD COLUMN expires_at   TEXT;  -- ISO-8601 instant
ALTER TABLE credentials ADD COLUMN revoked_at   TEXT;  -- ISO-8601 instant
ALTER TABLE credentials ADD COLUMN last_used_at TEXT;  -- ISO-8601 instant
ALTER TABLE credentials ADD COLUMN scopes       TEXT;  -- agents only: JSON array

-- A name stays unique per kind among live credentials; once revoked, the
-- name may be given a new key (key rotation).
DROP INDEX credentials_one_name_per_kind;
CREATE UNIQUE INDEX credentials_one_live_name_per_kind ON credentials (kind, lower(name)) WHERE revoked_at IS NULL;

-- The kill switch: a suspended agent's every action is denied. One row per
-- suspended agent, whatever credential it uses; resuming deletes the row
-- (the audit log keeps both events).
CREATE TABLE agent_suspensions (
    name_key     TEXT NOT NULL PRIMARY KEY,  -- lower(name)
    name         TEXT NOT NULL,
    suspended_at TEXT NOT NULL,              -- ISO-8601 instant
    suspended_by TEXT NOT NULL,
    reason       TEXT NOT NULL
);
