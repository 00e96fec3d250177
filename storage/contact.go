package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// contactRow is the stored form of a contact.
type contactRow struct {
	ID               string `db:"id"`
	CreatedAt        int64  `db:"created_at"`
	Name             string `db:"name"`
	Country          string `db:"country"`
	PersonalCode     string `db:"personal_code"`
	Phone            string `db:"phone"`
	Email            string `db:"email"`
	Role             string `db:"role"`
	DefaultAnonymous int    `db:"default_anonymous"`
	Owner            string `db:"owner"`
	Scope            string `db:"scope"`
	Group            string `db:"owner_group"`
	Language         string `db:"language"`
}

const contactColumns = "id, created_at, name, country, personal_code, phone, email, role, default_anonymous, owner, scope, owner_group, language"

// contactSort maps the fields contacts sort by to columns.
var contactSort = map[string]string{"name": "name_lc", "email": "email_lc", "createdAt": "created_at"}

func (r contactRow) contact() workflow.Contact {
	return workflow.Contact{
		ID: r.ID, CreatedAt: fromMicros(r.CreatedAt), Name: r.Name, Country: r.Country,
		PersonalCode: r.PersonalCode, Phone: r.Phone, Email: r.Email, Role: workflow.SignerRole(r.Role),
		DefaultAnonymous: r.DefaultAnonymous != 0, Owner: r.Owner, Scope: workflow.Scope(r.Scope),
		Group: r.Group, Language: r.Language,
	}
}

