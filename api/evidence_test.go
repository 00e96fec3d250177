package api_test

import (
	"github.com/countersign/countersign/evidence"
)

// testEvidenceKey signs the tree heads of every test server.
var testEvidenceKey = func() *evidence.Key {
	k, _, err := evidence.GenerateKey(evidence.DefaultKeyName)
	if err != nil {
		panic(err)
	}
	return k
}()
