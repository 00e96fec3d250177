package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// apiKeyRow is the stored form of an API key.
type apiKeyRow struct {
	ID          string        `db:"id"`
	WorkspaceID string        `db:"workspace_id"`
	Name        string        `db:"name"`
	Role        string        `db:"role"`
	Prefix      string        `db:"prefix"`
	Hash        []byte        `db:"hash"`
	CreatedAt   int64         `db:"created_at"`
	LastUsedAt  sql.NullInt64 `db:"last_used_at"`
}

const apiKeyColumns = "id, workspace_id, name, role, prefix, hash, created_at, last_used_at"

func (r apiKeyRow) key() countersign.APIKey {
	return countersign.APIKey{
		ID: r.ID, WorkspaceID: r.WorkspaceID, Name: r.Name, Role: countersign.Role(r.Role),
		Prefix: r.Prefix, Hash: r.Hash, CreatedAt: fromMicros(r.CreatedAt), LastUsedAt: fromNullMicros(r.LastUsedAt),
	}
}

// apiKeyData is the payload of apikey.* events.
func apiKeyData(k countersign.APIKey) events.APIKeyData {
	return events.APIKeyData{ID: k.ID, Name: k.Name, Role: string(k.Role), Prefix: k.Prefix, CreatedAt: k.CreatedAt}
}

// CreateAPIKey creates a key in the actor's workspace, with its apikey.created
// event, and returns the token (shown once).
func (ks *Keys) CreateAPIKey(ctx context.Context, actor countersign.Actor, name string, role countersign.Role) (countersign.APIKey, string, error) {
	if err := countersign.ValidateName("name", name); err != nil {
		return countersign.APIKey{}, "", err
	}
	if !role.Valid() {
		return countersign.APIKey{}, "", countersign.FieldErrorf(countersign.EVALIDATION, "role",
			"role must be one of owner, admin, integrator, member")
	}
	var key countersign.APIKey
	var token string
	err := ks.db.Tx(ctx, func(tx *Tx) error {
		var err error
		key, token, err = ks.db.insertAPIKey(ctx, tx, actor, name, role)
		return err
	})
	return key, token, err
}

// insertAPIKey writes a key and its apikey.created event inside tx.
func (db *DB) insertAPIKey(ctx context.Context, tx *Tx, actor countersign.Actor, name string, role countersign.Role) (countersign.APIKey, string, error) {
	now := db.Now()
	key := countersign.APIKey{ID: countersign.NewID(countersign.PrefixAPIKey, now), WorkspaceID: actor.WorkspaceID,
		Name: name, Role: role, CreatedAt: now}
	token, hash := countersign.NewAPIKeyToken(key.ID)
	key.Prefix, key.Hash = countersign.TokenPrefix(token), hash
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO api_keys (id, workspace_id, name, role, prefix, hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), key.ID, key.WorkspaceID, key.Name, string(key.Role), key.Prefix, key.Hash, micros(now)); err != nil {
		return countersign.APIKey{}, "", fmt.Errorf("insert api key: %w", err)
	}
	if actor.APIKeyID == "" { // the first key of a workspace is its own cause
		actor.APIKeyID = key.ID
	}
	if err := db.writeKeyEvent(ctx, tx, actor, events.APIKeyCreated, key); err != nil {
		return countersign.APIKey{}, "", err
	}
	return key, token, nil
}

// writeKeyEvent records an apikey.* event; the stored response body is the key
// as the API shows it, without its token.
func (db *DB) writeKeyEvent(ctx context.Context, tx *Tx, actor countersign.Actor, t events.Type, key countersign.APIKey) error {
	ev, err := db.newEvent(actor, t, key.ID, apiKeyData(key))
	if err != nil {
		return err
	}
	response, err := json.Marshal(key)
	if err != nil {
		return fmt.Errorf("encode api key: %w", err)
	}
	return db.insertEvents(ctx, tx, response, ev)
}

// ListAPIKeys returns the keys of a workspace, oldest first.
func (ks *Keys) ListAPIKeys(ctx context.Context, workspaceID string) ([]countersign.APIKey, error) {
	var rows []apiKeyRow
	err := ks.db.x.SelectContext(ctx, &rows, ks.db.q("SELECT "+apiKeyColumns+" FROM api_keys WHERE workspace_id = ? ORDER BY created_at, id"), workspaceID)
	if err != nil {
		return nil, classify(fmt.Errorf("list api keys: %w", err))
	}
	keys := make([]countersign.APIKey, len(rows))
	for i, r := range rows {
		keys[i] = r.key()
	}
	return keys, nil
}

