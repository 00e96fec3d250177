package workflow

import (
	"reflect"
	"testing"

	"github.com/countersign/countersign/events"
)

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// The values workflow puts in payloads are the ones the event catalogue
// publishes as enums: a value outside them would break receivers that validate.
func TestEnumsMatchCatalogue(t *testing.T) {
	pairs := []struct {
		name       string
		got, inCat []string
	}{
		{"process statuses", strs(ProcessStatuses), events.ProcessStatuses},
		{"step statuses", strs(StepStatuses), events.StepStatuses},
		{"signing statuses", strs(SigningStatuses), events.SigningStatuses},
		{"signer roles", strs(SignerRoles), events.SignerRoles},
		{"verification statuses", []string{VerificationSuccess, VerificationFailure}, events.VerificationStatuses},
		{"registration methods", []string{string(MethodPVID), string(MethodWeb)}, events.VerificationMethods},
		{"closing actions", []string{string(SigningSigned), string(SigningApproved), string(SigningViewed)}, events.ClosingActions},
	}
	for _, p := range pairs {
		if !reflect.DeepEqual(p.got, p.inCat) {
			t.Errorf("%s: workflow %v, catalogue %v", p.name, p.got, p.inCat)
		}
	}
}
