package workflow

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/events"
)

// noticeFixture is the fixture process with mail on: every participant has
// an email and signerNotification, but s2, who opted out.
func noticeFixture(t *testing.T, waiting bool) *fixture {
	t.Helper()
	f := newFixture(t, waiting)
	for i := range f.p.Steps {
		for j := range f.p.Steps[i].Signers {
			sg := &f.p.Steps[i].Signers[j]
			sg.Email, sg.Notification = sg.Name+"@example.com", sg.Name != "s2"
		}
	}
	return f
}

// notices applies op to f's process and returns the notices of the change
// as "type>recipient" (the signer's name, or "initiator"), plus the notices.
func notices(t *testing.T, f *fixture, o NoticeOptions, op func(p *Process) ([]Emitted, error)) ([]string, []Notice) {
	t.Helper()
	before := f.p.Clone()
	evs, err := op(f.p)
	if err != nil {
		t.Fatal(err)
	}
	ns := Notices(before, f.p, evs, o)
	var out []string
	for _, n := range ns {
		who := n.Recipient.Name
		if n.Recipient.Role == RoleInitiator {
			who = "initiator"
		}
		out = append(out, string(n.Type)+">"+who)
		if n.ProcessID != f.p.ID || n.Recipient.Email == "" || n.Cause == "" || n.Key == "" {
			t.Errorf("incomplete notice %+v", n)
		}
	}
	return out, ns
}

func assertNotices(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("notices %q, want %q", got, want)
	}
}

func TestNoticesInvitationsFollowTheSteps(t *testing.T) {
	f := noticeFixture(t, false)
	got, ns := notices(t, f, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.Start(at(time.Minute)) })
	assertNotices(t, got, "invitation>s1") // s2 opted out
	if n := ns[0]; n.Cause != events.ActionOpened || n.Recipient.Role != RoleSigner || n.Recipient.Language != "lv" || n.Recipient.SignerID != f.id("s1") {
		t.Fatalf("invitation %+v", n)
	}
	got, _ = notices(t, f, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.Sign(f.id("s1"), at(2*time.Minute)) })
	assertNotices(t, got)
	got, _ = notices(t, f, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.Sign(f.id("s2"), at(3*time.Minute)) })
	assertNotices(t, got, "invitation>a1", "invitation>v1")
	got, ns = notices(t, f, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.Approve(f.id("a1"), at(4*time.Minute)) })
	assertNotices(t, got, "completed>initiator", "completed>s1", "completed>a1", "completed>v1")
	if ns[0].Recipient.Email != "jane@example.com" || ns[0].Recipient.Name != "Jane Doe" {
		t.Fatalf("initiator %+v", ns[0].Recipient)
	}
}

func TestNoticesInvitationWhenTheWaitingPeriodEnds(t *testing.T) {
	f := noticeFixture(t, true)
	got, _ := notices(t, f, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.Start(at(time.Minute)) })
	assertNotices(t, got)
	got, _ = notices(t, f, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.Tick(at(afterWait)), nil })
	assertNotices(t, got, "invitation>s1")
	// Cut short by hand, the period opens the step the same way.
	g := noticeFixture(t, true)
	notices(t, g, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.Start(at(time.Minute)) })
	got, _ = notices(t, g, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.CancelWaitingPeriod(g.stepA, at(time.Hour)) })
	assertNotices(t, got, "invitation>s1")
	// A waiting period and the expiry in one tick: invited, then told it expired.
	h := noticeFixture(t, true)
	notices(t, h, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.Start(at(time.Minute)) })
	got, _ = notices(t, h, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.Tick(at(afterExpir)), nil })
	assertNotices(t, got, "invitation>s1", "expired>initiator", "expired>s1")
}

func TestNoticesReminders(t *testing.T) {
	f := noticeFixture(t, false)
	notices(t, f, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.Start(at(time.Minute)) })
	var keys []string
	for i := 0; i < 2; i++ {
		got, ns := notices(t, f, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.RemindOpen(at(time.Hour)), nil })
		assertNotices(t, got, "reminder>s1")
		keys = append(keys, ns[0].Key)
	}
	got, ns := notices(t, f, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.ManualReminder(f.id("s1"), at(2*time.Hour)) })
	assertNotices(t, got, "reminder>s1")
	if ns[0].Cause != events.ActionManualReminderSent {
		t.Fatalf("cause %s", ns[0].Cause)
	}
	keys = append(keys, ns[0].Key)
	if slices.Sort(keys); len(slices.Compact(keys)) != 3 {
		t.Fatalf("reminder keys repeat: %q", keys)
	}
}

