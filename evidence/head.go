package evidence

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// TreeHead is a workspace's tree at one size, as the installation vouches for it.
type TreeHead struct {
	Workspace string
	Size      uint64
	Root      []byte
	Time      time.Time
}

// ErrHeadSignature is returned for a checkpoint not signed by the given key.
var ErrHeadSignature = errors.New("evidence: tree head is not signed by this key")

// Sign returns the head as a C2SP signed note holding a checkpoint
// (c2sp.org/tlog-checkpoint):
//
//	<key name>/<workspace>\n
//	<size, decimal>\n
//	<base64 root hash>\n
//	time <RFC 3339 UTC, seconds>\n
//	\n
//	— <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>\n
//
// The signature covers every byte before the blank line. The time is an
// extension line, which checkpoint readers that do not know it ignore. The
// checkpoint format was chosen over a bespoke byte layout because existing
// tools (golang.org/x/mod/sumdb/note, the transparency-dev witnesses) read it.
func (k *Key) Sign(h TreeHead) (string, error) {
	if h.Workspace == "" || strings.ContainsAny(h.Workspace, "/\n ") {
		return "", fmt.Errorf("evidence: sign head: invalid workspace %q", h.Workspace)
	}
	text := fmt.Sprintf("%s/%s\n%d\n%s\ntime %s\n", k.Name(), h.Workspace, h.Size,
		base64.StdEncoding.EncodeToString(h.Root), h.Time.UTC().Format(time.RFC3339))
	msg, err := note.Sign(&note.Note{Text: text}, k.signer)
	if err != nil {
		return "", fmt.Errorf("evidence: sign head: %w", err)
	}
	return string(msg), nil
}

// OpenHead checks a checkpoint's signature against the public key (in the
// verifier encoding) and returns the head it states.
func OpenHead(checkpoint, publicKey string) (TreeHead, error) {
	v, err := note.NewVerifier(strings.TrimSpace(publicKey))
	if err != nil {
		return TreeHead{}, fmt.Errorf("evidence: not a signed-note public key: %w", err)
	}
	n, err := note.Open([]byte(checkpoint), note.VerifierList(v))
	if err != nil {
		return TreeHead{}, fmt.Errorf("%w: %v", ErrHeadSignature, err)
	}
	return parseCheckpoint(n.Text, v.Name())
}

func parseCheckpoint(text, keyName string) (TreeHead, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 4 {
		return TreeHead{}, errors.New("evidence: checkpoint has fewer than four lines")
	}
	ws, ok := strings.CutPrefix(lines[0], keyName+"/")
	if !ok || ws == "" {
		return TreeHead{}, fmt.Errorf("evidence: checkpoint origin %q is not %s/<workspace>", lines[0], keyName)
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return TreeHead{}, fmt.Errorf("evidence: checkpoint size %q: %w", lines[1], err)
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != 32 {
		return TreeHead{}, fmt.Errorf("evidence: checkpoint root %q is not base64 of 32 bytes", lines[2])
	}
	h := TreeHead{Workspace: ws, Size: size, Root: root}
	for _, ext := range lines[3:] {
		if t, ok := strings.CutPrefix(ext, "time "); ok {
			if h.Time, err = time.Parse(time.RFC3339, t); err != nil {
				return TreeHead{}, fmt.Errorf("evidence: checkpoint time %q: %w", t, err)
			}
		}
	}
	return h, nil
}

// Equal reports whether two heads state the same tree.
func (h TreeHead) Equal(o TreeHead) bool {
	return h.Workspace == o.Workspace && h.Size == o.Size && bytes.Equal(h.Root, o.Root)
}

// SignedHead is a signed tree head as a log keeps it: the checkpoint, with
// the workspace, size and signing time it states.
type SignedHead struct {
	Workspace  string
	Size       uint64
	SignedAt   time.Time
	Checkpoint string
}
