-- Countersign schema 7: each audit entry's HMAC-SHA256 under the gateway's audit-entry.key.
-- Entries from before this version have none; the checkpointer signs no new entry without one.
ALTER TABLE audit_entries ADD COLUMN mac BLOB;
