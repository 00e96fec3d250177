package countersign

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP edge maps each to one status in a single table; any error
// that carries no code is internal and is logged, never shown.
const (
	EINVALID      = "invalid_request"   // malformed input: bad JSON, wrong type, bad id or enum
	EVALIDATION   = "validation_failed" // well-formed input that breaks a rule
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict" // illegal state transition, duplicate name
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOLARGE     = "payload_too_large"
	EMEDIATYPE    = "unsupported_media_type"
	ERATELIMIT    = "rate_limited"
	EUNAVAILABLE  = "unavailable" // a dependency (database, disk) cannot serve now
	EINTERNAL     = "internal"
)

// Error is a domain error that is safe to show to the caller.
type Error struct {
	Code    string
	Message string
	// Field names the request field at fault, when there is one.
	Field string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an Error about one request field.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns the error for a resource that does not exist in the caller's
// workspace. Resources of other workspaces answer the same, so ids leak nothing.
func NotFound(resource string) *Error {
	return &Error{Code: ENOTFOUND, Message: resource + " not found"}
}

// ErrorCode returns the code of the first Error in err's chain, EINTERNAL for any
// other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// AsError returns the first Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
