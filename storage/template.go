package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// templateRow is the stored form of a template.
type templateRow struct {
	ID        string `db:"id"`
	CreatedAt int64  `db:"created_at"`
	Name      string `db:"name"`
	Data      string `db:"data"`
	Owner     string `db:"owner"`
	Scope     string `db:"scope"`
	Group     string `db:"owner_group"`
}

const templateColumns = "id, created_at, name, data, owner, scope, owner_group"

// templateSort maps the fields templates sort by to columns.
var templateSort = map[string]string{"name": "name_lc", "createdAt": "created_at"}

func (r templateRow) template() workflow.Template {
	return workflow.Template{ID: r.ID, CreatedAt: fromMicros(r.CreatedAt), Name: r.Name, Data: r.Data,
		Owner: r.Owner, Scope: workflow.Scope(r.Scope), Group: r.Group}
}

// CreateTemplate validates t (see workflow.Template.Validate) and stores it in
// the actor's workspace with a new id.
func (rsc *Resources) CreateTemplate(ctx context.Context, actor countersign.Actor, t workflow.Template) (workflow.Template, error) {
	if err := t.Validate(); err != nil {
		return workflow.Template{}, err
	}
	now := rsc.db.Now()
	t.ID, t.CreatedAt = countersign.NewUUID(), now
	_, err := rsc.db.x.ExecContext(ctx, rsc.db.q(`INSERT INTO templates (id, workspace_id, created_at, name, name_lc, data, owner,
		scope, owner_group) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		t.ID, actor.WorkspaceID, micros(now), t.Name, strings.ToLower(t.Name), t.Data, t.Owner, string(t.Scope), t.Group)
	if err != nil {
		return workflow.Template{}, classify(fmt.Errorf("insert template: %w", err))
	}
	return t, nil
}

// GetTemplate returns one template of a workspace, whoever may see it.
func (rsc *Resources) GetTemplate(ctx context.Context, workspaceID, id string) (workflow.Template, error) {
	return rsc.db.getTemplate(ctx, rsc.db.x, workspaceID, id)
}

func (db *DB) getTemplate(ctx context.Context, q sqlx.QueryerContext, workspaceID, id string) (workflow.Template, error) {
	var row templateRow
	err := sqlx.GetContext(ctx, q, &row, db.q("SELECT "+templateColumns+" FROM templates WHERE workspace_id = ? AND id = ?"), workspaceID, id)
	if isNoRows(err) {
		return workflow.Template{}, countersign.NotFound("template")
	}
	if err != nil {
		return workflow.Template{}, classify(fmt.Errorf("get template: %w", err))
	}
	return row.template(), nil
}

// DeleteTemplate deletes template id on behalf of user, a member of group,
// who must be allowed to change it (workflow.Ownership.MayChange).
func (rsc *Resources) DeleteTemplate(ctx context.Context, actor countersign.Actor, user, group, id string) error {
	return rsc.db.Tx(ctx, func(tx *Tx) error {
		old, err := rsc.db.getTemplate(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := old.Ownership().MayChange("template", user, group); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, rsc.db.q("DELETE FROM templates WHERE workspace_id = ? AND id = ?"), actor.WorkspaceID, id); err != nil {
			return fmt.Errorf("delete template: %w", err)
		}
		return nil
	})
}

// ListTemplates returns a page of the templates f.User of f.Group sees, in
// the scopes f asks for, whose name contains f.Name (ignoring case). It sorts
// by name unless the page says otherwise; sort fields are name and createdAt.
func (rsc *Resources) ListTemplates(ctx context.Context, workspaceID string, f workflow.TemplateFilter, page workflow.Paging) ([]workflow.Template, int64, error) {
	scopes, err := workflow.ScopeFilter(f.Scopes)
	if err != nil {
		return nil, 0, err
	}
	order, err := sortSQL(page, templateSort, "name_lc", "id")
	if err != nil {
		return nil, 0, err
	}
	w := &whereBuilder{}
	w.and("workspace_id = ?", workspaceID)
	w.visibleTo(scopes, f.User, f.Group)
	if f.Name != "" {
		w.and(`name_lc LIKE ? ESCAPE '\'`, containsPattern(f.Name))
	}
	var rows []templateRow
	total, err := rsc.db.pageOf(ctx, &rows, templateColumns, "templates", w, order, page)
	if err != nil {
		return nil, 0, err
	}
	out := make([]workflow.Template, len(rows))
	for i, r := range rows {
		out[i] = r.template()
	}
	return out, total, nil
}
