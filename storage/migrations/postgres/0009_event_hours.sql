-- The seq range of each hour of a workspace's log. created_at does not follow
-- seq strictly (it is taken before the row is written, identities are handed
-- out before commit, and clocks move), so a time bound cannot be turned into a
-- seq bound by looking up one event; the lowest and highest seq of every hour
-- bound it safely instead: every event created before an instant has a seq no
-- higher than the highest seq of the hours before it. The event search reads
-- these rows to search a seq range. Every writer of the log adds its rows in
-- the transaction that writes the events (storage's noteHours); this
-- backfills the log written before.
--
-- A row belongs to one writing transaction (tx, 0 for the backfill): writers
-- of one workspace run concurrently here, and a row shared by the hour would
-- make each wait for the others' commits. Readers take the MIN and MAX over
-- an hour's rows.
CREATE TABLE event_hours (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    hour         BIGINT NOT NULL, -- created_at / 3600000000
    min_seq      BIGINT NOT NULL,
    max_seq      BIGINT NOT NULL,
    tx           BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, hour, tx)
);

INSERT INTO event_hours (workspace_id, hour, min_seq, max_seq, tx)
SELECT workspace_id, created_at / 3600000000, MIN(seq), MAX(seq), 0 FROM events GROUP BY workspace_id, created_at / 3600000000;
