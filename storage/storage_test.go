package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		v, err := db.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("schema version after first migrate = %d, %v", v, err)
		}
		for i := 0; i < 2; i++ {
			n, err := db.Migrate(ctx)
			if err != nil {
				t.Fatalf("migrate again: %v", err)
			}
			if n != 0 {
				t.Fatalf("migrate again applied %d migrations, want 0", n)
			}
		}
		if v2, _ := db.SchemaVersion(ctx); v2 != v {
			t.Fatalf("schema version changed from %d to %d", v, v2)
		}
	})
}

func TestOpenRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"", "mysql://x", "sqlite://", "postgres://%zz"} {
		if _, err := storage.Open(context.Background(), u); err == nil {
			t.Errorf("Open(%q) succeeded, want an error", u)
		}
	}
}

func TestSQLiteConnectionsHavePragmas(t *testing.T) {
	db := storagetest.OpenSQLite(t)
	ctx := context.Background()
	// Pin several pooled connections at once so the check covers more than one.
	for i := 0; i < 4; i++ {
		conn, err := db.Raw().Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var mode string
		var fk, busy int
		if err := conn.GetContext(ctx, &mode, "PRAGMA journal_mode"); err != nil {
			t.Fatal(err)
		}
		if err := conn.GetContext(ctx, &fk, "PRAGMA foreign_keys"); err != nil {
			t.Fatal(err)
		}
		if err := conn.GetContext(ctx, &busy, "PRAGMA busy_timeout"); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || fk != 1 || busy < 1000 {
			t.Fatalf("connection %d: journal_mode=%s foreign_keys=%d busy_timeout=%d", i, mode, fk, busy)
		}
	}
}

func TestAPIKeyLifecycle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		owner, ownerToken := storagetest.Workspace(t, db, "Acme")
		key, token, err := db.Keys().CreateAPIKey(ctx, owner, "ci", countersign.RoleIntegrator)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Keys().Authenticate(ctx, token)
		if err != nil || got.ID != key.ID || got.Role != countersign.RoleIntegrator || got.WorkspaceID != owner.WorkspaceID {
			t.Fatalf("Authenticate = %+v, %v", got, err)
		}
		if _, err := db.Keys().Authenticate(ctx, tamper(token)); countersign.ErrorCode(err) != countersign.EUNAUTHORIZED {
			t.Fatalf("tampered token: %v, want unauthorized", err)
		}
		if _, err := db.Keys().Authenticate(ctx, "not-a-key"); countersign.ErrorCode(err) != countersign.EUNAUTHORIZED {
			t.Fatalf("garbage token: %v, want unauthorized", err)
		}
		renamed, err := db.Keys().RenameAPIKey(ctx, owner, key.ID, "ci-2")
		if err != nil || renamed.Name != "ci-2" {
			t.Fatalf("rename = %+v, %v", renamed, err)
		}
		if err := db.Keys().DeleteAPIKey(ctx, owner, key.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Keys().Authenticate(ctx, token); countersign.ErrorCode(err) != countersign.EUNAUTHORIZED {
			t.Fatalf("deleted key still authenticates: %v", err)
		}
		if err := db.Keys().DeleteAPIKey(ctx, owner, owner.APIKeyID); countersign.ErrorCode(err) != countersign.ECONFLICT {
			t.Fatalf("deleting the last owner key: %v, want conflict", err)
		}
		if _, err := db.Keys().Authenticate(ctx, ownerToken); err != nil {
			t.Fatalf("owner key: %v", err)
		}
		types := eventTypes(t, db, owner.WorkspaceID)
		want := []events.Type{events.APIKeyCreated, events.APIKeyCreated, events.APIKeyUpdated, events.APIKeyDeleted}
		if len(types) != len(want) {
			t.Fatalf("events = %v, want %v", types, want)
		}
		for i := range want {
			if types[i] != want[i] {
				t.Fatalf("events = %v, want %v", types, want)
			}
		}
	})
}

func TestWorkspacesAreIsolated(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		a, _ := storagetest.Workspace(t, db, "A")
		b, _ := storagetest.Workspace(t, db, "B")
		if _, err := db.Keys().GetAPIKey(ctx, b.WorkspaceID, a.APIKeyID); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("get other workspace's key: %v, want not found", err)
		}
		if _, err := db.Keys().RenameAPIKey(ctx, b, a.APIKeyID, "x"); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("rename other workspace's key: %v, want not found", err)
		}
		if err := db.Keys().DeleteAPIKey(ctx, b, a.APIKeyID); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("delete other workspace's key: %v, want not found", err)
		}
		keys, err := db.Keys().ListAPIKeys(ctx, b.WorkspaceID)
		if err != nil || len(keys) != 1 || keys[0].ID != b.APIKeyID {
			t.Fatalf("list = %+v, %v", keys, err)
		}
	})
}

func TestFailedChangeWritesNoEvent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		owner, _ := storagetest.Workspace(t, db, "A")
		if _, _, err := db.Keys().CreateAPIKey(ctx, owner, "", countersign.RoleMember); countersign.ErrorCode(err) != countersign.EVALIDATION {
			t.Fatalf("empty name: %v", err)
		}
		if _, _, err := db.Keys().CreateAPIKey(ctx, owner, "x", "root"); countersign.ErrorCode(err) != countersign.EVALIDATION {
			t.Fatalf("bad role: %v", err)
		}
		if got := eventTypes(t, db, owner.WorkspaceID); len(got) != 1 {
			t.Fatalf("events after failed changes = %v, want only the first key's", got)
		}
	})
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		owner, _ := storagetest.Workspace(t, db, "A")
		_, err := db.Raw().ExecContext(ctx, db.Raw().Rebind("INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)"), owner.WorkspaceID, "dup", 1)
		if !storage.IsUniqueViolation(err) {
			t.Fatalf("duplicate insert error %v not recognised as a unique violation", err)
		}
		if storage.IsUniqueViolation(errors.New("UNIQUE constraint failed")) {
			t.Fatal("a plain error message must not count as a unique violation")
		}
	})
}

func eventTypes(t *testing.T, db *storage.DB, workspaceID string) []events.Type {
	t.Helper()
	var types []events.Type
	if err := db.Raw().SelectContext(context.Background(), &types, db.Raw().Rebind("SELECT type FROM events WHERE workspace_id = ? ORDER BY seq"), workspaceID); err != nil {
		t.Fatal(err)
	}
	return types
}

// tamper changes a token's last character, whatever it is.
func tamper(token string) string {
	last := token[len(token)-1]
	if last == '0' {
		return token[:len(token)-1] + "1"
	}
	return token[:len(token)-1] + "0"
}
