-- Countersign schema 10, PostgreSQL dialect: suggestions and findings a human set aside.

-- One row per item (a suggested rule's name, a finding's id), dismissed for
-- good (until NULL) or snoozed until a time. The audit log records each
-- dismissal, snooze and restore; this table is what insights read.
CREATE TABLE insight_dismissals (
    item         TEXT NOT NULL PRIMARY KEY,
    reason       TEXT NOT NULL,
    dismissed_by TEXT NOT NULL,
    dismissed_at TEXT NOT NULL,   -- ISO-8601 instant
    until        TEXT             -- ISO-8601 instant; NULL: dismissed for good
);
