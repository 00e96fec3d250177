-- Signing processes, their signers (for the signer lookups), chat messages and
-- signer registrations. A process and a registration are stored whole as a JSON
-- document (body) beside the columns the filters, sorting and the scheduler use;
-- version guards against lost updates. Names and emails are kept lower-cased
-- (*_lc) so searches behave the same on SQLite and PostgreSQL; personal codes are
-- kept normalised (workflow.NormalizePersonalCode). Sorted and searched text
-- columns use the C collation, which orders bytewise as SQLite does.
CREATE TABLE processes (
    id                TEXT PRIMARY KEY,
    workspace_id      TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    api_key_id        TEXT NOT NULL,
    status            TEXT COLLATE "C" NOT NULL,
    document_id       TEXT NOT NULL,
    document_name     TEXT COLLATE "C" NOT NULL,
    document_type     TEXT COLLATE "C" NOT NULL,
    owner_group       TEXT COLLATE "C" NOT NULL,
    initiator         TEXT COLLATE "C" NOT NULL,
    initiator_name    TEXT COLLATE "C" NOT NULL,
    names_lc          TEXT COLLATE "C" NOT NULL,
    email_lc          TEXT COLLATE "C" NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    completed_at      BIGINT,
    expires_at        BIGINT,
    next_due_at       BIGINT,
    messages_disabled INTEGER NOT NULL DEFAULT 0,
    version           BIGINT NOT NULL,
    body              TEXT NOT NULL
);
CREATE INDEX processes_workspace_created ON processes (workspace_id, created_at, id);
CREATE INDEX processes_workspace_status ON processes (workspace_id, status, created_at);
CREATE INDEX processes_workspace_document ON processes (workspace_id, document_id);
CREATE INDEX processes_workspace_type ON processes (workspace_id, document_type);
CREATE INDEX processes_workspace_group ON processes (workspace_id, owner_group);
CREATE INDEX processes_workspace_initiator ON processes (workspace_id, initiator);
CREATE INDEX processes_workspace_key ON processes (workspace_id, api_key_id);
CREATE INDEX processes_due ON processes (next_due_at) WHERE next_due_at IS NOT NULL;

CREATE TABLE process_signers (
    workspace_id  TEXT NOT NULL,
    process_id    TEXT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    signer_id     TEXT NOT NULL,
    step_id       TEXT NOT NULL,
    position      INTEGER NOT NULL,
    personal_code TEXT NOT NULL,
    country       TEXT NOT NULL,
    name_lc       TEXT NOT NULL,
    email_lc      TEXT NOT NULL,
    PRIMARY KEY (process_id, signer_id)
);
CREATE INDEX process_signers_signer ON process_signers (workspace_id, signer_id);
CREATE INDEX process_signers_step ON process_signers (workspace_id, step_id);
CREATE INDEX process_signers_person ON process_signers (workspace_id, personal_code, country);

CREATE TABLE process_messages (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    process_id   TEXT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    signer_id    TEXT NOT NULL,
    message      TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX process_messages_process ON process_messages (workspace_id, process_id, created_at);

CREATE TABLE registrations (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    next_due_at  BIGINT,
    version      BIGINT NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX registrations_workspace_created ON registrations (workspace_id, created_at, id);
CREATE INDEX registrations_due ON registrations (next_due_at) WHERE next_due_at IS NOT NULL;
