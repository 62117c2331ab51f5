-- Countersign schema 2, SQLite dialect: the RFC 6962 Merkle tree over
-- audit_entries and the log's signed checkpoints.

-- Every complete node of the tree (see countersign-tlog's README, "Node
-- storage"): node (level, idx) is the hash of the perfect subtree over entries
-- [idx * 2^level, (idx + 1) * 2^level); level 0 holds the leaf hashes. Rows are
-- inserted in the same transaction as the entries they cover, so the tree is
-- always exactly as large as the log. A database that already has entries
-- gets their nodes on its first write after this migration (SQL can't hash).
CREATE TABLE audit_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,                    -- PostgreSQL: BIGINT
    hash  BLOB    NOT NULL,                    -- PostgreSQL: BYTEA
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;                               -- SQLite: stored in key order, one seek per node

-- Signed tree heads: 'note' is the C2SP signed checkpoint exactly as served by
-- GET /v1/audit/checkpoint; 'root' repeats its root hash for queries.
CREATE TABLE audit_checkpoints (
    size       INTEGER NOT NULL PRIMARY KEY,   -- PostgreSQL: BIGINT
    root       BLOB    NOT NULL,               -- PostgreSQL: BYTEA
    note       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL                -- epoch milliseconds
);

-- Nodes and checkpoints never change once written, like the entries.
CREATE TRIGGER audit_nodes_no_update BEFORE UPDATE ON audit_nodes
BEGIN
    SELECT RAISE(ABORT, 'audit nodes are append-only: update refused');
END;
CREATE TRIGGER audit_nodes_no_delete BEFORE DELETE ON audit_nodes
BEGIN
    SELECT RAISE(ABORT, 'audit nodes are append-only: delete refused');
END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints are append-only: update refused');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints are append-only: delete refused');
END;
