package workflow

import (
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

func TestReminderPolicyNext(t *testing.T) {
	opened := at(0)
	cases := []struct {
		name     string
		r        ReminderPolicy
		last     *time.Time
		deadline *time.Time
		want     *time.Time // nil: none due
	}{
		{name: "zero policy", r: ReminderPolicy{}, deadline: tp(10 * day)},
		{name: "every 3 days from the opening", r: ReminderPolicy{EveryDays: 3}, want: tp(3 * day)},
		{name: "every 3 days from the last reminder", r: ReminderPolicy{EveryDays: 3}, last: tp(4 * day), want: tp(7 * day)},
		{name: "none at or past the deadline", r: ReminderPolicy{EveryDays: 3}, last: tp(7 * day), deadline: tp(10 * day)},
		{name: "before due comes first", r: ReminderPolicy{EveryDays: 7, DaysBeforeDue: 5}, deadline: tp(8 * day), want: tp(3 * day)},
		{name: "before due once", r: ReminderPolicy{DaysBeforeDue: 2}, last: tp(8*day + time.Hour), deadline: tp(10 * day)},
		{name: "before due after an older reminder", r: ReminderPolicy{DaysBeforeDue: 2}, last: tp(2 * day), deadline: tp(10 * day), want: tp(8 * day)},
		{name: "before due skipped when opened after its time", r: ReminderPolicy{DaysBeforeDue: 5}, deadline: tp(3 * day)},
		{name: "before due without a deadline", r: ReminderPolicy{DaysBeforeDue: 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := c.r.Next(opened, c.last, c.deadline)
			switch {
			case c.want == nil && ok:
				t.Fatalf("reminder due at %s, want none", got)
			case c.want != nil && (!ok || !got.Equal(*c.want)):
				t.Fatalf("got %s %v, want %s", got, ok, *c.want)
			}
		})
	}
}

func TestReminderPolicyValidate(t *testing.T) {
	if err := (ReminderPolicy{EveryDays: 3, DaysBeforeDue: 1}).Validate(); err != nil {
		t.Fatal(err)
	}
	assertField(t, ReminderPolicy{EveryDays: -1}.Validate(), countersign.EVALIDATION, "reminderEveryDays")
	assertField(t, ReminderPolicy{DaysBeforeDue: MaxReminderDays + 1}.Validate(), countersign.EVALIDATION, "reminderDaysBeforeDue")
}

func TestAutoRemindAndActionDeadline(t *testing.T) {
	f := noticeFixture(t, false)
	if d := f.p.ActionDeadline(f.id("s1")); d == nil || !d.Equal(at(dueA)) {
		t.Fatalf("deadline of s1 = %v, want the step's due date", d)
	}
	f.p.ExpiresAt = tp(5 * day)
	if d := f.p.ActionDeadline(f.id("a1")); d == nil || !d.Equal(at(5*day)) {
		t.Fatalf("deadline of a1 = %v, want the earlier expiresAt", d)
	}
	if d := f.p.ActionDeadline("nobody"); d != nil {
		t.Fatalf("deadline of nobody = %v", d)
	}
	_, err := f.p.AutoRemind(f.id("s1"), at(time.Hour))
	assertCode(t, err, countersign.ECONFLICT) // not started
	got, _ := notices(t, f, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.Start(at(time.Minute)) })
	assertNotices(t, got, "invitation>s1")
	got, ns := notices(t, f, NoticeOptions{}, func(p *Process) ([]Emitted, error) { return p.AutoRemind(f.id("s1"), at(day)) })
	assertNotices(t, got, "reminder>s1")
	if ns[0].Cause != events.ActionReminderSent {
		t.Fatalf("cause %s", ns[0].Cause)
	}
	if sg, _ := f.p.Signer(f.id("s1")); sg.Reminders != 1 {
		t.Fatalf("reminders %d", sg.Reminders)
	}
	_, err = f.p.AutoRemind(f.id("a1"), at(day))
	assertCode(t, err, countersign.ECONFLICT) // step #1 has not started
	_, err = f.p.AutoRemind("nobody", at(day))
	assertCode(t, err, countersign.ENOTFOUND)
}
