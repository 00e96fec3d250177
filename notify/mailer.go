package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/mail"
	"github.com/countersign/countersign/webhook"
)

// Store is what sending needs of the database.
type Store interface {
	// Message returns a message of a workspace (ENOTFOUND once it is gone).
	Message(ctx context.Context, workspaceID, id string) (Message, error)
	// RecordAttempt writes the attempt and the message's new state in one
	// transaction, with message.sent or message.failed once the message is
	// done. It reports false, writing nothing, when the message is no longer
	// waiting for this attempt (it was recorded already).
	RecordAttempt(ctx context.Context, rec Record) (bool, error)
}

// Record is an attempt and the state it leaves its message in.
type Record struct {
	WorkspaceID string
	Attempt     Attempt
	Status      Status
	// NextAttemptAt is when a pending message is tried again.
	NextAttemptAt *time.Time
}

// Enqueuer hands tasks to the queue.
type Enqueuer interface {
	// EnqueueIn queues t to run after delay.
	EnqueueIn(ctx context.Context, t Task, delay time.Duration) error
}

// Config assembles a Mailer.
type Config struct {
	Store  Store
	Queue  Enqueuer
	Sender mail.Sender
	// From is the sender of every message; its domain is the Message-IDs'.
	From mail.Address
	// Schedule is the delivery retry schedule (webhook.DefaultSchedule when nil).
	Schedule webhook.Schedule
	// Timeout bounds one attempt (default 60s).
	Timeout time.Duration
	Logger  *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Mailer makes the attempts at sending messages.
type Mailer struct {
	cfg    Config
	domain string
	rnd    func() float64
}

// NewMailer returns a Mailer for cfg.
func NewMailer(cfg Config) *Mailer {
	if cfg.Schedule == nil {
		cfg.Schedule = webhook.DefaultSchedule
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Mailer{cfg: cfg, domain: Domain(cfg.From), rnd: rand.Float64}
}

// Domain is the Message-ID domain of messages from from: its address's
// domain, or "countersign.invalid" when it has none.
func Domain(from mail.Address) string {
	if _, d, ok := strings.Cut(from.Address, "@"); ok && d != "" {
		return d
	}
	return "countersign.invalid"
}

// MessageID returns the Message-ID of message id from from: derived from the
// outbox row, so every retry and resend carries the same one.
func MessageID(id string, from mail.Address) string { return mail.MessageID(id, Domain(from)) }

// Send makes attempt t.Attempt of a message. It returns nil once the outcome
// is recorded (or when the attempt is no longer due: a duplicate task); an
// error means nothing was recorded and the task should run again (a
// *webhook.Throttled says when).
func (m *Mailer) Send(ctx context.Context, t Task) error {
	msg, err := m.cfg.Store.Message(ctx, t.WorkspaceID, t.MessageID)
	if countersign.ErrorCode(err) == countersign.ENOTFOUND {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load message %s: %w", t.MessageID, err)
	}
	if msg.Status != StatusPending || msg.Attempts != t.Attempt-1 {
		return nil // recorded already: a re-queued or re-run task
	}
	if msg.NextAttemptAt != nil {
		if early := msg.NextAttemptAt.Sub(m.cfg.Now()); early > 0 {
			return &webhook.Throttled{Delay: early}
		}
	}
	started := m.cfg.Now()
	actx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	rec, sendErr := m.cfg.Sender.Send(actx, m.compose(msg))
	cancel()
	if ctx.Err() != nil { // stopping: the attempt does not count; the task goes back
		return fmt.Errorf("attempt interrupted: %w", ctx.Err())
	}
	r := m.outcome(msg, t.Attempt, started, rec, sendErr)
	applied, err := m.cfg.Store.RecordAttempt(ctx, r)
	if err != nil {
		return fmt.Errorf("record attempt: %w", err)
	}
	if rec.Path != "" {
		m.cfg.Logger.Info("mail written to file (no SMTP server configured)", "message_id", msg.ID, "path", rec.Path)
	}
	if applied && r.Status == StatusPending {
		next := Task{MessageID: msg.ID, WorkspaceID: msg.WorkspaceID, Attempt: t.Attempt + 1, NotBefore: *r.NextAttemptAt}
		if err := m.cfg.Queue.EnqueueIn(ctx, next, r.NextAttemptAt.Sub(m.cfg.Now())); err != nil {
			m.cfg.Logger.Warn("could not queue mail retry; the reconciler will", "message_id", msg.ID, "err", err)
		}
	}
	return nil
}

// compose builds the email of msg.
func (m *Mailer) compose(msg Message) *mail.Message {
	return &mail.Message{
		From:      m.cfg.From,
		To:        []mail.Address{{Name: msg.Recipient.Name, Address: msg.Recipient.Email}},
		Subject:   msg.Subject,
		Text:      msg.Text,
		HTML:      msg.HTML,
		MessageID: MessageID(msg.ID, m.cfg.From),
		Date:      msg.CreatedAt,
		Header:    map[string]string{"X-Countersign-Process": msg.ProcessID, "X-Countersign-Notification": string(msg.Type)},
	}
}

// outcome decides the message's new state from an attempt's result: sent;
// a permanent refusal fails it; a temporary failure waits for the next
// attempt of the schedule, counted from the current send, or fails it when
// the schedule is used up.
func (m *Mailer) outcome(msg Message, number int, started time.Time, rec mail.Receipt, err error) Record {
	now := m.cfg.Now()
	a := Attempt{MessageID: msg.ID, Number: number, StartedAt: started, Latency: now.Sub(started), Reply: rec.Reply}
	r := Record{WorkspaceID: msg.WorkspaceID, Attempt: a}
	if err == nil {
		r.Attempt.Outcome, r.Status = OutcomeSent, StatusSent
		if r.Attempt.Reply == "" {
			r.Attempt.Reply = "accepted"
		}
		return r
	}
	r.Attempt.Error = err.Error()
	var me *mail.Error
	if errors.As(err, &me) && me.Code != 0 {
		r.Attempt.Code = me.Code
		r.Attempt.Reply = fmt.Sprintf("%d %s", me.Code, me.Reply)
	}
	if !mail.Temporary(err) {
		r.Attempt.Outcome, r.Status = OutcomePermanent, StatusFailed
		return r
	}
	r.Attempt.Outcome = OutcomeTemporary
	if delay, ok := m.cfg.Schedule.Delay(number-msg.AttemptBase+1, m.rnd); ok {
		next := now.Add(delay)
		r.Status, r.NextAttemptAt = StatusPending, &next
	} else {
		r.Status = StatusFailed
	}
	return r
}
