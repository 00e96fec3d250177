package workflow

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/countersign/countersign"
)

// TestApply checks the transition rule stores run: deadlines first, then the
// command on a copy; a failing command keeps the deadlines and nothing of its own.
func TestApply(t *testing.T) {
	failed := errors.New("refused")
	tests := []struct {
		name  string
		state string
		now   time.Time
		// cmd returns the command for the fixture (nil: deadlines only).
		cmd func(f *fixture) Command
		// save: whether next is set; ticked: whether a deadline was due; fails: whether cmd fails.
		save, ticked, fails bool
	}{
		{"command, nothing due", "STARTED", at(opTime), signS1, true, false, false},
		{"failing command, nothing due", "STARTED", at(opTime), failing(failed), false, false, true},
		{"command after a deadline", "WAITING", at(afterWait), signS1, true, true, false},
		{"failing command after a deadline", "WAITING", at(afterWait), failing(failed), true, true, true},
		{"deadlines only, nothing due", "STARTED", at(opTime), nil, false, false, false},
		{"deadlines only, one due", "WAITING", at(afterWait), nil, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := build(t, tt.state)
			ticked := deepCopy(t, f.p)
			wantTicked := ticked.Tick(tt.now)
			var cmd Command
			if tt.cmd != nil {
				cmd = tt.cmd(f)
			}
			p := f.p
			next, emitted, err := Apply(p, tt.now, cmd)
			if tt.fails != (err != nil) {
				t.Fatalf("err = %v, want failure %v", err, tt.fails)
			}
			if tt.fails && !errors.Is(err, failed) {
				t.Fatalf("err = %v, want the command's", err)
			}
			if (next != nil) != tt.save {
				t.Fatalf("next = %v, want a state to save: %v", next, tt.save)
			}
			if (len(wantTicked) > 0) != tt.ticked {
				t.Fatalf("the fixture has %d deadline events at %v", len(wantTicked), tt.now)
			}
			deadlines, commanded := Split(emitted)
			if !slices.Equal(types(deadlines), types(wantTicked)) || !slices.Equal(types(emitted[:len(deadlines)]), types(deadlines)) {
				t.Errorf("deadline events %v first, want %v", types(deadlines), types(wantTicked))
			}
			for _, e := range commanded {
				if e.Deadline {
					t.Errorf("command event %s marked Deadline", e.Type)
				}
			}
			if tt.fails && len(commanded) > 0 {
				t.Errorf("a failing command emitted %v", types(commanded))
			}
			if tt.cmd != nil && !tt.fails && len(commanded) == 0 {
				t.Errorf("the command's events are missing")
			}
			// The ticked state survives in p whatever the command did.
			if tt.ticked && !reflect.DeepEqual(deepCopy(t, p), ticked) {
				t.Errorf("p is not the ticked state:\n%s\nwant\n%s", summary(p), summary(ticked))
			}
			if tt.ticked && tt.fails && next != p {
				t.Errorf("a failing command must leave next the ticked process")
			}
			if tt.ticked && !tt.fails && tt.cmd != nil && next == p {
				t.Errorf("the command ran on p, not on a copy")
			}
		})
	}
}

func signS1(f *fixture) Command {
	return func(p *Process, now time.Time) ([]Emitted, error) { return p.Sign(f.id("s1"), now) }
}

func failing(err error) func(*fixture) Command {
	return func(*fixture) Command {
		return func(p *Process, _ time.Time) ([]Emitted, error) {
			p.Comment = "changed by a failing command" // must not survive
			return nil, err
		}
	}
}

func TestApplyRegistration(t *testing.T) {
	verify := func(r *Registration, now time.Time) ([]Emitted, error) { return r.VerifyIdentity(true, now) }
	tests := []struct {
		name         string
		now          time.Time
		cmd          RegistrationCommand
		wantStatus   RegistrationStatus
		wantDeadline bool
		wantCode     string
	}{
		{"command in time", regSoon, verify, RegistrationIdentityVerified, false, ""},
		{"command too late: the expiry is kept", regLate, verify, RegistrationExpired, true, countersign.ECONFLICT},
		{"deadlines only, nothing due", regSoon, nil, "", false, ""},
		{"deadlines only, expiry due", regLate, nil, RegistrationExpired, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRegistration(t)
			next, emitted, err := ApplyRegistration(r, tt.now, tt.cmd)
			if tt.wantCode != "" {
				assertCode(t, err, tt.wantCode)
			} else if err != nil {
				t.Fatal(err)
			}
			if tt.wantStatus == "" {
				if next != nil || emitted != nil {
					t.Fatalf("nothing was due, got %v %v", next, emitted)
				}
				return
			}
			if next == nil || next.Status != tt.wantStatus {
				t.Fatalf("next = %+v, want status %s", next, tt.wantStatus)
			}
			deadlines, _ := Split(emitted)
			if (len(deadlines) > 0) != tt.wantDeadline {
				t.Errorf("deadline events %v, want some: %v", types(deadlines), tt.wantDeadline)
			}
		})
	}
}
