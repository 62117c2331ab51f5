-- Countersign schema 9, PostgreSQL dialect: witnesses' cosignatures of the log's
-- checkpoints (see db/migration/sqlite/V9).
CREATE TABLE audit_cosignatures (
    size        BIGINT NOT NULL,
    witness     TEXT   NOT NULL,
    line        TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (size, witness)
);
CREATE INDEX audit_cosignatures_by_witness ON audit_cosignatures (witness, size);

CREATE TRIGGER audit_cosignatures_append_only BEFORE UPDATE OR DELETE ON audit_cosignatures
    FOR EACH ROW EXECUTE FUNCTION countersign_append_only('audit cosignatures');
CREATE TRIGGER audit_cosignatures_no_truncate BEFORE TRUNCATE ON audit_cosignatures
    FOR EACH STATEMENT EXECUTE FUNCTION countersign_append_only('audit cosignatures');
