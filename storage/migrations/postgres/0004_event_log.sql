-- The event log's retention. facts keeps the few payload fields the consumption
-- report counts (an action.closed's action, a registration's method and
-- verification status…) once retention has set body and response_body to NULL,
-- so reports over expunged periods stay right. The partial index finds the events
-- still to expunge without scanning the ones already expunged.
ALTER TABLE events ADD COLUMN facts TEXT;
CREATE INDEX events_unexpunged_created ON events (created_at) WHERE expunged_at IS NULL;
