-- Ordered delivery. An endpoint's ordering is 'none' or 'process'. A delivery
-- of a process's event to an ordered endpoint carries the process id
-- (order_key) and the event's seq (event_seq, its commit order within the
-- process): it is sent only when no earlier one of the same key is pending,
-- and until then it is held, pending with no next_attempt_at. Unordered
-- deliveries leave both NULL, so neither index holds them.
ALTER TABLE webhook_endpoints ADD COLUMN ordering TEXT NOT NULL DEFAULT 'none';
ALTER TABLE deliveries ADD COLUMN order_key TEXT;
ALTER TABLE deliveries ADD COLUMN event_seq BIGINT;
CREATE INDEX deliveries_order ON deliveries (endpoint_id, order_key, event_seq) WHERE order_key IS NOT NULL;
CREATE INDEX deliveries_held ON deliveries (endpoint_id, order_key, event_seq)
    WHERE status = 'pending' AND next_attempt_at IS NULL;
