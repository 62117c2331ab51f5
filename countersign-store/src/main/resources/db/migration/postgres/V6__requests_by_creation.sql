-- Countersign schema 6, PostgreSQL dialect: the decision history by time, for
-- insights (suggested rules) and policy replay, which read a window of days.
CREATE INDEX requests_by_creation ON requests (created_at);
