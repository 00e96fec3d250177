-- The consumption report's counters per hour of a workspace's log, so a report
-- over days sums a few rows per hour instead of decoding every event.
-- event_tallies reads, for each counted event, what the report's Go reader
-- (factsOf and count in storage/report.go) reads: from the envelope while it is
-- kept, from the facts column once retention has expunged it; the backfill
-- below reads it. Every writer of the log adds its events' tallies in the
-- transaction that writes them (storage's NoteHours, with the Go reader).
-- method is a registration's method, '' on the other rows. A row belongs to
-- one writing transaction (tx, 0 for the backfill), so concurrent writers of a
-- workspace never wait for each other's commits; the report sums an hour's rows.
CREATE TABLE event_counts (
    workspace_id   TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    hour           BIGINT NOT NULL, -- created_at / 3600000000
    method         TEXT NOT NULL,
    started        BIGINT NOT NULL,
    completed      BIGINT NOT NULL,
    signed         BIGINT NOT NULL,
    cancelled      BIGINT NOT NULL,
    expired        BIGINT NOT NULL,
    signatures     BIGINT NOT NULL,
    visas          BIGINT NOT NULL,
    read_documents BIGINT NOT NULL,
    analysed       BIGINT NOT NULL,
    validated      BIGINT NOT NULL,
    rejected       BIGINT NOT NULL,
    certificates   BIGINT NOT NULL,
    tx             BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, hour, method, tx)
);

CREATE VIEW event_tallies AS
SELECT seq, workspace_id, created_at / 3600000000 AS hour,
    CASE WHEN type IN ('registration.identity.verified', 'registration.certificate.activated') THEN COALESCE(method, '') ELSE '' END AS method,
    (type = 'transaction.lifecycle.started' AND NOT resumed)::int AS started,
    (type = 'transaction.lifecycle.completed')::int AS completed,
    (type = 'transaction.lifecycle.completed' AND signed)::int AS signed,
    (type = 'transaction.lifecycle.cancelled')::int AS cancelled,
    (type = 'transaction.lifecycle.expired')::int AS expired,
    (type = 'action.closed' AND action IS NOT DISTINCT FROM 'SIGNED')::int AS signatures,
    (type = 'action.closed' AND action IS NOT DISTINCT FROM 'APPROVED')::int AS visas,
    (type = 'action.closed' AND action IS NOT DISTINCT FROM 'VIEWED')::int AS read_documents,
    (type = 'registration.identity.verified')::int AS analysed,
    (type = 'registration.identity.verified' AND status IS NOT DISTINCT FROM 'success')::int AS validated,
    (type = 'registration.identity.verified' AND status IS NOT DISTINCT FROM 'failure')::int AS rejected,
    (type = 'registration.certificate.activated')::int AS certificates
FROM (
    SELECT seq, workspace_id, created_at, type,
        -- Each field is read for the types that count it only.
        CASE WHEN type <> 'action.closed' THEN NULL WHEN d IS NOT NULL THEN d->>'action' ELSE f->>'action' END AS action,
        CASE WHEN type NOT IN ('registration.identity.verified', 'registration.certificate.activated') THEN NULL
            WHEN d IS NOT NULL THEN d->>'method' ELSE f->>'method' END AS method,
        CASE WHEN type <> 'registration.identity.verified' THEN NULL
            WHEN d IS NOT NULL THEN d->>'verification_status' ELSE f->>'verification_status' END AS status,
        -- Start sets startedAt and updatedAt to the same instant; a resume moves updatedAt only.
        CASE WHEN type <> 'transaction.lifecycle.started' THEN false
            WHEN d IS NOT NULL THEN d->'process'->>'startedAt' IS NOT NULL
                AND d->'process'->>'startedAt' IS DISTINCT FROM d->'process'->>'updatedAt'
            ELSE COALESCE((f->>'resumed')::boolean, false) END AS resumed,
        CASE WHEN type <> 'transaction.lifecycle.completed' THEN false
            WHEN d IS NOT NULL THEN jsonb_path_exists(d, '$.process.signers[*] ? (@.signingStatus == "SIGNED")')
            ELSE COALESCE((f->>'signed')::boolean, false) END AS signed
    FROM (
        SELECT seq, workspace_id, created_at, type,
            CASE WHEN body IS NOT NULL AND type NOT IN ('transaction.lifecycle.cancelled', 'transaction.lifecycle.expired')
                THEN COALESCE(body::jsonb->'data', 'null'::jsonb) END AS d, -- cancelled and expired read nothing
            facts::jsonb AS f
        FROM events
        WHERE type IN ('transaction.lifecycle.started', 'transaction.lifecycle.completed', 'transaction.lifecycle.cancelled',
            'transaction.lifecycle.expired', 'action.closed', 'registration.identity.verified', 'registration.certificate.activated')
    ) j
) t;

INSERT INTO event_counts (workspace_id, hour, method, started, completed, signed, cancelled, expired,
    signatures, visas, read_documents, analysed, validated, rejected, certificates, tx)
SELECT workspace_id, hour, method, SUM(started), SUM(completed), SUM(signed), SUM(cancelled), SUM(expired),
    SUM(signatures), SUM(visas), SUM(read_documents), SUM(analysed), SUM(validated), SUM(rejected), SUM(certificates), 0
FROM event_tallies GROUP BY workspace_id, hour, method;
