package mail_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/countersign/countersign/mail"
	"github.com/countersign/countersign/mail/mailtest"
)

func TestDirWritesOneFilePerMessageID(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "mail")
	s, err := mail.Open("", dir)
	if err != nil {
		t.Fatal(err)
	}
	m := testMessage()
	rec, err := s.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "7f3c.0@countersign.test.eml"); rec.Path != want {
		t.Fatalf("path %q, want %q", rec.Path, want)
	}
	raw, err := os.ReadFile(rec.Path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := m.Render()
	if !bytes.Equal(raw, want) {
		t.Fatalf("file holds\n%s\nwant\n%s", raw, want)
	}
	if p := mailtest.Parse(t, raw); p.Subject != m.Subject || p.HTML == "" {
		t.Fatalf("parsed back %+v", p)
	}
	// A retry rewrites the same file; another message gets its own.
	if again, err := s.Send(context.Background(), m); err != nil || again.Path != rec.Path {
		t.Fatalf("retry: %+v %v", again, err)
	}
	m.MessageID = "<../../etc/passwd@x>"
	other, err := s.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(other.Path) != dir {
		t.Fatalf("a Message-ID escaped the directory: %s", other.Path)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("%d files in %s, want 2", len(entries), dir)
	}
}

func TestOpenPicksSMTPForAURL(t *testing.T) {
	s, err := mail.Open("smtps://mail.example.test", "unused")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*mail.SMTP); !ok {
		t.Fatalf("Open gave %T", s)
	}
	if _, err := mail.Open("ftp://x", "unused"); err == nil {
		t.Fatal("Open accepted ftp://")
	}
}
