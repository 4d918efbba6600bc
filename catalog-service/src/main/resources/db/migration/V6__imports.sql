-- Bulk imports (POST /imports, see the imports package). An upload is stored as batches of raw lines as it
-- arrives; any instance can (re)do a batch, and a batch is done, with all its rows written, in one transaction.
-- Progress is summed from the batches, so no row is updated by every batch.

CREATE TABLE import_jobs (
  id          uuid        PRIMARY KEY,
  -- 'completed' is not stored: a job is completed when it is 'processing' and all its batches are done.
  state       text        NOT NULL CONSTRAINT import_jobs_state CHECK (state IN ('receiving', 'processing', 'aborted')),
  -- The Hazelcast member reading the upload: if it leaves the cluster while 'receiving', the job is aborted.
  receiver    text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  lines       bigint      NOT NULL DEFAULT 0,  -- lines received so far (blank ones not counted)
  batches     integer     NOT NULL DEFAULT 0,  -- batches stored so far
  received_at timestamptz,                     -- the upload was read to its end, every batch stored
  aborted_at  timestamptz,
  error       text                             -- why it was aborted
);

-- The jobs still receiving, which every sweep checks for a departed receiver.
CREATE INDEX import_jobs_receiving_idx ON import_jobs (id) WHERE state = 'receiving';

CREATE TABLE import_batches (
  job_id       uuid        NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
  seq          integer     NOT NULL,            -- 0, 1, 2, ... in upload order
  first_line   bigint      NOT NULL,            -- lines[1] is this line of the upload
  -- The raw lines, one element per line: '' for a blank line, NULL for a line refused on receipt (its error is
  -- in import_errors already). Cleared when the batch is done.
  lines        text[],
  state        text        NOT NULL DEFAULT 'pending'
                           CONSTRAINT import_batches_state CHECK (state IN ('pending', 'running', 'done')),
  queued_at    timestamptz NOT NULL DEFAULT now(),  -- when it last became pending
  -- The fencing token: +1 per claim. Only the latest claim can mark the batch done, so a worker that lost its
  -- lease (stalled, partitioned) can never commit its writes.
  attempt      integer     NOT NULL DEFAULT 0,
  lease_until  timestamptz,                     -- while running: after this, another instance may claim it
  processed_by text,                            -- the instance id of the latest claim
  rows_done    integer     NOT NULL DEFAULT 0,
  rows_failed  integer     NOT NULL DEFAULT 0,
  finished_at  timestamptz,
  PRIMARY KEY (job_id, seq)
);

-- What the sweeper looks through (pending too long, or running past its lease): unfinished batches only, so the
-- index is as small as the backlog, not the history.
CREATE INDEX import_batches_unfinished_idx ON import_batches (job_id, seq) WHERE state <> 'done';

-- Why lines failed; the primary key also serves GET /imports/{id}'s pages of errors, in line order.
CREATE TABLE import_errors (
  job_id uuid   NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
  line   bigint NOT NULL,
  reason text   NOT NULL,
  PRIMARY KEY (job_id, line)
);

-- The import and line a product was last imported from. Batches run in parallel, so two lines of one upload
-- with the same sku can be written in either order; with these, the later line wins either way, as if the
-- upload had been written line by line.
ALTER TABLE products ADD COLUMN import_job uuid, ADD COLUMN import_line bigint;
