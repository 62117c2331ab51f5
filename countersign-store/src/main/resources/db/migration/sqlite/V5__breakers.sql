-- Countersign schema 5, SQLite dialect: tripped circuit breakers.

-- One row per breaker tripped for an agent, from the trip until a human
-- resets it (the reset deletes the row; both are in the audit log). The
-- counting windows are in each node's memory; only the trip is shared.
CREATE TABLE breaker_trips (
    agent_key  TEXT    NOT NULL,   -- lower-case agent name: names compare without regard to case
    agent      TEXT    NOT NULL,
    breaker    TEXT    NOT NULL,   -- the rule's name for a rule's breaker, else the breaker's name
    tripped_at TEXT    NOT NULL,   -- ISO-8601 instant
    trip_count INTEGER NOT NULL,   -- actions counted in the window when it tripped
    window_ms  INTEGER NOT NULL,   -- the breaker's window (per), milliseconds
    request_id TEXT,               -- the request that tripped it
    PRIMARY KEY (agent_key, breaker)
);
