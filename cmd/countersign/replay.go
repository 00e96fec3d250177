package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/webhook"
)

const replayUsage = `usage:
  countersign replay delivery DLV_ID --workspace WSP_ID [--json]
  countersign replay event EVT_ID --workspace WSP_ID [--endpoint EP_ID] [--json]
  countersign replay bulk --workspace WSP_ID --endpoint EP_ID --since RFC3339 --until RFC3339
                          [--status failed] [--type TYPE] [--rate 50] [--dry-run] [--json]`

// replayCmd runs `countersign replay delivery|event|bulk`, working on the
// database directly: it creates the replay deliveries (or the bulk replay),
// which the running workers pick up (see replayQueue for how soon).
func replayCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "delivery" && args[0] != "event" && args[0] != "bulk") {
		return usagef("%s", replayUsage)
	}
	kind := args[0]
	fs := flag.NewFlagSet("countersign replay "+kind, flag.ContinueOnError)
	fs.SetOutput(stderr)
	ws := fs.String("workspace", "", "workspace id, wsp_… (required)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	dbURL := fs.String("database-url", envOr("COUNTERSIGN_DATABASE_URL", "sqlite://./data/countersign.db"), "database URL ($COUNTERSIGN_DATABASE_URL)")
	redisURL := fs.String("redis-url", envOr("COUNTERSIGN_REDIS_URL", ""), "the workers' Redis, to queue single replays at once ($COUNTERSIGN_REDIS_URL)")
	endpoint := fs.String("endpoint", "", "endpoint id, ep_…")
	since := fs.String("since", "", "bulk: deliveries created at or after this RFC 3339 time")
	until := fs.String("until", "", "bulk: deliveries created before this RFC 3339 time")
	status := fs.String("status", string(webhook.StatusFailed), "bulk: status of the deliveries to replay")
	typ := fs.String("type", "", "bulk: event type, or a prefix ending in .*")
	rate := fs.Int("rate", webhook.DefaultReplayRate, "bulk: new deliveries per second")
	dryRun := fs.Bool("dry-run", false, "bulk: count the deliveries that would be replayed, change nothing")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return usageError{msg: errMsg(err)}
	}
	if *ws == "" {
		return usagef("replay %s: --workspace wsp_… is required", kind)
	}
	if !countersign.ValidID(countersign.PrefixWorkspace, *ws) {
		return usagef("replay %s: --workspace %q is not a wsp_… id", kind, *ws)
	}
	if *endpoint != "" && !countersign.ValidID(countersign.PrefixEndpoint, *endpoint) {
		return usagef("replay %s: --endpoint %q is not an ep_… id", kind, *endpoint)
	}
	want := map[string]int{"delivery": 1, "event": 1, "bulk": 0}[kind]
	if len(pos) != want {
		return usagef("%s", replayUsage)
	}
	var f webhook.DeliveryFilter
	if kind == "bulk" {
		if f, err = bulkFilter(*endpoint, *since, *until, *status, *typ, *rate); err != nil {
			return err
		}
	}
	cfg, err := loadConfig("replay", []string{"--database-url", *dbURL, "--redis-url", *redisURL, "--log-level", "warn"}, getenv, stderr, false)
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg.DatabaseURL, cfg.newLogger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	q, err := openReplayQueue(ctx, cfg.RedisURL, cfg.newLogger(stderr))
	if err != nil {
		return err
	}
	defer q.close()
	if d := q.dispatch(); d != nil {
		db.SetDispatcher(d)
	}
	actor := countersign.Actor{WorkspaceID: *ws, Role: countersign.RoleOwner, ClientApp: "countersign replay"}
	out := replayOutput{w: stdout, json: *asJSON}
	switch kind {
	case "delivery":
		if !countersign.ValidID(countersign.PrefixDelivery, pos[0]) {
			return usagef("replay delivery: %q is not a dlv_… id", pos[0])
		}
		d, err := db.Webhooks().ReplayDelivery(ctx, actor, pos[0])
		if err != nil {
			return err
		}
		return out.print(api.NewDeliveryView(d), "replayed delivery %s as %s (event %s to %s); %s\n",
			pos[0], d.ID, d.EventID, d.EndpointID, q.send(ctx, "it"))
	case "event":
		if !countersign.ValidID(countersign.PrefixEvent, pos[0]) {
			return usagef("replay event: %q is not an evt_… id", pos[0])
		}
		ds, err := db.Webhooks().ReplayEvent(ctx, actor, pos[0], *endpoint)
		if err != nil {
			return err
		}
		views := make([]api.DeliveryView, len(ds))
		ids := make([]string, len(ds))
		for i, d := range ds {
			views[i], ids[i] = api.NewDeliveryView(d), d.ID+" to "+d.EndpointID
		}
		return out.print(api.ReplayedDeliveries{Object: "list", Data: views}, "replayed event %s as %d deliveries (%s); %s\n",
			pos[0], len(ds), strings.Join(ids, ", "), q.send(ctx, "them"))
	}
	if *dryRun {
		n, err := db.Webhooks().CountReplay(ctx, *ws, f)
		if err != nil {
			return err
		}
		return out.print(api.ReplayView{Object: "replay", DryRun: true, Total: n},
			"dry run: %d deliveries to %s would be replayed; nothing was changed\n", n, f.EndpointID)
	}
	r, err := db.Webhooks().CreateReplay(ctx, actor, f, *rate)
	if err != nil {
		return err
	}
	if r.Finished() {
		return out.print(api.NewReplayView(r), "bulk replay %s: no delivery to %s matches; nothing to send\n", r.ID, r.EndpointID)
	}
	return out.print(api.NewReplayView(r), "bulk replay %s: %d deliveries to %s at %d/s; the running workers' replay runner sends them\n",
		r.ID, r.Total, r.EndpointID, r.RatePerSecond)
}

