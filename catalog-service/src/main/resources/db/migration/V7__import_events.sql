-- An import is complete only once every change it made is visible: relayed, so that every cache has dropped the
-- versions it replaced (see OutboxRelay). Its events say which import wrote them, and the ones not numbered yet
-- are found by import in a small partial index (a numbered event leaves it).
ALTER TABLE product_events ADD COLUMN import_job uuid;
CREATE INDEX product_events_import_unnumbered_idx ON product_events (import_job)
  WHERE position IS NULL AND import_job IS NOT NULL;
