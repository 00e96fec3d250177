package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultDir is where the file sender writes when no SMTP server is
// configured, relative to the working directory.
const DefaultDir = "data/mail"

// Dir is the embedded sender: it writes each message as an RFC 5322 .eml
// file in a directory, named after its Message-ID, so a retry rewrites the
// same file instead of adding one. It lets a server with no mail server show
// what it would send.
type Dir struct {
	path string
}

var _ Sender = (*Dir)(nil)

// NewDir returns a sender writing into dir (created on first send).
func NewDir(dir string) *Dir { return &Dir{path: dir} }

// Send writes m to <dir>/<message-id>.eml (write to a temporary file, then
// rename, so a reader never sees half a message) and returns the path.
func (d *Dir) Send(ctx context.Context, m *Message) (Receipt, error) {
	if err := ctx.Err(); err != nil {
		return Receipt{}, &Error{Stage: "write", Err: err}
	}
	data, err := m.Render()
	if err != nil {
		return Receipt{}, &Error{Stage: "render", Err: err}
	}
	if err := os.MkdirAll(d.path, 0o750); err != nil {
		return Receipt{}, &Error{Stage: "write", Err: fmt.Errorf("create %s: %w", d.path, err)}
	}
	path := filepath.Join(d.path, fileName(m.messageID())+".eml")
	tmp, err := os.CreateTemp(d.path, ".tmp-*")
	if err != nil {
		return Receipt{}, &Error{Stage: "write", Err: err}
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return Receipt{}, &Error{Stage: "write", Err: fmt.Errorf("write %s: %w", tmp.Name(), err)}
	}
	if err := tmp.Close(); err != nil {
		return Receipt{}, &Error{Stage: "write", Err: fmt.Errorf("close %s: %w", tmp.Name(), err)}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return Receipt{}, &Error{Stage: "write", Err: fmt.Errorf("rename to %s: %w", path, err)}
	}
	return Receipt{Reply: "written to " + path, Path: path}, nil
}

// fileName makes a Message-ID safe as a file name: letters, digits and
// ".-_@" are kept, anything else becomes "_".
func fileName(id string) string {
	id = strings.Trim(id, "<>")
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_', r == '@':
			return r
		}
		return '_'
	}, id)
}

// Open returns the sender for an SMTP URL (see ParseURL), or, when the URL
// is empty, a Dir writing into dir.
func Open(smtpURL, dir string, opts ...Option) (Sender, error) {
	if strings.TrimSpace(smtpURL) == "" {
		return NewDir(dir), nil
	}
	return ParseURL(smtpURL, opts...)
}
