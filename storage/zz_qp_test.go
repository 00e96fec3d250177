package storage_test
import ("context";"testing";"fmt";"time";"github.com/countersign/countersign/events";"github.com/countersign/countersign/storage";"github.com/countersign/countersign/storage/storagetest")
func TestPerfPlan(t *testing.T){
 storagetest.Each(t, func(t *testing.T, db *storage.DB){
  ctx := context.Background()
  ws, _ := storagetest.Workspace(t, db, "A")
  base := time.Date(2025,1,1,0,0,0,0,time.UTC)
  const n = 200000
  for done := 0; done < n; {
    b := make([]storagetest.Event, 10000)
    for i := range b { b[i] = storagetest.Event{Type: []events.Type{events.ActionClosed, events.ActionOpened, events.TransactionStarted}[(done+i)%3], WorkspaceID: ws.WorkspaceID, CreatedAt: base.Add(time.Duration(done+i)*time.Second), Data: events.ActionData{Action: "SIGNED"}} }
    storagetest.InsertEvents(t, db, b...); done += len(b)
  }
  if db.Dialect == storage.Postgres { db.ExecContext(ctx, "ANALYZE events") }
  timeIt := func(name string, f func() int) { s := time.Now(); k := f(); fmt.Printf("%s %s: %d rows in %v\n", db.Dialect, name, k, time.Since(s)) }
  exportAll := func(f events.Filter) int {
    q := events.Query{Filter: f, Limit: 1000}; total := 0
    for { p, err := db.ListEvents(ctx, ws.WorkspaceID, q); if err != nil { t.Fatal(err) }; total += len(p.Events); if !p.HasMore { return total }; q.StartingAfter = p.Events[len(p.Events)-1].ID }
  }
  timeIt("export all", func() int { return exportAll(events.Filter{}) })
  timeIt("export before 1/2", func() int { return exportAll(events.Filter{CreatedBefore: base.Add(n/2*time.Second)}) })
  timeIt("export between 10%", func() int { return exportAll(events.Filter{CreatedAfter: base.Add(n/10*time.Second), CreatedBefore: base.Add(n/5*time.Second)}) })
  timeIt("export type", func() int { return exportAll(events.Filter{Types: []events.Type{events.ActionClosed, events.ActionOpened}}) })
  timeIt("report all", func() int { c, err := db.Consumption(ctx, ws.WorkspaceID, base.Add(-time.Hour), base.Add(n*time.Second)); if err != nil {t.Fatal(err)}; return c.StartedTransactions })
 })
}
