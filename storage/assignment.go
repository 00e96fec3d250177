package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/countersign/countersign/workflow"
)

// personConds returns the conditions of f on processes aliased p; the person
// match itself is left to the caller.
func personConds(f workflow.PersonFilter) *conds {
	c := &conds{}
	addCommon(c, f.CreatedFrom, f.CreatedUntil, f.Status)
	if f.NameSearch != "" {
		c.add(`p.names_lc LIKE ? ESCAPE '\'`, likePattern(f.NameSearch))
	}
	if f.NonExpiredAt != nil {
		c.add("p.status <> ? AND (p.expires_at IS NULL OR p.expires_at > ?)",
			string(workflow.ProcessExpired), micros(*f.NonExpiredAt))
	}
	return c
}

// ListAssignments returns one page of the places the person of f (personal
// code and country) stands in the workspace's processes: one per signer entry,
// or one per process with f.PerProcess. A person is matched on the normalised
// personal code and the country, never on a name.
func (ps *Processes) ListAssignments(ctx context.Context, workspaceID string, f workflow.PersonFilter, page workflow.Paging) ([]workflow.Assignment, int64, error) {
	order, err := orderBy(page, "p")
	if err != nil {
		return nil, 0, err
	}
	country := strings.ToUpper(strings.TrimSpace(f.Country))
	code := workflow.NormalizePersonalCode(country, f.PersonalCode)
	if code == "" || country == "" { // nobody is matched on an empty code
		return nil, 0, nil
	}
	c := personConds(f)
	var from string
	if f.PerProcess {
		from = "processes p WHERE p.workspace_id = ? AND p.id IN (SELECT process_id FROM process_signers " +
			"WHERE workspace_id = ? AND personal_code = ? AND country = ?)"
		c.args = append([]any{workspaceID, workspaceID, code, country}, c.args...)
	} else {
		from = "process_signers s JOIN processes p ON p.id = s.process_id " +
			"WHERE s.workspace_id = ? AND s.personal_code = ? AND s.country = ?"
		c.args = append([]any{workspaceID, code, country}, c.args...)
		order += ", s.position ASC"
	}
	if len(c.clauses) > 0 {
		from += " AND " + c.sql()
	}
	var total int64
	if err := ps.db.x.GetContext(ctx, &total, ps.db.q("SELECT COUNT(*) FROM "+from), c.args...); err != nil {
		return nil, 0, classify(fmt.Errorf("count assignments: %w", err))
	}
	var rows []struct {
		SignerID string `db:"signer_id"`
		Body     string `db:"body"`
	}
	if total > int64(page.Offset()) {
		cols := "'' AS signer_id, p.body"
		if !f.PerProcess {
			cols = "s.signer_id, p.body"
		}
		args := append(c.args, page.Size, page.Offset())
		if err := ps.db.x.SelectContext(ctx, &rows, ps.db.q("SELECT "+cols+" FROM "+from+" ORDER BY "+order+
			" LIMIT ? OFFSET ?"), args...); err != nil {
			return nil, 0, classify(fmt.Errorf("list assignments: %w", err))
		}
	}
	content := make([]workflow.Assignment, len(rows))
	for i, r := range rows {
		p, err := decodeProcess(r.Body)
		if err != nil {
			return nil, 0, err
		}
		id := r.SignerID
		if id == "" {
			id = firstSignerOf(p, code, country)
		}
		content[i] = workflow.Assignment{Process: p, SignerID: id}
	}
	return content, total, nil
}

// firstSignerOf returns the id of the first signer of p who is the person
// with normalised personal code code of country.
func firstSignerOf(p *workflow.Process, code, country string) string {
	for _, sg := range p.Signers() {
		if sg.Country == country && sg.PersonalCode != "" && workflow.NormalizePersonalCode(sg.Country, sg.PersonalCode) == code {
			return sg.ID
		}
	}
	return ""
}
