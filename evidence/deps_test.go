package evidence

import (
	"os/exec"
	"strings"
	"testing"
)

// The package imports nothing of the module, so that storage and the API can
// depend on it and an auditor's tool can copy it alone.
func TestEvidenceImportsNothingInternal(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/countersign/countersign"
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, module) && dep != module+"/evidence" {
			t.Errorf("evidence imports %s", dep)
		}
	}
}
