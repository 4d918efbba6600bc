-- How much of an upload is stored and processed, for GET /imports/{id}'s progress: the size the client announced
-- (Content-Length; NULL for a chunked body), the bytes stored so far, and each batch's share of them.
ALTER TABLE import_jobs ADD COLUMN bytes_expected bigint, ADD COLUMN bytes_stored bigint NOT NULL DEFAULT 0;
ALTER TABLE import_batches ADD COLUMN bytes bigint NOT NULL DEFAULT 0;
