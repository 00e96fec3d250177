package notify_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/mail"
	"github.com/countersign/countersign/notify"
	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/queue/queuetest"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
	"github.com/countersign/countersign/workflow"
)

// testSchedule is the compressed retry schedule of the tests.
var testSchedule = webhook.Schedule{0, 50 * time.Millisecond, 100 * time.Millisecond, 150 * time.Millisecond, 200 * time.Millisecond}

// engine is the mail channel wired as a worker process wires it: real
// SQLite, real Redis, the asynq worker with the mailer, and the reconciler.
type engine struct {
	t  testing.TB
	db *storage.DB
	ws countersign.Actor
}

type engineOptions struct {
	smtpURL string
	// noDispatch leaves new messages to the reconciler, as when Redis lost them.
	noDispatch bool
}

func startEngine(t *testing.T, o engineOptions) *engine {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db := storagetest.OpenSQLite(t)
	ws, _ := storagetest.Workspace(t, db, "A")
	rds, err := queue.Open(ctx, queuetest.URL(t), log)
	if err != nil {
		t.Fatal(err)
	}
	enq := queue.NewEnqueuer(rds, log, 1)
	mq := enq.Mail()
	if !o.noDispatch {
		db.Messages().SetDispatcher(mq.Dispatch)
	}
	db.Messages().SetPortal("https://sign.example.com/portal")
	sender, err := mail.ParseURL(o.smtpURL)
	if err != nil {
		t.Fatal(err)
	}
	worker := queue.NewWorker(rds, queue.WorkerConfig{Concurrency: 4, ShutdownTimeout: 5 * time.Second}, log)
	worker.HandleMail(notify.NewMailer(notify.Config{Store: db.Messages(), Queue: mq, Sender: sender,
		From: mail.Address{Name: "Countersign", Address: "noreply@countersign.example"}, Schedule: testSchedule,
		Timeout: 5 * time.Second, Logger: log}))
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	loopCtx, stop := context.WithCancel(ctx)
	var loops sync.WaitGroup
	rec := &notify.Reconciler{Source: db.Messages(), Queue: mq, Grace: 200 * time.Millisecond, Logger: log}
	loops.Add(1)
	go func() { defer loops.Done(); rec.Run(loopCtx, 100*time.Millisecond) }()
	t.Cleanup(func() {
		stop()
		loops.Wait()
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		worker.Shutdown(sctx)
		enq.Close()
		rds.Close()
	})
	return &engine{t: t, db: db, ws: ws}
}

// process creates and starts a two-step process with mail on: two signers
// in step 1, an approver in step 2; docName and the first signer's name are
// the caller's.
func (e *engine) process(docName, name string) *workflow.Process {
	e.t.Helper()
	signer := func(name, email string, role workflow.SignerRole) workflow.SignerInput {
		return workflow.SignerInput{SignerName: name, SignerEmail: email, SignerRole: role, SignerNotification: true, SignerLanguage: "lv"}
	}
	in := workflow.ProcessInput{DocumentID: "doc-1", DocumentName: docName, Initiator: "jdoe", InitiatorName: "Jane Doe",
		ProcessInitiatorEmail: "jane@example.com",
		SigningProcessSteps: []workflow.StepInput{
			{ProcessOrder: 0, ProcessStepSigners: []workflow.SignerInput{
				signer(name, "one@example.com", workflow.RoleSigner), signer("Two", "two@example.com", workflow.RoleSigner)}},
			{ProcessOrder: 1, ProcessStepSigners: []workflow.SignerInput{signer("Approver", "approver@example.com", workflow.RoleApprover)}},
		}}
	ctx := context.Background()
	p, err := e.db.Processes().CreateProcess(ctx, e.ws, in)
	if err != nil {
		e.t.Fatal(err)
	}
	p, err = e.db.Processes().ChangeProcess(ctx, e.ws, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) })
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// settled waits until no message is pending and returns them all.
func (e *engine) settled() []notify.Message {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ms, _, err := e.db.Messages().List(context.Background(), e.ws.WorkspaceID, notify.Filter{}, "", 1000)
		if err != nil {
			e.t.Fatal(err)
		}
		pending := 0
		for _, m := range ms {
			if m.Status == notify.StatusPending {
				pending++
			}
		}
		if pending == 0 && len(ms) > 0 {
			return ms
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d of %d messages still pending", pending, len(ms))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// attempts returns the attempts of message id.
func (e *engine) attempts(id string) []notify.Attempt {
	e.t.Helper()
	_, as, err := e.db.Messages().Get(context.Background(), e.ws.WorkspaceID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return as
}

// freeAddr returns a loopback address nothing listens on (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// relay forwards connections on addr to target while on; while off, addr
// refuses connections as a stopped mail server does.
type relay struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	l      net.Listener
}

func (r *relay) start() {
	r.t.Helper()
	l, err := net.Listen("tcp", r.addr)
	if err != nil {
		r.t.Fatalf("relay listen on %s: %v", r.addr, err)
	}
	r.mu.Lock()
	r.l = l
	r.mu.Unlock()
	r.t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", r.target)
				if err != nil {
					return
				}
				defer up.Close()
				go func() { _, _ = io.Copy(up, c) }()
				_, _ = io.Copy(c, up)
			}()
		}
	}()
}
