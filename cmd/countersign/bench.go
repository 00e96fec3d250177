package main

import (
	"context"
	"errors"
	"io"

	"github.com/countersign/countersign/bench"
)

// benchCmd runs `countersign bench` (package bench), handing it the
// subcommands it runs in its own process with --in-process.
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := map[string]string{}
	for _, st := range settings() {
		flags[st.env] = st.flag
	}
	err := bench.Run(ctx, args, stdout, stderr, bench.Commands{Serve: serveCmd, Workspace: workspaceCmd, Flags: flags})
	var ue bench.UsageError
	if errors.As(err, &ue) {
		return usageError{msg: ue.Msg}
	}
	return err
}
