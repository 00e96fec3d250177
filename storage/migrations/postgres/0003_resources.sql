-- The process resources: contacts, templates, document attributes and
-- profiles, and the audit trail. Names and emails are also kept lower-cased
-- (name_lc, email_lc) and personal codes as a search key (personal_code_key), so
-- filters and sorting behave the same on SQLite and PostgreSQL; columns that are
-- sorted on use the C collation, which orders bytewise as SQLite does.
CREATE TABLE contacts (
    id                TEXT PRIMARY KEY,
    workspace_id      TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    name              TEXT COLLATE "C" NOT NULL,
    name_lc           TEXT COLLATE "C" NOT NULL,
    country           TEXT NOT NULL,
    personal_code     TEXT NOT NULL,
    personal_code_key TEXT COLLATE "C" NOT NULL,
    phone             TEXT NOT NULL,
    email             TEXT NOT NULL,
    email_lc          TEXT COLLATE "C" NOT NULL,
    role              TEXT NOT NULL,
    default_anonymous INTEGER NOT NULL,
    owner             TEXT NOT NULL,
    scope             TEXT NOT NULL,
    owner_group       TEXT NOT NULL,
    language          TEXT NOT NULL
);
CREATE INDEX contacts_owner ON contacts (workspace_id, scope, owner, name_lc);
CREATE INDEX contacts_group ON contacts (workspace_id, scope, owner_group, name_lc);
CREATE INDEX contacts_code ON contacts (workspace_id, personal_code_key);

CREATE TABLE templates (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    name_lc      TEXT COLLATE "C" NOT NULL,
    data         TEXT NOT NULL,
    owner        TEXT NOT NULL,
    scope        TEXT NOT NULL,
    owner_group  TEXT NOT NULL
);
CREATE INDEX templates_owner ON templates (workspace_id, scope, owner, name_lc);
CREATE INDEX templates_group ON templates (workspace_id, scope, owner_group, name_lc);

CREATE TABLE document_attributes (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    type         TEXT NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    name_lc      TEXT COLLATE "C" NOT NULL,
    required     INTEGER NOT NULL
);
CREATE INDEX document_attributes_name ON document_attributes (workspace_id, name_lc);

CREATE TABLE document_profiles (
    id               TEXT PRIMARY KEY,
    workspace_id     TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    name             TEXT COLLATE "C" NOT NULL,
    document_type    TEXT NOT NULL,
    owner_group      TEXT NOT NULL,
    seal             TEXT NOT NULL,
    is_seal_required INTEGER NOT NULL,
    profile_order    INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);
CREATE INDEX document_profiles_order ON document_profiles (workspace_id, profile_order, name);
CREATE INDEX document_profiles_group ON document_profiles (workspace_id, owner_group, profile_order, name);

-- A profile lists shared attributes by reference, in order; an attribute in use
-- cannot be deleted (the store answers 409 before the foreign key would refuse).
CREATE TABLE document_profile_attributes (
    workspace_id TEXT NOT NULL,
    profile_id   TEXT NOT NULL REFERENCES document_profiles (id) ON DELETE CASCADE,
    attribute_id TEXT NOT NULL REFERENCES document_attributes (id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (profile_id, attribute_id)
);
CREATE INDEX document_profile_attributes_attribute ON document_profile_attributes (attribute_id);

-- The audit trail. Written in batches by an asynchronous writer, so it has no
-- foreign key: one row must never fail a whole batch.
CREATE TABLE audit_events (
    seq                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                     TEXT NOT NULL UNIQUE,
    workspace_id           TEXT NOT NULL,
    created_at             BIGINT NOT NULL,
    event_type             TEXT COLLATE "C" NOT NULL,
    event_origin           TEXT NOT NULL,
    creator                TEXT NOT NULL,
    document_id            TEXT NOT NULL,
    signer_id              TEXT NOT NULL,
    customer_personal_code TEXT NOT NULL,
    note                   TEXT NOT NULL,
    process_id             TEXT NOT NULL,
    ip_address             TEXT NOT NULL,
    container_id           TEXT NOT NULL,
    method                 TEXT NOT NULL,
    client_app_name        TEXT NOT NULL,
    api_key_id             TEXT NOT NULL
);
CREATE INDEX audit_events_created ON audit_events (workspace_id, created_at, seq);
CREATE INDEX audit_events_process ON audit_events (workspace_id, process_id, created_at);
CREATE INDEX audit_events_document ON audit_events (workspace_id, document_id, created_at);
CREATE INDEX audit_events_signer ON audit_events (workspace_id, signer_id, created_at);
CREATE INDEX audit_events_type ON audit_events (workspace_id, event_type, created_at);
