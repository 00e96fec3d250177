package storage

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

func TestSaveOverAStaleVersionIsRefused(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "stale.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ws, key, _, err := db.Keys().CreateWorkspace(ctx, "A", "owner")
	if err != nil {
		t.Fatal(err)
	}
	actor := countersign.Actor{WorkspaceID: ws.ID, APIKeyID: key.ID}
	p, err := db.Processes().CreateProcess(ctx, actor, workflow.ProcessInput{SigningProcessSteps: []workflow.StepInput{
		{ProcessStepSigners: []workflow.SignerInput{{SignerRole: workflow.RoleSigner}}}}})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *Tx) error { return db.saveProcess(ctx, tx, p, 7, signerKey(p)) })
	if !errors.Is(err, errStale) {
		t.Fatalf("save over version 7 of a version-1 row: %v, want errStale", err)
	}
	attempts := 0
	err = retryStale(func() error { attempts++; return errStale })
	if countersign.ErrorCode(err) != countersign.ECONFLICT || attempts != maxStaleRetries {
		t.Fatalf("retryStale: %v after %d attempts", err, attempts)
	}
}
