-- The evidence log: per workspace, an RFC 6962 Merkle tree over the canonical
-- bytes of every audit record, event and delivery attempt (package evidence).
-- evidence_logs is the workspace's head row: its size and the compact range of
-- its tree (the roots of the perfect subtrees that make it up, concatenated),
-- so an append reads one row; writers lock it for their transaction.
CREATE TABLE evidence_logs (
    workspace_id TEXT   PRIMARY KEY,
    size         BIGINT NOT NULL,
    border       BLOB   NOT NULL
) WITHOUT ROWID;

-- One row per leaf: which record it stands for, and its hash.
CREATE TABLE evidence_leaves (
    workspace_id TEXT   NOT NULL,
    idx          BIGINT NOT NULL,
    kind         TEXT   NOT NULL,
    record_id    TEXT   NOT NULL,
    process_id   TEXT   NOT NULL DEFAULT '',
    seq          BIGINT NOT NULL,
    hash         BLOB   NOT NULL,
    PRIMARY KEY (workspace_id, idx),
    UNIQUE (workspace_id, kind, record_id)
) WITHOUT ROWID;
CREATE INDEX evidence_leaves_process ON evidence_leaves (workspace_id, process_id, seq);

-- The perfect subtrees above the leaves, each stored once when complete.
CREATE TABLE evidence_nodes (
    workspace_id TEXT     NOT NULL,
    level        SMALLINT NOT NULL,
    idx          BIGINT   NOT NULL,
    hash         BLOB     NOT NULL,
    PRIMARY KEY (workspace_id, level, idx)
) WITHOUT ROWID;

-- Signed tree heads (C2SP checkpoints), one per workspace and size.
CREATE TABLE evidence_heads (
    workspace_id TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    signed_at    BIGINT NOT NULL,
    checkpoint   TEXT   NOT NULL,
    PRIMARY KEY (workspace_id, size)
) WITHOUT ROWID;

-- Evidence reads attempts by id (a bundle's, a check's); attempt ids grow with
-- time, so this index is appended to at the end, cheaply.
CREATE UNIQUE INDEX delivery_attempts_id ON delivery_attempts (id);
