package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage/storagetest"
)

func TestEventRetentionSetting(t *testing.T) {
	cases := []struct {
		env, flag string
		want      time.Duration
		bad       bool
	}{
		{"", "", 720 * time.Hour, false},
		{"0", "", 0, false},
		{"2160h", "", 2160 * time.Hour, false},
		{"2160h", "48h", 48 * time.Hour, false},
		{"", "-1h", 0, true},
		{"30d", "", 0, true},
		{"10h", "", 0, true}, // shorter than the default retry schedule's span
	}
	for _, c := range cases {
		var args []string
		if c.flag != "" {
			args = []string{"--event-retention", c.flag}
		}
		cfg, err := loadConfig("serve", args, env(map[string]string{"COUNTERSIGN_EVENT_RETENTION": c.env}), io.Discard, true)
		switch {
		case c.bad && (err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "COUNTERSIGN_EVENT_RETENTION")):
			t.Errorf("env %q flag %q: %v, want a usage error naming the setting", c.env, c.flag, err)
		case !c.bad && (err != nil || cfg.EventRetention != c.want):
			t.Errorf("env %q flag %q: %v, %v; want %v", c.env, c.flag, cfg.EventRetention, err, c.want)
		}
	}
	// A short retention is fine with a short retry schedule.
	cfg, err := loadConfig("serve", []string{"--retry-schedule", "0s,1m", "--event-retention", "2h"}, env(nil), io.Discard, true)
	if err != nil || cfg.EventRetention != 2*time.Hour {
		t.Fatalf("short schedule: %v, %v", cfg.EventRetention, err)
	}
}

func TestExpungeLoopAppliesRetention(t *testing.T) {
	db := storagetest.OpenSQLite(t)
	ws, _ := storagetest.Workspace(t, db, "A")
	now := time.Now()
	evs := storagetest.InsertEvents(t, db,
		storagetest.Event{Type: events.ActionOpened, WorkspaceID: ws.WorkspaceID, CreatedAt: now.Add(-31 * 24 * time.Hour), Data: 1},
		storagetest.Event{Type: events.ActionOpened, WorkspaceID: ws.WorkspaceID, CreatedAt: now.Add(-29 * 24 * time.Hour), Data: 2})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		expungeLoop(ctx, db, 30*24*time.Hour, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		old, err := db.Events().GetEvent(ctx, ws.WorkspaceID, evs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if old.ExpungedAt != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the loop did not expunge the old event")
		}
	}
	cancel()
	<-done
	if recent, err := db.Events().GetEvent(context.Background(), ws.WorkspaceID, evs[1].ID); err != nil || recent.ExpungedAt != nil {
		t.Fatalf("recent event: %+v, %v", recent, err)
	}
	// Retention 0 returns at once.
	expungeLoop(context.Background(), db, 0, time.Hour, nil)
}
