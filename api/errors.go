package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
)

// statusOf maps each domain error code to its HTTP status: the one table.
var statusOf = map[string]int{
	countersign.EINVALID:      http.StatusBadRequest,
	countersign.EVALIDATION:   http.StatusUnprocessableEntity,
	countersign.ENOTFOUND:     http.StatusNotFound,
	countersign.ECONFLICT:     http.StatusConflict,
	countersign.EUNAUTHORIZED: http.StatusUnauthorized,
	countersign.EFORBIDDEN:    http.StatusForbidden,
	countersign.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	countersign.EMEDIATYPE:    http.StatusUnsupportedMediaType,
	countersign.ERATELIMIT:    http.StatusTooManyRequests,
	countersign.EUNAVAILABLE:  http.StatusServiceUnavailable,
	countersign.EINTERNAL:     http.StatusInternalServerError,
}

// codeOfStatus names the errors Fiber itself raises (unknown route, wrong
// method, oversize body) in the same vocabulary.
var codeOfStatus = map[int]string{
	http.StatusBadRequest:                  countersign.EINVALID,
	http.StatusNotFound:                    countersign.ENOTFOUND,
	http.StatusMethodNotAllowed:            "method_not_allowed",
	http.StatusRequestEntityTooLarge:       countersign.ETOOLARGE,
	http.StatusRequestHeaderFieldsTooLarge: "headers_too_large",
	http.StatusRequestTimeout:              "request_timeout",
	http.StatusUnsupportedMediaType:        countersign.EMEDIATYPE,
	http.StatusTooManyRequests:             countersign.ERATELIMIT,
	http.StatusServiceUnavailable:          countersign.EUNAVAILABLE,
}

// ErrorBody is the JSON body of every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong and, when a request field is at fault, which.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// handleError is Fiber's error handler: every error answer passes through it.
// Errors without a domain code are bugs: they are logged and answered as a bare
// internal error, never with their text.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	detail := ErrorDetail{RequestID: requestID(c)}
	if detail.RequestID == "" {
		// refused before routing (a body over the limit, headers over the
		// read buffer): observe never ran, the request still gets an id
		detail.RequestID = c.Get(HeaderRequestID)
		if !validRequestID(detail.RequestID) {
			detail.RequestID = countersign.NewUUID()
		}
		c.Set(HeaderRequestID, detail.RequestID)
	}
	status := http.StatusInternalServerError
	var fe *fiber.Error
	switch de := countersign.AsError(err); {
	case de != nil:
		detail.Code, detail.Message, detail.Field = de.Code, de.Message, de.Field
		if st, ok := statusOf[de.Code]; ok {
			status = st
		}
		if de.Code == countersign.EUNAVAILABLE {
			c.Set(fiber.HeaderRetryAfter, "5")
			s.log.Warn("dependency unavailable", "request_id", detail.RequestID, "err", err)
		}
	case errors.As(err, &fe):
		// Fiber's own errors: unknown route, wrong method, oversize body, and
		// connection-level failures fasthttp reports (a client that went away,
		// a read timeout) as 4xx or 502. None is a bug of a handler.
		status = fe.Code
		detail.Code = codeOfStatus[fe.Code]
		if detail.Code == "" {
			detail.Code = countersign.EINVALID
			if fe.Code >= 500 {
				detail.Code = countersign.EUNAVAILABLE
			}
		}
		detail.Message = fiberMessage(c, fe)
		if fe.Code >= 500 {
			s.log.Debug("connection error", "request_id", detail.RequestID, "err", err)
		}
	default:
		detail.Code, detail.Message = countersign.EINTERNAL, "internal error"
		s.log.Error("request failed", "request_id", detail.RequestID, "method", methodLabel(c.Method()),
			"path", strings.Clone(c.Path()), "err", err) // a log handler may keep attributes past the request
	}
	return c.Status(status).JSON(ErrorBody{Error: detail})
}

// fiberMessage words Fiber's own errors for API clients.
func fiberMessage(c *fiber.Ctx, fe *fiber.Error) string {
	switch fe.Code {
	case http.StatusNotFound:
		return fmt.Sprintf("no route %s %s", c.Method(), c.Path())
	case http.StatusMethodNotAllowed:
		return fmt.Sprintf("method %s is not allowed on %s", c.Method(), c.Path())
	case http.StatusRequestEntityTooLarge:
		return fmt.Sprintf("request body is larger than %d bytes", c.App().Config().BodyLimit)
	case http.StatusRequestHeaderFieldsTooLarge:
		return fmt.Sprintf("request line and headers are larger than %d bytes", c.App().Config().ReadBufferSize)
	}
	return fe.Message
}

// logPanic logs a recovered panic with its stack; the answer is a 500.
func (s *Server) logPanic(c *fiber.Ctx, e any) {
	s.log.Error("panic in handler", "request_id", requestID(c), "method", methodLabel(c.Method()),
		"path", strings.Clone(c.Path()), "panic", fmt.Sprint(e), "stack", string(debug.Stack()))
}

// errLevel is the log level of a request that ended with status.
func errLevel(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}
