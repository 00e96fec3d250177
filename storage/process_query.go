package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// ProcessSortColumns are the columns processes can be sorted by (the API maps
// its camelCase sort fields onto them). Nullable ones sort their NULLs last.
var ProcessSortColumns = map[string]bool{
	"created_at": false, "updated_at": false, "status": false, "document_name": false, "document_type": false,
	"owner_group": false, "initiator": false, "initiator_name": false, "id": false,
	"completed_at": true, "expires_at": true,
}

// conds accumulates the WHERE clauses of a query and their arguments.
type conds struct {
	clauses []string
	args    []any
}

// add appends a clause with its arguments.
func (c *conds) add(clause string, args ...any) {
	c.clauses = append(c.clauses, clause)
	c.args = append(c.args, args...)
}

// sql returns the clauses joined with AND.
func (c *conds) sql() string { return strings.Join(c.clauses, " AND ") }

// likePattern returns the LIKE pattern of a case-insensitive substring search.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// codeForms returns the stored forms a personal code given without a country
// may have: as typed (normalised) and without hyphens (LV, LT and EE codes).
func codeForms(code string) (string, string) {
	plain := workflow.NormalizePersonalCode("", code)
	return plain, strings.ReplaceAll(plain, "-", "")
}

// orderBy returns the ORDER BY clause of page over alias's columns, created_at
// descending when it has no sort, always ending with the id to be stable.
func orderBy(page workflow.Paging, alias string) (string, error) {
	if len(page.Sort) == 0 {
		return alias + ".created_at DESC, " + alias + ".id DESC", nil
	}
	var parts []string
	for _, o := range page.Sort {
		nullable, ok := ProcessSortColumns[o.Field]
		if !ok {
			return "", countersign.FieldErrorf(countersign.EINVALID, "sort", "cannot sort by %q", o.Field)
		}
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		col := alias + "." + o.Field
		if nullable {
			parts = append(parts, "("+col+" IS NULL)")
		}
		parts = append(parts, col+dir)
	}
	return strings.Join(append(parts, alias+".id ASC"), ", "), nil
}

// processConds returns the conditions of f on processes aliased p.
func processConds(workspaceID string, f workflow.ProcessFilter) *conds {
	c := &conds{}
	c.add("p.workspace_id = ?", workspaceID)
	addCommon(c, f.CreatedFrom, f.CreatedUntil, f.Status)
	if f.NameSearch != "" {
		pat := likePattern(f.NameSearch)
		c.add(`(p.names_lc LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM process_signers s
			WHERE s.process_id = p.id AND s.name_lc LIKE ? ESCAPE '\'))`, pat, pat)
	}
	if f.EmailSearch != "" {
		pat := likePattern(f.EmailSearch)
		c.add(`(p.email_lc LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM process_signers s
			WHERE s.process_id = p.id AND s.email_lc LIKE ? ESCAPE '\'))`, pat, pat)
	}
	if f.PersonalCode != "" {
		a, b := codeForms(f.PersonalCode)
		c.add("p.id IN (SELECT process_id FROM process_signers WHERE workspace_id = ? AND personal_code IN (?, ?))",
			workspaceID, a, b)
	}
	if f.SignerID != "" {
		c.add("p.id IN (SELECT process_id FROM process_signers WHERE workspace_id = ? AND signer_id = ?)", workspaceID, f.SignerID)
	}
	for _, eq := range []struct{ col, v string }{
		{"p.owner_group", f.OwnerGroup}, {"p.document_type", f.DocumentType},
		{"p.document_id", f.DocumentID}, {"p.api_key_id", f.CreatedBy},
	} {
		if eq.v != "" {
			c.add(eq.col+" = ?", eq.v)
		}
	}
	return c
}

// addCommon adds the filters processes and a person's assignments share.
func addCommon(c *conds, from, until *time.Time, status workflow.ProcessStatus) {
	if from != nil {
		c.add("p.created_at >= ?", micros(*from))
	}
	if until != nil {
		c.add("p.created_at < ?", micros(*until))
	}
	if status != "" {
		c.add("p.status = ?", string(status))
	}
}

// ListProcesses returns one page of a workspace's processes matching f.
func (ps *Processes) ListProcesses(ctx context.Context, workspaceID string, f workflow.ProcessFilter, page workflow.Paging) ([]*workflow.Process, int64, error) {
	order, err := orderBy(page, "p")
	if err != nil {
		return nil, 0, err
	}
	c := processConds(workspaceID, f)
	var total int64
	if err := ps.db.x.GetContext(ctx, &total, ps.db.q("SELECT COUNT(*) FROM processes p WHERE "+c.sql()), c.args...); err != nil {
		return nil, 0, classify(fmt.Errorf("count processes: %w", err))
	}
	var bodies []string
	if total > int64(page.Offset()) {
		args := append(c.args, page.Size, page.Offset())
		if err := ps.db.x.SelectContext(ctx, &bodies, ps.db.q("SELECT p.body FROM processes p WHERE "+c.sql()+
			" ORDER BY "+order+" LIMIT ? OFFSET ?"), args...); err != nil {
			return nil, 0, classify(fmt.Errorf("list processes: %w", err))
		}
	}
	content := make([]*workflow.Process, len(bodies))
	for i, b := range bodies {
		if content[i], err = decodeProcess(b); err != nil {
			return nil, 0, err
		}
	}
	return content, total, nil
}
