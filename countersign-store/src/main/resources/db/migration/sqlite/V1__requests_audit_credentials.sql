-- Countersign schema 1, SQLite dialect.
--
-- Written to stay close to what PostgreSQL accepts, so that its migration
-- (db/migration/postgresql) differs only where marked "SQLite:". Times in
-- indexed columns are epoch milliseconds, for ordering and range queries only;
-- the exact values live in the request document and in the audit leaf.

-- One row per request. The whole ApprovalRequest is the JSON document; the
-- other columns are copies of its fields that queries filter or sort on.
CREATE TABLE requests (
    id              TEXT   NOT NULL PRIMARY KEY,  -- SQLite: NOT NULL, its PRIMARY KEY alone would admit NULL
    agent           TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT,                       -- only while pending
    idempotency_key TEXT,
    document        TEXT   NOT NULL,
    CONSTRAINT requests_one_per_idempotency_key UNIQUE (agent, idempotency_key)
);
CREATE INDEX requests_by_status ON requests (status, created_at);
CREATE INDEX requests_by_expiry ON requests (expires_at);

-- Votes are part of the request document; this table repeats who voted so
-- that the database itself refuses a second vote by the same person on the
-- same request, whatever the code above it does (invariant 2).
CREATE TABLE votes (
    request_id TEXT    NOT NULL REFERENCES requests (id),
    position   INTEGER NOT NULL,
    voter      TEXT    NOT NULL,
    choice     TEXT    NOT NULL,
    voted_at   BIGINT  NOT NULL,
    PRIMARY KEY (request_id, position),
    CONSTRAINT votes_one_per_voter UNIQUE (request_id, voter)
);

-- The audit log: entry seq's leaf bytes, exactly as hashed into the Merkle
-- tree (canonical JSON, see AuditEntry). Never updated or deleted.
CREATE TABLE audit_entries (
    seq        INTEGER NOT NULL PRIMARY KEY,  -- SQLite: INTEGER PRIMARY KEY is the rowid; PostgreSQL: BIGINT
    time       BIGINT  NOT NULL,
    type       TEXT    NOT NULL,
    request_id TEXT,
    leaf       BLOB    NOT NULL               -- PostgreSQL: BYTEA
);
CREATE INDEX audit_entries_by_request ON audit_entries (request_id);

-- The Merkle log detects any change to stored entries; these refuse one
-- before it happens, so a mistake cannot silently break the log.
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only: update refused');
END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only: delete refused');
END;

-- Agents' API keys and humans' local tokens, hashed. A name is unique per
-- kind regardless of case, so 'Alice' and 'alice' can't be two principals.
CREATE TABLE credentials (
    token_id    TEXT NOT NULL PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('agent', 'human')),
    name        TEXT NOT NULL,
    email       TEXT,          -- humans only
    labels      TEXT,          -- agents only: JSON object
    group_names TEXT,          -- humans only: JSON array
    secret_hash TEXT NOT NULL,
    created_at  TEXT NOT NULL  -- ISO-8601 instant, exact
);
CREATE UNIQUE INDEX credentials_one_name_per_kind ON credentials (kind, lower(name));
