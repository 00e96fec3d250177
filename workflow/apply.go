package workflow

import "time"

// Apply is the transition rule a store runs, inside the transaction that
// saves its result, on a process it has just loaded: the deadlines reached at
// now are applied first (Tick), then cmd, on a copy when deadlines changed p,
// so that a failing cmd leaves the deadlines applied (as the scheduler would
// have) and nothing of its own.
//
// next is the state to save, nil when there is nothing to save (cmd failed
// and no deadline was due, or cmd is nil and no deadline was due). emitted
// are the events to write with it, in order: those of the deadlines first,
// marked Deadline (the system caused them), then those of cmd. err is cmd's
// error; next and the deadline events are still to be saved when it is set.
// A nil cmd applies the deadlines only. p itself is ticked and must not be
// used afterwards but as next.
func Apply(p *Process, now time.Time, cmd Command) (next *Process, emitted []Emitted, err error) {
	ticked := byDeadline(p.Tick(now))
	if cmd == nil {
		if len(ticked) == 0 {
			return nil, nil, nil
		}
		return p, ticked, nil
	}
	work := p
	if len(ticked) > 0 {
		work = p.Clone() // p keeps the ticked state should cmd fail
	}
	out, err := cmd(work, now)
	if err != nil {
		if len(ticked) == 0 {
			return nil, nil, err
		}
		return p, ticked, err
	}
	return work, append(ticked, out...), nil
}

// ApplyRegistration is Apply for a signer registration: an expiry due at now
// (TickRegistration) is applied first and kept when cmd then fails.
func ApplyRegistration(r *Registration, now time.Time, cmd RegistrationCommand) (next *Registration, emitted []Emitted, err error) {
	ticked := byDeadline(TickRegistration(r, now))
	if cmd == nil {
		if len(ticked) == 0 {
			return nil, nil, nil
		}
		return r, ticked, nil
	}
	work := r
	if len(ticked) > 0 {
		c := *r
		work = &c
	}
	out, err := cmd(work, now)
	if err != nil {
		if len(ticked) == 0 {
			return nil, nil, err
		}
		return r, ticked, err
	}
	return work, append(ticked, out...), nil
}

// byDeadline marks events as caused by a deadline.
func byDeadline(emitted []Emitted) []Emitted {
	for i := range emitted {
		emitted[i].Deadline = true
	}
	return emitted
}

// Split returns the events a deadline caused and those the command caused,
// each in order: a store records the former as the system's and the latter as
// the actor's, beside the actor's answer.
func Split(emitted []Emitted) (deadlines, commanded []Emitted) {
	for _, e := range emitted {
		if e.Deadline {
			deadlines = append(deadlines, e)
		} else {
			commanded = append(commanded, e)
		}
	}
	return deadlines, commanded
}
