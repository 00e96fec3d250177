package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// attributeRow is the stored form of a document attribute.
type attributeRow struct {
	ID        string `db:"id"`
	CreatedAt int64  `db:"created_at"`
	Type      string `db:"type"`
	Name      string `db:"name"`
	Required  int    `db:"required"`
}

const attributeColumns = "id, created_at, type, name, required"

func (r attributeRow) attribute() workflow.DocumentAttribute {
	return workflow.DocumentAttribute{ID: r.ID, CreatedAt: fromMicros(r.CreatedAt), Type: r.Type, Name: r.Name, Required: r.Required != 0}
}

// CreateDocumentAttribute validates a and stores it with a new id.
func (rsc *Resources) CreateDocumentAttribute(ctx context.Context, actor countersign.Actor, a workflow.DocumentAttribute) (workflow.DocumentAttribute, error) {
	if err := a.Validate(""); err != nil {
		return workflow.DocumentAttribute{}, err
	}
	var out workflow.DocumentAttribute
	err := rsc.db.Tx(ctx, func(tx *Tx) error {
		var err error
		out, err = rsc.db.insertAttribute(ctx, tx, actor.WorkspaceID, a)
		return err
	})
	return out, err
}

// insertAttribute stores a validated attribute with a new id inside tx.
func (db *DB) insertAttribute(ctx context.Context, tx *Tx, workspaceID string, a workflow.DocumentAttribute) (workflow.DocumentAttribute, error) {
	now := db.Now()
	a.ID, a.CreatedAt = countersign.NewUUID(), now
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO document_attributes (id, workspace_id, created_at, type, name, name_lc, required)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), a.ID, workspaceID, micros(now), a.Type, a.Name, strings.ToLower(a.Name), intOf(a.Required)); err != nil {
		return workflow.DocumentAttribute{}, fmt.Errorf("insert document attribute: %w", err)
	}
	return a, nil
}

// GetDocumentAttribute returns one attribute of a workspace.
func (rsc *Resources) GetDocumentAttribute(ctx context.Context, workspaceID, id string) (workflow.DocumentAttribute, error) {
	return rsc.db.getAttribute(ctx, rsc.db.x, workspaceID, id)
}

func (db *DB) getAttribute(ctx context.Context, q sqlx.QueryerContext, workspaceID, id string) (workflow.DocumentAttribute, error) {
	var row attributeRow
	err := sqlx.GetContext(ctx, q, &row, db.q("SELECT "+attributeColumns+" FROM document_attributes WHERE workspace_id = ? AND id = ?"), workspaceID, id)
	if isNoRows(err) {
		return workflow.DocumentAttribute{}, countersign.NotFound("document attribute")
	}
	if err != nil {
		return workflow.DocumentAttribute{}, classify(fmt.Errorf("get document attribute: %w", err))
	}
	return row.attribute(), nil
}

// UpdateDocumentAttribute replaces the type, name and required flag of
// attribute id; every profile that lists it sees the change.
func (rsc *Resources) UpdateDocumentAttribute(ctx context.Context, actor countersign.Actor, id string, a workflow.DocumentAttribute) (workflow.DocumentAttribute, error) {
	if err := a.Validate(""); err != nil {
		return workflow.DocumentAttribute{}, err
	}
	var out workflow.DocumentAttribute
	err := rsc.db.Tx(ctx, func(tx *Tx) error {
		old, err := rsc.db.getAttribute(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, rsc.db.q(`UPDATE document_attributes SET type = ?, name = ?, name_lc = ?, required = ?
			WHERE workspace_id = ? AND id = ?`), a.Type, a.Name, strings.ToLower(a.Name), intOf(a.Required), actor.WorkspaceID, id); err != nil {
			return fmt.Errorf("update document attribute: %w", err)
		}
		out = workflow.DocumentAttribute{ID: id, CreatedAt: old.CreatedAt, Type: a.Type, Name: a.Name, Required: a.Required}
		return nil
	})
	return out, err
}

// DeleteDocumentAttribute deletes attribute id. An attribute a profile still
// lists is a conflict: remove it from those profiles first.
func (rsc *Resources) DeleteDocumentAttribute(ctx context.Context, actor countersign.Actor, id string) error {
	return rsc.db.Tx(ctx, func(tx *Tx) error {
		if _, err := rsc.db.getAttribute(ctx, tx, actor.WorkspaceID, id); err != nil {
			return err
		}
		var uses int
		if err := tx.GetContext(ctx, &uses, rsc.db.q("SELECT COUNT(*) FROM document_profile_attributes WHERE workspace_id = ? AND attribute_id = ?"),
			actor.WorkspaceID, id); err != nil {
			return fmt.Errorf("count attribute uses: %w", err)
		}
		if uses > 0 {
			return countersign.Errorf(countersign.ECONFLICT, "document attribute is listed by %d document profile(s); remove it from them first", uses)
		}
		if _, err := tx.ExecContext(ctx, rsc.db.q("DELETE FROM document_attributes WHERE workspace_id = ? AND id = ?"), actor.WorkspaceID, id); err != nil {
			return fmt.Errorf("delete document attribute: %w", err)
		}
		return nil
	})
}

// ListDocumentAttributes returns every attribute of a workspace by name.
func (rsc *Resources) ListDocumentAttributes(ctx context.Context, workspaceID string) ([]workflow.DocumentAttribute, error) {
	var rows []attributeRow
	if err := rsc.db.x.SelectContext(ctx, &rows, rsc.db.q("SELECT "+attributeColumns+" FROM document_attributes WHERE workspace_id = ? ORDER BY name_lc, id"),
		workspaceID); err != nil {
		return nil, classify(fmt.Errorf("list document attributes: %w", err))
	}
	out := make([]workflow.DocumentAttribute, len(rows))
	for i, r := range rows {
		out[i] = r.attribute()
	}
	return out, nil
}
