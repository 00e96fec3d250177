package webhook

import (
	"slices"
	"strings"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// Wildcard subscribes an endpoint to every event type, present and future.
const Wildcard = "*"

// ValidatePatterns checks an endpoint's event_types. A pattern is one of:
//   - an exact event type, such as "action.opened";
//   - a prefix wildcard ending in ".*", such as "transaction.*" or
//     "transaction.lifecycle.*", which matches every type that starts with the
//     prefix and its dot (so it matches whole dotted segments only);
//   - Wildcard, "*", which matches every type.
//
// The list must not be empty, every
// exact type is in the catalogue, and every prefix wildcard matches at least one
// catalogue type, so that a typo is refused rather than silently matching nothing.
func ValidatePatterns(patterns []string) error {
	if len(patterns) == 0 {
		return countersign.FieldErrorf(countersign.EVALIDATION, "event_types", "at least one event type is required")
	}
	for _, p := range patterns {
		if !validPattern(p) {
			return countersign.FieldErrorf(countersign.EVALIDATION, "event_types", "unknown event type %q%s", p, patternHint)
		}
	}
	return nil
}

// patternHint ends the refusal of a pattern: what patterns look like and
// where the types are listed.
const patternHint = `: use an exact type ("action.closed"), a prefix of whole segments ending in ".*" ` +
	`("transaction.*", "transaction.lifecycle.*") or "*" for all; GET /v1/event-types lists the types`

func validPattern(p string) bool {
	if p == Wildcard {
		return true
	}
	prefix, ok := wildcardPrefix(p)
	if !ok {
		return events.Known(events.Type(p))
	}
	if strings.Contains(prefix, "*") {
		return false
	}
	for _, t := range events.Types {
		if strings.HasPrefix(string(t), prefix) {
			return true
		}
	}
	return false
}

// wildcardPrefix returns "transaction." for "transaction.*".
func wildcardPrefix(p string) (string, bool) {
	if len(p) < 3 || !strings.HasSuffix(p, ".*") {
		return "", false
	}
	return p[:len(p)-1], true
}

// NormalizePatterns returns the patterns trimmed of spaces, sorted, with empty
// and duplicate entries removed, as they are stored. It does not validate them.
func NormalizePatterns(patterns []string) []string {
	out := make([]string, 0, len(patterns))
	for _, p := range patterns {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Matches reports whether any of the patterns matches event type t. It reads the
// patterns as they are; the dispatcher uses a Subscription instead.
func Matches(patterns []string, t events.Type) bool {
	for _, p := range patterns {
		if matchOne(p, string(t)) {
			return true
		}
	}
	return false
}

func matchOne(p, t string) bool {
	if p == Wildcard || p == t {
		return true
	}
	prefix, ok := wildcardPrefix(p)
	return ok && len(t) > len(prefix) && strings.HasPrefix(t, prefix)
}

// catalog numbers the catalogue's types, the bits of Subscription.known.
var catalog = func() map[events.Type]int {
	m := make(map[events.Type]int, len(events.Types))
	for i, t := range events.Types {
		m[t] = i
	}
	return m
}()

// Subscription is an endpoint's patterns compiled for the dispatcher, which asks
// every endpoint of a workspace about every event. Prefix wildcards are expanded
// against the catalogue into a bit set, so that for a catalogue type the answer
// is one lookup in a map shared by all subscriptions and one bit test; other
// types fall back to the patterns. The zero Subscription matches nothing. A
// Subscription is immutable and safe for concurrent use.
type Subscription struct {
	all      bool
	known    []uint64                 // bit catalog[t] is set when t is received
	other    map[events.Type]struct{} // exact patterns outside the catalogue
	prefixes []string                 // "transaction." for "transaction.*"
	patterns []string
}

// NewSubscription compiles patterns, normalized, into a Subscription. Patterns
// are not validated: those stored before a type left the catalogue still compile.
func NewSubscription(patterns []string) Subscription {
	s := Subscription{patterns: NormalizePatterns(patterns)}
	s.known = make([]uint64, (len(catalog)+63)/64)
	for _, p := range s.patterns {
		if p == Wildcard {
			s.all = true
			continue
		}
		if prefix, ok := wildcardPrefix(p); ok {
			s.prefixes = append(s.prefixes, prefix)
		} else if _, ok := catalog[events.Type(p)]; !ok {
			if s.other == nil {
				s.other = map[events.Type]struct{}{}
			}
			s.other[events.Type(p)] = struct{}{}
		}
		for t, i := range catalog {
			if matchOne(p, string(t)) {
				s.known[i/64] |= 1 << (i % 64)
			}
		}
	}
	return s
}

// Matches reports whether the subscription receives events of type t.
func (s Subscription) Matches(t events.Type) bool {
	if s.all {
		return true
	}
	if i, ok := catalog[t]; ok {
		return i/64 < len(s.known) && s.known[i/64]&(1<<(i%64)) != 0
	}
	if _, ok := s.other[t]; ok {
		return true
	}
	for _, prefix := range s.prefixes {
		if len(t) > len(prefix) && strings.HasPrefix(string(t), prefix) {
			return true
		}
	}
	return false
}

// Patterns returns the normalized patterns the subscription was compiled from.
func (s Subscription) Patterns() []string { return slices.Clone(s.patterns) }
