package e2e

import (
	"time"

	"github.com/countersign/countersign/internal/kit"
)

// client calls the REST API with an API key: the kit's, shared with the bench.
type client = kit.Client

func newClient(base, token string) *client { return kit.NewClient(base, token, 128, 20*time.Second) }

// errorCode returns the code of an error answer, or "" when data is not one.
func errorCode(data []byte) string { return kit.ErrorCode(data) }
