-- The notification email outbox: one row per (notification, recipient),
-- written in the transaction that caused it, and every attempt to send it.
-- dedupe_key is the notification's stable key (workflow.Notice.Key): a
-- committed change writes its messages once, whatever retries it took.
CREATE TABLE mail_messages (
    id               TEXT PRIMARY KEY,
    workspace_id     TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    process_id       TEXT NOT NULL,
    dedupe_key       TEXT NOT NULL,
    notice_type      TEXT NOT NULL,
    cause            TEXT NOT NULL,
    recipient_role   TEXT NOT NULL,
    recipient_id     TEXT NOT NULL DEFAULT '',
    recipient_name   TEXT NOT NULL DEFAULT '',
    recipient_email  TEXT NOT NULL,
    language         TEXT NOT NULL,
    subject          TEXT NOT NULL,
    text_body        TEXT NOT NULL,
    html_body        TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    attempt_base     INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE UNIQUE INDEX mail_messages_key ON mail_messages (workspace_id, dedupe_key);
CREATE INDEX mail_messages_due ON mail_messages (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX mail_messages_workspace ON mail_messages (workspace_id, id);
CREATE INDEX mail_messages_process ON mail_messages (workspace_id, process_id, id);

CREATE TABLE mail_attempts (
    message_id   TEXT NOT NULL REFERENCES mail_messages (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    started_at   BIGINT NOT NULL,
    latency_us   BIGINT NOT NULL,
    outcome      TEXT NOT NULL,
    reply_code   INTEGER NOT NULL DEFAULT 0,
    reply        TEXT NOT NULL DEFAULT '',
    error        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (message_id, attempt)
);
