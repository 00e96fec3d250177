package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// Commands are the countersign subcommands the bench runs inside its own
// process with --in-process (the tests' mode). They live in the binary,
// which the bench cannot import, so the binary hands them in.
type Commands struct {
	// Serve runs `serve` (withAPI) or `worker` with flags until ctx ends.
	Serve func(ctx context.Context, args []string, stdout, stderr io.Writer, withAPI bool) error
	// Workspace runs `workspace` (args start with "create").
	Workspace func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	// Flags names the flag of each COUNTERSIGN_* setting, so that the
	// service's environment can be handed to Serve as flags.
	Flags map[string]string
}

// UsageError is a mistake in bench's command line: the binary exits with
// status 2. Msg is empty when -h asked for the flags' help.
type UsageError struct{ Msg string }

func (e UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return UsageError{Msg: fmt.Sprintf(format, args...)} }

// errMsg words a flag package error; -h is not an error worth repeating.
func errMsg(err error) string {
	if err == flag.ErrHelp {
		return ""
	}
	return err.Error()
}
