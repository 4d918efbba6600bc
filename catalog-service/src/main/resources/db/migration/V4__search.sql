-- Search and sorted listing. Every list query is served by one of these indexes (SearchIT checks with EXPLAIN
-- on 100,000 products that none needs a sequential scan).

-- Full text over name (weight A: ranks first) and description (weight B). The 'simple' configuration does no
-- stemming, so it works the same for every language the catalog holds.
ALTER TABLE products ADD COLUMN search tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple', name), 'A') || setweight(to_tsvector('simple', coalesce(description, '')), 'B')
) STORED;
CREATE INDEX products_search_idx ON products USING GIN (search);

-- One index per sort order, with id last so that keyset pages ((value, id) > (last value, last id)) seek.
CREATE INDEX products_price_id_idx ON products (price_cents, id);
CREATE INDEX products_name_id_idx ON products (name, id);
CREATE INDEX products_created_id_idx ON products (created_at, id);
-- Browsing a category by price, the most common listing after plain category browsing.
CREATE INDEX products_category_price_id_idx ON products (category, price_cents, id);