// GetAPIKey returns one key of a workspace.
func (ks *Keys) GetAPIKey(ctx context.Context, workspaceID, id string) (countersign.APIKey, error) {
	return ks.db.getAPIKey(ctx, ks.db.x, workspaceID, id)
}

func (db *DB) getAPIKey(ctx context.Context, q sqlx.QueryerContext, workspaceID, id string) (countersign.APIKey, error) {
	var row apiKeyRow
	err := sqlx.GetContext(ctx, q, &row, db.q("SELECT "+apiKeyColumns+" FROM api_keys WHERE workspace_id = ? AND id = ?"), workspaceID, id)
	if isNoRows(err) {
		return countersign.APIKey{}, countersign.NotFound("api key")
	}
	if err != nil {
		return countersign.APIKey{}, classify(fmt.Errorf("get api key: %w", err))
	}
	return row.key(), nil
}

// RenameAPIKey renames a key and records apikey.updated.
func (ks *Keys) RenameAPIKey(ctx context.Context, actor countersign.Actor, id, name string) (countersign.APIKey, error) {
	if err := countersign.ValidateName("name", name); err != nil {
		return countersign.APIKey{}, err
	}
	var key countersign.APIKey
	err := ks.db.Tx(ctx, func(tx *Tx) error {
		var err error
		if key, err = ks.db.getAPIKey(ctx, tx, actor.WorkspaceID, id); err != nil {
			return err
		}
		key.Name = name
		if _, err := tx.ExecContext(ctx, ks.db.q("UPDATE api_keys SET name = ? WHERE workspace_id = ? AND id = ?"),
			name, actor.WorkspaceID, id); err != nil {
			return fmt.Errorf("rename api key: %w", err)
		}
		return ks.db.writeKeyEvent(ctx, tx, actor, events.APIKeyUpdated, key)
	})
	return key, err
}

// DeleteAPIKey deletes a key and records apikey.deleted. The last owner key of
// a workspace cannot be deleted: nobody could manage the workspace after it.
func (ks *Keys) DeleteAPIKey(ctx context.Context, actor countersign.Actor, id string) error {
	return ks.db.Tx(ctx, func(tx *Tx) error {
		key, err := ks.db.getAPIKey(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if key.Role == countersign.RoleOwner {
			var owners int
			if err := tx.GetContext(ctx, &owners, ks.db.q("SELECT COUNT(*) FROM api_keys WHERE workspace_id = ? AND role = ?"),
				actor.WorkspaceID, string(countersign.RoleOwner)); err != nil {
				return fmt.Errorf("count owner keys: %w", err)
			}
			if owners <= 1 {
				return countersign.Errorf(countersign.ECONFLICT, "the last owner key of a workspace cannot be deleted")
			}
		}
		if _, err := tx.ExecContext(ctx, ks.db.q("DELETE FROM api_keys WHERE workspace_id = ? AND id = ?"), actor.WorkspaceID, id); err != nil {
			return fmt.Errorf("delete api key: %w", err)
		}
		return ks.db.writeKeyEvent(ctx, tx, actor, events.APIKeyDeleted, key)
	})
}

// Authenticate returns the key a bearer token belongs to. Any mismatch answers
// the same unauthorized error, so callers learn nothing about which keys exist.
func (ks *Keys) Authenticate(ctx context.Context, token string) (countersign.APIKey, error) {
	unauthorized := countersign.Errorf(countersign.EUNAUTHORIZED, "invalid API key")
	id, ok := countersign.ParseAPIKeyToken(token)
	if !ok {
		return countersign.APIKey{}, unauthorized
	}
	var row apiKeyRow
	err := ks.db.x.GetContext(ctx, &row, ks.db.q("SELECT "+apiKeyColumns+" FROM api_keys WHERE id = ?"), id)
	if isNoRows(err) {
		return countersign.APIKey{}, unauthorized
	}
	if err != nil {
		return countersign.APIKey{}, classify(fmt.Errorf("authenticate: %w", err))
	}
	key := row.key()
	if !key.MatchesToken(token) {
		return countersign.APIKey{}, unauthorized
	}
	return key, nil
}
