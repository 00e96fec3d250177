package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage/storagetest"
)

// BenchmarkExportEvents exports 100,000 events, each the catalogue's
// action.closed example (595 bytes of data, 815 stored), from SQLite through the real HTTP
// server and reports the rows per second and the heap: peak HeapInuse sampled
// during the exports, its growth over the heap before them, and bytes
// allocated per row. Run it with:
//
//	go test -run '^$' -bench BenchmarkExportEvents -benchtime 5x ./api/
func BenchmarkExportEvents(b *testing.B) {
	const rows = 100_000
	h := newHarness(b, api.Config{}, api.Deps{})
	db, ws, token := h.db, h.ws, h.owner
	data := json.RawMessage(events.Example(events.ActionClosed).Data)
	start := time.Now().Add(-time.Hour)
	for done := 0; done < rows; {
		batch := make([]storagetest.Event, min(10_000, rows-done))
		for i := range batch {
			batch[i] = storagetest.Event{Type: events.ActionClosed, WorkspaceID: ws.WorkspaceID, APIKeyID: ws.APIKeyID,
				ResourceID: "3f9c2a7e-5b1d-4c8e-9a06-2d7f1e4b8c53", CreatedAt: start.Add(time.Duration(done+i) * time.Millisecond), Data: data}
		}
		storagetest.InsertEvents(b, db, batch...)
		done += len(batch)
	}
	url := h.listen() + "/v1/events/export.csv?type=action.closed"

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	began := time.Now()
	exports := 0
	for b.Loop() {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		lines, size, err := countLines(res.Body)
		res.Body.Close()
		b.SetBytes(size)
		if err != nil || res.StatusCode != http.StatusOK || lines != rows+1 {
			b.Fatalf("export: status %d, %d lines, %v", res.StatusCode, lines, err)
		}
		exports++
	}
	elapsed := time.Since(began)
	close(stop)
	sampler.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(rows*exports)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(int64(peak.Load())-int64(before.HeapInuse))/(1<<20), "heap-growth-MiB")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(rows*exports), "alloc-B/row")
}

// countLines counts the newlines and bytes of r (a newline ends each record:
// data is compact JSON, whose strings escape their newlines).
func countLines(r io.Reader) (lines int, size int64, err error) {
	buf := make([]byte, 64<<10)
	for {
		k, err := r.Read(buf)
		lines += bytes.Count(buf[:k], []byte{'\n'})
		size += int64(k)
		if err == io.EOF {
			return lines, size, nil
		}
		if err != nil {
			return lines, size, err
		}
	}
}
