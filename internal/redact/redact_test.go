package redact

import "testing"

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://app:s3cret@db:5432/cs": "postgres://app:xxxxx@db:5432/cs",
		"redis://:pw@127.0.0.1:6379/2":     "redis://:xxxxx@127.0.0.1:6379/2",
		"redis://127.0.0.1:6379/2":         "redis://127.0.0.1:6379/2",
		"sqlite://data/countersign.db":     "sqlite://data/countersign.db",
		"postgres://app:s3cret@db:%zz/cs":  "(unparsable URL)",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}
