-- Webhook endpoints, the deliveries the event log fans out to them, every
-- delivery attempt, and bulk replays. Deliveries and attempts are written at
-- the delivery rate, so they carry as few B-trees as their queries allow:
-- deliveries live in their primary key (WITHOUT ROWID on SQLite), and an
-- attempt is found by (delivery_id, attempt), its id being unique by construction.
CREATE TABLE webhook_endpoints (
    id                         TEXT PRIMARY KEY,
    workspace_id               TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url                        TEXT NOT NULL,
    description                TEXT NOT NULL DEFAULT '',
    event_types                TEXT NOT NULL,
    enabled                    INTEGER NOT NULL,
    disabled_reason            TEXT,
    disabled_at                BIGINT,
    headers                    TEXT NOT NULL DEFAULT '{}',
    rate_limit                 INTEGER,
    timeout_seconds            INTEGER NOT NULL,
    secret                     TEXT NOT NULL,
    previous_secret            TEXT,
    previous_secret_expires_at BIGINT,
    failing_since              BIGINT,
    created_at                 BIGINT NOT NULL,
    updated_at                 BIGINT NOT NULL,
    deleted_at                 BIGINT
);
CREATE INDEX webhook_endpoints_workspace ON webhook_endpoints (workspace_id, created_at);

CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY,
    workspace_id     TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id),
    event_type       TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT,
    last_status_code INTEGER,
    last_error       TEXT,
    replay_id        TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    delivered_at     BIGINT
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX deliveries_workspace ON deliveries (workspace_id, id);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, created_at);
CREATE INDEX deliveries_event ON deliveries (event_id);

CREATE TABLE delivery_attempts (
    id               TEXT NOT NULL,
    delivery_id      TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    workspace_id     TEXT NOT NULL,
    endpoint_id      TEXT NOT NULL,
    attempt          INTEGER NOT NULL,
    started_at       BIGINT NOT NULL,
    latency_us       BIGINT NOT NULL,
    status_code      INTEGER,
    error_class      TEXT NOT NULL DEFAULT '',
    error            TEXT NOT NULL DEFAULT '',
    response_headers TEXT,
    response_body    TEXT,
    truncated        INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, attempt);
CREATE INDEX delivery_attempts_endpoint ON delivery_attempts (endpoint_id, started_at);

CREATE TABLE replays (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    endpoint_id  TEXT NOT NULL,
    filter       TEXT NOT NULL,
    status       TEXT NOT NULL,
    total        INTEGER NOT NULL,
    done         INTEGER NOT NULL DEFAULT 0,
    cursor       TEXT NOT NULL DEFAULT '',
    api_key_id   TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX replays_workspace ON replays (workspace_id, created_at);
CREATE INDEX replays_running ON replays (status, updated_at);
