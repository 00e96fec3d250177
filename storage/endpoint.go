package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// endpointRow is the stored form of a webhook endpoint.
type endpointRow struct {
	ID                      string         `db:"id"`
	WorkspaceID             string         `db:"workspace_id"`
	URL                     string         `db:"url"`
	Description             string         `db:"description"`
	EventTypes              string         `db:"event_types"`
	Enabled                 bool           `db:"enabled"`
	DisabledReason          sql.NullString `db:"disabled_reason"`
	DisabledAt              sql.NullInt64  `db:"disabled_at"`
	Headers                 string         `db:"headers"`
	RateLimit               sql.NullInt64  `db:"rate_limit"`
	TimeoutSeconds          int            `db:"timeout_seconds"`
	Secret                  string         `db:"secret"`
	PreviousSecret          sql.NullString `db:"previous_secret"`
	PreviousSecretExpiresAt sql.NullInt64  `db:"previous_secret_expires_at"`
	FailingSince            sql.NullInt64  `db:"failing_since"`
	CreatedAt               int64          `db:"created_at"`
	UpdatedAt               int64          `db:"updated_at"`
	Ordering                string         `db:"ordering"`
}

const endpointColumns = `id, workspace_id, url, description, event_types, enabled, disabled_reason, disabled_at,
	headers, rate_limit, timeout_seconds, secret, previous_secret, previous_secret_expires_at, failing_since,
	created_at, updated_at, ordering`

func (r endpointRow) endpoint() (webhook.Endpoint, error) {
	e := webhook.Endpoint{
		ID: r.ID, WorkspaceID: r.WorkspaceID, URL: r.URL, Description: r.Description, Enabled: r.Enabled,
		DisabledReason: r.DisabledReason.String, DisabledAt: fromNullMicros(r.DisabledAt),
		RateLimit: int(r.RateLimit.Int64), TimeoutSeconds: r.TimeoutSeconds, Secret: r.Secret,
		PreviousSecret: r.PreviousSecret.String, PreviousSecretExpiresAt: fromNullMicros(r.PreviousSecretExpiresAt),
		FailingSince: fromNullMicros(r.FailingSince), CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt),
		Ordering: webhook.Ordering(r.Ordering),
	}
	if err := json.Unmarshal([]byte(r.EventTypes), &e.EventTypes); err != nil {
		return e, fmt.Errorf("decode event types of %s: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Headers), &e.Headers); err != nil {
		return e, fmt.Errorf("decode headers of %s: %w", r.ID, err)
	}
	return e, nil
}

