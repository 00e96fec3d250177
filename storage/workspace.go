package storage

import (
	"context"
	"fmt"

	"github.com/countersign/countersign"
)

// CreateWorkspace creates a workspace and its first owner API key in one
// transaction and returns the key's token, which is shown once and never stored.
func (ks *Keys) CreateWorkspace(ctx context.Context, name, keyName string) (countersign.Workspace, countersign.APIKey, string, error) {
	if err := countersign.ValidateName("name", name); err != nil {
		return countersign.Workspace{}, countersign.APIKey{}, "", err
	}
	now := ks.db.Now()
	ws := countersign.Workspace{ID: countersign.NewID(countersign.PrefixWorkspace, now), Name: name, CreatedAt: now}
	var key countersign.APIKey
	var token string
	err := ks.db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, ks.db.q("INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)"),
			ws.ID, ws.Name, micros(now)); err != nil {
			return fmt.Errorf("insert workspace: %w", err)
		}
		var err error
		key, token, err = ks.db.insertAPIKey(ctx, tx, countersign.Actor{WorkspaceID: ws.ID}, keyName, countersign.RoleOwner)
		return err
	})
	if err != nil {
		return countersign.Workspace{}, countersign.APIKey{}, "", err
	}
	return ws, key, token, nil
}

// CountWorkspaces returns how many workspaces exist.
func (ks *Keys) CountWorkspaces(ctx context.Context) (int, error) {
	var n int
	err := ks.db.x.GetContext(ctx, &n, "SELECT COUNT(*) FROM workspaces")
	return n, classify(err)
}

// GetWorkspace returns one workspace.
func (ks *Keys) GetWorkspace(ctx context.Context, id string) (countersign.Workspace, error) {
	var row struct {
		ID        string `db:"id"`
		Name      string `db:"name"`
		CreatedAt int64  `db:"created_at"`
	}
	err := ks.db.x.GetContext(ctx, &row, ks.db.q("SELECT id, name, created_at FROM workspaces WHERE id = ?"), id)
	if isNoRows(err) {
		return countersign.Workspace{}, countersign.NotFound("workspace")
	}
	if err != nil {
		return countersign.Workspace{}, classify(fmt.Errorf("get workspace: %w", err))
	}
	return countersign.Workspace{ID: row.ID, Name: row.Name, CreatedAt: fromMicros(row.CreatedAt)}, nil
}
