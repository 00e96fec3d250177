package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

func TestReplayCommand(t *testing.T) {
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "cs.db")
	withEnv(t, map[string]string{"COUNTERSIGN_DATABASE_URL": dbURL})
	ctx := context.Background()
	since := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	db, actor, ep, d := replayFixture(t, dbURL)
	until := time.Now().Add(time.Minute).UTC().Format(time.RFC3339)
	ws := []string{"--workspace", actor.WorkspaceID}
	replay := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"replay"}, args...), &out, io.Discard)
		return out.String(), err
	}

	out, err := replay(append([]string{"delivery", d.ID}, ws...)...)
	if err != nil || !regexp.MustCompile(`^replayed delivery dlv_\w+ as dlv_\w+ \(event evt_\w+ to ep_\w+\); due now: .*within 15 seconds.*\n$`).MatchString(out) {
		t.Fatalf("replay delivery: %q, %v", out, err)
	}
	out, err = replay("event", d.EventID, "--endpoint", ep.ID, "--json", ws[0], ws[1])
	var list struct {
		Data []struct {
			EventID  string `json:"event_id"`
			ReplayID string `json:"replay_id"`
		} `json:"data"`
	}
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list.Data) != 1 || list.Data[0].ReplayID != d.EventID {
		t.Fatalf("replay event --json: %q, %v", out, err)
	}
	// Three deliveries of one event: a bulk replay sends the latest one again.
	bulk := slices.Clip(append([]string{"bulk", "--endpoint", ep.ID, "--since", since, "--until", until, "--status", "pending"}, ws...))
	out, err = replay(append(bulk, "--dry-run")...)
	if err != nil || !strings.HasPrefix(out, "dry run: 1 deliveries to "+ep.ID) {
		t.Fatalf("bulk dry run: %q, %v", out, err)
	}
	out, err = replay(append(bulk, "--rate", "7", "--json")...)
	var r struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Total  int    `json:"total"`
		Rate   int    `json:"rate_per_second"`
	}
	if err != nil || json.Unmarshal([]byte(out), &r) != nil || !countersign.ValidID("rpl", r.ID) || r.Status != "running" || r.Total != 1 || r.Rate != 7 {
		t.Fatalf("bulk: %q, %v", out, err)
	}
	if got, err := db.Webhooks().GetReplay(ctx, actor.WorkspaceID, r.ID); err != nil || got.APIKeyID != "" {
		t.Fatalf("the command line's replay: %+v, %v", got, err)
	}

	for name, c := range map[string]struct {
		args []string
		code int
		want string
	}{
		"no kind":         {nil, 2, "usage"},
		"unknown kind":    {[]string{"everything"}, 2, "usage"},
		"no workspace":    {[]string{"delivery", d.ID}, 2, "--workspace wsp_… is required"},
		"bad workspace":   {[]string{"delivery", d.ID, "--workspace", "wsp_nope"}, 2, `--workspace "wsp_nope" is not a wsp_… id`},
		"bad delivery id": {append([]string{"delivery", "x"}, ws...), 2, "dlv_"},
		"two ids":         {append([]string{"delivery", d.ID, d.ID}, ws...), 2, "usage"},
		"bad endpoint":    {append([]string{"event", d.EventID, "--endpoint", "x"}, ws...), 2, "--endpoint"},
		"no since":        {append([]string{"bulk", "--endpoint", ep.ID, "--until", until}, ws...), 2, "--since"},
		"until first":     {append([]string{"bulk", "--endpoint", ep.ID, "--since", until, "--until", since}, ws...), 2, "--until"},
		"bad status":      {append(bulk, "--status", "lost"), 2, "--status"},
		"bad rate":        {append(bulk, "--rate", "0"), 2, "--rate"},
		"unknown event":   {append([]string{"event", "evt_01jd0000000000000000000000"}, ws...), 1, "not found"},
	} {
		_, err := replay(c.args...)
		if exitCode(err) != c.code || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v (exit %d), want exit %d mentioning %q", name, err, exitCode(err), c.code, c.want)
		}
	}
}

// replayFixture migrates the database at dbURL and gives workspace A an
// endpoint with one test delivery to replay. The database closes when the
// test ends.
func replayFixture(t *testing.T, dbURL string) (*storage.DB, countersign.Actor, webhook.Endpoint, webhook.Delivery) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	actor, _ := storagetest.Workspace(t, db, "A")
	url := "https://receiver.example/hook"
	ep, err := db.Webhooks().CreateEndpoint(ctx, actor, webhook.EndpointInput{URL: &url, EventTypes: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	_, d, err := db.Webhooks().SendTestEvent(ctx, actor, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	return db, actor, ep, d
}
