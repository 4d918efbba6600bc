-- Responses of requests sent with an Idempotency-Key, kept 24 h, so that a retried request returns the first
-- response instead of writing twice. A key's row is written in the same transaction as the write it guards.
CREATE TABLE idempotency_keys (
  scope        text        NOT NULL,  -- who and where: "<principal> POST /products"; a key is its client's own
  key          text        NOT NULL,
  request_hash text        NOT NULL,  -- SHA-256 of the request body: the same key with another body is refused
  status       integer,               -- set, with the response, before the claim commits
  response     text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);

-- Expired keys are deleted by age.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