// CreateEndpoint registers an endpoint with a new signing credential of the
// scheme it asks for (a whsec_ secret or a whsk_ key). The input
// must have been validated (webhook.EndpointInput.Validate).
func (wh *Webhooks) CreateEndpoint(ctx context.Context, actor countersign.Actor, in webhook.EndpointInput) (webhook.Endpoint, error) {
	now := wh.db.Now()
	e := webhook.Endpoint{
		ID: countersign.NewID(countersign.PrefixEndpoint, now), WorkspaceID: actor.WorkspaceID, Enabled: true,
		Headers: map[string]string{}, TimeoutSeconds: webhook.DefaultTimeoutSeconds,
		Secret: webhook.NewCredential(in.Scheme()), CreatedAt: now, UpdatedAt: now,
	}
	in.Apply(&e)
	types, headers, err := encodeEndpointLists(e)
	if err != nil {
		return e, err
	}
	_, err = wh.db.x.ExecContext(ctx, wh.db.q(`INSERT INTO webhook_endpoints (id, workspace_id, url, description, event_types,
		enabled, headers, rate_limit, timeout_seconds, secret, created_at, updated_at, ordering) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.ID, e.WorkspaceID, e.URL, e.Description, types, boolInt(e.Enabled), headers, nullInt(e.RateLimit), e.TimeoutSeconds,
		e.Secret, micros(now), micros(now), string(e.Ordering))
	if err != nil {
		return e, classify(fmt.Errorf("insert endpoint: %w", err))
	}
	return e, nil
}

// UpdateEndpoint changes the fields set in in.
func (wh *Webhooks) UpdateEndpoint(ctx context.Context, actor countersign.Actor, id string, in webhook.EndpointInput) (webhook.Endpoint, error) {
	var e webhook.Endpoint
	err := wh.db.Tx(ctx, func(tx *Tx) error {
		var err error
		if e, err = wh.db.endpoint(ctx, tx, actor.WorkspaceID, id); err != nil {
			return err
		}
		if err := in.CheckScheme(e); err != nil {
			return err
		}
		in.Apply(&e)
		e.UpdatedAt = wh.db.Now()
		types, headers, err := encodeEndpointLists(e)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, wh.db.q(`UPDATE webhook_endpoints SET url = ?, description = ?, event_types = ?, enabled = ?,
			disabled_reason = ?, disabled_at = ?, failing_since = ?, headers = ?, rate_limit = ?, timeout_seconds = ?, updated_at = ?,
			ordering = ? WHERE workspace_id = ? AND id = ?`),
			e.URL, e.Description, types, boolInt(e.Enabled), nullString(e.DisabledReason), nullMicros(e.DisabledAt), nullMicros(e.FailingSince),
			headers, nullInt(e.RateLimit), e.TimeoutSeconds, micros(e.UpdatedAt), string(e.Ordering), actor.WorkspaceID, id)
		return err
	})
	return e, err
}

// RotateEndpointSecret replaces the signing credential with a new one of
// scheme (the endpoint's own when empty); the old one keeps signing for grace.
func (wh *Webhooks) RotateEndpointSecret(ctx context.Context, actor countersign.Actor, id string, grace time.Duration, scheme webhook.SignatureScheme) (webhook.Endpoint, error) {
	var e webhook.Endpoint
	err := wh.db.Tx(ctx, func(tx *Tx) error {
		var err error
		if e, err = wh.db.endpoint(ctx, tx, actor.WorkspaceID, id); err != nil {
			return err
		}
		now := wh.db.Now()
		e.Rotate(now, grace, scheme)
		_, err = tx.ExecContext(ctx, wh.db.q(`UPDATE webhook_endpoints SET secret = ?, previous_secret = ?,
			previous_secret_expires_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`),
			e.Secret, e.PreviousSecret, nullMicros(e.PreviousSecretExpiresAt), micros(now), actor.WorkspaceID, id)
		return err
	})
	return e, err
}

// DeleteEndpoint removes an endpoint. Its deliveries and attempts stay for
// the record; pending ones fail when their turn comes.
func (wh *Webhooks) DeleteEndpoint(ctx context.Context, actor countersign.Actor, id string) error {
	res, err := wh.db.x.ExecContext(ctx, wh.db.q(`UPDATE webhook_endpoints SET deleted_at = ?, enabled = 0 WHERE workspace_id = ? AND id = ? AND deleted_at IS NULL`),
		micros(wh.db.Now()), actor.WorkspaceID, id)
	if err != nil {
		return classify(fmt.Errorf("delete endpoint: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return countersign.NotFound("webhook endpoint")
	}
	return nil
}

// GetEndpoint returns one endpoint of a workspace.
func (wh *Webhooks) GetEndpoint(ctx context.Context, workspaceID, id string) (webhook.Endpoint, error) {
	return wh.db.endpoint(ctx, wh.db.x, workspaceID, id)
}

// Endpoint returns one endpoint; the delivery worker's lookup.
func (wh *Webhooks) Endpoint(ctx context.Context, workspaceID, id string) (webhook.Endpoint, error) {
	return wh.db.endpoint(ctx, wh.db.x, workspaceID, id)
}

func (db *DB) endpoint(ctx context.Context, q sqlx.QueryerContext, workspaceID, id string) (webhook.Endpoint, error) {
	var row endpointRow
	err := sqlx.GetContext(ctx, q, &row, db.q("SELECT "+endpointColumns+` FROM webhook_endpoints
		WHERE workspace_id = ? AND id = ? AND deleted_at IS NULL`), workspaceID, id)
	if isNoRows(err) {
		return webhook.Endpoint{}, countersign.NotFound("webhook endpoint")
	}
	if err != nil {
		return webhook.Endpoint{}, classify(fmt.Errorf("get endpoint: %w", err))
	}
	return row.endpoint()
}

// ListEndpoints returns a workspace's endpoints, oldest first.
func (wh *Webhooks) ListEndpoints(ctx context.Context, workspaceID string) ([]webhook.Endpoint, error) {
	var rows []endpointRow
	err := wh.db.x.SelectContext(ctx, &rows, wh.db.q("SELECT "+endpointColumns+` FROM webhook_endpoints
		WHERE workspace_id = ? AND deleted_at IS NULL ORDER BY created_at, id`), workspaceID)
	if err != nil {
		return nil, classify(fmt.Errorf("list endpoints: %w", err))
	}
	out := make([]webhook.Endpoint, 0, len(rows))
	for _, r := range rows {
		e, err := r.endpoint()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func encodeEndpointLists(e webhook.Endpoint) (types, headers string, err error) {
	t, err := json.Marshal(e.EventTypes)
	if err != nil {
		return "", "", err
	}
	if e.Headers == nil {
		e.Headers = map[string]string{}
	}
	h, err := json.Marshal(e.Headers)
	return string(t), string(h), err
}

func nullInt(n int) sql.NullInt64 {
	return sql.NullInt64{Int64: int64(n), Valid: n != 0}
}

func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// boolInt stores a boolean as the INTEGER 0 or 1 both engines accept.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
