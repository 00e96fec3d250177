package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/countersign/countersign/evidence"
	"github.com/countersign/countersign/storage"
)

// evidenceCheck runs `evidence check --workspace WSP_ID`.
func evidenceCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("countersign evidence check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, evidenceUsage) }
	workspace := fs.String("workspace", "", "the workspace whose log to walk (required)")
	dbURL := fs.String("database-url", envOr("COUNTERSIGN_DATABASE_URL", "sqlite://./data/countersign.db"),
		"database URL ($COUNTERSIGN_DATABASE_URL)")
	publicKey := fs.String("public-key", "", "the public key the heads must be signed by (default: the installation's)")
	if err := fs.Parse(args); err != nil {
		return usageError{msg: errMsg(err)}
	}
	if fs.NArg() > 0 {
		return usagef("evidence check: unexpected argument %q", fs.Arg(0))
	}
	if *workspace == "" {
		return usagef("evidence check: --workspace is required")
	}
	cfg, err := loadConfig("evidence", []string{"--database-url", *dbURL, "--log-level", "warn"}, getenv, stderr, false)
	if err != nil {
		return err
	}
	key := *publicKey
	if key != "" {
		if key, err = readPublicKey(key); err != nil {
			return usagef("evidence check: %v", err)
		}
	}
	db, err := openDatabase(ctx, cfg.DatabaseURL, cfg.newLogger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	if key == "" {
		k, err := loadEvidenceKey(cfg, nil)
		if err != nil {
			return err
		}
		key = k.PublicKey()
	}
	sum, err := db.Evidence().Check(ctx, *workspace, key)
	var ce *storage.CheckError
	if errors.As(err, &ce) {
		return fmt.Errorf("evidence check: workspace %s: %w", *workspace, err)
	}
	if err != nil {
		return fmt.Errorf("evidence check: %w", err)
	}
	fmt.Fprintf(stdout, "ok: %d records of workspace %s match their leaves (%d expunged by retention, their leaves kept); %d signed heads match the tree\n",
		sum.Leaves-sum.Expunged, *workspace, sum.Expunged, sum.Heads)
	return nil
}

// evidenceKeygen runs `evidence keygen`.
func evidenceKeygen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("countersign evidence keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", evidence.DefaultKeyName, "the key's name, which starts every head's origin")
	if err := fs.Parse(args); err != nil {
		return usageError{msg: errMsg(err)}
	}
	k, skey, err := evidence.GenerateKey(*name)
	if err != nil {
		return usagef("evidence keygen: %v", err)
	}
	fmt.Fprintf(stdout, "%s=%s\npublic key: %s\n", evidence.EnvKey, skey, k.PublicKey())
	return nil
}
