package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/countersign/countersign/evidence"
)

const evidenceUsage = `usage: countersign evidence verify FILE --public-key KEY
       countersign evidence check --workspace WSP_ID [--database-url URL] [--public-key KEY]
       countersign evidence keygen [--name NAME]

verify checks an evidence bundle (GET /v1/processes/{processId}/evidence)
offline: exit 0 when every record is included in the tree head signed by KEY,
exit 1 naming the first record that fails. KEY is the installation's public
key as GET /v1/evidence/public-key serves it ("<name>+<key id>+<base64>"), or
a file holding it.

check walks a workspace's whole log in the database: exit 0 with the count of
records when every row still matches its leaf and every kept head its tree,
exit 1 naming the first that does not. KEY defaults to the installation's
(COUNTERSIGN_EVIDENCE_KEY or the key file under the data directory).

keygen prints a new private key for COUNTERSIGN_EVIDENCE_KEY and its public key.`

// evidenceCmd runs the evidence subcommands. verify needs no database and no
// network, so an auditor can run it anywhere.
func evidenceCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, evidenceUsage)
		return usagef("evidence: missing subcommand")
	}
	switch args[0] {
	case "verify":
		return evidenceVerify(args, stdout, stderr)
	case "check":
		return evidenceCheck(ctx, args[1:], stdout, stderr)
	case "keygen":
		return evidenceKeygen(args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, evidenceUsage)
	return usagef("evidence: unknown subcommand %q", args[0])
}

// evidenceVerify runs `evidence verify`.
func evidenceVerify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("countersign evidence verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, evidenceUsage) }
	publicKey := fs.String("public-key", "", "the installation's evidence public key, or a file holding it")
	// Flags may come before or after FILE.
	rest := args[1:]
	var files []string
	for {
		if err := fs.Parse(rest); err != nil {
			return usageError{msg: errMsg(err)}
		}
		if fs.NArg() == 0 {
			break
		}
		files, rest = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) != 1 {
		return usagef("evidence verify: exactly one bundle FILE is required")
	}
	if *publicKey == "" {
		return usagef("evidence verify: --public-key is required")
	}
	key, err := readPublicKey(*publicKey)
	if err != nil {
		return usagef("evidence verify: %v", err)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		return fmt.Errorf("evidence verify: %w", err)
	}
	var b evidence.Bundle
	if err := json.Unmarshal(raw, &b); err != nil {
		return fmt.Errorf("evidence verify: %s is not an evidence bundle: %w", files[0], err)
	}
	if err := evidence.Verify(&b, key); err != nil {
		return fmt.Errorf("evidence verify: invalid: %w", err)
	}
	head, _ := evidence.OpenHead(b.TreeHead, key) // Verify opened it already
	fmt.Fprintf(stdout, "valid: %d records of process %s are included in the log of workspace %s at %d leaves, signed %s by key %s\n",
		len(b.Records), b.ProcessID, b.Workspace, head.Size, head.Time.Format("2006-01-02T15:04:05Z07:00"), b.PublicKeyID)
	return nil
}

// readPublicKey accepts the key itself or the name of a file holding it.
func readPublicKey(s string) (string, error) {
	if _, err := evidence.PublicKeyID(s); err == nil {
		return s, nil
	}
	b, err := os.ReadFile(s)
	if err != nil {
		return "", fmt.Errorf("--public-key is neither a public key nor a readable file")
	}
	k := strings.TrimSpace(string(b))
	if _, err := evidence.PublicKeyID(k); err != nil {
		return "", fmt.Errorf("--public-key file: %w", err)
	}
	return k, nil
}
