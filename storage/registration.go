package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// registrationDoc is the stored form of a workflow.Registration (the body
// column of registrations), owned by storage like processDoc.
type registrationDoc struct {
	V               int        `json:"v"`
	ID              string     `json:"id"`
	WorkspaceID     string     `json:"workspaceId"`
	APIKeyID        string     `json:"apiKeyId"`
	FullName        string     `json:"fullName"`
	Email           string     `json:"email"`
	Phone           string     `json:"phone"`
	Method          string     `json:"method"`
	Status          string     `json:"status"`
	CertificateName string     `json:"certificateName"`
	Reason          string     `json:"reason"`
	CreatedAt       time.Time  `json:"createdAt"`
	UpdatedAt       time.Time  `json:"updatedAt"`
	ExpiresAt       time.Time  `json:"expiresAt"`
	CompletedAt     *time.Time `json:"completedAt"`
}

// encodeRegistration returns the body column of r.
func encodeRegistration(r *workflow.Registration) (string, error) {
	b, err := json.Marshal(registrationDoc{V: 1, ID: r.ID, WorkspaceID: r.WorkspaceID, APIKeyID: r.APIKeyID,
		FullName: r.FullName, Email: r.Email, Phone: r.Phone, Method: string(r.Method), Status: string(r.Status),
		CertificateName: r.CertificateName, Reason: r.Reason, CreatedAt: utc(r.CreatedAt),
		UpdatedAt: utc(r.UpdatedAt), ExpiresAt: utc(r.ExpiresAt), CompletedAt: utcPtr(r.CompletedAt)})
	if err != nil {
		return "", fmt.Errorf("encode registration %s: %w", r.ID, err)
	}
	return string(b), nil
}

// decodeRegistration reads a body column back.
func decodeRegistration(body string) (*workflow.Registration, error) {
	var d registrationDoc
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return nil, fmt.Errorf("decode registration: %w", err)
	}
	if d.V != 1 {
		return nil, fmt.Errorf("decode registration %s: unknown document version %d", d.ID, d.V)
	}
	return &workflow.Registration{ID: d.ID, WorkspaceID: d.WorkspaceID, APIKeyID: d.APIKeyID, FullName: d.FullName,
		Email: d.Email, Phone: d.Phone, Method: workflow.RegistrationMethod(d.Method),
		Status: workflow.RegistrationStatus(d.Status), CertificateName: d.CertificateName, Reason: d.Reason,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, ExpiresAt: d.ExpiresAt, CompletedAt: d.CompletedAt}, nil
}

// registrationDue is the next_due_at column of r.
func registrationDue(r *workflow.Registration) sql.NullInt64 {
	if at, ok := r.NextDue(); ok {
		return sql.NullInt64{Int64: micros(at), Valid: true}
	}
	return sql.NullInt64{}
}

// CreateRegistration validates in and creates a PENDING signer registration
// that expires in seven days. No event type exists for a new registration.
func (rs *Registrations) CreateRegistration(ctx context.Context, actor countersign.Actor, in workflow.RegistrationInput) (*workflow.Registration, error) {
	r, err := workflow.NewRegistration(in, actor, rs.db.Now())
	if err != nil {
		return nil, err
	}
	body, err := encodeRegistration(r)
	if err != nil {
		return nil, err
	}
	if _, err := rs.db.x.ExecContext(ctx, rs.db.q(`INSERT INTO registrations (id, workspace_id, status, created_at, updated_at,
		next_due_at, version, body) VALUES (?, ?, ?, ?, ?, ?, 1, ?)`), r.ID, r.WorkspaceID, string(r.Status),
		micros(r.CreatedAt), micros(r.UpdatedAt), registrationDue(r), body); err != nil {
		return nil, classify(fmt.Errorf("insert registration: %w", err))
	}
	return r, nil
}

// GetRegistration returns one registration of a workspace.
func (rs *Registrations) GetRegistration(ctx context.Context, workspaceID, id string) (*workflow.Registration, error) {
	r, _, err := rs.db.readRegistration(ctx, rs.db.x, workspaceID, id, false)
	return r, err
}

// ChangeRegistration applies cmd to registration id of the actor's workspace,
// after expiring it if its seven days are over, and saves the state with the
// events in one transaction, like ChangeProcess (an expiry is saved even when
// cmd then fails).
func (rs *Registrations) ChangeRegistration(ctx context.Context, actor countersign.Actor, id string, cmd workflow.RegistrationCommand) (*workflow.Registration, error) {
	var out changed[*workflow.Registration]
	err := retryStale(func() error {
		return rs.db.Tx(ctx, func(tx *Tx) error {
			now := rs.db.Now()
			l, err := rs.db.lockRegistration(ctx, tx, actor.WorkspaceID, id)
			if err != nil {
				return err
			}
			out, err = change(ctx, rs.db, tx, l, func(r *workflow.Registration) (*workflow.Registration, []workflow.Emitted, error) {
				return workflow.ApplyRegistration(r, now, cmd)
			})
			if err != nil || out.cmdErr != nil {
				return err
			}
			return rs.db.writeEmitted(ctx, tx, actor, id, out.next.Payload(), out.emitted)
		})
	})
	if err != nil {
		return nil, err
	}
	if out.cmdErr != nil {
		return nil, out.cmdErr
	}
	return out.next, nil
}

// lockRegistration reads registration id under its row lock for change.
func (db *DB) lockRegistration(ctx context.Context, tx *Tx, workspaceID, id string) (locked[*workflow.Registration], error) {
	r, version, err := db.readRegistration(ctx, tx, workspaceID, id, true)
	if err != nil {
		return locked[*workflow.Registration]{}, err
	}
	return locked[*workflow.Registration]{doc: r, workspaceID: workspaceID, id: id,
		save: func(ctx context.Context, tx *Tx, next *workflow.Registration) error {
			return db.saveRegistration(ctx, tx, next, version)
		}}, nil
}

// readRegistration loads a registration and its version, locking the row on
// PostgreSQL when lock is set.
func (db *DB) readRegistration(ctx context.Context, q sqlx.QueryerContext, workspaceID, id string, lock bool) (*workflow.Registration, int64, error) {
	body, version, err := db.readDocument(ctx, q, "registrations", "registration", workspaceID, id, lock)
	if err != nil {
		return nil, 0, err
	}
	r, err := decodeRegistration(body)
	return r, version, err
}

// saveRegistration writes r over the row read at version (errStale if it moved on).
func (db *DB) saveRegistration(ctx context.Context, tx *Tx, r *workflow.Registration, version int64) error {
	body, err := encodeRegistration(r)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, db.q(`UPDATE registrations SET status = ?, updated_at = ?, next_due_at = ?,
		version = version + 1, body = ? WHERE workspace_id = ? AND id = ? AND version = ?`),
		string(r.Status), micros(r.UpdatedAt), registrationDue(r), body, r.WorkspaceID, r.ID, version)
	if err != nil {
		return fmt.Errorf("update registration: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update registration: %w", err)
	} else if n == 0 {
		return errStale
	}
	return nil
}
