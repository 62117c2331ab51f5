-- Countersign schema 11, SQLite dialect: a counter of changes to credentials and suspensions.

-- A gateway keeps the credentials and suspensions it has read in memory for
-- as long as this counter stays the same; every request reads it (one row by
-- primary key). The triggers below bump it in the transaction of the change
-- itself, whoever writes: this server, another node, the command line on the
-- same file, a copy between stores. So a revocation or a suspension counts
-- from the very next request, everywhere. last_used_at is left out: it is
-- written once a minute per key and changes nobody's access.
CREATE TABLE credential_changes (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO credential_changes (id, version) VALUES (1, 0);

CREATE TRIGGER credentials_inserted AFTER INSERT ON credentials
BEGIN
    UPDATE credential_changes SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER credentials_updated
    AFTER UPDATE OF token_id, kind, name, email, labels, group_names, secret_hash, created_at, expires_at, revoked_at, scopes
    ON credentials
BEGIN
    UPDATE credential_changes SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER credentials_deleted AFTER DELETE ON credentials
BEGIN
    UPDATE credential_changes SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER agent_suspensions_inserted AFTER INSERT ON agent_suspensions
BEGIN
    UPDATE credential_changes SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER agent_suspensions_updated AFTER UPDATE ON agent_suspensions
BEGIN
    UPDATE credential_changes SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER agent_suspensions_deleted AFTER DELETE ON agent_suspensions
BEGIN
    UPDATE credential_changes SET version = version + 1 WHERE id = 1;
END;
