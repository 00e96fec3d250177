// Command countersign runs the Countersign service: the REST API, the webhook
// delivery workers and the schedulers, plus operator subcommands.
//
//	countersign serve              API and worker in one process (embedded defaults)
//	countersign worker             delivery workers and schedulers only
//	countersign migrate            apply database migrations and exit
//	countersign workspace create   create a workspace and its first owner key
//	countersign replay             replay a delivery, an event, or deliveries in bulk
//	countersign verify             check a webhook request against its endpoint's secret
//	countersign receive            a local webhook receiver, for trying Countersign out
//	countersign health             ask a running serve process whether it is healthy
//	countersign version            print the version
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
