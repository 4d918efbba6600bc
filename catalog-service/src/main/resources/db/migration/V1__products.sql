-- Products, as the API describes them. Constraints repeat the API's validation so that nothing invalid can be
-- stored even by a path that skips it (a future import, a manual fix).
CREATE TABLE products (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sku         text        NOT NULL CONSTRAINT products_sku_format CHECK (sku ~ '^[A-Za-z0-9._-]{1,64}$'),
  name        text        NOT NULL CONSTRAINT products_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  description text                 CONSTRAINT products_description_length CHECK (char_length(description) <= 4000),
  category    text        NOT NULL CONSTRAINT products_category_length CHECK (char_length(category) BETWEEN 1 AND 64),
  price_cents bigint      NOT NULL CONSTRAINT products_price_non_negative CHECK (price_cents >= 0),
  currency    text        NOT NULL CONSTRAINT products_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
  stock       integer     NOT NULL CONSTRAINT products_stock_non_negative CHECK (stock >= 0),
  attributes  jsonb                CONSTRAINT products_attributes_object CHECK (jsonb_typeof(attributes) = 'object'),
  version     integer     NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT products_sku_unique UNIQUE (sku)
);

-- Listing by category walks this index in id order: WHERE category = $1 AND id > $cursor ORDER BY id LIMIT n.
CREATE INDEX products_category_id_idx ON products (category, id);
