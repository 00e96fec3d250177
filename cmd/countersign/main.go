// Command countersign runs the Countersign service: the REST API, the webhook
// delivery workers and the schedulers (serve, worker), and the operator
// commands beside it (migrate, workspace create, replay, verify, receive,
// health, evidence, bench, version). `countersign help` lists them; the usage
// text is in run.go.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ue usageError
		if !errors.As(err, &ue) || ue.msg != "" {
			fmt.Fprintln(os.Stderr, "countersign:", err)
		}
		os.Exit(exitCode(err))
	}
}
