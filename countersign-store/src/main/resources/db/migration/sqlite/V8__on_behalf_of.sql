-- Countersign schema 7, SQLite dialect: whom a request acts for, as the agent sent it
-- and as it resolved at submission (the person id: the confusable-proof skeleton of the
-- known human's email, or name without one). Copies of the document's fields, for finding a
-- person's requests whatever spelling the agent used; NULL for older rows and for requests
-- that act for nobody, or for nobody the gateway knew.
ALTER TABLE requests ADD COLUMN on_behalf_of TEXT;
ALTER TABLE requests ADD COLUMN on_behalf_of_person TEXT;
CREATE INDEX requests_by_on_behalf_of_person ON requests (on_behalf_of_person);
