package storage

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// profileRow is the stored form of a document profile, without its attributes.
type profileRow struct {
	ID             string `db:"id"`
	CreatedAt      int64  `db:"created_at"`
	Name           string `db:"name"`
	DocumentType   string `db:"document_type"`
	OwnerGroup     string `db:"owner_group"`
	Seal           string `db:"seal"`
	IsSealRequired int    `db:"is_seal_required"`
	ProfileOrder   int    `db:"profile_order"`
}

const profileColumns = "id, created_at, name, document_type, owner_group, seal, is_seal_required, profile_order"

func (r profileRow) profile() workflow.DocumentProfile {
	return workflow.DocumentProfile{
		ID: r.ID, CreatedAt: fromMicros(r.CreatedAt), Name: r.Name, DocumentType: r.DocumentType,
		OwnerGroup: r.OwnerGroup, Attributes: []workflow.DocumentAttribute{}, Seal: r.Seal,
		IsSealRequired: r.IsSealRequired != 0, ProfileOrder: r.ProfileOrder,
	}
}

// duplicateProfile is the conflict of a profile name already taken.
func duplicateProfile(name string) error {
	return &countersign.Error{Code: countersign.ECONFLICT, Field: "name",
		Message: fmt.Sprintf("a document profile named %q already exists", name)}
}

// CreateDocumentProfile validates p and stores it with a new id, linking its
// attributes (see workflow.DocumentProfile.Attributes): an attribute id that is
// not in the workspace is EVALIDATION; a name already taken is ECONFLICT.
func (rsc *Resources) CreateDocumentProfile(ctx context.Context, actor countersign.Actor, p workflow.DocumentProfile) (workflow.DocumentProfile, error) {
	if err := p.Validate(); err != nil {
		return workflow.DocumentProfile{}, err
	}
	now := rsc.db.Now()
	p.ID, p.CreatedAt = countersign.NewUUID(), now
	err := rsc.db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, rsc.db.q(`INSERT INTO document_profiles (id, workspace_id, created_at, updated_at, name,
			document_type, owner_group, seal, is_seal_required, profile_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			p.ID, actor.WorkspaceID, micros(now), micros(now), p.Name, p.DocumentType, p.OwnerGroup, p.Seal,
			intOf(p.IsSealRequired), p.ProfileOrder)
		if IsUniqueViolation(err) {
			return duplicateProfile(p.Name)
		}
		if err != nil {
			return fmt.Errorf("insert document profile: %w", err)
		}
		p.Attributes, err = rsc.db.linkAttributes(ctx, tx, actor.WorkspaceID, p.ID, p.Attributes)
		return err
	})
	if err != nil {
		return workflow.DocumentProfile{}, err
	}
	return p, nil
}

// UpdateDocumentProfile replaces every field of profile id but its createdAt,
// attributes included, as CreateDocumentProfile describes.
func (rsc *Resources) UpdateDocumentProfile(ctx context.Context, actor countersign.Actor, id string, p workflow.DocumentProfile) (workflow.DocumentProfile, error) {
	if err := p.Validate(); err != nil {
		return workflow.DocumentProfile{}, err
	}
	err := rsc.db.Tx(ctx, func(tx *Tx) error {
		old, err := rsc.db.getProfile(ctx, tx, actor.WorkspaceID, "id", id)
		if err != nil {
			return err
		}
		p.ID, p.CreatedAt = old.ID, old.CreatedAt
		_, err = tx.ExecContext(ctx, rsc.db.q(`UPDATE document_profiles SET updated_at = ?, name = ?, document_type = ?,
			owner_group = ?, seal = ?, is_seal_required = ?, profile_order = ? WHERE workspace_id = ? AND id = ?`),
			micros(rsc.db.Now()), p.Name, p.DocumentType, p.OwnerGroup, p.Seal, intOf(p.IsSealRequired), p.ProfileOrder,
			actor.WorkspaceID, id)
		if IsUniqueViolation(err) {
			return duplicateProfile(p.Name)
		}
		if err != nil {
			return fmt.Errorf("update document profile: %w", err)
		}
		if _, err := tx.ExecContext(ctx, rsc.db.q("DELETE FROM document_profile_attributes WHERE workspace_id = ? AND profile_id = ?"),
			actor.WorkspaceID, id); err != nil {
			return fmt.Errorf("unlink document attributes: %w", err)
		}
		p.Attributes, err = rsc.db.linkAttributes(ctx, tx, actor.WorkspaceID, id, p.Attributes)
		return err
	})
	if err != nil {
		return workflow.DocumentProfile{}, err
	}
	return p, nil
}

// linkAttributes links attrs to profileID in order inside tx, creating those
// without an id, and returns them as stored.
func (db *DB) linkAttributes(ctx context.Context, tx *Tx, workspaceID, profileID string, attrs []workflow.DocumentAttribute) ([]workflow.DocumentAttribute, error) {
	out := make([]workflow.DocumentAttribute, len(attrs))
	for i, a := range attrs {
		var err error
		if a.ID == "" {
			out[i], err = db.insertAttribute(ctx, tx, workspaceID, a)
		} else if out[i], err = db.getAttribute(ctx, tx, workspaceID, a.ID); countersign.ErrorCode(err) == countersign.ENOTFOUND {
			err = countersign.FieldErrorf(countersign.EVALIDATION, fmt.Sprintf("attributes[%d].id", i), "no document attribute %s", a.ID)
		}
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO document_profile_attributes (workspace_id, profile_id, attribute_id, position)
			VALUES (?, ?, ?, ?)`), workspaceID, profileID, out[i].ID, i); err != nil {
			return nil, fmt.Errorf("link document attribute: %w", err)
		}
	}
	return out, nil
}