// bulkFilter checks the bulk flags; mistakes are usage errors naming the flag.
func bulkFilter(endpoint, since, until, status, typ string, rate int) (webhook.DeliveryFilter, error) {
	f := webhook.DeliveryFilter{EndpointID: endpoint, Status: webhook.Status(status), EventType: typ}
	for _, t := range []struct {
		flag, value string
		dst         **time.Time
	}{{"--since", since, &f.CreatedAfter}, {"--until", until, &f.CreatedBefore}} {
		at, err := time.Parse(time.RFC3339Nano, t.value)
		if err != nil {
			return f, usagef("replay bulk: %s must be an RFC 3339 time such as 2026-02-01T00:00:00Z", t.flag)
		}
		at = at.UTC()
		*t.dst = &at
	}
	if err := webhook.ValidateReplayFilter(f); err != nil {
		flags := map[string]string{"endpoint_id": "--endpoint", "created_before": "--until", "status": "--status", "event_type": "--type"}
		if e := countersign.AsError(err); e != nil && flags[e.Field] != "" {
			return f, usagef("replay bulk: %s: %s", flags[e.Field], e.Message)
		}
		return f, usagef("replay bulk: %v", err)
	}
	if rate < 1 || rate > webhook.MaxReplayRate {
		return f, usagef("replay bulk: --rate must be from 1 to %d", webhook.MaxReplayRate)
	}
	return f, nil
}

// parseInterleaved parses flags that may come before or after positional
// arguments (`replay delivery DLV_ID --workspace W`) and returns the latter.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// replayOutput prints a result as one line or, with --json, as JSON.
type replayOutput struct {
	w    io.Writer
	json bool
}

func (o replayOutput) print(v any, format string, args ...any) error {
	if o.json {
		return json.NewEncoder(o.w).Encode(v)
	}
	_, err := fmt.Fprintf(o.w, format, args...)
	return err
}
