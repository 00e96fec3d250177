package notify_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/countersign/countersign/mail"
	"github.com/countersign/countersign/mail/mailtest"
	"github.com/countersign/countersign/notify"
	"github.com/countersign/countersign/storage/storagetest"
)

// BenchmarkMailerSend measures the attempt path of one message end to end:
// read the outbox row, render and send it over SMTP to an in-process server
// (a fresh connection each, as in production), record the attempt and
// message.sent in SQLite. messages/s is one worker's throughput; the worker
// pool runs many such attempts at once.
func BenchmarkMailerSend(b *testing.B) {
	srv := mailtest.Start(b, mailtest.Options{})
	sender, err := mail.ParseURL(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	e := benchEngine(b)
	for n := 0; n < b.N; n += 2 { // two invitations a process
		e.process("Lease.pdf", "One")
	}
	m := notify.NewMailer(notify.Config{Store: e.db.Messages(), Queue: nopQueue{}, Sender: sender,
		From: mail.Address{Address: "noreply@countersign.example"}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ms, _, err := e.db.Messages().List(context.Background(), e.ws.WorkspaceID, notify.Filter{Status: notify.StatusPending}, "", b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := m.Send(context.Background(), ms[i].Task()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "messages/s")
	if got := len(srv.Received()); got != b.N {
		b.Fatalf("server received %d of %d", got, b.N)
	}
}

// benchEngine is an outbox with no worker: the benchmark makes the attempts.
func benchEngine(b *testing.B) *engine {
	db := storagetest.OpenSQLite(b)
	ws, _ := storagetest.Workspace(b, db, "A")
	return &engine{t: b, db: db, ws: ws}
}

// nopQueue takes no retries: the benchmark's server accepts everything.
type nopQueue struct{}

func (nopQueue) EnqueueIn(context.Context, notify.Task, time.Duration) error { return nil }
