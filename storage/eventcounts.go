package storage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign/events"
)

// hourCounts is the sum of event_counts rows of one method over some hours:
// what count would have added for their events (the columns mirror it; the
// view event_tallies of the migrations reads each event as factsOf does).
type hourCounts struct {
	Method        string `db:"method"`
	Started       int    `db:"started"`
	Completed     int    `db:"completed"`
	Signed        int    `db:"signed"`
	Cancelled     int    `db:"cancelled"`
	Expired       int    `db:"expired"`
	Signatures    int    `db:"signatures"`
	Visas         int    `db:"visas"`
	ReadDocuments int    `db:"read_documents"`
	Analysed      int    `db:"analysed"`
	Validated     int    `db:"validated"`
	Rejected      int    `db:"rejected"`
	Certificates  int    `db:"certificates"`
}

// consumptionHours adds to c the counters of a workspace's hours first to
// last, both included: one indexed read of at most a row per hour and method.
func (es *Events) consumptionHours(ctx context.Context, workspaceID string, first, last int64, c *events.Consumption) error {
	var rows []hourCounts
	if err := es.db.x.SelectContext(ctx, &rows, es.db.q(`SELECT method,
		CAST(SUM(started) AS BIGINT) AS started, CAST(SUM(completed) AS BIGINT) AS completed, CAST(SUM(signed) AS BIGINT) AS signed, CAST(SUM(cancelled) AS BIGINT) AS cancelled,
		CAST(SUM(expired) AS BIGINT) AS expired, CAST(SUM(signatures) AS BIGINT) AS signatures, CAST(SUM(visas) AS BIGINT) AS visas, CAST(SUM(read_documents) AS BIGINT) AS read_documents,
		CAST(SUM(analysed) AS BIGINT) AS analysed, CAST(SUM(validated) AS BIGINT) AS validated, CAST(SUM(rejected) AS BIGINT) AS rejected, CAST(SUM(certificates) AS BIGINT) AS certificates
		FROM event_counts WHERE workspace_id = ? AND hour >= ? AND hour <= ? GROUP BY method`),
		workspaceID, first, last); err != nil {
		return classify(fmt.Errorf("read the hourly counters for the consumption report: %w", err))
	}
	for _, r := range rows {
		c.StartedTransactions += r.Started
		c.CompletedTransactions += r.Completed
		c.SignedDocuments += r.Signed
		c.CancelledTransactions += r.Cancelled
		c.ExpiredTransactions += r.Expired
		c.Signatures += r.Signatures
		c.Visas += r.Visas
		c.ReadDocuments += r.ReadDocuments
		if r.Analysed > 0 { // count makes an entry for every verified identity, never for none
			n := c.Identities[r.Method]
			n.Analysed += r.Analysed
			n.Validated += r.Validated
			n.Rejected += r.Rejected
			c.Identities[r.Method] = n
		}
		if r.Certificates > 0 {
			c.Certificates[r.Method] += r.Certificates
		}
	}
	return nil
}

// countKey names an event_counts row: a method's counters in an hour of a
// workspace's log.
type countKey struct {
	workspaceID string
	hour        int64
	method      string
}

// tally is what count adds to the report for one event of type t with facts
// f, as a counters row: the counters and the reader must agree event by event.
func tally(t events.Type, f facts) hourCounts {
	var h hourCounts
	switch t {
	case events.TransactionStarted:
		if !f.Resumed {
			h.Started = 1
		}
	case events.TransactionCompleted:
		h.Completed = 1
		if f.Signed {
			h.Signed = 1
		}
	case events.TransactionCancelled:
		h.Cancelled = 1
	case events.TransactionExpired:
		h.Expired = 1
	case events.ActionClosed:
		switch f.Action {
		case events.SigningSigned:
			h.Signatures = 1
		case events.SigningApproved:
			h.Visas = 1
		case events.SigningViewed:
			h.ReadDocuments = 1
		}
	case events.RegistrationIdentityVerified:
		h.Method, h.Analysed = f.Method, 1
		switch f.VerificationStatus {
		case events.VerificationSuccess:
			h.Validated = 1
		case events.VerificationFailure:
			h.Rejected = 1
		}
	case events.RegistrationCertificateActivated:
		h.Method, h.Certificates = f.Method, 1
	}
	return h
}

