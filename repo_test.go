package countersign_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/countersign/countersign/workflow"
)

// TestRepositoryHygiene keeps local state out of the repository and the
// image: no database committed under a data/ directory, data/ ignored by git
// and Docker, and an image that can report its own health.
func TestRepositoryHygiene(t *testing.T) {
	if out, err := exec.Command("git", "ls-files").Output(); err != nil {
		t.Logf("git ls-files: %v; the committed-files check is skipped", err)
	} else {
		for _, f := range strings.Fields(string(out)) {
			if f == "data" || strings.HasPrefix(f, "data/") || strings.Contains(f, "/data/") {
				t.Errorf("%s is committed: data/ holds local databases", f)
			}
		}
	}
	lines := func(name string) []string {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("read %s: %v", name, err)
			return nil
		}
		return strings.Split(string(b), "\n")
	}
	has := func(name string, want ...string) {
		got := lines(name)
		for _, w := range want {
			found := false
			for _, l := range got {
				found = found || strings.TrimSpace(l) == w
			}
			if !found {
				t.Errorf("%s has no line %q", name, w)
			}
		}
	}
	// "data/" without a leading slash ignores a data directory at any depth,
	// such as the one a test run in cmd/countersign would create.
	has(".gitignore", "data/")
	has(".dockerignore", ".git", "data/", "**/data/")
	dockerfile := strings.Join(lines("Dockerfile"), "\n")
	if !regexp.MustCompile(`(?m)^HEALTHCHECK .*CMD \["countersign", "health"\]`).MatchString(dockerfile) {
		t.Errorf("the Dockerfile has no HEALTHCHECK running countersign health")
	}
}

// TestNoInternalSourceWords keeps the documents the requirements came from out
// of what users and maintainers read: docs, messages and comments name the
// thing itself (the SigningProcess schema, the page object, the consumption
// report), never "the seed" or "the vendor". Other meanings of "seed" (random
// and fuzz seeds, seeding test data) are fine. e2e/ is left to its owners.
func TestNoInternalSourceWords(t *testing.T) {
	word := regexp.MustCompile(`(?i)\bvendor|\bthe seed\b|\bseed's|\bseed (clients|schema|example)|\bclients? of the seed`)
	// The tests that look for the words name them.
	checkers := map[string]bool{"repo_test.go": true, filepath.Join("api", "hints_test.go"): true}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "e2e" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".md", ".sql", ".sh":
			if checkers[path] {
				return nil
			}
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if lower := bytes.ToLower(b); !bytes.Contains(lower, []byte("seed")) && !bytes.Contains(lower, []byte("vendor")) {
			return nil
		}
		for i, line := range strings.Split(string(b), "\n") {
			if word.MatchString(line) {
				t.Errorf("%s:%d: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDocumentedPersonalCodesAreValid checks every personal code the docs show
// against the rules the API applies: DDMMYY-NNNNN is an LV code, and an
// 11-digit code must be a valid LV, LT or EE one.
func TestDocumentedPersonalCodesAreValid(t *testing.T) {
	code := regexp.MustCompile(`\b[0-9]{6}-[0-9]{5}\b|\b[0-9]{11}\b`)
	docs, _ := filepath.Glob("docs/*.md")
	found := 0
	for _, name := range append(docs, "README.md") {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range code.FindAllString(string(b), -1) {
			found++
			countries := []string{"LV", "LT", "EE"}
			if strings.Contains(c, "-") {
				countries = countries[:1]
			}
			valid := false
			for _, country := range countries {
				valid = valid || workflow.ValidatePersonalCode(country, c) == nil
			}
			if !valid {
				t.Errorf("%s shows the personal code %s, which no rule of %v accepts", name, c, countries)
			}
		}
	}
	if found == 0 {
		t.Fatal("no personal code found in the docs: the pattern is stale")
	}
}