// CreateContact validates c (see workflow.Contact.Validate) and stores it in
// the actor's workspace with a new id; the id and createdAt it was sent with
// are ignored.
func (rsc *Resources) CreateContact(ctx context.Context, actor countersign.Actor, c workflow.Contact) (workflow.Contact, error) {
	if err := c.Validate(); err != nil {
		return workflow.Contact{}, err
	}
	now := rsc.db.Now()
	c.ID, c.CreatedAt = countersign.NewUUID(), now
	_, err := rsc.db.x.ExecContext(ctx, rsc.db.q(`INSERT INTO contacts (id, workspace_id, created_at, updated_at, name, name_lc,
		country, personal_code, personal_code_key, phone, email, email_lc, role, default_anonymous, owner, scope,
		owner_group, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		c.ID, actor.WorkspaceID, micros(now), micros(now), c.Name, strings.ToLower(c.Name), c.Country, c.PersonalCode,
		workflow.PersonalCodeKey(c.PersonalCode), c.Phone, c.Email, strings.ToLower(c.Email), string(c.Role),
		intOf(c.DefaultAnonymous), c.Owner, string(c.Scope), c.Group, c.Language)
	if err != nil {
		return workflow.Contact{}, classify(fmt.Errorf("insert contact: %w", err))
	}
	return c, nil
}

// GetContact returns one contact of a workspace, whoever may see it: callers
// apply workflow.Ownership.VisibleTo.
func (rsc *Resources) GetContact(ctx context.Context, workspaceID, id string) (workflow.Contact, error) {
	return rsc.db.getContact(ctx, rsc.db.x, workspaceID, id)
}

func (db *DB) getContact(ctx context.Context, q sqlx.QueryerContext, workspaceID, id string) (workflow.Contact, error) {
	var row contactRow
	err := sqlx.GetContext(ctx, q, &row, db.q("SELECT "+contactColumns+" FROM contacts WHERE workspace_id = ? AND id = ?"), workspaceID, id)
	if isNoRows(err) {
		return workflow.Contact{}, countersign.NotFound("contact")
	}
	if err != nil {
		return workflow.Contact{}, classify(fmt.Errorf("get contact: %w", err))
	}
	return row.contact(), nil
}

// UpdateContact replaces every field of contact c.ID but its createdAt with
// those of c, on behalf of user, a member of group. The user must be allowed
// to change the contact as it is and as it will be (workflow.Ownership.MayChange).
func (rsc *Resources) UpdateContact(ctx context.Context, actor countersign.Actor, user, group string, c workflow.Contact) (workflow.Contact, error) {
	if err := c.Validate(); err != nil {
		return workflow.Contact{}, err
	}
	err := rsc.db.Tx(ctx, func(tx *Tx) error {
		old, err := rsc.db.getContact(ctx, tx, actor.WorkspaceID, c.ID)
		if err != nil {
			return err
		}
		if err := old.Ownership().MayChange("contact", user, group); err != nil {
			return err
		}
		if err := c.Ownership().MayChange("contact", user, group); err != nil {
			return err
		}
		c.CreatedAt = old.CreatedAt
		_, err = tx.ExecContext(ctx, rsc.db.q(`UPDATE contacts SET updated_at = ?, name = ?, name_lc = ?, country = ?,
			personal_code = ?, personal_code_key = ?, phone = ?, email = ?, email_lc = ?, role = ?, default_anonymous = ?,
			owner = ?, scope = ?, owner_group = ?, language = ? WHERE workspace_id = ? AND id = ?`),
			micros(rsc.db.Now()), c.Name, strings.ToLower(c.Name), c.Country, c.PersonalCode,
			workflow.PersonalCodeKey(c.PersonalCode), c.Phone, c.Email, strings.ToLower(c.Email), string(c.Role),
			intOf(c.DefaultAnonymous), c.Owner, string(c.Scope), c.Group, c.Language, actor.WorkspaceID, c.ID)
		if err != nil {
			return fmt.Errorf("update contact: %w", err)
		}
		return nil
	})
	if err != nil {
		return workflow.Contact{}, err
	}
	return c, nil
}

// DeleteContact deletes contact id on behalf of user, a member of group, who
// must be allowed to change it.
func (rsc *Resources) DeleteContact(ctx context.Context, actor countersign.Actor, user, group, id string) error {
	return rsc.db.Tx(ctx, func(tx *Tx) error {
		old, err := rsc.db.getContact(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := old.Ownership().MayChange("contact", user, group); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, rsc.db.q("DELETE FROM contacts WHERE workspace_id = ? AND id = ?"), actor.WorkspaceID, id); err != nil {
			return fmt.Errorf("delete contact: %w", err)
		}
		return nil
	})
}

// ListContacts returns a page of the contacts f.User of f.Group sees, in the
// scopes f asks for, matching f's name and email (case-insensitive substrings)
// and personal code (whole, ignoring case, spaces and hyphens). It sorts by
// name unless the page says otherwise; sort fields are name, email, createdAt.
func (rsc *Resources) ListContacts(ctx context.Context, workspaceID string, f workflow.ContactFilter, page workflow.Paging) ([]workflow.Contact, int64, error) {
	scopes, err := workflow.ScopeFilter(f.Scopes)
	if err != nil {
		return nil, 0, err
	}
	order, err := sortSQL(page, contactSort, "name_lc", "id")
	if err != nil {
		return nil, 0, err
	}
	w := &whereBuilder{}
	w.and("workspace_id = ?", workspaceID)
	w.visibleTo(scopes, f.User, f.Group)
	if f.Name != "" {
		w.and(`name_lc LIKE ? ESCAPE '\'`, containsPattern(f.Name))
	}
	if f.Email != "" {
		w.and(`email_lc LIKE ? ESCAPE '\'`, containsPattern(f.Email))
	}
	if f.PersonalCode != "" {
		w.and("personal_code_key = ?", workflow.PersonalCodeKey(f.PersonalCode))
	}
	var rows []contactRow
	total, err := rsc.db.pageOf(ctx, &rows, contactColumns, "contacts", w, order, page)
	if err != nil {
		return nil, 0, err
	}
	out := make([]workflow.Contact, len(rows))
	for i, r := range rows {
		out[i] = r.contact()
	}
	return out, total, nil
}
