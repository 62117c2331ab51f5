-- Countersign schema 11, PostgreSQL dialect: a counter of changes to
-- credentials and suspensions (see db/migration/sqlite/V11). The triggers bump
-- it in the transaction of the change, so a node that reads the counter after
-- another node's revocation committed sees the new value, and reloads.

CREATE TABLE credential_changes (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO credential_changes (id, version) VALUES (1, 0);

CREATE FUNCTION countersign_credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE credential_changes SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER credentials_changed
    AFTER INSERT OR DELETE OR TRUNCATE
    OR UPDATE OF token_id, kind, name, email, labels, group_names, secret_hash, created_at, expires_at, revoked_at, scopes
    ON credentials
    FOR EACH STATEMENT EXECUTE FUNCTION countersign_credentials_changed();

CREATE TRIGGER agent_suspensions_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agent_suspensions
    FOR EACH STATEMENT EXECUTE FUNCTION countersign_credentials_changed();
