package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// maxReceivedBody bounds what the receiver keeps of one request.
const maxReceivedBody = 10 << 20

// receiveCmd runs `countersign receive`: a webhook receiver for trying
// Countersign on one machine. It answers every POST with --status and
// saves each one as raw HTTP in --dir, numbered in arrival order (0001.http,
// …), which is the form `countersign verify` reads. Restarted on the same
// directory, it numbers on from the files already there.
func receiveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("countersign receive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9000", "listen address")
	dir := fs.String("dir", "received", "directory the requests are saved in")
	status := fs.Int("status", http.StatusNoContent, "the status every request is answered with (e.g. 503 to fail)")
	if err := fs.Parse(args); err != nil {
		return usageError{msg: errMsg(err)}
	}
	if fs.NArg() > 0 {
		return usagef("receive: unexpected argument %q", fs.Arg(0))
	}
	if *status < 200 || *status > 599 {
		return usagef("receive: --status %d: want an HTTP status from 200 to 599", *status)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return fmt.Errorf("receive: %w", err)
	}
	seen, err := filepath.Glob(filepath.Join(*dir, "*.http"))
	if err != nil {
		return fmt.Errorf("receive: %w", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("receive: %w", err)
	}
	r := &receiver{dir: *dir, status: *status, out: stdout, n: len(seen)}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	r.printf("receiving webhooks on http://%s/, answering %d, saving each request in %s/\n", ln.Addr(), *status, *dir)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("receive: %w", err)
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(stop); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("receive: %w", err)
	}
	return nil
}

// receiver saves and answers requests.
type receiver struct {
	dir    string
	status int
	mu     sync.Mutex
	out    io.Writer
	n      int
}

func (rc *receiver) printf(format string, args ...any) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	fmt.Fprintf(rc.out, format, args...)
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		// Webhooks are POSTs; anything else (a script checking that the
		// receiver is up) is answered and not saved.
		fmt.Fprintln(w, "countersign receive: POST webhooks here")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxReceivedBody)
	raw, err := httputil.DumpRequest(r, true)
	if err != nil {
		http.Error(w, "cannot read the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.n++
	name := filepath.Join(rc.dir, fmt.Sprintf("%04d.http", rc.n))
	rc.mu.Unlock()
	if err := os.WriteFile(name, raw, 0o644); err != nil {
		http.Error(w, "cannot save the request: "+err.Error(), http.StatusInternalServerError)
		return
	}
	id, typ := r.Header.Get("webhook-id"), eventType(raw)
	rc.printf("%s  %s %s  webhook-id %s %s → %d\n", name, r.Method, r.URL.Path, id, typ, rc.status)
	w.WriteHeader(rc.status)
}

// eventType picks the "type" of a Countersign event body for the log line,
// without decoding it: the receiver saves whatever it is sent.
func eventType(raw []byte) string {
	const key = `"type":"`
	s := string(raw)
	i := strings.Index(s, key)
	if i < 0 {
		return ""
	}
	s = s[i+len(key):]
	if j := strings.IndexByte(s, '"'); j >= 0 {
		return s[:j]
	}
	return ""
}
