package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestConcurrentWritersOnSQLite hammers the API with 32 goroutines doing
// writes (create, start and sign processes: each a write transaction with its
// events and deliveries) while the worker records attempts: SQLite takes one
// writer at a time, and waiting for the lock must never surface as a 5xx.
func TestConcurrentWritersOnSQLite(t *testing.T) {
	c := newCluster(t, clusterConfig{})
	c.serve()
	eps := standardEndpoints(t, c, behaviour{})
	baseline := c.lastSeq()

	l := newLoad(c.api)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	l.run(ctx, 1<<30, 32, 0)
	l.mu.Lock()
	statuses := fmt.Sprint(l.statuses)
	l.mu.Unlock()
	t.Logf("32 writers for 4s: %d processes, %d calls, statuses %s", l.done.Load(), l.calls.Load(), statuses)
	if n, why := l.failures(); n > 0 || l.transport.Load() > 0 {
		t.Errorf("%d calls did not answer 2xx under write contention: %s", n, why)
	}
	rep := c.drain(t, eps, baseline, drainWithin)
	t.Logf("after the contention: %s", rep)
	noDuplicates(t, rep)
}

// mountTmpfs mounts a tmpfs of size bytes on a new directory and unmounts it
// when t ends (after the processes using it have stopped, provided it is
// called before they start). Where mount is not permitted the test is
// skipped, except in CI, where it fails.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "e2e-disk", dir).CombinedOutput()
	if err != nil {
		skipOrFail(t, "cannot mount a tmpfs for the database (needs root or CAP_SYS_ADMIN): %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Logf("umount %s: %v %s; detaching it", dir, err, out)
			exec.Command("umount", "-l", dir).Run()
		}
	})
	return dir
}

// fill writes a file of zeros until the file system is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil && !errors.Is(err, syscall.ENOSPC) {
		t.Fatal(err)
	}
	if f == nil {
		return
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatal(err)
		}
	}
}

// TestDiskFull puts the SQLite database on a small tmpfs, fills it while the
// service runs, and expects writes to answer 503 unavailable (never 500),
// reads to keep answering, and everything to work again once space is freed,
// with every committed event delivered.
func TestDiskFull(t *testing.T) {
	disk := mountTmpfs(t, "8m")
	c := newCluster(t, clusterConfig{sqliteDir: disk})
	c.serve()
	// Receivers that take a while, so attempts are in flight when the disk
	// fills and their records meet the full disk too.
	eps := standardEndpoints(t, c, behaviour{delay: 300 * time.Millisecond})
	baseline := c.lastSeq()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	l := newLoad(c.api)
	l.run(ctx, 5, 2, 0)
	if n, why := l.failures(); n > 0 {
		t.Fatalf("before the disk filled: %s", why)
	}

	filler := filepath.Join(disk, "filler")
	fill(t, filler)
	// Writes and reads for a while. SQLite reuses the space its journal
	// already has, so a write may still fit now and then; none may answer a
	// 5xx other than 503 unavailable, and reads keep answering.
	writes, reads := map[string]int{}, map[string]int{}
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		status, data, err := c.api.Call(ctx, "POST", "/v1/processes", processBody(0))
		if err != nil {
			t.Fatalf("createProcess with the disk full: %v", err)
		}
		writes[fmt.Sprintf("%d %s", status, errorCode(data))]++
		switch {
		case status == http.StatusServiceUnavailable:
			if errorCode(data) != "unavailable" || !strings.Contains(string(data), "database") {
				t.Errorf("a write on a full disk answered %s, want the unavailable error naming the database", data)
			}
		case status >= 500:
			t.Errorf("a write on a full disk answered %d %s", status, data)
		}
		for _, path := range []string{"/v1/processes?size=5", "/v1/events?limit=5", "/v1/webhooks/deliveries?limit=5", "/readyz"} {
			status, data, err := c.api.Call(ctx, "GET", path, nil)
			if err != nil || status != http.StatusOK {
				t.Errorf("GET %s with the disk full: %d %s %v, want 200", path, status, data, err)
			}
			reads[fmt.Sprint(status)]++
		}
	}
	t.Logf("with the disk full: writes %v, reads %v", writes, reads)
	if writes["503 unavailable"] == 0 {
		t.Errorf("no write was refused on a full disk")
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	after := newLoad(c.api)
	after.run(ctx, 20, 4, 0)
	if n, why := after.failures(); n > 0 {
		t.Errorf("after space was freed, %d calls failed: %s", n, why)
	}
	rep := c.drain(t, eps, baseline, drainWithin)
	t.Logf("disk full and freed: %s", rep)
}

// TestReadOnlyDisk remounts the database's file system read-only while no
// process has it open (Linux refuses while one does: see docs/reliability.md)
// and starts `serve` on it: it must refuse to start with an error that says
// the file system is read-only. Once the file system is writable again the
// service starts and every event committed before is delivered.
func TestReadOnlyDisk(t *testing.T) {
	disk := mountTmpfs(t, "16m")
	c := newCluster(t, clusterConfig{sqliteDir: disk})
	s := c.serve()
	eps := standardEndpoints(t, c, behaviour{})
	baseline := c.lastSeq()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l := newLoad(c.api)
	l.run(ctx, 5, 2, 0)
	if err := s.Term(30 * time.Second); err != nil {
		t.Fatalf("serve after SIGTERM: %v", err)
	}
	c.closeDB()
	remount := func(mode string) {
		t.Helper()
		if out, err := exec.Command("mount", "-o", "remount,"+mode, disk).CombinedOutput(); err != nil {
			t.Fatalf("remount %s %s: %v %s", mode, disk, err, out)
		}
	}
	remount("ro")
	p := c.start("serve-readonly", "serve")
	select {
	case <-p.Done():
	case <-time.After(30 * time.Second):
		t.Fatalf("serve on a read-only file system did not exit")
	}
	data, _ := os.ReadFile(p.logPath)
	if p.Err() == nil || !strings.Contains(string(data), "read-only") {
		t.Errorf("serve on a read-only file system: exit %v, log:\n%s\nwant a failure that says read-only", p.Err(), data)
	}
	remount("rw")
	c.openDB()
	c.serve()
	l.run(ctx, 10, 2, 0)
	if n, why := l.failures(); n > 0 {
		t.Errorf("%d calls failed: %s", n, why)
	}
	rep := c.drain(t, eps, baseline, drainWithin)
	t.Logf("read-only at start, then writable: %s", rep)
}
