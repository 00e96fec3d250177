package mail

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
)

// Sender delivers messages. Send returns a Receipt on success; on failure
// the error says through Temporary whether trying again later may succeed.
type Sender interface {
	Send(ctx context.Context, m *Message) (Receipt, error)
}

// Receipt is what a successful Send reports for the attempt record.
type Receipt struct {
	// Reply is the server's final reply ("250 2.0.0 Ok: queued as …"), or
	// what the file sender did.
	Reply string
	// Path is the .eml file the file sender wrote; empty for SMTP.
	Path string
}

// Error is a failed send: the SMTP reply when the server gave one, and the
// cause. Retry decisions use Temporary.
type Error struct {
	// Code is the SMTP reply code, 0 when the failure was not a reply
	// (connection refused, TLS, timeout, connection dropped).
	Code int
	// Reply is the server's reply text, for the attempt record.
	Reply string
	// Stage is the step that failed: dial, tls, hello, auth, mail, rcpt,
	// data, render or write.
	Stage string
	Err   error
}

func (e *Error) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("smtp %s: %d %s", e.Stage, e.Code, e.Reply)
	}
	return fmt.Sprintf("mail %s: %v", e.Stage, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether the same message may go through later: every
// failure but a 5xx reply and a message that cannot be rendered. A server
// that is down, slow, answers 4xx or drops the connection mid-DATA is
// temporary; a 5xx reply is the server's final word on this message.
func (e *Error) Temporary() bool {
	if errors.Is(e.Err, ErrInvalid) {
		return false
	}
	return e.Code < 500 || e.Code > 599
}

// Temporary reports whether err, returned by a Sender, is worth retrying.
// A nil error is not; an error that is not an *Error (a bug or a cancelled
// context) is treated as temporary, so nothing is dropped by mistake.
func Temporary(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Temporary()
	}
	return !errors.Is(err, ErrInvalid)
}

// fail wraps err of stage into an *Error, keeping the SMTP reply if err is one.
func fail(stage string, err error) *Error {
	e := &Error{Stage: stage, Err: err}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		e.Code, e.Reply = tp.Code, tp.Msg
	}
	return e
}
