package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// Query helpers shared by the stores of contacts, templates, document
// profiles and attributes and the audit trail.

// whereBuilder accumulates the AND-ed conditions of a query and their arguments.
type whereBuilder struct {
	clauses []string
	args    []any
}

// and adds a condition with its arguments.
func (w *whereBuilder) and(clause string, args ...any) {
	w.clauses = append(w.clauses, clause)
	w.args = append(w.args, args...)
}

// String returns the conditions joined with AND.
func (w *whereBuilder) String() string { return strings.Join(w.clauses, " AND ") }

// containsPattern returns the LIKE pattern (with \ as escape character) that
// finds s, lower-cased, anywhere in a lower-cased column.
func containsPattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// visibleTo adds the visibility rule of workflow.Ownership for the scopes
// asked for: a user's PERSONAL items, their group's GROUP items, GLOBAL items.
func (w *whereBuilder) visibleTo(scopes []workflow.Scope, user, group string) {
	var terms []string
	for _, s := range scopes {
		switch s {
		case workflow.ScopePersonal:
			terms = append(terms, "(scope = 'PERSONAL' AND owner = ?)")
			w.args = append(w.args, user)
		case workflow.ScopeGroup:
			terms = append(terms, "(scope = 'GROUP' AND owner_group = ?)")
			w.args = append(w.args, group)
		case workflow.ScopeGlobal:
			terms = append(terms, "scope = 'GLOBAL'")
		}
	}
	if len(terms) == 0 {
		terms = []string{"1 = 0"}
	}
	w.clauses = append(w.clauses, "("+strings.Join(terms, " OR ")+")")
}

// sortSQL returns the ORDER BY list of page: each sort field must be a key of
// columns (the store's names for what clients sort by), def is used when the
// page has no sort, and tiebreak always ends the list so pages are stable.
func sortSQL(page workflow.Paging, columns map[string]string, def, tiebreak string) (string, error) {
	if len(page.Sort) == 0 {
		return def + ", " + tiebreak, nil
	}
	parts := make([]string, 0, len(page.Sort)+1)
	for _, o := range page.Sort {
		col, ok := columns[o.Field]
		if !ok {
			return "", countersign.FieldErrorf(countersign.EINVALID, "sort", "cannot sort by %q", o.Field)
		}
		if o.Desc {
			col += " DESC"
		}
		parts = append(parts, col)
	}
	return strings.Join(append(parts, tiebreak), ", "), nil
}

// pageOf runs a count and a page query over table with the conditions in w,
// ordered by order, scanning rows into dest (a pointer to a slice).
func (db *DB) pageOf(ctx context.Context, dest any, columns, table string, w *whereBuilder, order string, page workflow.Paging) (int64, error) {
	var total int64
	if err := db.x.GetContext(ctx, &total, db.q("SELECT COUNT(*) FROM "+table+" WHERE "+w.String()), w.args...); err != nil {
		return 0, classify(fmt.Errorf("count %s: %w", table, err))
	}
	if total == 0 || int64(page.Offset()) >= total {
		return total, nil
	}
	args := append(append([]any{}, w.args...), page.Size, page.Offset())
	query := "SELECT " + columns + " FROM " + table + " WHERE " + w.String() + " ORDER BY " + order + " LIMIT ? OFFSET ?"
	if err := db.x.SelectContext(ctx, dest, db.q(query), args...); err != nil {
		return 0, classify(fmt.Errorf("list %s: %w", table, err))
	}
	return total, nil
}

// intOf stores a boolean as INTEGER 0 or 1.
func intOf(b bool) int {
	if b {
		return 1
	}
	return 0
}
