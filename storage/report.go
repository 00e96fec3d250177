package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// reportTypes are the event types the consumption report counts.
var reportTypes = []events.Type{
	events.TransactionStarted, events.TransactionCompleted, events.TransactionCancelled, events.TransactionExpired,
	events.ActionClosed, events.RegistrationIdentityVerified, events.RegistrationCertificateActivated,
}

// reportChunk is how many events one query of the report reads.
const reportChunk = 1000

// facts are the payload fields the consumption report counts. Retention keeps
// them in the facts column when it expunges an event's body.
type facts struct {
	// Action is action.closed's action: SIGNED, APPROVED or VIEWED.
	Action string `json:"action,omitempty"`
	// Resumed marks a transaction.lifecycle.started that resumed a paused process.
	Resumed bool `json:"resumed,omitempty"`
	// Signed marks a transaction.lifecycle.completed whose process holds a signature.
	Signed bool `json:"signed,omitempty"`
	// Method and VerificationStatus are a registration's (pvid or web; success or failure).
	Method             string `json:"method,omitempty"`
	VerificationStatus string `json:"verification_status,omitempty"`
}

// factsOf reads the counted fields of an event of type t from its stored
// envelope. ok is false for the types the report does not read.
func factsOf(t events.Type, body []byte) (f facts, ok bool, err error) {
	switch t {
	case events.TransactionStarted, events.TransactionCompleted:
		var d struct {
			Data events.TransactionData `json:"data"`
		}
		if err := json.Unmarshal(body, &d); err != nil {
			return f, false, fmt.Errorf("decode %s: %w", t, err)
		}
		p := d.Data.Process
		// Start sets startedAt and updatedAt to the same instant; a resume
		// moves updatedAt only.
		f.Resumed = t == events.TransactionStarted && p.StartedAt != nil && !p.StartedAt.Equal(p.UpdatedAt)
		for _, s := range p.Signers {
			f.Signed = f.Signed || (t == events.TransactionCompleted && s.SigningStatus == events.SigningSigned)
		}
	case events.ActionClosed:
		var d struct {
			Data events.ActionData `json:"data"`
		}
		if err := json.Unmarshal(body, &d); err != nil {
			return f, false, fmt.Errorf("decode %s: %w", t, err)
		}
		f.Action = d.Data.Action
	case events.RegistrationIdentityVerified, events.RegistrationCertificateActivated:
		var d struct {
			Data events.RegistrationData `json:"data"`
		}
		if err := json.Unmarshal(body, &d); err != nil {
			return f, false, fmt.Errorf("decode %s: %w", t, err)
		}
		f.Method, f.VerificationStatus = d.Data.Method, d.Data.VerificationStatus
	default:
		return f, false, nil
	}
	return f, true, nil
}

// Consumption counts a workspace's events created strictly between after and
// before for the consumption report. The whole hours of the period come from
// the hourly counters (event_counts); the partial hours at its edges are read
// event by event.
func (es *Events) Consumption(ctx context.Context, workspaceID string, after, before time.Time) (events.Consumption, error) {
	if !after.Before(before) {
		return events.Consumption{}, countersign.FieldErrorf(countersign.EVALIDATION, "created_lt",
			"created_lt must be later than created_gt")
	}
	c := events.Consumption{Identities: map[string]events.IdentityCount{}, Certificates: map[string]int{}}
	lo, hi := micros(after), micros(before)
	// The whole hours: first*H > lo and (last+1)*H <= hi.
	first, last := lo/microsPerHour+1, hi/microsPerHour-1
	if lo < 0 || first > last {
		return c, es.consumptionRaw(ctx, workspaceID, lo, math.MaxInt64, hi, &c)
	}
	if err := es.consumptionRaw(ctx, workspaceID, lo, math.MaxInt64, first*microsPerHour, &c); err != nil {
		return c, err
	}
	if err := es.consumptionHours(ctx, workspaceID, first, last, &c); err != nil {
		return c, err
	}
	return c, es.consumptionRaw(ctx, workspaceID, (last+1)*microsPerHour, -1, hi, &c)
}

// consumptionRaw adds to c the counted events created before hi and after
// (from, fromSeq) in (created_at, seq) order: fromSeq MaxInt64 leaves from
// out, -1 takes it in. It reads in chunks in the order of the
// (workspace_id, created_at) index, each chunk its own short query, and
// counts expunged events from their facts.
func (es *Events) consumptionRaw(ctx context.Context, workspaceID string, from, fromSeq, hi int64, c *events.Consumption) error {
	types := make([]string, len(reportTypes))
	for i, t := range reportTypes {
		types[i] = "'" + string(t) + "'" // constants of the catalogue, never input
	}
	query := es.db.q(`SELECT seq, type, created_at, body, facts FROM events
		WHERE workspace_id = ? AND created_at >= ? AND created_at < ? AND (created_at > ? OR seq > ?)
		  AND type IN (` + strings.Join(types, ", ") + `)
		ORDER BY created_at, seq LIMIT ?`)
	// The cursor is the last row read; it starts on the lower bound.
	lastAt, lastSeq := from, fromSeq
	for {
		var rows []struct {
			Seq       int64   `db:"seq"`
			Type      string  `db:"type"`
			CreatedAt int64   `db:"created_at"`
			Body      []byte  `db:"body"`
			Facts     *string `db:"facts"`
		}
		if err := es.db.x.SelectContext(ctx, &rows, query, workspaceID, lastAt, hi, lastAt, lastSeq, reportChunk); err != nil {
			return classify(fmt.Errorf("read events for the consumption report: %w", err))
		}
		for _, r := range rows {
			var f facts
			var err error
			switch {
			case r.Body != nil:
				f, _, err = factsOf(events.Type(r.Type), r.Body)
			case r.Facts != nil:
				err = json.Unmarshal([]byte(*r.Facts), &f)
			}
			if err != nil {
				return fmt.Errorf("consumption report: event seq %d: %w", r.Seq, err)
			}
			count(c, events.Type(r.Type), f)
		}
		if len(rows) < reportChunk {
			return nil
		}
		lastAt, lastSeq = rows[len(rows)-1].CreatedAt, rows[len(rows)-1].Seq
	}
}

// count adds one event of type t with facts f to c. A transaction that is
// resumed was started before, so only its first start counts.
func count(c *events.Consumption, t events.Type, f facts) {
	switch t {
	case events.TransactionStarted:
		if !f.Resumed {
			c.StartedTransactions++
		}
	case events.TransactionCompleted:
		c.CompletedTransactions++
		if f.Signed {
			c.SignedDocuments++
		}
	case events.TransactionCancelled:
		c.CancelledTransactions++
	case events.TransactionExpired:
		c.ExpiredTransactions++
	case events.ActionClosed:
		switch f.Action {
		case events.SigningSigned:
			c.Signatures++
		case events.SigningApproved:
			c.Visas++
		case events.SigningViewed:
			c.ReadDocuments++
		}
	case events.RegistrationIdentityVerified:
		n := c.Identities[f.Method]
		n.Analysed++
		switch f.VerificationStatus {
		case events.VerificationSuccess:
			n.Validated++
		case events.VerificationFailure:
			n.Rejected++
		}
		c.Identities[f.Method] = n
	case events.RegistrationCertificateActivated:
		c.Certificates[f.Method]++
	}
}