// DeleteDocumentProfile deletes profile id; the attributes it listed stay.
func (rsc *Resources) DeleteDocumentProfile(ctx context.Context, actor countersign.Actor, id string) error {
	return rsc.db.Tx(ctx, func(tx *Tx) error {
		if _, err := rsc.db.getProfile(ctx, tx, actor.WorkspaceID, "id", id); err != nil {
			return err
		}
		for _, stmt := range []string{
			"DELETE FROM document_profile_attributes WHERE workspace_id = ? AND profile_id = ?",
			"DELETE FROM document_profiles WHERE workspace_id = ? AND id = ?",
		} {
			if _, err := tx.ExecContext(ctx, rsc.db.q(stmt), actor.WorkspaceID, id); err != nil {
				return fmt.Errorf("delete document profile: %w", err)
			}
		}
		return nil
	})
}

// GetDocumentProfile returns one profile of a workspace with its attributes.
func (rsc *Resources) GetDocumentProfile(ctx context.Context, workspaceID, id string) (workflow.DocumentProfile, error) {
	return rsc.db.getProfile(ctx, rsc.db.x, workspaceID, "id", id)
}

// GetDocumentProfileByName returns the profile of a workspace named name exactly.
func (rsc *Resources) GetDocumentProfileByName(ctx context.Context, workspaceID, name string) (workflow.DocumentProfile, error) {
	return rsc.db.getProfile(ctx, rsc.db.x, workspaceID, "name", name)
}

// getProfile returns the profile whose column (id or name) is value.
func (db *DB) getProfile(ctx context.Context, q sqlx.QueryerContext, workspaceID, column, value string) (workflow.DocumentProfile, error) {
	var row profileRow
	err := sqlx.GetContext(ctx, q, &row, db.q("SELECT "+profileColumns+" FROM document_profiles WHERE workspace_id = ? AND "+column+" = ?"),
		workspaceID, value)
	if isNoRows(err) {
		return workflow.DocumentProfile{}, countersign.NotFound("document profile")
	}
	if err != nil {
		return workflow.DocumentProfile{}, classify(fmt.Errorf("get document profile: %w", err))
	}
	attrs, err := db.profileAttributes(ctx, q, workspaceID, "p.id = ?", row.ID)
	if err != nil {
		return workflow.DocumentProfile{}, err
	}
	p := row.profile()
	if a := attrs[row.ID]; a != nil {
		p.Attributes = a
	}
	return p, nil
}

// ListDocumentProfiles returns the profiles of a workspace, those of owner
// group only when group is set, ordered by profileorder then name.
func (rsc *Resources) ListDocumentProfiles(ctx context.Context, workspaceID, group string) ([]workflow.DocumentProfile, error) {
	cond, args := "1 = 1", []any{}
	if group != "" {
		cond, args = "p.owner_group = ?", []any{group}
	}
	var rows []profileRow
	if err := rsc.db.x.SelectContext(ctx, &rows, rsc.db.q("SELECT "+profileColumns+" FROM document_profiles p WHERE p.workspace_id = ? AND "+
		cond+" ORDER BY p.profile_order, p.name, p.id"), append([]any{workspaceID}, args...)...); err != nil {
		return nil, classify(fmt.Errorf("list document profiles: %w", err))
	}
	attrs, err := rsc.db.profileAttributes(ctx, rsc.db.x, workspaceID, cond, args...)
	if err != nil {
		return nil, err
	}
	out := make([]workflow.DocumentProfile, len(rows))
	for i, r := range rows {
		out[i] = r.profile()
		if a := attrs[r.ID]; a != nil {
			out[i].Attributes = a
		}
	}
	return out, nil
}

// profileAttributes returns the attributes of the profiles p (aliased so in
// cond) of a workspace that match cond, in each profile's order, by profile id.
func (db *DB) profileAttributes(ctx context.Context, q sqlx.QueryerContext, workspaceID, cond string, args ...any) (map[string][]workflow.DocumentAttribute, error) {
	var rows []struct {
		ProfileID string `db:"profile_id"`
		attributeRow
	}
	err := sqlx.SelectContext(ctx, q, &rows, db.q(`SELECT l.profile_id, a.id, a.created_at, a.type, a.name, a.required
		FROM document_profile_attributes l
		JOIN document_attributes a ON a.id = l.attribute_id
		JOIN document_profiles p ON p.id = l.profile_id
		WHERE l.workspace_id = ? AND `+cond+` ORDER BY l.profile_id, l.position`), append([]any{workspaceID}, args...)...)
	if err != nil {
		return nil, classify(fmt.Errorf("list profile attributes: %w", err))
	}
	out := map[string][]workflow.DocumentAttribute{}
	for _, r := range rows {
		out[r.ProfileID] = append(out[r.ProfileID], r.attribute())
	}
	return out, nil
}
