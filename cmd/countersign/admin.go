package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
)

// getenv reads the process environment; tests call run with their own.
var getenv = os.Getenv

// migrateCmd applies migrations and exits.
func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig("migrate", args, getenv, stderr, false)
	if err != nil {
		return err
	}
	log := cfg.newLogger(stderr)
	db, err := openDatabase(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d\n", v)
	return nil
}

// workspaceCmd runs `workspace create --name NAME [--json]`.
func workspaceCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usagef("usage: countersign workspace create --name NAME [--json]")
	}
	fs := flag.NewFlagSet("countersign workspace create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "workspace name (required)")
	asJSON := fs.Bool("json", false, `print {"workspace_id":…,"api_key":…} only`)
	dbURL := fs.String("database-url", envOr("COUNTERSIGN_DATABASE_URL", "sqlite://./data/countersign.db"),
		"database URL ($COUNTERSIGN_DATABASE_URL)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{msg: errMsg(err)}
	}
	if *name == "" {
		return usagef("workspace create: --name is required")
	}
	cfg, err := loadConfig("workspace", []string{"--database-url", *dbURL, "--log-level", "warn"}, getenv, stderr, false)
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg.DatabaseURL, cfg.newLogger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	ws, _, token, err := db.Keys().CreateWorkspace(ctx, *name, "owner")
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(struct {
			WorkspaceID string `json:"workspace_id"`
			APIKey      string `json:"api_key"`
		}{ws.ID, token})
	}
	fmt.Fprintf(stdout, "workspace %s (%s)\nowner API key (shown once): %s\n", ws.ID, ws.Name, token)
	return nil
}

// envOr returns the environment variable key, or def when it is empty.
func envOr(key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
