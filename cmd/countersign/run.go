package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise it
// comes from the module's build info.
var version = ""

// Version returns the running binary's version.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// usageError is a mistake in the command line or configuration: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{msg: fmt.Sprintf(format, args...)} }

// exitCode maps an error to the process exit status.
func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

const usage = `usage: countersign <command> [flags]

commands:
  serve              run the REST API and (unless --no-worker) the delivery worker
  worker             run delivery workers and schedulers only
  migrate            apply database migrations and exit
  workspace create   create a workspace and its first owner API key
  replay             replay a delivery, an event, or deliveries in bulk (delivery|event|bulk)
  evidence           verify an evidence bundle offline, check a workspace's log (verify|check|keygen)
  verify             check a webhook request (raw HTTP on stdin) against --secret
  receive            a local webhook receiver that saves each request for verify (trying it out)
  health             exit 0 if the serve process on --addr answers /healthz (--ready: /readyz)
  bench              measure end-to-end delivery throughput and latency (docs/performance.md)
  version            print the version

Run 'countersign <command> -h' for a command's flags. Every flag can also be set
by its COUNTERSIGN_* environment variable.`

// run executes one subcommand. main only calls it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runWithInput(ctx, args, os.Stdin, stdout, stderr)
}

// runWithInput is run with the standard input given, for commands that read it.
func runWithInput(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return usageError{}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serveCmd(ctx, rest, stdout, stderr, true)
	case "worker":
		return serveCmd(ctx, rest, stdout, stderr, false)
	case "migrate":
		return migrateCmd(ctx, rest, stdout, stderr)
	case "evidence":
		return evidenceCmd(ctx, rest, stdout, stderr)
	case "workspace":
		return workspaceCmd(ctx, rest, stdout, stderr)
	case "replay":
		return replayCmd(ctx, rest, stdout, stderr)
	case "verify":
		return verifyCmd(rest, stdin, stdout, stderr)
	case "receive":
		return receiveCmd(ctx, rest, stdout, stderr)
	case "health":
		return healthCmd(ctx, rest, stdout, stderr)
	case "bench":
		return benchCmd(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "countersign", Version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return usagef("unknown command %q", cmd)
}
