package webhook_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/webhook"
)

func TestValidatePatterns(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		bad      string // the pattern named in the error; "" when valid
	}{
		{"exact", []string{"action.opened"}, ""},
		{"wildcard", []string{"*"}, ""},
		{"prefix", []string{"transaction.*"}, ""},
		{"deeper prefix", []string{"transaction.lifecycle.*"}, ""},
		{"mixed", []string{"apikey.created", "registration.*", "*"}, ""},
		{"unknown exact", []string{"action.opened", "action.explode"}, "action.explode"},
		{"prefix matching nothing", []string{"payment.*"}, "payment.*"},
		{"prefix of a partial segment", []string{"trans.*"}, "trans.*"},
		{"bare prefix", []string{"transaction"}, "transaction"},
		{"suffix wildcard", []string{"*.created"}, "*.created"},
		{"inner wildcard", []string{"transaction.*.created"}, "transaction.*.created"},
		{"double wildcard", []string{"transaction.*.*"}, "transaction.*.*"},
		{"dot star only", []string{".*"}, ".*"},
		{"trailing star without dot", []string{"transaction*"}, "transaction*"},
		{"empty string", []string{""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.ValidatePatterns(tt.patterns)
			if tt.bad == "" && tt.name != "empty string" {
				if err != nil {
					t.Fatalf("ValidatePatterns = %v, want nil", err)
				}
				return
			}
			e := countersign.AsError(err)
			if e == nil || e.Code != countersign.EVALIDATION || e.Field != "event_types" {
				t.Fatalf("ValidatePatterns = %v, want an EVALIDATION error on event_types", err)
			}
			if want := `unknown event type "` + tt.bad + `": `; !strings.HasPrefix(e.Message, want) {
				t.Fatalf("message = %q, want it to start with %q", e.Message, want)
			}
		})
	}
	if err := webhook.ValidatePatterns(nil); countersign.ErrorCode(err) != countersign.EVALIDATION {
		t.Fatalf("ValidatePatterns(nil) = %v, want EVALIDATION", err)
	}
}

func TestNormalizePatterns(t *testing.T) {
	in := []string{"action.opened", " transaction.* ", "", "action.opened", "*", "transaction.*"}
	want := []string{"*", "action.opened", "transaction.*"}
	if got := webhook.NormalizePatterns(in); !slices.Equal(got, want) {
		t.Fatalf("NormalizePatterns = %q, want %q", got, want)
	}
	if in[0] != "action.opened" || in[1] != " transaction.* " {
		t.Fatal("NormalizePatterns changed its input")
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		typ      events.Type
		want     bool
	}{
		{"exact", []string{"action.opened"}, events.ActionOpened, true},
		{"exact other", []string{"action.opened"}, events.ActionClosed, false},
		{"wildcard", []string{"*"}, events.WebhookTest, true},
		{"prefix", []string{"transaction.*"}, events.TransactionCompleted, true},
		{"prefix deeper type", []string{"transaction.*"}, events.ChatMessageReceived, true},
		{"deeper prefix", []string{"transaction.lifecycle.*"}, events.TransactionStarted, true},
		{"deeper prefix other branch", []string{"transaction.lifecycle.*"}, events.ChatMessageReceived, false},
		{"prefix is whole segments", []string{"action.*"}, "actionable.thing", false},
		{"prefix not the bare name", []string{"transaction.*"}, "transaction.", false},
		{"second pattern", []string{"apikey.created", "registration.*"}, events.RegistrationIdentityVerified, true},
		{"type outside the catalogue, by prefix", []string{"transaction.*"}, "transaction.future.thing", true},
		{"type outside the catalogue, exact", []string{"custom.thing"}, "custom.thing", true},
		{"type outside the catalogue, no match", []string{"action.*"}, "custom.thing", false},
		{"no patterns", nil, events.ActionOpened, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := webhook.Matches(tt.patterns, tt.typ); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
			if got := webhook.NewSubscription(tt.patterns).Matches(tt.typ); got != tt.want {
				t.Errorf("Subscription.Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

// The compiled form agrees with Matches for every catalogue type and pattern.
func TestSubscriptionAgreesWithMatches(t *testing.T) {
	var patterns [][]string
	for _, typ := range events.Types {
		patterns = append(patterns, []string{string(typ)})
	}
	patterns = append(patterns,
		[]string{"*"}, []string{"transaction.*"}, []string{"transaction.lifecycle.*"},
		[]string{"action.*", "apikey.deleted"}, []string{"registration.*", "identity-validation.*"},
	)
	for _, p := range patterns {
		sub := webhook.NewSubscription(p)
		for _, typ := range events.Types {
			if got, want := sub.Matches(typ), webhook.Matches(p, typ); got != want {
				t.Errorf("%q on %s: Subscription %v, Matches %v", p, typ, got, want)
			}
		}
	}
	var zero webhook.Subscription
	if zero.Matches(events.ActionOpened) {
		t.Error("zero Subscription matched")
	}
}

func TestSubscriptionPatterns(t *testing.T) {
	sub := webhook.NewSubscription([]string{"b.*", "a.x", "b.*"})
	got := sub.Patterns()
	if want := []string{"a.x", "b.*"}; !slices.Equal(got, want) {
		t.Fatalf("Patterns = %q, want %q", got, want)
	}
	got[0] = "changed"
	if sub.Patterns()[0] != "a.x" {
		t.Fatal("Patterns shares its slice")
	}
}

// benchPatterns is a typical endpoint: a few exact types and a prefix; the event
// types alternate between matching and not.
var (
	benchPatterns = []string{"action.opened", "action.closed", "apikey.created", "registration.*", "transaction.lifecycle.*"}
	benchTypes    = []events.Type{events.TransactionCompleted, events.ActionStalled, events.RegistrationLifecycleExpired, events.ChatMessageReceived}
)

func BenchmarkMatches(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		webhook.Matches(benchPatterns, benchTypes[i%len(benchTypes)])
	}
}

func BenchmarkSubscriptionMatches(b *testing.B) {
	sub := webhook.NewSubscription(benchPatterns)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sub.Matches(benchTypes[i%len(benchTypes)])
	}
}
