-- The consumption report's counters per hour of a workspace's log, so a report
-- over days sums a few rows per hour instead of decoding every event.
-- event_tallies reads, for each counted event, what the report's Go reader
-- (factsOf and count in storage/report.go) reads: from the envelope while it is
-- kept, from the facts column once retention has expunged it; the backfill
-- below reads it. Every writer of the log adds its events' tallies in the
-- transaction that writes them (storage's NoteHours, with the Go reader).
-- method is a registration's method, '' on the other rows.
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
    PRIMARY KEY (workspace_id, hour, method)
);

CREATE VIEW event_tallies AS
SELECT seq, workspace_id, created_at / 3600000000 AS hour,
    CASE WHEN type IN ('registration.identity.verified', 'registration.certificate.activated') THEN COALESCE(method, '') ELSE '' END AS method,
    (type = 'transaction.lifecycle.started' AND NOT resumed) AS started,
    (type = 'transaction.lifecycle.completed') AS completed,
    (type = 'transaction.lifecycle.completed' AND signed) AS signed,
    (type = 'transaction.lifecycle.cancelled') AS cancelled,
    (type = 'transaction.lifecycle.expired') AS expired,
    (type = 'action.closed' AND action IS 'SIGNED') AS signatures,
    (type = 'action.closed' AND action IS 'APPROVED') AS visas,
    (type = 'action.closed' AND action IS 'VIEWED') AS read_documents,
    (type = 'registration.identity.verified') AS analysed,
    (type = 'registration.identity.verified' AND status IS 'success') AS validated,
    (type = 'registration.identity.verified' AND status IS 'failure') AS rejected,
    (type = 'registration.certificate.activated') AS certificates
FROM (
    SELECT seq, workspace_id, created_at, type,
        -- Each field is read for the types that count it only: decoding the
        -- envelope is the cost of the backfill.
        CASE WHEN type <> 'action.closed' THEN NULL
            WHEN body IS NOT NULL THEN json_extract(body, '$.data.action') ELSE json_extract(facts, '$.action') END AS action,
        CASE WHEN type NOT IN ('registration.identity.verified', 'registration.certificate.activated') THEN NULL
            WHEN body IS NOT NULL THEN json_extract(body, '$.data.method') ELSE json_extract(facts, '$.method') END AS method,
        CASE WHEN type <> 'registration.identity.verified' THEN NULL
            WHEN body IS NOT NULL THEN json_extract(body, '$.data.verification_status')
            ELSE json_extract(facts, '$.verification_status') END AS status,
        -- Start sets startedAt and updatedAt to the same instant; a resume moves updatedAt only.
        CASE WHEN type <> 'transaction.lifecycle.started' THEN 0
            WHEN body IS NOT NULL THEN json_extract(body, '$.data.process.startedAt') IS NOT NULL
                AND json_extract(body, '$.data.process.startedAt') IS NOT json_extract(body, '$.data.process.updatedAt')
            ELSE COALESCE(json_extract(facts, '$.resumed'), 0) END AS resumed,
        CASE WHEN type <> 'transaction.lifecycle.completed' THEN 0
            WHEN body IS NOT NULL THEN EXISTS (SELECT 1 FROM json_each(body, '$.data.process.signers')
                WHERE json_extract(value, '$.signingStatus') = 'SIGNED')
            ELSE COALESCE(json_extract(facts, '$.signed'), 0) END AS signed
    FROM events
    WHERE type IN ('transaction.lifecycle.started', 'transaction.lifecycle.completed', 'transaction.lifecycle.cancelled',
        'transaction.lifecycle.expired', 'action.closed', 'registration.identity.verified', 'registration.certificate.activated')
);

INSERT INTO event_counts (workspace_id, hour, method, started, completed, signed, cancelled, expired,
    signatures, visas, read_documents, analysed, validated, rejected, certificates)
SELECT workspace_id, hour, method, SUM(started), SUM(completed), SUM(signed), SUM(cancelled), SUM(expired),
    SUM(signatures), SUM(visas), SUM(read_documents), SUM(analysed), SUM(validated), SUM(rejected), SUM(certificates)
FROM event_tallies GROUP BY workspace_id, hour, method;
