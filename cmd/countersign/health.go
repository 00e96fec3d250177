package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthCmd runs `countersign health`: it asks a running serve process on
// --addr whether it is alive (/healthz) or, with --ready, whether its database
// and Redis answer (/readyz), and exits 0 or 1. The container image uses it
// as its HEALTHCHECK, since the image has no curl or wget.
func healthCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("countersign health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr("COUNTERSIGN_ADDR", "127.0.0.1:8080"), "the serve process's listen address ($COUNTERSIGN_ADDR)")
	ready := fs.Bool("ready", false, "check /readyz (database and Redis) instead of /healthz")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return usageError{msg: errMsg(err)}
	}
	if fs.NArg() > 0 {
		return usagef("health: unexpected argument %q", fs.Arg(0))
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return usagef("health: invalid --addr / COUNTERSIGN_ADDR %q: want HOST:PORT", *addr)
	}
	// A wildcard listen address is reached on loopback.
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	path := "/healthz"
	if *ready {
		path = "/readyz"
	}
	url := "http://" + net.JoinHostPort(host, port) + path
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %d: %s", url, res.StatusCode, body)
	}
	fmt.Fprintf(stdout, "%s\n", body)
	return nil
}
