package countersign_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependenciesStayInTheirPackages keeps each heavy dependency in the one
// package made for it (and cmd/, which wires everything, and bench, which
// measures the queue and reads the service's database): Fiber in api, asynq
// in queue, sqlx in storage. The domain packages and internal/kit, shared
// with the end-to-end tests, import none of them.
func TestDependenciesStayInTheirPackages(t *testing.T) {
	const module = "github.com/countersign/countersign"
	allowed := map[string][]string{
		"github.com/gofiber/fiber/v2": {"api", "cmd/countersign"},
		"github.com/hibiken/asynq":    {"queue", "queue/queuetest", "cmd/countersign", "bench"},
		"github.com/jmoiron/sqlx":     {"storage", "storage/storagetest", "cmd/countersign", "bench"},
	}
	out, err := exec.Command("go", "list", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		deps, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		imported := map[string]bool{}
		for _, d := range strings.Fields(string(deps)) {
			imported[d] = true
		}
		for dep, owners := range allowed {
			if imported[dep] && !contains(owners, rel) {
				t.Errorf("%s depends on %s; only %v may", pkg, dep, owners)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
