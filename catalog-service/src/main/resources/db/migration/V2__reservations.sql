-- Stock reservations. A reservation and the stock it takes are written by one statement (see
-- ProductRepository.RESERVE), so stock can never be reserved twice nor go negative.
CREATE TABLE reservations (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id bigint      NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  quantity   integer     NOT NULL CONSTRAINT reservations_quantity_positive CHECK (quantity > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A product's reservations, and the cascade when a product is deleted.
CREATE INDEX reservations_product_id_idx ON reservations (product_id);
