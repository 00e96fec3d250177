package countersign_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependenciesStayInTheirPackages keeps each heavy dependency in the one
// package made for it (and cmd/, which wires everything, and bench, which
// measures the queue and reads the service's database): Fiber in api, asynq
// in queue, sqlx in storage, the SMTP server library in the mail test kit.
// The domain packages and internal/kit, shared with the end-to-end tests,
// import none of them.
func TestDependenciesStayInTheirPackages(t *testing.T) {
	const module = "github.com/countersign/countersign"
	allowed := map[string][]string{
		"github.com/gofiber/fiber/v2": {"api", "cmd/countersign"},
		"github.com/hibiken/asynq":    {"queue", "queue/queuetest", "cmd/countersign", "bench"},
		"github.com/jmoiron/sqlx":     {"storage", "storage/storagetest", "cmd/countersign", "bench"},
		// The SMTP server library is for tests only: the product sends mail, it receives none.
		"github.com/emersion/go-smtp": {"mail/mailtest"},
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
			if imported[dep] && !slices.Contains(owners, rel) {
				t.Errorf("%s depends on %s; only %v may", pkg, dep, owners)
			}
		}
	}
}
