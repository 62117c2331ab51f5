-- Countersign schema 9, SQLite dialect: witnesses' cosignatures (c2sp.org/tlog-cosignature)
-- of the log's checkpoints, one note signature line per witness and checkpoint, kept once
-- the gateway verified it against the witness's configured key. The largest size a witness
-- cosigned is where the gateway resumes with it after a restart (tlog-witness 'old' line).
CREATE TABLE audit_cosignatures (
    size        INTEGER NOT NULL,              -- PostgreSQL: BIGINT; a size in audit_checkpoints
    witness     TEXT    NOT NULL,              -- the witness key's name
    line        TEXT    NOT NULL,              -- '— <name> <base64(keyid || timestamp || signature)>'
    received_at BIGINT  NOT NULL,              -- epoch milliseconds
    PRIMARY KEY (size, witness)
);
CREATE INDEX audit_cosignatures_by_witness ON audit_cosignatures (witness, size);

CREATE TRIGGER audit_cosignatures_no_update BEFORE UPDATE ON audit_cosignatures
BEGIN
    SELECT RAISE(ABORT, 'audit cosignatures are append-only: update refused');
END;
CREATE TRIGGER audit_cosignatures_no_delete BEFORE DELETE ON audit_cosignatures
BEGIN
    SELECT RAISE(ABORT, 'audit cosignatures are append-only: delete refused');
END;
