-- Countersign schema 1, PostgreSQL dialect: the same tables as
-- db/migration/sqlite/V1, with PostgreSQL's types (BIGINT, BYTEA) and a
-- trigger function instead of SQLite's RAISE triggers.

CREATE TABLE requests (
    id              TEXT   NOT NULL PRIMARY KEY,
    agent           TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT,
    idempotency_key TEXT,
    document        TEXT   NOT NULL,
    CONSTRAINT requests_one_per_idempotency_key UNIQUE (agent, idempotency_key)
);
CREATE INDEX requests_by_status ON requests (status, created_at);
CREATE INDEX requests_by_expiry ON requests (expires_at);

CREATE TABLE votes (
    request_id TEXT    NOT NULL REFERENCES requests (id),
    position   INTEGER NOT NULL,
    voter      TEXT    NOT NULL,
    choice     TEXT    NOT NULL,
    voted_at   BIGINT  NOT NULL,
    PRIMARY KEY (request_id, position),
    CONSTRAINT votes_one_per_voter UNIQUE (request_id, voter)
);

CREATE TABLE audit_entries (
    seq        BIGINT NOT NULL PRIMARY KEY,
    time       BIGINT NOT NULL,
    type       TEXT   NOT NULL,
    request_id TEXT,
    leaf       BYTEA  NOT NULL
);
CREATE INDEX audit_entries_by_request ON audit_entries (request_id);

CREATE FUNCTION countersign_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% are append-only: % refused', TG_ARGV[0], lower(TG_OP);
END;
$$;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION countersign_append_only('audit entries');
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION countersign_append_only('audit entries');

CREATE TABLE credentials (
    token_id    TEXT NOT NULL PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('agent', 'human')),
    name        TEXT NOT NULL,
    email       TEXT,
    labels      TEXT,
    group_names TEXT,
    secret_hash TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX credentials_one_name_per_kind ON credentials (kind, lower(name));
