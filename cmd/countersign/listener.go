package main

import (
	"context"
	"net"
	"sync"
	"time"
)

// freshAge is how long a connection that has sent nothing may live before a
// shutdown closes it: younger ones may be about to send their first request.
const freshAge = time.Second

// quietListener remembers each accepted connection until it sends its first
// byte. fasthttp counts a connection that never sent a request as active (it
// waits in a read bounded by the read timeout), so a client holding a spare
// connection open (a pool dialled ahead, a cancelled request) would hold up a
// graceful shutdown for the whole grace period. closeQuiet closes those; no
// request has been read from them, so nothing is lost.
type quietListener struct {
	net.Listener
	mu    sync.Mutex
	quiet map[*quietConn]time.Time
}

func newQuietListener(ln net.Listener) *quietListener {
	return &quietListener{Listener: ln, quiet: map[*quietConn]time.Time{}}
}

// Accept implements net.Listener.
func (l *quietListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	qc := &quietConn{Conn: c, l: l}
	l.mu.Lock()
	l.quiet[qc] = time.Now()
	l.mu.Unlock()
	return qc, nil
}

// closeQuiet closes the connections that have sent nothing for freshAge.
func (l *quietListener) closeQuiet() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c, at := range l.quiet {
		if time.Since(at) >= freshAge {
			c.Conn.Close()
			delete(l.quiet, c)
		}
	}
}

func (l *quietListener) forget(c *quietConn) {
	l.mu.Lock()
	delete(l.quiet, c)
	l.mu.Unlock()
}

// quietConn is a connection that tells its listener when it first reads data.
type quietConn struct {
	net.Conn
	l    *quietListener
	once sync.Once
}

// Read implements net.Conn.
func (c *quietConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.once.Do(func() { c.l.forget(c) })
	}
	return n, err
}

// Close implements net.Conn.
func (c *quietConn) Close() error {
	c.once.Do(func() { c.l.forget(c) })
	return c.Conn.Close()
}

// shutdownHTTP stops the HTTP server: it stops accepting, lets in-flight
// requests finish within ctx, and closes the connections that never sent a
// request instead of waiting for their read timeout.
func (s *service) shutdownHTTP(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- s.srv.Shutdown(ctx) }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
			if q, ok := s.ln.(*quietListener); ok {
				q.closeQuiet()
			}
		}
	}
}
