package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/evidence"
)

// EvidenceStore is what the API needs of the evidence log.
type EvidenceStore interface {
	ProcessEvidence(ctx context.Context, key *evidence.Key, workspaceID, processID string) (*evidence.Bundle, error)
	Consistency(ctx context.Context, workspaceID string, from, to uint64) (evidence.Consistency, error)
	Heads(ctx context.Context, workspaceID string, limit int) ([]evidence.SignedHead, error)
}

// EvidencePublicKey is the installation's evidence key, as auditors use it.
type EvidencePublicKey struct {
	// PublicKey is the signed-note verifier key: "<name>+<key id>+<base64>".
	PublicKey string `json:"publicKey"`
	KeyID     string `json:"keyId"`
	Name      string `json:"name"`
	Algorithm string `json:"algorithm"`
}

// EvidenceHeadView is one signed tree head of the workspace's log.
type EvidenceHeadView struct {
	Size       uint64    `json:"size"`
	SignedAt   time.Time `json:"signedAt"`
	Checkpoint string    `json:"checkpoint"`
}

// EvidenceHeadList is the workspace's signed heads, largest first.
type EvidenceHeadList struct {
	Data []EvidenceHeadView `json:"data"`
}

// maxEvidenceHeads bounds one list of heads.
const maxEvidenceHeads = 1000

// evidenceRoutes registers the evidence log's routes. Reading evidence takes
// the permission to read signing processes, which every role holds: an
// auditor's key can be a member's.
func (s *Server) evidenceRoutes() {
	if s.deps.Evidence == nil || s.deps.EvidenceKey == nil {
		return
	}
	const tag = "evidence"
	perm := countersign.PermProcesses
	for _, r := range []struct {
		op Operation
		h  fiber.Handler
	}{
		{Operation{ID: "getEvidencePublicKey", Method: http.MethodGet, Path: "/v1/evidence/public-key",
			Summary: "The installation's Ed25519 public key that signs tree heads, in the signed-note format", Tag: tag,
			Response: EvidencePublicKey{}}, s.getEvidencePublicKey},
		{Operation{ID: "getProcessEvidence", Method: http.MethodGet, Path: "/v1/processes/:processId/evidence",
			Summary: "The evidence bundle of a signing process: its records with inclusion proofs against a freshly signed tree head",
			Tag:     tag, Perm: perm, Response: evidence.Bundle{}}, s.getProcessEvidence},
		{Operation{ID: "getEvidenceConsistency", Method: http.MethodGet, Path: "/v1/evidence/consistency",
			Summary: "A consistency proof between two signed tree heads of the workspace's log", Tag: tag, Perm: perm,
			Response: evidence.Consistency{}, Query: []Param{
				{Name: "from", Type: "integer", Required: true, Description: "The size of the older signed head."},
				{Name: "to", Type: "integer", Required: true, Description: "The size of the newer signed head."},
			}}, s.getEvidenceConsistency},
		{Operation{ID: "listEvidenceHeads", Method: http.MethodGet, Path: "/v1/evidence/heads",
			Summary: "The signed tree heads of the workspace's log, largest first", Tag: tag, Perm: perm,
			Response: EvidenceHeadList{}, Query: []Param{
				{Name: "limit", Type: "integer", Description: "How many heads to list (100 when absent)."},
			}}, s.listEvidenceHeads},
	} {
		s.handle(r.op, r.h)
	}
}

func (s *Server) getEvidencePublicKey(c *fiber.Ctx) error {
	k := s.deps.EvidenceKey
	return c.JSON(EvidencePublicKey{PublicKey: k.PublicKey(), KeyID: k.ID(), Name: k.Name(), Algorithm: "Ed25519"})
}

func (s *Server) getProcessEvidence(c *fiber.Ctx) error {
	id, err := pathUUID(c, "processId")
	if err != nil {
		return err
	}
	b, err := s.deps.Evidence.ProcessEvidence(c.UserContext(), s.deps.EvidenceKey, actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (s *Server) getEvidenceConsistency(c *fiber.Ctx) error {
	from, err := treeSize(c, "from")
	if err != nil {
		return err
	}
	to, err := treeSize(c, "to")
	if err != nil {
		return err
	}
	p, err := s.deps.Evidence.Consistency(c.UserContext(), actor(c).WorkspaceID, from, to)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *Server) listEvidenceHeads(c *fiber.Ctx) error {
	limit := 100
	if raw := c.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxEvidenceHeads {
			return countersign.FieldErrorf(countersign.EINVALID, "limit", "limit must be an integer from 1 to %d", maxEvidenceHeads)
		}
		limit = n
	}
	heads, err := s.deps.Evidence.Heads(c.UserContext(), actor(c).WorkspaceID, limit)
	if err != nil {
		return err
	}
	out := EvidenceHeadList{Data: make([]EvidenceHeadView, len(heads))}
	for i, h := range heads {
		out.Data[i] = EvidenceHeadView{Size: h.Size, SignedAt: h.SignedAt, Checkpoint: h.Checkpoint}
	}
	return c.JSON(out)
}

// treeSize reads a required tree size from the query (400 naming it).
func treeSize(c *fiber.Ctx, name string) (uint64, error) {
	raw, err := requiredQuery(c, name)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(raw, 10, 63)
	if err != nil {
		return 0, countersign.FieldErrorf(countersign.EINVALID, name, "%s must be a tree size: a whole number from 0", name)
	}
	return n, nil
}
