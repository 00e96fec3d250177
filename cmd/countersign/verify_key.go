package main

import (
	"fmt"
	"strings"
)

// publicKeyList collects repeated --public-key flags of countersign verify:
// the whpk_ keys of endpoints that sign with Ed25519 (Standard Webhooks' v1a).
type publicKeyList []string

func (p *publicKeyList) String() string { return strings.Join(*p, ",") }

func (p *publicKeyList) Set(v string) error {
	if !strings.HasPrefix(v, "whpk_") {
		return fmt.Errorf("a public key starts with whpk_")
	}
	*p = append(*p, v)
	return nil
}
