-- Countersign schema 4, SQLite dialect: the outbox of notifications and the channels' messages.

-- One row per notification per channel, written in the transaction of the
-- change it tells of. Times the worker compares are epoch milliseconds.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    channel         TEXT    NOT NULL,
    type            TEXT    NOT NULL,                   -- request.created, request.decided, ...
    request_id      TEXT,                               -- NULL for notices about no request
    payload         TEXT    NOT NULL,                   -- JSON
    created_at      TEXT    NOT NULL,                   -- ISO-8601 instant
    status          TEXT    NOT NULL DEFAULT 'pending', -- pending, delivered, failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,                   -- epoch millis
    leased_until    INTEGER,                            -- epoch millis: claimed by a worker until then
    last_error      TEXT,
    delivered_at    TEXT                                -- ISO-8601 instant
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_per_request ON outbox (request_id, channel, id);

-- What a channel posted for a request (a Slack message ts, a Teams activity
-- id), so that later events update that message instead of posting anew.
CREATE TABLE channel_messages (
    request_id TEXT NOT NULL,
    channel    TEXT NOT NULL,
    ref        TEXT NOT NULL,
    PRIMARY KEY (request_id, channel)
);
