package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/queue/queuetest"
)

// With the workers' Redis configured, a replay made on the command line is on
// the replays queue when the command returns, so a running worker sends it at
// once; without it, the command says how long the reconciler may take.
func TestReplayCommandQueuesThroughRedis(t *testing.T) {
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "cs.db")
	redisURL := queuetest.URL(t)
	ctx := context.Background()
	_, actor, ep, d := replayFixture(t, dbURL)
	replay := func(env map[string]string, args ...string) string {
		t.Helper()
		withEnv(t, env)
		var out bytes.Buffer
		if err := run(ctx, append([]string{"replay"}, args...), &out, io.Discard); err != nil {
			t.Fatalf("replay %v: %v", args, err)
		}
		return out.String()
	}

	out := replay(map[string]string{"COUNTERSIGN_DATABASE_URL": dbURL}, "delivery", d.ID, "--workspace", actor.WorkspaceID)
	if !strings.Contains(out, "within 15 seconds") || !strings.Contains(out, "COUNTERSIGN_REDIS_URL") {
		t.Errorf("without Redis the command says %q; want the reconciler's bound and the setting that removes it", out)
	}

	inspector := queuetest.Inspector(t, redisURL)
	for _, args := range [][]string{
		{"delivery", d.ID, "--workspace", actor.WorkspaceID},
		{"event", d.EventID, "--endpoint", ep.ID, "--workspace", actor.WorkspaceID},
	} {
		out := replay(map[string]string{"COUNTERSIGN_DATABASE_URL": dbURL, "COUNTERSIGN_REDIS_URL": redisURL}, args...)
		id := regexp.MustCompile(`as (\d+ deliveries \()?(dlv_\w+)`).FindStringSubmatch(out)
		if id == nil || !strings.Contains(out, "queued") {
			t.Fatalf("replay %v with Redis printed %q", args, out)
		}
		info, err := inspector.GetTaskInfo(queue.Replays, id[2]+":1")
		if err != nil {
			t.Fatalf("replay %v: delivery %s is not on the replays queue: %v", args, id[2], err)
		}
		if info.Queue != queue.Replays {
			t.Errorf("task %s is on %s", info.ID, info.Queue)
		}
	}

	// A Redis that does not answer leaves the delivery to the reconciler; the
	// replay itself is made and the command says so.
	out = replay(map[string]string{"COUNTERSIGN_DATABASE_URL": dbURL, "COUNTERSIGN_REDIS_URL": "redis://127.0.0.1:1/0"},
		"delivery", d.ID, "--workspace", actor.WorkspaceID)
	if !strings.Contains(out, "within 15 seconds") {
		t.Errorf("with Redis down the command says %q", out)
	}
}