// add adds o's counters to h's.
func (h *hourCounts) add(o hourCounts) {
	h.Started += o.Started
	h.Completed += o.Completed
	h.Signed += o.Signed
	h.Cancelled += o.Cancelled
	h.Expired += o.Expired
	h.Signatures += o.Signatures
	h.Visas += o.Visas
	h.ReadDocuments += o.ReadDocuments
	h.Analysed += o.Analysed
	h.Validated += o.Validated
	h.Rejected += o.Rejected
	h.Certificates += o.Certificates
}

// noteCounts adds the counted events of marks to event_counts, one row per
// workspace, hour and method, read from each envelope by the report's own
// reader (factsOf).
func (db *DB) noteCounts(ctx context.Context, x sqlx.ExecerContext, marks []Mark) error {
	counts := map[countKey]hourCounts{}
	for _, m := range marks {
		f, ok, err := factsOf(m.Type, m.Body)
		if err != nil {
			return fmt.Errorf("count event seq %d: %w", m.Seq, err)
		}
		if !ok && !slices.Contains(reportTypes, m.Type) {
			continue
		}
		t := tally(m.Type, f)
		if t == (hourCounts{}) { // an action.closed the report does not count
			continue
		}
		k := countKey{m.WorkspaceID, micros(m.CreatedAt) / microsPerHour, t.Method}
		c := counts[k]
		c.add(t)
		counts[k] = c
	}
	keys := make([]countKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b countKey) int {
		return cmp.Or(strings.Compare(a.workspaceID, b.workspaceID), cmp.Compare(a.hour, b.hour), strings.Compare(a.method, b.method))
	})
	for len(keys) > 0 {
		n := min(len(keys), hoursPerStatement)
		if err := db.upsertCounts(ctx, x, keys[:n], counts); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// upsertCounts adds the counters given for keys to their rows: on
// PostgreSQL the rows of the writing transaction, as for event_hours.
func (db *DB) upsertCounts(ctx context.Context, x sqlx.ExecerContext, keys []countKey, counts map[countKey]hourCounts) error {
	var b strings.Builder
	b.WriteString(`INSERT INTO event_counts AS c (workspace_id, hour, method, started, completed, signed, cancelled, expired,
		signatures, visas, read_documents, analysed, validated, rejected, certificates`)
	row, target := "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "(workspace_id, hour, method)"
	if db.Dialect == Postgres {
		b.WriteString(", tx")
		row, target = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, txid_current())", "(workspace_id, hour, method, tx)"
	}
	b.WriteString(") VALUES ")
	args := make([]any, 0, 15*len(keys))
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		h := counts[k]
		args = append(args, k.workspaceID, k.hour, k.method, h.Started, h.Completed, h.Signed, h.Cancelled, h.Expired,
			h.Signatures, h.Visas, h.ReadDocuments, h.Analysed, h.Validated, h.Rejected, h.Certificates)
	}
	b.WriteString(" ON CONFLICT " + target + ` DO UPDATE SET
		started = c.started + excluded.started, completed = c.completed + excluded.completed,
		signed = c.signed + excluded.signed, cancelled = c.cancelled + excluded.cancelled,
		expired = c.expired + excluded.expired, signatures = c.signatures + excluded.signatures,
		visas = c.visas + excluded.visas, read_documents = c.read_documents + excluded.read_documents,
		analysed = c.analysed + excluded.analysed, validated = c.validated + excluded.validated,
		rejected = c.rejected + excluded.rejected, certificates = c.certificates + excluded.certificates`)
	if _, err := x.ExecContext(ctx, db.q(b.String()), args...); err != nil {
		return fmt.Errorf("count the events for the consumption report: %w", err)
	}
	return nil
}
