package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign/events"
)

// exportChunk is how many events one query of an export reads: the export is
// a series of short keyset-paged queries, never one long-lived read (which on
// SQLite would hold a read transaction and block WAL checkpoints).
const exportChunk = events.MaxLogLimit

// exportHeader is the CSV header row.
var exportHeader = []string{"id", "type", "created_at", "workspace_id", "api_key_id", "resource_id", "data"}

// exportEvents streams the events matching the search as CSV, newest first,
// in constant memory and without a row limit. The first chunk is read before
// the answer starts, so a bad search or an unavailable database still answers
// a JSON error; a failure later can only cut the stream short (and is logged).
func (s *Server) exportEvents(c *fiber.Ctx) error {
	f, err := parseEventFilter(c)
	if err != nil {
		return err
	}
	ctx, workspaceID := c.UserContext(), actor(c).WorkspaceID
	page, err := s.deps.Events.ListEvents(ctx, workspaceID, events.Query{Filter: f, Limit: exportChunk})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="events-%s-%s.csv"`,
		workspaceID, time.Now().UTC().Format("20060102T150405Z")))
	// The server's write timeout is set once per answer; an export may take
	// longer, so each chunk extends it instead: it bounds a stalled client.
	conn, timeout := c.Context().Conn(), s.cfg.WriteTimeout
	// The stream writer runs after the handler has returned and Fiber has
	// taken its context back: it keeps copies of the request's strings.
	requestID := strings.Clone(requestID(c))
	f.APIKeyID, f.ResourceID = strings.Clone(f.APIKeyID), strings.Clone(f.ResourceID)
	next := func(after string) (events.LogPage, error) {
		return s.deps.Events.ListEvents(ctx, workspaceID, events.Query{Filter: f, Limit: exportChunk, StartingAfter: after})
	}
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		extend := func() {
			if conn != nil && timeout > 0 {
				_ = conn.SetWriteDeadline(time.Now().Add(timeout))
			}
		}
		if err := writeEventsCSV(ctx, w, page, next, extend); err != nil {
			s.log.Warn("event export cut short", "request_id", requestID, "workspace_id", workspaceID, "err", err)
		}
	})
	return nil
}

// writeEventsCSV writes the header and every event of page and of the pages
// next reads after it, flushing each chunk to w. beforeChunk runs before each
// chunk is written.
func writeEventsCSV(ctx context.Context, w *bufio.Writer, page events.LogPage,
	next func(after string) (events.LogPage, error), beforeChunk func()) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180 line ends
	record := make([]string, len(exportHeader))
	if err := cw.Write(exportHeader); err != nil {
		return err
	}
	for {
		beforeChunk()
		for _, e := range page.Events {
			eventRecord(record, e)
			if err := cw.Write(record); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("send csv: %w", err)
		}
		if !page.HasMore || len(page.Events) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		if page, err = next(page.Events[len(page.Events)-1].ID); err != nil {
			return fmt.Errorf("read events: %w", err)
		}
	}
}

// eventRecord fills record with e's CSV fields: an absent key or resource is
// an empty field, expunged data is null.
func eventRecord(record []string, e events.Logged) {
	record[0] = e.ID
	record[1] = string(e.Type)
	record[2] = e.CreatedAt.Format(time.RFC3339Nano)
	record[3] = e.WorkspaceID
	record[4] = ""
	if e.APIKeyID != nil {
		record[4] = *e.APIKeyID
	}
	record[5] = e.ResourceID
	record[6] = "null"
	if e.Data != nil {
		record[6] = string(e.Data) // stored by encoding/json: compact already
	}
}
