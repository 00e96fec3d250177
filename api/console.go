package api

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/valyala/fasthttp"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/console"
)

// consoleCallKey is the fasthttp user value under which an in-process console
// call carries the key it is made as. User values are set only by code in this
// process, never from the bytes of a request, so a network client cannot
// claim a console identity: it must send a bearer key.
type consoleCallKey struct{}

// consoleCall is what a console call carries: the caller and the browser
// request's context.
type consoleCall struct {
	as  console.Caller
	ctx context.Context
}

// consoleClientApp names the console in the audit trail's client_app.
const consoleClientApp = "countersign-console"

// MountConsole serves h at /console/, beside the API on the same address.
func (s *Server) MountConsole(h http.Handler) {
	s.app.Use("/console/", adaptor.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The adaptor makes the fasthttp.RequestCtx the request's context;
		// its Done reads the server's state, which Shutdown writes without a
		// lock. The console's calls get a context of their own instead.
		h.ServeHTTP(w, r.WithContext(context.WithoutCancel(r.Context())))
	})))
}

// Console returns the API as the console calls it: in-process, through the
// same routes, middleware and error handler as a network client.
func (s *Server) Console() console.API { return consoleAPI{s} }

type consoleAPI struct{ s *Server }

var _ console.API = consoleAPI{}

// Identify checks a secret key as bearer authentication does.
func (a consoleAPI) Identify(ctx context.Context, token string) (console.Identity, error) {
	key, err := a.s.deps.Keys.Authenticate(ctx, strings.TrimSpace(token))
	if err != nil {
		if countersign.ErrorCode(err) == countersign.EUNAUTHORIZED {
			return console.Identity{}, console.ErrUnauthorized
		}
		return console.Identity{}, fmt.Errorf("identify api key: %w", err)
	}
	id := console.Identity{Caller: console.Caller{WorkspaceID: key.WorkspaceID, KeyID: key.ID},
		Name: key.Name, Role: string(key.Role)}
	for _, p := range []countersign.Permission{countersign.PermManageKeys, countersign.PermReplay,
		countersign.PermManageWebhooks, countersign.PermProcesses} {
		if key.Role.Can(p) {
			id.Permissions = append(id.Permissions, string(p))
		}
	}
	return id, nil
}

// Do runs the Fiber application's handler on a request built in memory.
func (a consoleAPI) Do(ctx context.Context, r console.Request) (console.Response, error) {
	var fc fasthttp.RequestCtx
	fc.Init2(consoleConn{remote: remoteAddr(r.RemoteAddr)}, nil, false)
	req := &fc.Request
	req.Header.SetMethod(r.Method)
	uri := r.Path
	if len(r.Query) > 0 {
		uri += "?" + r.Query.Encode()
	}
	req.SetRequestURI(uri)
	req.Header.SetHost("console.internal")
	req.Header.Set("X-Client-App", consoleClientApp)
	if r.UserAgent != "" {
		req.Header.Set(fiber.HeaderUserAgent, r.UserAgent)
	}
	if r.Body != nil {
		req.Header.SetContentType(fiber.MIMEApplicationJSON)
		req.SetBody(r.Body)
	}
	fc.SetUserValue(consoleCallKey{}, consoleCall{as: r.As, ctx: ctx})
	a.s.app.Handler()(&fc)

	res := console.Response{Status: fc.Response.StatusCode(), Header: http.Header{}}
	fc.Response.Header.VisitAll(func(k, v []byte) { res.Header.Add(string(k), string(v)) })
	if r.Sink != nil {
		if err := fc.Response.BodyWriteTo(r.Sink(res.Status, res.Header)); err != nil {
			return res, fmt.Errorf("%s %s: stream body: %w", r.Method, r.Path, err)
		}
		return res, nil
	}
	res.Body = append([]byte(nil), fc.Response.Body()...)
	return res, nil
}

// consoleConn stands for the browser's connection in an in-process call: it
// carries the browser's address for the audit trail; nothing is read from
// or written to it (the answer is taken from the request context).
type consoleConn struct{ remote net.Addr }

func (c consoleConn) Read([]byte) (int, error)         { return 0, io.EOF }
func (c consoleConn) Write(b []byte) (int, error)      { return len(b), nil }
func (c consoleConn) Close() error                     { return nil }
func (c consoleConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
func (c consoleConn) RemoteAddr() net.Addr             { return c.remote }
func (c consoleConn) SetDeadline(time.Time) error      { return nil }
func (c consoleConn) SetReadDeadline(time.Time) error  { return nil }
func (c consoleConn) SetWriteDeadline(time.Time) error { return nil }

// remoteAddr parses the browser's address for the audit trail's IP.
func remoteAddr(addr string) net.Addr {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return &net.TCPAddr{IP: ip}
}

// consoleCaller reports the key an in-process console call is made as, and
// loads it: a key deleted since sign-in answers 401, which ends the session.
func (s *Server) consoleCaller(c *fiber.Ctx) (countersign.APIKey, context.Context, bool, error) {
	call, ok := c.Context().UserValue(consoleCallKey{}).(consoleCall)
	if !ok {
		return countersign.APIKey{}, nil, false, nil
	}
	key, err := s.deps.Keys.GetAPIKey(call.ctx, call.as.WorkspaceID, call.as.KeyID)
	if countersign.ErrorCode(err) == countersign.ENOTFOUND {
		err = countersign.Errorf(countersign.EUNAUTHORIZED, "the console session's API key no longer exists")
	}
	return key, call.ctx, true, err
}