func TestNoticesOutcomes(t *testing.T) {
	atStep2 := func(t *testing.T) *fixture {
		f := noticeFixture(t, false)
		for _, op := range []func() ([]Emitted, error){f.start, f.sign("s1"), f.sign("s2")} {
			if _, err := op(); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	started := func(t *testing.T) *fixture {
		f := noticeFixture(t, false)
		if _, err := f.start(); err != nil {
			t.Fatal(err)
		}
		return f
	}
	cases := []struct {
		name   string
		state  func(*testing.T) *fixture
		o      NoticeOptions
		op     func(f *fixture) func(p *Process) ([]Emitted, error)
		want   []string
		reason string
	}{
		{name: "declined at step 2 tells who acted or was invited, not the decliner", state: atStep2,
			op: func(f *fixture) func(p *Process) ([]Emitted, error) {
				return func(p *Process) ([]Emitted, error) {
					return p.Decline(f.id("a1"), events.StallSignatureRefusal, at(time.Hour))
				}
			},
			want: []string{"declined>initiator", "declined>s1", "declined>v1"}, reason: "signature_refusal"},
		{name: "declined at step 1 tells the co-signer, nobody of step 2", state: started,
			op: func(f *fixture) func(p *Process) ([]Emitted, error) {
				return func(p *Process) ([]Emitted, error) {
					return p.Decline(f.id("s2"), events.StallActionRefusal, at(time.Hour))
				}
			},
			want: []string{"declined>initiator", "declined>s1"}, reason: "action_refusal"},
		{name: "cancelled", state: atStep2,
			op: func(*fixture) func(p *Process) ([]Emitted, error) {
				return func(p *Process) ([]Emitted, error) { return p.Cancel(at(time.Hour)) }
			},
			want: []string{"cancelled>initiator", "cancelled>s1", "cancelled>a1", "cancelled>v1"}, reason: ReasonCanceled},
		{name: "cancelled with messages disabled", state: atStep2, o: NoticeOptions{MessagesDisabled: true},
			op: func(*fixture) func(p *Process) ([]Emitted, error) {
				return func(p *Process) ([]Emitted, error) { return p.Cancel(at(time.Hour)) }
			}},
		{name: "cancelled before start tells the initiator only", state: func(t *testing.T) *fixture { return noticeFixture(t, false) },
			op: func(*fixture) func(p *Process) ([]Emitted, error) {
				return func(p *Process) ([]Emitted, error) { return p.Cancel(at(time.Hour)) }
			},
			want: []string{"cancelled>initiator"}, reason: ReasonCanceled},
		{name: "expired", state: atStep2,
			op: func(*fixture) func(p *Process) ([]Emitted, error) {
				return func(p *Process) ([]Emitted, error) { return p.Expire(at(afterExpir)) }
			},
			want: []string{"expired>initiator", "expired>s1", "expired>a1", "expired>v1"}, reason: ReasonExpiresAtPassed},
		{name: "step due date", state: started,
			op: func(*fixture) func(p *Process) ([]Emitted, error) {
				return func(p *Process) ([]Emitted, error) { return p.StepDue(at(afterDueA)) }
			},
			want: []string{"expired>initiator", "expired>s1"}, reason: ReasonDueDatePassed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.state(t)
			got, ns := notices(t, f, c.o, c.op(f))
			assertNotices(t, got, c.want...)
			for _, n := range ns {
				if n.Reason != c.reason {
					t.Errorf("%s: reason %q, want %q", n.Key, n.Reason, c.reason)
				}
			}
		})
	}
}

func TestNoticesNeedAnAddressAndAreStable(t *testing.T) {
	f := noticeFixture(t, false)
	f.p.ProcessInitiatorEmail = ""
	before := f.p.Clone()
	evs, err := f.p.Cancel(at(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if ns := Notices(before, f.p, evs, NoticeOptions{}); len(ns) != 0 {
		t.Fatalf("notices without an initiator email: %+v", ns)
	}
	g := noticeFixture(t, false)
	before = g.p.Clone()
	evs, _ = g.p.Start(at(time.Minute))
	a, b := Notices(before, g.p, evs, NoticeOptions{}), Notices(before, g.p, evs, NoticeOptions{})
	if fmt.Sprint(a) != fmt.Sprint(b) || a[0].Key != g.p.ID+".invitation."+g.id("s1") {
		t.Fatalf("notices differ or key unexpected: %+v / %+v", a, b)
	}
	if strings.Contains(fmt.Sprint(Notices(nil, g.p, nil, NoticeOptions{})), "invitation") {
		t.Fatal("notices without events")
	}
}
