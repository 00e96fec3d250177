-- Workspaces (tenants), their API keys and the event log (the transactional outbox).
CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    hash         BLOB NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id, created_at);

CREATE TABLE events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    workspace_id  TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    type          TEXT NOT NULL,
    api_key_id    TEXT,
    resource_id   TEXT,
    created_at    BIGINT NOT NULL,
    body          TEXT,
    response_body TEXT,
    expunged_at   BIGINT
);
CREATE INDEX events_workspace_seq ON events (workspace_id, seq);
CREATE INDEX events_workspace_created ON events (workspace_id, created_at);
CREATE INDEX events_workspace_type ON events (workspace_id, type, seq);
CREATE INDEX events_workspace_key ON events (workspace_id, api_key_id, seq);
CREATE INDEX events_workspace_resource ON events (workspace_id, resource_id, seq);
