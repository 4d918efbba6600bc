-- The transactional outbox. Every statement that changes a product also inserts its event here, in the same
-- statement (see ProductRepository), so an event exists exactly when its change committed. The relay
-- (OutboxRelay) publishes the events to the clustered event bus, in the order it numbers them.
CREATE TABLE product_events (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- order of writing, not of committing
  -- Order of publication: set by the one relay as it publishes, so it only ever grows among published events.
  -- It is the id of the Server-Sent Event; Last-Event-ID resumes after it. (The identity above cannot serve:
  -- a transaction can commit event 5 after event 6 was already published.)
  position   bigint      CONSTRAINT product_events_position_unique UNIQUE,
  type       text        NOT NULL CONSTRAINT product_events_type CHECK (type IN
                         ('product.created', 'product.updated', 'product.deleted', 'product.reserved',
                          'product.imported')),
  product_id bigint      NOT NULL,
  sku        text        NOT NULL,
  version    integer     NOT NULL,  -- the product's version after the change (its last version, for a deletion)
  created_at timestamptz NOT NULL DEFAULT now()
);

-- What the relay has yet to publish, oldest first.
CREATE INDEX product_events_unpublished_idx ON product_events (id) WHERE position IS NULL;
-- Old events are deleted by age.
CREATE INDEX product_events_created_at_idx ON product_events (created_at);

CREATE SEQUENCE product_event_positions;

-- Up to which position the events reached the event bus. A relay that took over republishes what follows, so
-- an event numbered by a relay that died before publishing it is not lost (at least once).
CREATE TABLE outbox_relay (
  singleton  boolean PRIMARY KEY DEFAULT true CONSTRAINT outbox_relay_one_row CHECK (singleton),
  published  bigint  NOT NULL DEFAULT 0
);
INSERT INTO outbox_relay DEFAULT VALUES;

-- Wakes the relay (LISTEN product_events). Postgres delivers a NOTIFY when its transaction commits, and folds
-- identical ones of one transaction into one; polling is the safety net for a missed notification. Only a
-- statement that inserted events notifies: a notifying transaction takes a database-wide lock as it commits,
-- and a statement trigger also fires for statements that inserted nothing (a reservation refused for stock).
CREATE FUNCTION notify_product_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM inserted) THEN
    PERFORM pg_notify('product_events', '');
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER product_events_notify AFTER INSERT ON product_events
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION notify_product_events();
