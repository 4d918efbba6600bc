-- The trace of the write that made each event: the W3C traceparent of the span that wrote it (the request's, or
-- an import batch's), NULL when tracing is off or the write had no trace (SQL behind the API). The relay's span of
-- each batch links to these, so that a trace shows where its change went after the commit (see OutboxRelay).
ALTER TABLE product_events ADD COLUMN traceparent text;
